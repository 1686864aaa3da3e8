#include "memlab/io/trace.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

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

void thinned_trace::begin(const std::vector<channel>& channels) {
    out_.begin(channels);
    atol_.assign(channels.size(), 0.0);
    for (std::size_t k = 1; k < channels.size(); ++k) atol_[k] = atol_of_(channels[k]);
    has_anchor_ = has_pending_ = false;
}

void thinned_trace::pass(const std::vector<double>& row) {
    out_.append(row);
    anchor_ = row;
    has_anchor_ = true;
    lo_.assign(row.size(), -std::numeric_limits<double>::infinity());
    hi_.assign(row.size(), std::numeric_limits<double>::infinity());
}

// Does the line from the anchor to `row` pass every skipped row inside its band?
bool thinned_trace::fits(std::span<const double> row) const {
    const double dt = row[0] - anchor_[0];
    for (std::size_t k = 1; k < row.size(); ++k) {
        const double slope = (row[k] - anchor_[k]) / dt;
        if (!(slope >= lo_[k] && slope <= hi_[k])) return false;
    }
    return true;
}

// `row` is skipped unless a later row ends the line: the slopes left keep it inside its band.
void thinned_trace::narrow(std::span<const double> row) {
    const double dt = row[0] - anchor_[0];
    for (std::size_t k = 1; k < row.size(); ++k) {
        const double tol = rtol_ * std::fabs(row[k]) + atol_[k];
        lo_[k] = std::max(lo_[k], (row[k] - tol - anchor_[k]) / dt);
        hi_[k] = std::min(hi_[k], (row[k] + tol - anchor_[k]) / dt);
    }
}

void thinned_trace::append(std::span<const double> row) {
    std::vector<double> r(row.begin(), row.end());
    if (!has_anchor_) return pass(r);
    // A repeated time (an event's before and after, a continued run): both rows, no line across.
    if (has_pending_ && r[0] <= pending_[0]) {
        pass(pending_);
        has_pending_ = false;
        return pass(r);
    }
    if (r[0] <= anchor_[0]) return pass(r);
    if (has_pending_ && !fits(r)) {
        pass(pending_);
        has_pending_ = false;
    }
    narrow(r);
    pending_ = std::move(r);
    has_pending_ = true;
}

void thinned_trace::finish() {
    if (has_pending_) out_.append(pending_);
    has_pending_ = false;
    out_.finish();
}

}  // namespace memlab::io
