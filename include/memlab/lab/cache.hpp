#pragma once
// The result cache: a run is stored under the SHA-256 of everything it depends on (the resolved
// experiment after overrides, which holds the device parameters; the seed; the device index;
// memlab's build) and is not run again while its entry is stored. `memlab sweep` and
// `memlab reproduce` share it.
//
// Layout: DIR/objects/ab/abcdef.../ holds one result's files (and .entry.json: what it depends
// on, its size); DIR/staging/ holds results being written. A result is written into a staging
// folder and renamed into objects/ in one step, so a process killed at any moment (kill -9) leaves
// no half entry: what it did not finish is staged only, and removed by the next run on the host.
// Entries used least recently are removed when the total passes the size bound.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace memlab::lab {

struct cache_options {
    bool enabled = true;            // false: every run computes (nothing read or stored)
    std::filesystem::path dir;      // empty: default_cache_dir()
    std::uintmax_t max_bytes = 0;   // 0: default_cache_bytes()
};

// $MEMLAB_CACHE, else $XDG_CACHE_HOME/memlab, else $HOME/.cache/memlab.
std::filesystem::path default_cache_dir();
// $MEMLAB_CACHE_SIZE (e.g. "20 GB"), else 10 GB.
std::uintmax_t default_cache_bytes();
// "500 MB", "20GB", "1.5 TB", "4096" (bytes; k M G T in powers of 1000, KiB MiB GiB TiB in
// powers of 1024). input_error naming `where` otherwise.
std::uintmax_t parse_bytes(const std::string& text, const std::string& where);

// memlab's version and a hash of the compiled code that runs it (the program or the Python
// module holding memlab): a rebuilt memlab never takes another build's results.
const std::string& build_id();

class result_cache {
public:
    explicit result_cache(const cache_options& o = {});
    const std::filesystem::path& dir() const { return dir_; }
    std::uintmax_t max_bytes() const { return max_bytes_; }

    // The key of a result: SHA-256 (64 hex digits) of `inputs` (canonical JSON: objects sorted by
    // key) with build_id().
    static std::string key(const nlohmann::json& inputs);

    // The stored entry's folder, marked as used; nullopt when there is none.
    std::optional<std::filesystem::path> find(const std::string& key) const;
    // An empty folder to write a result into (under staging/), then store() it.
    std::filesystem::path begin(const std::string& key) const;
    // Moves a folder from begin() into place as the entry of `key`, with `inputs` recorded, in one
    // rename; when another process stored the same key first, keeps that one. Returns the entry.
    std::filesystem::path store(const std::string& key, const std::filesystem::path& staged, const nlohmann::json& inputs) const;

    // Copies an entry's files (not .entry.json) into `dest`, which is created.
    static void copy_out(const std::filesystem::path& entry, const std::filesystem::path& dest);

    struct usage {
        std::size_t entries = 0;
        std::uintmax_t bytes = 0;
    };
    usage measure() const;
    // Removes the entries used least recently until the rest fit max_bytes(); what was removed.
    usage trim() const;
    // Removes every entry and everything staged; what was removed.
    usage clear() const;

private:
    std::filesystem::path dir_;
    std::uintmax_t max_bytes_;
};

}  // namespace memlab::lab
