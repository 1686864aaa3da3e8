#pragma once
// Shared by the libFuzzer harnesses: what counts as a finding. A user's input may be rejected, with
// memlab::input_error and one line naming the file or key; anything else out of memlab (another
// exception, an error of several lines) aborts, and libFuzzer saves the input. Crashes, leaks,
// timeouts and sanitizer reports are libFuzzer's and the sanitizers' own findings.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include "memlab/error.hpp"

namespace memlab::fuzz {

[[noreturn]] inline void finding(const char* what, const char* message) {
    std::fprintf(stderr, "memlab fuzz finding: %s: %s\n", what, message);
    std::abort();
}

// Runs `f`; returns true if it finished, false if it rejected the input as a user's mistake.
template <class F>
bool accepts(F&& f) {
    try {
        f();
        return true;
    } catch (const input_error& e) {
        const std::string m = e.what();
        if (m.empty() || m.find('\n') != std::string::npos) finding("an input error that is not one line", e.what());
        return false;
    } catch (const std::exception& e) {
        finding("not an input_error", e.what());
    } catch (...) {
        finding("not an input_error", "unknown exception");
    }
}

// A file of this process's own (the loaders read files, as `memlab show-config` does).
inline std::filesystem::path scratch_file(const char* name) {
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() / ("memlab-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir / name;
}

inline std::filesystem::path write_scratch(const char* name, const unsigned char* data, std::size_t size) {
    const auto p = scratch_file(name);
    std::ofstream(p, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return p;
}

}  // namespace memlab::fuzz
