#pragma once
// Where simulated (or measured) traces go: memory for tests and analysis, HDF5 for files.
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

// Discards rows (for runs that only need the final state).
class null_trace final : public trace_sink {
public:
    void begin(const std::vector<channel>&) override {}
    void append(std::span<const double>) override {}
};

}  // namespace memlab::io
