#include "memlab/io/table.hpp"

#include <cmath>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "memlab/error.hpp"

namespace fs = std::filesystem;

namespace memlab::io {

namespace {

std::string csv_text(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

}  // namespace

void write_csv(const table& t, const fs::path& path) {
    const fs::path tmp = path.string() + ".partial";
    std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(tmp.c_str(), "w"), &std::fclose);
    if (!f) throw input_error(fmt::format("{}: cannot create CSV file", path.string()));
    std::size_t rows = 0;
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
        const auto& col = t.columns[c];
        rows = std::max(rows, col.text ? col.texts.size() : col.numbers.size());
        fmt::print(f.get(), "{}{}", c ? "," : "", csv_text(col.text || col.unit.empty() ? col.name : fmt::format("{} [{}]", col.name, col.unit)));
    }
    fmt::print(f.get(), "\n");
    for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            const auto& col = t.columns[c];
            if (col.text) fmt::print(f.get(), "{}{}", c ? "," : "", csv_text(r < col.texts.size() ? col.texts[r] : ""));
            else fmt::print(f.get(), "{}{:.17g}", c ? "," : "", r < col.numbers.size() ? col.numbers[r] : std::nan(""));
        }
        fmt::print(f.get(), "\n");
    }
    if (std::fflush(f.get()) != 0) throw input_error(fmt::format("{}: write failed (disk full?)", path.string()));
    f.reset();
    fs::rename(tmp, path);
}

}  // namespace memlab::io
