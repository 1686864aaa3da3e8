#pragma once
// Where simulated (or measured) traces go: memory for tests and analysis, HDF5 for files.
#include <cstdio>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace memlab::io {

struct channel {
    std::string name;  // "time", "v(out)", "i(M1)", "M1.w"
    std::string unit;  // SI unit
};

class trace_sink {
public:
    virtual ~trace_sink() = default;
    // Channels of the rows that follow, time first.
    virtual void begin(const std::vector<channel>& channels) = 0;
    // One row: time then one value per probe, all finite.
    virtual void append(std::span<const double> row) = 0;
    // Called when a run ends normally.
    virtual void finish() {}
};

// Keeps everything in memory, column by column.
class memory_trace final : public trace_sink {
public:
    void begin(const std::vector<channel>& channels) override;
    void append(std::span<const double> row) override;
    const std::vector<channel>& channels() const { return channels_; }
    std::size_t size() const { return columns_.empty() ? 0 : columns_[0].size(); }
    // Column by channel name ("time" included); input_error if unknown.
    const std::vector<double>& column(const std::string& name) const;
    const std::vector<double>& time() const { return columns_.at(0); }

private:
    std::vector<channel> channels_;
    std::vector<std::vector<double>> columns_;
};

// Streams rows to a CSV file: a header "time [s],v(in) [V],...", then one line per row with 17
// significant digits (so the numbers read back bit for bit).
class csv_trace final : public trace_sink {
public:
    explicit csv_trace(const std::string& path);
    ~csv_trace() override;
    void begin(const std::vector<channel>& channels) override;
    void append(std::span<const double> row) override;
    void finish() override;

private:
    std::FILE* f_ = nullptr;
    std::string path_;
    bool started_ = false;
};

// Sends rows to two sinks.
class tee_trace final : public trace_sink {
public:
    tee_trace(trace_sink& a, trace_sink& b) : a_(a), b_(b) {}
    void begin(const std::vector<channel>& c) override { a_.begin(c), b_.begin(c); }
    void append(std::span<const double> row) override { a_.append(row), b_.append(row); }
    void finish() override { a_.finish(), b_.finish(); }

private:
    trace_sink &a_, &b_;
};

// Passes on to `out` only the rows needed to reproduce every row to a tolerance: read with
// linear interpolation between the rows passed on, every channel of every row given to it lies
// within rtol |value| + atol(channel) of its value (atol of the time channel is not used). The
// first and last rows, and both rows at a time that repeats (before and after an event), are
// always passed on; every row passed on is one of the rows given, unchanged. It decides row by
// row (a swinging door per channel: the slopes from the last row passed on that keep every
// skipped row inside its band), so memory stays flat.
class thinned_trace final : public trace_sink {
public:
    thinned_trace(trace_sink& out, double rtol, std::function<double(const channel&)> atol)
        : out_(out), rtol_(rtol), atol_of_(std::move(atol)) {}
    void begin(const std::vector<channel>& channels) override;
    void append(std::span<const double> row) override;
    void finish() override;

private:
    void pass(const std::vector<double>& row);
    bool fits(std::span<const double> row) const;
    void narrow(std::span<const double> row);
    trace_sink& out_;
    double rtol_;
    std::function<double(const channel&)> atol_of_;
    std::vector<double> atol_, anchor_, pending_, lo_, hi_;
    bool has_anchor_ = false, has_pending_ = false;
};

// Discards rows (for runs that only need the final state).
class null_trace final : public trace_sink {
public:
    void begin(const std::vector<channel>&) override {}
    void append(std::span<const double>) override {}
};

}  // namespace memlab::io
