#pragma once
// A table with one row per run (a sweep's tasks): named columns of numbers (SI, with a unit) or of
// text, written as CSV and as HDF5. Nothing in either file depends on when or where it was
// written: the same table gives the same bytes.
#include <filesystem>
#include <string>
#include <vector>

namespace memlab::io {

struct table_column {
    std::string name;
    std::string unit;                // numbers: SI unit ("1" for a count); text: ""
    bool text = false;
    std::vector<double> numbers;     // NaN: missing
    std::vector<std::string> texts;
};

struct table {
    std::vector<table_column> columns;
};

// CSV: a header "name [unit]" (a text column: its name), then one line per row: numbers with 17
// significant digits (they read back bit for bit; "nan" when missing), text in double quotes when
// it holds a comma, a quote or a line break. Written under a temporary name, renamed at the end.
void write_csv(const table& t, const std::filesystem::path& path);

// HDF5: one group `group` holding a 1-D dataset per column, in column order (the group's attribute
// "columns" lists them): float64 with a "unit" attribute, or fixed-length strings. No times are
// recorded in the file. Written under a temporary name, renamed at the end.
void write_hdf5(const table& t, const std::filesystem::path& path, const std::string& group);

// Reads a CSV file of numbers with a header "name [unit]" (memlab's traces.csv and table.csv, or a
// measurement): one numeric column per header field, its unit as written between the brackets
// ("" when the field has none). Empty lines are skipped; "nan" reads as NaN. input_error naming the
// file and line on a field that is not a number or a row of the wrong length.
table read_csv(const std::filesystem::path& path);

// Reads the numeric 1-D datasets of one group of an HDF5 file, each with its "unit" attribute (""
// when it has none), in the group's order.
table read_hdf5_group(const std::filesystem::path& path, const std::string& group);

}  // namespace memlab::io
