#include "memlab/io/trace.hpp"

#include <fmt/format.h>

#include "memlab/error.hpp"

namespace memlab::io {

void memory_trace::begin(const std::vector<channel>& channels) {
    if (!channels_.empty()) {
        // A continued run: the channels must be the same.
        bool same = channels.size() == channels_.size();
        for (std::size_t k = 0; same && k < channels.size(); ++k) same = channels[k].name == channels_[k].name;
        if (!same) throw input_error("memory_trace: a continued run must record the same probes");
        return;
    }
    channels_ = channels;
    columns_.assign(channels.size(), {});
}

void memory_trace::append(std::span<const double> row) {
    if (row.size() != columns_.size()) throw internal_error("memory_trace: row size differs from the channels");
    // A continued run repeats its last point exactly; keep one. (Rows at the same time that differ,
    // such as the state before and after a stochastic event, are both kept, as in HDF5 and CSV.)
    if (!columns_[0].empty()) {
        bool same = true;
        for (std::size_t k = 0; k < row.size() && same; ++k) same = row[k] == columns_[k].back();
        if (same) return;
    }
    for (std::size_t k = 0; k < row.size(); ++k) columns_[k].push_back(row[k]);
}

const std::vector<double>& memory_trace::column(const std::string& name) const {
    for (std::size_t k = 0; k < channels_.size(); ++k)
        if (channels_[k].name == name) return columns_[k];
    throw input_error(fmt::format("trace: no channel '{}'", name));
}

csv_trace::csv_trace(const std::string& path) : path_(path) {
    f_ = std::fopen(path.c_str(), "w");
    if (!f_) throw input_error(fmt::format("{}: cannot create CSV file", path));
}

csv_trace::~csv_trace() {
    if (f_) std::fclose(f_);
}

void csv_trace::begin(const std::vector<channel>& channels) {
    if (started_) return;
    started_ = true;
    for (std::size_t k = 0; k < channels.size(); ++k)
        fmt::print(f_, "{}{} [{}]", k ? "," : "", channels[k].name, channels[k].unit);
    fmt::print(f_, "\n");
}

void csv_trace::append(std::span<const double> row) {
    for (std::size_t k = 0; k < row.size(); ++k) fmt::print(f_, "{}{:.17g}", k ? "," : "", row[k]);
    fmt::print(f_, "\n");
}

void csv_trace::finish() {
    if (std::fflush(f_) != 0) throw input_error(fmt::format("{}: write failed (disk full?)", path_));
}

}  // namespace memlab::io
