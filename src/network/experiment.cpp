#include "memlab/network/experiment.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

#include "memlab/error.hpp"
#include "memlab/units/units.hpp"

namespace memlab::network {

input_spikes all_inputs(const experiment& e) {
    if (e.presented.count() == 0) return e.inputs;
    std::vector<double> starts;
    return encode_rates(e.presented, e.coding, starts);
}

run_result run(const experiment& e, const fraction_fn& progress, const std::function<void(const input_spikes&)>& inputs) {
    run_result r;
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::size_t> counts;
    std::size_t input_count = 0;
    std::chrono::steady_clock::duration outside{};  // in the caller's `inputs` (writing them out)
    if (e.m == mode::lif) {
        std::optional<rate_encoder> enc;
        if (e.presented.count() > 0) enc.emplace(e.presented, e.coding);
        bool given = false;
        r.lif = simulate_lif(e.lif, [&](input_spikes& chunk) {
            bool more = false;
            if (enc) {
                more = enc->next(chunk);
            } else if (!given) {
                chunk = e.inputs;
                given = more = true;
            }
            if (!more) return false;
            input_count += chunk.size();
            if (inputs) {
                const auto w0 = std::chrono::steady_clock::now();
                inputs(chunk);
                outside += std::chrono::steady_clock::now() - w0;
            }
            return true;
        });
        r.out = r.lif.out;
        counts = r.lif.counts;
        r.steps = static_cast<long>(r.lif.steps);
        r.weight_names = {"epoch0"};
        r.weights = {e.lif.weight};
        r.weights_unit = "V";
    } else {
        const auto in = all_inputs(e);
        input_count = in.size();
        if (inputs) {
            const auto w0 = std::chrono::steady_clock::now();
            inputs(in);
            outside += std::chrono::steady_clock::now() - w0;
        }
        r.device = simulate_device(e.device, in, e.lvl, e.seed, progress);
        r.out = r.device.out;
        counts = r.device.counts;
        r.steps = r.device.steps;
        // The synapses' conductances (each device alone at array::g_probe) before and after the run.
        r.weight_names = {"epoch0", "end"};
        r.weights = {r.device.g_before, r.device.g_after};
        r.weights_unit = "S";
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0 - outside).count();
    const double duration = e.lif.duration;
    nlohmann::json rates = nlohmann::json::array();
    for (std::size_t c : counts) rates.push_back(units::format(static_cast<double>(c) / duration, "Hz"));
    r.metrics["spikes"] = r.out.size();
    r.metrics["input_spikes"] = input_count;
    r.metrics["rate"] = rates;
    r.metrics["mean_rate"] = units::format(static_cast<double>(r.out.size()) / (duration * static_cast<double>(e.lif.neurons)), "Hz");
    if (e.m == mode::lif) {
        r.metrics["synaptic_events"] = r.lif.synaptic_events;
        r.metrics["steps"] = r.lif.steps;
    } else {
        r.metrics["level"] = level_name(e.lvl);
        r.metrics["solver_steps"] = r.device.steps;
        r.metrics["simulations"] = r.device.simulations;
        r.metrics["dropped_input_spikes"] = r.device.dropped;  // came while their row's pulse was on
        double largest = 0;
        for (std::size_t i = 0; i < r.device.g_before.v.size(); ++i)
            largest = std::max(largest, std::fabs(r.device.g_after.v[i] / r.device.g_before.v[i] - 1));
        r.metrics["largest_conductance_change"] = largest;  // relative, over the run
    }
    if (!e.image_start.empty()) {
        r.images = classify(r.out, e.lif.neurons, e.image_start, e.presentation);
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
