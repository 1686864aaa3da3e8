#pragma once
// Molecular-dynamics experiment files: loaded here, where every experiment file is read, and run
// by the md layer (which reads no files of its own).
#include <filesystem>
#include <string>
#include <vector>

#include "memlab/md/diffusion.hpp"

namespace memlab::protocol {

// True when the file is an MD experiment (has an [md] table); false for circuit experiments.
// A file that is not valid TOML counts as a circuit file (its loader reports the error).
bool is_md_file(const std::filesystem::path& file);

// Reads an MD experiment; overrides as for circuit files ("md.samples=2"). input_error with
// "FILE: key: problem" on any mistake.
md::diffusion_experiment load_md(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});

}  // namespace memlab::protocol
