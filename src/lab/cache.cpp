#include "memlab/lab/cache.hpp"

#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "memlab/error.hpp"
#include "memlab/util/hash.hpp"
#include "memlab/version.hpp"

namespace fs = std::filesystem;

namespace memlab::lab {

namespace {

// Whether process `pid` of this host can still finish what it staged: it exists and is not a
// zombie (a killed worker whose parent died too stays a zombie until its new parent reaps it, and
// kill(pid, 0) still finds it).
bool alive(long pid) {
    if (pid <= 0) return false;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
    std::ifstream stat(fmt::format("/proc/{}/stat", pid));
    std::string line;
    if (!std::getline(stat, line)) return true;  // no /proc: kill() said it exists
    const auto close = line.rfind(')');         // "pid (comm) S ...": comm may hold spaces and ')'
    return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

constexpr const char* entry_file = ".entry.json";

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "host";
    std::string h(buf);
    std::replace(h.begin(), h.end(), '.', '_');
    return h.empty() ? "host" : h;
}

std::uintmax_t folder_bytes(const fs::path& dir) {
    std::uintmax_t n = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec)) n += it->file_size(ec);
    return n;
}

struct entry_info {
    fs::path path;
    fs::file_time_type used;
    std::uintmax_t bytes;
};

std::vector<entry_info> entries(const fs::path& objects) {
    std::vector<entry_info> out;
    std::error_code ec;
    if (!fs::is_directory(objects, ec)) return out;
    for (const auto& shard : fs::directory_iterator(objects, ec)) {
        if (!shard.is_directory()) continue;
        for (const auto& e : fs::directory_iterator(shard.path(), ec)) {
            if (!e.is_directory()) continue;
            std::uintmax_t bytes = 0;
            try {
                bytes = nlohmann::json::parse(std::ifstream(e.path() / entry_file)).at("bytes").get<std::uintmax_t>();
            } catch (const std::exception&) {
                bytes = folder_bytes(e.path());
            }
            out.push_back({e.path(), fs::last_write_time(e.path(), ec), bytes});
        }
    }
    return out;
}

}  // namespace

fs::path default_cache_dir() {
    if (const auto d = env("MEMLAB_CACHE"); !d.empty()) return d;
    if (const auto d = env("XDG_CACHE_HOME"); !d.empty()) return fs::path(d) / "memlab";
    if (const auto d = env("HOME"); !d.empty()) return fs::path(d) / ".cache" / "memlab";
    return fs::temp_directory_path() / "memlab-cache";
}

std::uintmax_t parse_bytes(const std::string& text, const std::string& where) {
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    std::string unit = text.substr(used);
    unit.erase(0, unit.find_first_not_of(' '));
    double scale = 0;
    for (const auto& [name, s] : std::initializer_list<std::pair<const char*, double>>{
             {"", 1}, {"B", 1}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
             {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0}})
        if (unit == name) scale = s;
    if (used == 0 || scale == 0 || !std::isfinite(v) || v <= 0)
        throw input_error(fmt::format("{} '{}': expected a size such as 500 MB, 20 GB or 1 TiB", where, text));
    return static_cast<std::uintmax_t>(v * scale);
}

std::uintmax_t default_cache_bytes() {
    if (const auto s = env("MEMLAB_CACHE_SIZE"); !s.empty()) return parse_bytes(s, "MEMLAB_CACHE_SIZE");
    return 10'000'000'000ULL;
}

const std::string& build_id() {
    static const std::string id = [] {
        // The file that holds this function: the memlab program, or the Python module.
        Dl_info info{};
        fs::path code = "/proc/self/exe";
        if (::dladdr(reinterpret_cast<void*>(&build_id), &info) != 0 && info.dli_fname && fs::is_regular_file(info.dli_fname))
            code = info.dli_fname;
        return fmt::format("{}+{}", version(), util::sha256_file_hex(code).substr(0, 16));
    }();
    return id;
}

