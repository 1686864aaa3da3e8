#pragma once
// An output folder written under a temporary name (OUT.partial) and renamed into place by commit():
// a run that fails leaves nothing that looks complete.
#include <filesystem>
#include <string>

namespace memlab::lab {

class staged_folder {
public:
    // input_error if `final_path` exists and is not a folder. Creates OUT.partial (emptied first).
    explicit staged_folder(std::filesystem::path final_path);
    ~staged_folder();  // removes OUT.partial unless committed
    staged_folder(const staged_folder&) = delete;
    staged_folder& operator=(const staged_folder&) = delete;

    const std::filesystem::path& path() const { return tmp_; }  // where to write
    const std::filesystem::path& final_path() const { return final_; }
    void commit();  // replaces OUT by OUT.partial; memlab::interrupted instead after SIGINT / SIGTERM

private:
    std::filesystem::path final_, tmp_;
    bool committed_ = false;
};

// Writes `text` to `file` (replacing it) and checks that every byte reached the disk: write_error
// naming the file otherwise (disk full, quota, ulimit -f), never a short file that looks complete.
void write_file(const std::filesystem::path& file, const std::string& text);

}  // namespace memlab::lab
