#pragma once
// Shared by the unit and validation tests of experiment files: a minimal VTEAM pulse-train file,
// and a writer that gives each test its own file name (ctest runs tests in parallel processes).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace memlab::test {

inline const char* base = R"toml(
[experiment]
name = "t"
[device]
model = "vteam"
[circuit]
series_resistance = "1 kOhm"
[stimulus]
kind = "pulse_train"
amplitude = "1 V"
count = 3
width = "1 us"
period = "2 us"
[recording]
probes = ["i(DUT)", "DUT.w"]
)toml";

inline std::filesystem::path write_file(const std::string& name, const std::string& text) {
    const std::filesystem::path p = std::filesystem::temp_directory_path() /
                                    (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" + name);
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

// The text of a TOML file without its table [name] (its header line up to the next table's), or
// the whole text if it has none.
inline std::string without_table(const std::filesystem::path& file, const std::string& name) {
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find("\n[" + name + "]\n");
    if (at != std::string::npos) text.erase(at, text.find("\n[", at + 1) - at);
    return text;
}

}  // namespace memlab::test
