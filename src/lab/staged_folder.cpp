#include "memlab/lab/staged_folder.hpp"

#include <fmt/format.h>

#include "memlab/error.hpp"

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
    fs::remove_all(final_);
    fs::rename(tmp_, final_);
    committed_ = true;
}

}  // namespace memlab::lab
