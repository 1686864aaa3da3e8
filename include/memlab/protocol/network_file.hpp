#pragma once
// Network experiment files ([network] table): loaded here, where every experiment file is read, and
// run by the network layer (which reads no files of its own). The keys are in docs/networks.md.
#include <filesystem>
#include <string>
#include <vector>

#include "memlab/network/experiment.hpp"

namespace memlab::protocol {

// True when the file is a network experiment (has a [network] table).
bool is_network_file(const std::filesystem::path& file);

// Reads a network experiment; overrides as for circuit files ("network.neurons=8"). input_error with
// "FILE: key: problem" on any mistake.
network::experiment load_network(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});

}  // namespace memlab::protocol
