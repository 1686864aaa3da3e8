#pragma once
// Array experiment files ([array] and [[operation]] tables): loaded here, where every experiment
// file is read, and run by the array layer (which reads no files of its own). The keys are in
// docs/experiment-files.md and docs/arrays.md.
#include <filesystem>
#include <string>
#include <vector>

#include "memlab/array/experiment.hpp"

namespace memlab::protocol {

// True when the file is an array experiment (has an [array] table). A file that is not valid TOML
// counts as a circuit file (its loader reports the error).
bool is_array_file(const std::filesystem::path& file);

// Reads an array experiment; overrides as for circuit files ("array.rows=8"). input_error with
// "FILE: key: problem" on any mistake.
array::experiment load_array(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});

}  // namespace memlab::protocol
