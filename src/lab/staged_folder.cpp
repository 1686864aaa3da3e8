#include "memlab/lab/staged_folder.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "memlab/error.hpp"
#include "memlab/util/interrupt.hpp"

namespace fs = std::filesystem;

namespace memlab::lab {

staged_folder::staged_folder(fs::path final_path) : final_(std::move(final_path)) {
    if (fs::exists(final_) && !fs::is_directory(final_))
        throw input_error(fmt::format("--out {}: exists and is not a folder", final_.string()));
    tmp_ = final_;
    tmp_ += ".partial";
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
}

staged_folder::~staged_folder() {
    if (!committed_) {
        std::error_code ec;
        fs::remove_all(tmp_, ec);
    }
}

void staged_folder::commit() {
    // Work that does not look for interrupts itself (ngspice through libngspice) still must not
    // leave a folder after SIGINT / SIGTERM.
    util::check_interrupt();
    fs::remove_all(final_);
    fs::rename(tmp_, final_);
    committed_ = true;
}

void write_file(const fs::path& file, const std::string& text) {
    errno = 0;
    std::FILE* f = std::fopen(file.c_str(), "wb");
    if (!f) throw write_error(fmt::format("{}: cannot create: {}", file.string(), std::strerror(errno)));
    const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    const int err = errno;
    if (std::fclose(f) != 0 || !written)
        throw write_error(fmt::format("{}: cannot write: {}", file.string(), std::strerror(written ? errno : err)));
}

}  // namespace memlab::lab
