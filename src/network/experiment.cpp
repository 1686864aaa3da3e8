#include "memlab/network/experiment.hpp"

#include <chrono>

#include "memlab/error.hpp"
#include "memlab/units/units.hpp"

namespace memlab::network {

run_result run(const experiment& e) {
    if (e.m != mode::lif) throw input_error(e.file + ": network.mode: \"device\" is not built yet (docs/networks.md)");
    run_result r;
    const auto t0 = std::chrono::steady_clock::now();
    r.lif = simulate_lif(e.lif, e.inputs);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double duration = e.lif.duration;
    nlohmann::json rates = nlohmann::json::array();
    for (std::size_t c : r.lif.counts) rates.push_back(units::format(static_cast<double>(c) / duration, "Hz"));
    r.metrics["spikes"] = r.lif.out.size();
    r.metrics["input_spikes"] = e.inputs.size();
    r.metrics["rate"] = rates;
    r.metrics["mean_rate"] = units::format(static_cast<double>(r.lif.out.size()) / (duration * static_cast<double>(e.lif.neurons)), "Hz");
    r.metrics["synaptic_events"] = r.lif.synaptic_events;
    r.metrics["steps"] = r.lif.steps;
    if (!e.image_start.empty()) {
        r.images = classify(r.lif.out, e.lif.neurons, e.image_start, e.presentation);
        std::size_t right = 0, silent = 0;
        for (std::size_t i = 0; i < e.labels.size(); ++i) {
            right += r.images.predicted[i] == e.labels[i];
            silent += r.images.predicted[i] < 0;
        }
        r.metrics["images"] = e.labels.size();
        r.metrics["correct"] = right;
        r.metrics["silent"] = silent;  // images no neuron answered
        r.metrics["accuracy"] = static_cast<double>(right) / static_cast<double>(e.labels.size());
    }
    return r;
}

}  // namespace memlab::network
