#include "memlab/network/experiment.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>

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
    auto hand_over = [&](const input_spikes& in) {
        if (!inputs) return;
        const auto w0 = std::chrono::steady_clock::now();
        inputs(in);
        outside += std::chrono::steady_clock::now() - w0;
    };
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
            hand_over(chunk);
            return true;
        });
        r.out = r.lif.out;
        counts = r.lif.counts;
        r.steps = static_cast<long>(r.lif.steps);
        r.weight_names = {"epoch0"};
        r.weights = {e.lif.weight};
        r.weights_unit = "V";
    } else if (e.learning) {
        // Training, labelling and the test, each pass's inputs drawn as the network takes them.
        try {
            r.learning = learn(e.device, e.stdp, {.train = &e.train, .test = &e.presented, .coding = e.coding}, e.seed, progress);
        } catch (const input_error& err) {
            throw input_error(fmt::format("{}: {}", e.file, err.what()));
        }
        const auto& l = r.learning;
        r.out = l.test_out;
        r.images = l.test;
        r.steps = l.steps;
        r.weight_names = {"epoch0", "epoch1"};
        r.weights = {l.g_initial, l.g_trained};
        r.weights_unit = "S";
        // The rates are the test pass's (the presented images are the test images).
        counts.assign(e.device.neurons, 0);
        for (std::size_t n : r.out.neuron)
            if (n < counts.size()) ++counts[n];
    } else {
        const auto in = all_inputs(e);
        input_count = in.size();
        hand_over(in);
        // Progress: the cells programmed and the run, in proportion to cells and presented images.
        const double cells = e.program ? static_cast<double>(e.device.inputs * e.device.columns()) : 0.0;
        const double share = cells / (cells + static_cast<double>(std::max<std::size_t>(1, e.image_start.size())));
        device_spec spec = e.device;
        if (e.program) {
            fraction_fn part;
            if (progress) part = [&](double f) { progress(f * share); };
            r.programming = program_synapses(spec, e.programming, e.program_initial, e.seed, part);
            spec.synapse_state = r.programming.states;
        }
        if (e.rest > 0) spec.synapse_state = rest_synapses(spec, e.rest, e.seed);
        fraction_fn tail;
        if (progress) tail = [&](double f) { progress(share + f * (1 - share)); };
        r.device = simulate_device(spec, in, e.lvl, e.seed, tail);
        r.out = r.device.out;
        counts = r.device.counts;
        r.steps = r.device.steps;
        // The synapses' conductances (each device alone at array::g_probe) before and after the run.
        r.weight_names = {"epoch0", "end"};
        r.weights = {r.device.g_before, r.device.g_after};
        r.weights_unit = "S";
        if (e.program) {
            // The write-verify's targets and its last verify reads (the cell read at the verify
            // voltage through its transistor).
            r.weight_names.insert(r.weight_names.begin(), {"target", "programmed"});
            r.weights.insert(r.weights.begin(), {r.programming.report.target, r.programming.report.achieved});
        }
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0 - outside).count();
    const double duration = e.lif.duration;
    nlohmann::json rates = nlohmann::json::array();
    for (std::size_t c : counts) rates.push_back(units::format(static_cast<double>(c) / duration, "Hz"));
    r.metrics["spikes"] = r.out.size();
    if (!e.learning) r.metrics["input_spikes"] = input_count;  // a learning run draws each pass's as it runs
    r.metrics["rate"] = rates;
    r.metrics["mean_rate"] = units::format(static_cast<double>(r.out.size()) / (duration * static_cast<double>(e.lif.neurons)), "Hz");
    if (e.m == mode::lif) {
        r.metrics["synaptic_events"] = r.lif.synaptic_events;
        r.metrics["steps"] = r.lif.steps;
    } else if (e.learning) {
        const auto& l = r.learning;
        std::size_t labelled = 0, winners = 0;
        for (int c : l.labels) labelled += c >= 0;
        std::vector<bool> won(e.device.neurons, false);
        for (std::size_t w : l.train_winner)
            if (w < won.size() && !won[w]) won[w] = true, ++winners;
        const double train = static_cast<double>(e.train.count()), test = static_cast<double>(e.presented.count());
        r.metrics["level"] = level_name(e.lvl);
        r.metrics["learning"] = {{"training_images", e.train.count()},
                                 {"post_pulses", l.post_pulses},
                                 {"post_cells", l.post_cells},
                                 {"cell_runs", l.cell_runs},
                                 {"neuron_table_runs", l.neuron_runs},
                                 {"solver_steps", l.steps},
                                 {"neurons_labelled", labelled},
                                 {"neurons_that_won_in_training", winners},
                                 {"training_spikes", l.train_out.size()},
                                 {"synaptic_events", l.synaptic_events},
                                 {"neuron_slots", l.neuron_slots},
                                 {"learning_energy", units::format(l.learning_energy, "J")},
                                 {"learning_energy_per_image", units::format(l.learning_energy / train, "J")},
                                 {"trained_at", units::format(l.trained_at, "s")}};
        r.metrics["labels"] = l.labels;
        r.metrics["read_energy"] = units::format(l.read_energy, "J");
        r.metrics["read_energy_per_image"] = units::format(l.read_energy / (2 * train + test), "J");
        r.metrics["neuron_energy"] = units::format(l.neuron_energy, "J");
        r.metrics["neuron_energy_per_image"] = units::format(l.neuron_energy / (2 * train + test), "J");
    } else {
        r.metrics["level"] = level_name(e.lvl);
        r.metrics["solver_steps"] = r.device.steps;
        r.metrics["simulations"] = r.device.simulations;
        r.metrics["dropped_input_spikes"] = r.device.dropped;  // came while their row's pulse was on
        double largest = 0;
        for (std::size_t i = 0; i < r.device.g_before.v.size(); ++i)
            largest = std::max(largest, std::fabs(r.device.g_after.v[i] / r.device.g_before.v[i] - 1));
        r.metrics["largest_conductance_change"] = largest;  // relative, over the run
        r.metrics["synapse_reads"] = reads_name(e.device.reads);
        r.metrics["differential"] = e.device.differential;
        if (e.device.reads == synapse_reads::held) r.metrics["read_energy"] = units::format(r.device.read_energy, "J");
        if (e.lvl == level::fast) r.metrics["neuron_energy"] = units::format(r.device.neuron_energy, "J");
        if (e.program) {
            const auto& p = r.programming.report;
            double pulses = 0, most = 0, energy = 0;
            for (double x : p.pulses.v) pulses += x, most = std::max(most, x);
            for (double x : p.energy.v) energy += x;
            const double n = static_cast<double>(p.pulses.v.size());
            r.metrics["program"] = {{"cells", p.pulses.v.size()},
                                    {"converged", p.converged},
                                    {"tolerance", e.programming.tolerance},
                                    {"rms_error", p.rms_error},
                                    {"worst_error", p.worst_error},
                                    {"pulses_mean", pulses / n},
                                    {"pulses_max", most},
                                    {"energy", units::format(energy, "J")},
                                    {"solver_steps", r.programming.steps}};
        }
    }
    if (!e.image_start.empty()) {
        if (!e.learning) r.images = classify(r.out, e.lif.neurons, e.image_start, e.presentation);
        std::size_t right = 0, silent = 0;
        for (std::size_t i = 0; i < e.labels.size(); ++i) {
            right += r.images.predicted[i] == e.labels[i];
            silent += r.images.predicted[i] < 0;
        }
        r.metrics["images"] = e.labels.size();
        r.metrics["correct"] = right;
        r.metrics["silent"] = silent;  // images no neuron answered
        r.metrics["accuracy"] = static_cast<double>(right) / static_cast<double>(e.labels.size());
        // The same spikes read as first to fire: the neuron whose first spike in the presentation
        // comes first (none: no answer).
        std::vector<double> first_time(e.labels.size(), std::numeric_limits<double>::infinity());
        std::vector<int> first(e.labels.size(), -1);
        std::size_t n = 0;
        for (std::size_t k = 0; k < r.out.size(); ++k) {
            const double t = r.out.time[k];
            while (n + 1 < e.image_start.size() && t >= e.image_start[n + 1]) ++n;
            if (t < e.image_start[n] || t >= e.image_start[n] + e.presentation || t >= first_time[n]) continue;
            first_time[n] = t;
            first[n] = static_cast<int>(r.out.neuron[k]);
        }
        std::size_t right_first = 0;
        for (std::size_t i = 0; i < e.labels.size(); ++i) {
            // A learning network's neurons answer with the class they were labelled with.
            const int answer = e.learning && first[i] >= 0 ? r.learning.labels[static_cast<std::size_t>(first[i])] : first[i];
            right_first += answer == e.labels[i];
        }
        r.metrics["accuracy_first_spike"] = static_cast<double>(right_first) / static_cast<double>(e.labels.size());
        if (e.m == mode::device && e.device.reads == synapse_reads::held && !e.learning)
            r.metrics["read_energy_per_image"] = units::format(r.device.read_energy / static_cast<double>(e.labels.size()), "J");
        if (e.m == mode::device && e.lvl == level::fast && !e.learning)
            r.metrics["neuron_energy_per_image"] = units::format(r.device.neuron_energy / static_cast<double>(e.labels.size()), "J");
    }
    return r;
}

}  // namespace memlab::network
