#include "memlab/io/table.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

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

table read_csv(const fs::path& path) {
    std::ifstream in(path);
    if (!in) throw input_error(fmt::format("{}: cannot open", path.string()));
    table t;
    std::string line;
    if (!std::getline(in, line)) throw input_error(fmt::format("{}: empty file (expected a header 'name [unit],...')", path.string()));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::stringstream header(line);
    for (std::string field; std::getline(header, field, ',');) {
        const auto trim = [](std::string x) {
            const auto a = x.find_first_not_of(" \t\""), b = x.find_last_not_of(" \t\"");
            return a == std::string::npos ? std::string() : x.substr(a, b - a + 1);
        };
        field = trim(field);
        table_column c;
        const auto open = field.rfind('[');
        if (open != std::string::npos && field.back() == ']') {
            c.name = trim(field.substr(0, open));
            c.unit = trim(field.substr(open + 1, field.size() - open - 2));
        } else {
            c.name = field;
        }
        t.columns.push_back(std::move(c));
    }
    std::size_t n = 1;
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        std::stringstream row(line);
        std::size_t c = 0;
        for (std::string field; std::getline(row, field, ','); ++c) {
            if (c >= t.columns.size()) break;
            char* end = nullptr;
            const double v = std::strtod(field.c_str(), &end);
            while (end && (*end == ' ' || *end == '\t')) ++end;
            if (end == field.c_str() || (end && *end != '\0'))
                throw input_error(fmt::format("{}: line {}, column '{}': '{}' is not a number", path.string(), n, t.columns[c].name, field));
            t.columns[c].numbers.push_back(v);
        }
        if (c != t.columns.size())
            throw input_error(fmt::format("{}: line {}: {} fields, the header has {}", path.string(), n, c, t.columns.size()));
    }
    return t;
}

}  // namespace memlab::io
