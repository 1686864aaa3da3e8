#pragma once
// Streams traces to an HDF5 file in chunks, so memory stays flat however long the protocol.
// Layout: one group per run (`group`), in it one 1-D float64 dataset per channel ("time", then
// each probe), each with a "unit" attribute (SI). The file is written under a temporary name
// and renamed to its final name by commit(); if the writer is destroyed without commit(), the
// temporary file is removed, so a failed run leaves nothing behind.
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "memlab/io/trace.hpp"

namespace memlab::io {

class hdf5_trace final : public trace_sink {
public:
    explicit hdf5_trace(std::string path, std::string group = "run", std::size_t chunk_rows = 4096);
    ~hdf5_trace() override;
    hdf5_trace(const hdf5_trace&) = delete;
    hdf5_trace& operator=(const hdf5_trace&) = delete;

    void begin(const std::vector<channel>& channels) override;
    void append(std::span<const double> row) override;
    void finish() override;
    // Starts a new group for the next begin() (several runs in one file).
    void set_group(std::string group);
    // A 2-D float64 dataset `group`/`name` (rows x cols, row-major `data`) with a "unit" attribute
    // and `numbers` as numeric attributes (e.g. the time of a read), beside the traces; the group
    // is created on first use.
    void write_matrix(const std::string& group, const std::string& name, std::size_t rows, std::size_t cols,
                      std::span<const double> data, const std::string& unit, const std::vector<std::pair<std::string, double>>& numbers = {});
    // Closes the file and moves it to its final path.
    void commit();
    std::size_t rows_written() const { return rows_; }

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    std::size_t rows_ = 0;
};

// Reads one channel back (for tests and for analysing measured files).
std::vector<double> read_hdf5_channel(const std::string& path, const std::string& group, const std::string& name);

// Reads a 2-D dataset back: its values row-major, and its shape.
std::vector<double> read_hdf5_matrix(const std::string& path, const std::string& group, const std::string& name, std::size_t& rows,
                                     std::size_t& cols);

}  // namespace memlab::io
