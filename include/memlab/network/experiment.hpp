#pragma once
// A network experiment: a network (memlab/network/network.hpp) and its inputs, as a [network]
// file describes them (loaded by protocol::load_network), and its run.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlab/network/device.hpp"
#include "memlab/network/learning.hpp"
#include "memlab/network/network.hpp"

namespace memlab::network {

enum class mode { lif, device };

struct experiment {
    std::string file, name, description;
    std::uint64_t seed = 1;
    std::vector<std::string> targets;  // experiment.targets: the network.* targets it serves (report)
    mode m = mode::lif;
    lif_spec lif;        // LIF mode; in device mode its inputs, neurons and duration are the network's
    level lvl = level::fast;  // device mode
    device_spec device;       // device mode
    // Device mode with [network.program]: every synapse written by write-verify (program_synapses)
    // from program_initial to programming.target (the verify read of the state device.synapse_state
    // holds: the file's conductances exactly) before the run, which then starts from the programmed
    // states.
    bool program = false;
    double rest = 0;  // s, [network.synapse] rest: each synapse at rest this long before the run (after programming)
    array::program_settings programming;
    std::vector<std::vector<double>> program_initial;  // one state for every cell, or one per cell
    // Device mode with [network.learning]: the synapses (from their drawn initial conductances) learn
    // the training images `train` by STDP pulses, the neurons are labelled on them and the presented
    // images are the test (network::learn).
    bool learning = false;
    stdp_settings stdp;
    image_set train;
    std::vector<std::size_t> train_index;  // the training images' indices in the data set
    std::size_t learning_images = 0;       // network.learning.images (0: the whole training set)
    input_spikes inputs;  // spikes_file or poisson inputs; empty when images are presented
    // Images presented (kind = "digits" or "fashion_mnist"): the images in the order shown and their
    // rate coding, encoded image by image while the network runs (rate_encoder).
    image_set presented;
    rate_coding coding;
    // Images presented (kind = "digits"): each one's start, its label and its index in the data set.
    std::vector<double> image_start;
    double presentation = 0;  // s
    std::vector<int> labels;
    std::vector<std::size_t> image_index;
    nlohmann::json resolved;  // the whole experiment, defaults filled in, with units
};

struct run_result {
    spikes out;                            // the output spikes, either mode
    std::vector<std::string> weight_names;  // "epoch0", ...: the weights written with the run
    std::vector<matrix> weights;
    std::string weights_unit;              // "V" (LIF mode) or "S" (device mode)
    lif_result lif;                        // LIF mode
    device_result device;                  // device mode
    programmed programming;                // device mode with [network.program]
    learning_result learning;              // device mode with [network.learning]
    classification images;  // when images were presented
    nlohmann::json metrics;
    double seconds = 0;  // wall time of the simulation alone
    long steps = 0;      // clock steps (LIF mode) or solver steps (device mode)
};

// `progress` (device mode; may be empty) hears the fraction of the simulation done; `inputs` (may
// be empty) hears the input spikes in time order, chunk by chunk, as the network takes them.
run_result run(const experiment& e, const fraction_fn& progress = {}, const std::function<void(const input_spikes&)>& inputs = {});

// The experiment's input spikes, all at once (images encoded whole).
input_spikes all_inputs(const experiment& e);

}  // namespace memlab::network