result_cache::result_cache(const cache_options& o)
    : dir_(o.dir.empty() ? default_cache_dir() : o.dir), max_bytes_(o.max_bytes ? o.max_bytes : default_cache_bytes()) {
    std::error_code ec;
    fs::create_directories(dir_ / "objects", ec);
    fs::create_directories(dir_ / "staging", ec);
    if (ec || !fs::is_directory(dir_ / "staging"))
        throw input_error(fmt::format("cache {}: cannot create the folder ({})", dir_.string(), ec ? ec.message() : "not a folder"));
    // What processes of this host left staged when they were killed: they will never finish it.
    const std::string mine = host_name() + ".";
    for (const auto& s : fs::directory_iterator(dir_ / "staging", ec)) {
        const std::string name = s.path().filename().string();
        if (name.rfind(mine, 0) != 0) continue;
        const long pid = std::strtol(name.c_str() + mine.size(), nullptr, 10);
        if (pid > 0 && !alive(pid)) fs::remove_all(s.path(), ec);
    }
}

std::string result_cache::key(const nlohmann::json& inputs) {
    return util::sha256_hex(fmt::format("memlab result cache 1\n{}\n{}", build_id(), inputs.dump()));
}

std::optional<fs::path> result_cache::find(const std::string& key) const {
    const fs::path p = dir_ / "objects" / key.substr(0, 2) / key;
    std::error_code ec;
    if (!fs::is_directory(p, ec)) return std::nullopt;
    fs::last_write_time(p, fs::file_time_type::clock::now(), ec);  // used now (for trim)
    return p;
}

fs::path result_cache::begin(const std::string& key) const {
    static std::atomic<unsigned> count{0};
    const fs::path p = dir_ / "staging" / fmt::format("{}.{}.{}.{}", host_name(), ::getpid(), count++, key.substr(0, 16));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

fs::path result_cache::store(const std::string& key, const fs::path& staged, const nlohmann::json& inputs) const {
    const nlohmann::json meta{{"key", key}, {"build", build_id()}, {"inputs", inputs}, {"bytes", folder_bytes(staged)}};
    std::ofstream(staged / entry_file) << meta.dump(1) << "\n";
    const fs::path final_path = dir_ / "objects" / key.substr(0, 2) / key;
    fs::create_directories(final_path.parent_path());
    std::error_code ec;
    fs::rename(staged, final_path, ec);
    if (ec) {
        if (!fs::is_directory(final_path))
            throw input_error(fmt::format("cache {}: cannot store a result ({})", dir_.string(), ec.message()));
        fs::remove_all(staged, ec);  // stored by another process meanwhile: the same result
    }
    return final_path;
}

void result_cache::copy_out(const fs::path& entry, const fs::path& dest) {
    fs::create_directories(dest);
    for (const auto& f : fs::directory_iterator(entry)) {
        if (f.path().filename() == entry_file) continue;
        fs::copy(f.path(), dest / f.path().filename(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    }
}

result_cache::usage result_cache::measure() const {
    usage u;
    for (const auto& e : entries(dir_ / "objects")) ++u.entries, u.bytes += e.bytes;
    return u;
}

result_cache::usage result_cache::trim() const {
    auto all = entries(dir_ / "objects");
    std::uintmax_t total = 0;
    for (const auto& e : all) total += e.bytes;
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.used < b.used; });
    usage removed;
    for (const auto& e : all) {
        if (total <= max_bytes_) break;
        // Out of objects/ in one rename first: a reader never sees an entry half removed.
        const fs::path gone = dir_ / "staging" / fmt::format("{}.{}.evicted.{}", host_name(), ::getpid(), e.path.filename().string());
        std::error_code ec;
        fs::rename(e.path, gone, ec);
        if (ec) continue;
        fs::remove_all(gone, ec);
        total -= e.bytes;
        ++removed.entries;
        removed.bytes += e.bytes;
    }
    return removed;
}

result_cache::usage result_cache::clear() const {
    const usage u = measure();
    std::error_code ec;
    fs::remove_all(dir_ / "objects", ec);
    fs::remove_all(dir_ / "staging", ec);
    fs::create_directories(dir_ / "objects", ec);
    fs::create_directories(dir_ / "staging", ec);
    return u;
}

}  // namespace memlab::lab
