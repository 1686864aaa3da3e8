#pragma once
// A network experiment: a network (memlab/network/network.hpp) and its inputs, as a [network]
// file describes them (loaded by protocol::load_network), and its run.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "memlab/network/network.hpp"

namespace memlab::network {

enum class mode { lif, device };

struct experiment {
    std::string file, name, description;
    std::uint64_t seed = 1;
    mode m = mode::lif;
    lif_spec lif;
    input_spikes inputs;
    // Images presented (kind = "digits"): each one's start, its label and its index in the data set.
    std::vector<double> image_start;
    double presentation = 0;  // s
    std::vector<int> labels;
    std::vector<std::size_t> image_index;
    nlohmann::json resolved;  // the whole experiment, defaults filled in, with units
};

struct run_result {
    lif_result lif;
    classification images;  // when images were presented
    nlohmann::json metrics;
    double seconds = 0;  // wall time of the simulation alone
};

run_result run(const experiment& e);

}  // namespace memlab::network
