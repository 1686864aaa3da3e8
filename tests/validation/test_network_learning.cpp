// Unsupervised learning in the device mode (network::learn): the neurons' tabulated answer against
// the engine, and a two-pattern network that learns to tell its patterns apart by pulses alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "memlab/array/array.hpp"
#include "memlab/circuit/simulation.hpp"
#include "memlab/network/device.hpp"
#include "memlab/network/experiment.hpp"
#include "memlab/network/learning.hpp"
#include "memlab/protocol/network_file.hpp"
#include "memlab/util/rng.hpp"

using namespace memlab;

namespace {

// The device spec of experiments/snn_device_8x4.toml (fresh nominal neurons on a 1 V rail, 10 nA
// access transistors, 1 us read pulses with 10 ns edges), resized.
network::device_spec spec(std::size_t inputs, std::size_t neurons, double g) {
    auto s = protocol::load_network(std::string(MEMLAB_SOURCE_DIR) + "/experiments/snn_device_8x4.toml", {}).device;
    s.inputs = inputs, s.neurons = neurons;
    s.synapse_state.assign(inputs * neurons, network::agsn_bridged_state(*s.synapse, g, 3.35e-9));
    s.reads = network::synapse_reads::held;
    return s;
}

// A line's waveform through (t, v) points from 0 V.
std::shared_ptr<array::schedule> line(const std::vector<std::pair<double, double>>& pts) {
    auto w = std::make_shared<array::schedule>(0.0);
    for (const auto& [t, v] : pts) w->to(t, v);
    return w;
}

// s's 8 x 4 synapses as a 1T1R crossbar (ideal lines).
array::spec crossbar_8x4(const network::device_spec& s) {
    array::spec a;
    a.rows = 8, a.cols = 4;
    a.cell = array::cell_type::t1r1;
    a.devices.assign(32, s.synapse);
    a.initial_state = s.synapse_state;
    a.transistor = s.transistor;
    return a;
}

// The two-pattern task of the learning tests: rows 0-3 or rows 4-7 at full rate in turn, 16
// training images and `tests` test images; the network's settings (4-slot window and hold, 16-slot
// inhibition) and its coding (500 kHz, 16 slots of 2 us).
struct two_patterns {
    network::image_set train, test;
    network::stdp_settings L;
    network::learning_data d;
    explicit two_patterns(int tests) {
        train.size = test.size = 8;
        train.max_value = test.max_value = 16;
        for (int n = 0; n < 16 + tests; ++n) {
            const int c = n % 2;
            auto& set = n < 16 ? train : test;
            for (int p = 0; p < 8; ++p) set.pixels.push_back(p / 4 == c ? 16.0 : 0.0);
            set.labels.push_back(c);
        }
        L.pre_window = L.hold = 4;
        L.inhibition = L.refractory = L.test_inhibition = 16;
        d = {.train = &train, .test = &test, .coding = {.rate_max = 5e5, .presentation = 32e-6, .dt = 2e-6}};
    }
    two_patterns(const two_patterns&) = delete;
};

}  // namespace

// The table interpolates what the engine gives a fresh neuron: at drives spread over the table's
// range, the tabulated firing time is within 2 % of a direct engine run (relative to the larger of
// the engine's time and 250 ns); 5 mV below the table's threshold the engine does not fire within
// the pulse. The tabulated energies are within 5 % of the engine's: the whole pulse's, the part
// before the spike (up to the comparator's crossing: a fraction of a per cent of a firing pulse's,
// compared within 5 % of the pulse's), and below the threshold (no spike);
// the whole pulse's is below what the access transistor's 10 nA limit allows (20 nA x the drive x
// the pulse and its edges) and above the part before the spike.
TEST(NetworkLearning, NeuronTableMatchesTheEngine) {
    const auto s = spec(1, 1, 10e-6);
    const network::neuron_table t(s, 0, 7);
    std::printf("threshold %.4f V, %zu engine runs\n", t.threshold(), t.runs());
    EXPECT_GT(t.threshold(), s.neuron_rail);
    EXPECT_FALSE(std::isfinite(network::neuron_table::engine_fire_time(s, 0, t.threshold() - 5e-3, 7)));
    util::rng g(3);
    double worst = 0, worst_energy = 0;
    for (int j = 0; j < 16; ++j) {
        const double v = t.threshold() + 0.002 + (j < 8 ? 1.0 : 40.0) * g.uniform();
        const double a = t.fire_time(v);
        const auto b = network::neuron_table::engine_slot(s, 0, v, 7);
        ASSERT_TRUE(std::isfinite(a) && std::isfinite(b.fire_time)) << v;
        worst = std::max(worst, std::fabs(a - b.fire_time) / std::max(b.fire_time, 250e-9));
        worst_energy = std::max({worst_energy, std::fabs(t.energy(v, true) / b.whole - 1), std::fabs(t.energy(v, false) - b.to_spike) / b.whole});
        EXPECT_GT(b.whole, b.to_spike) << v;
        EXPECT_LT(b.whole, v * 20e-9 * (s.pulse_width + 2 * s.edge)) << v;
    }
    for (int j = 0; j < 4; ++j) {
        const double v = s.neuron_rail + (t.threshold() - 0.01 - s.neuron_rail) * g.uniform();
        const auto b = network::neuron_table::engine_slot(s, 0, v, 7);
        ASSERT_FALSE(std::isfinite(b.fire_time)) << v;
        EXPECT_EQ(b.whole, b.to_spike);
        std::printf("below: v %.4f table %.4g engine %.4g\n", v, t.energy(v, false), b.whole);
        worst_energy = std::max(worst_energy, std::fabs(t.energy(v, false) / b.whole - 1));
    }
    std::printf("largest table error %.3g (relative, floor 5 ns / 250 ns); energies %.3g\n", worst, worst_energy);
    EXPECT_LT(worst, 0.02);
    EXPECT_LT(worst_energy, 0.05);
}

// Two patterns (rows 0-3 and rows 4-7 at full rate) presented in turn to 2 neurons whose synapses
// all start at 50 uS: after 16 images each neuron answers one pattern, the test images are all
// classified right, and each neuron's synapses are stronger on its pattern's rows than elsewhere.
TEST(NetworkLearning, TwoNeuronsLearnTwoPatterns) {
    auto s = spec(8, 2, 50e-6);
    s.gain.gain = 2e5;  // four learned rows (~40 uS) fire a fresh neuron (3.5 V), four depressed ones (~15 uS) do not
    const two_patterns t(8);
    const auto r = network::learn(s, t.L, t.d, 1);
    std::printf("labels %d %d, accuracy %.3f, post pulses %zu\n", r.labels[0], r.labels[1], r.accuracy, r.post_pulses);
    ASSERT_EQ(r.labels.size(), 2u);
    EXPECT_NE(r.labels[0], r.labels[1]);
    EXPECT_GE(std::min(r.labels[0], r.labels[1]), 0);
    EXPECT_EQ(r.correct, t.test.count());
    EXPECT_EQ(r.post_pulses, t.train.count());  // one winner per image, each with its post pulse
    for (std::size_t k = 0; k < 2; ++k) {
        double own = 0, other = 0;
        for (std::size_t row = 0; row < 8; ++row)
            (static_cast<int>(row / 4) == r.labels[k] ? own : other) += r.g_trained(row, k) / 4;
        std::printf("neuron %zu (class %d): %.1f uS on its rows, %.1f uS elsewhere\n", k, r.labels[k], own * 1e6, other * 1e6);
        EXPECT_GT(own, 2 * other);
    }
    // The map before training is the one the network was given.
    EXPECT_NEAR(r.g_initial(0, 0), 50e-6, 1e-6);
}

// Stochastic STDP (stdp_settings::potentiate_probability, depress_probability): each row's word
// line is on for a post pulse with its class's probability. On the two-pattern network above: at
// probability 1 every cell of the winner's column takes every post pulse (8 per pulse); with the
// quiet rows' probability 0 only armed rows do (at most the 4 rows of one pattern, and at least one
// per pulse); at 0.5 for both, the cells that take one are a binomial count of rows x pulses draws,
// asserted within 4 standard deviations of half of them; the draws are the run's seed's (the same
// seed, the same maps) and leave the inputs' and cells' streams alone (the first winner, before any
// draw, is the same as at probability 1).
TEST(NetworkLearning, StochasticPostPulsesGateTheRows) {
    auto s = spec(8, 2, 50e-6);
    s.gain.gain = 2e5;
    const two_patterns t(4);
    const auto& L = t.L;
    const auto& d = t.d;
    const auto all = network::learn(s, L, d, 1);
    ASSERT_GT(all.post_pulses, 0u);
    EXPECT_EQ(all.post_cells, 8 * all.post_pulses);

    auto only_armed = L;
    only_armed.depress_probability = 0;
    const auto a = network::learn(s, only_armed, d, 1);
    std::printf("armed rows only: %zu cells over %zu post pulses\n", a.post_cells, a.post_pulses);
    EXPECT_GE(a.post_cells, a.post_pulses);
    EXPECT_LE(a.post_cells, 4 * a.post_pulses);

    auto half = L;
    half.potentiate_probability = half.depress_probability = 0.5;
    const auto h = network::learn(s, half, d, 1);
    const double n = 8.0 * static_cast<double>(h.post_pulses), sd = std::sqrt(n * 0.25);
    std::printf("probability 0.5: %zu cells of %.0f rows over %zu post pulses\n", h.post_cells, n, h.post_pulses);
    EXPECT_NEAR(static_cast<double>(h.post_cells), 0.5 * n, 4 * sd);
    ASSERT_FALSE(h.train_winner.empty());
    EXPECT_EQ(h.train_winner.front(), all.train_winner.front());
    const auto again = network::learn(s, half, d, 1);
    EXPECT_EQ(again.post_cells, h.post_cells);
    for (std::size_t c = 0; c < 16; ++c) EXPECT_EQ(again.g_trained.v[c], h.g_trained.v[c]);
}

// The learning network's neurons answer each slot as fresh devices (they relax on their rail
// between pulses). Checked where both can run: the mapped digits network (snn_digits_device.toml,
// exact conductances, held reads) on its first 20 test images, its neurons on the engine over each
// whole image against the tabulated fresh neuron per slot. Measured: the fresh neurons give the
// same answer (most spikes) on 20 of 20 images and 5.5 % fewer spikes (1458 against 1543): what a
// neuron carries from one slot into the next, which the fresh neuron leaves out (docs/networks.md).
// Asserted: the same answer on at least 19 of 20, and no more spikes than the engine's and at most
// 10 % fewer (the 5 % agreement bar between levels is not met by this approximation).
TEST(NetworkLearning, SlotFreshNeuronsAgreeWithNeuronsOnTheEngine) {
    const auto e = protocol::load_network(std::string(MEMLAB_SOURCE_DIR) + "/experiments/snn_digits_device.toml",
                                          {"network.program.enabled=false", "network.input.images=20"});
    const auto& s = e.device;
    const auto in = network::all_inputs(e);
    const auto engine = network::simulate_device(s, in, network::level::fast, e.seed);
    const auto by_engine = network::classify(engine.out, s.neurons, e.image_start, e.presentation);
    const network::neuron_table table(s, 0, 7);
    const std::size_t cols = s.columns();
    std::vector<double> i_read(s.inputs * cols);
    for (std::size_t c = 0; c < i_read.size(); ++c)
        i_read[c] = array::series_current(*s.synapse, s.synapse_state[c], s.transistor.get(), s.read_voltage, s.synapse_gate);
    const auto slots = static_cast<std::size_t>(std::llround(e.presentation / e.coding.dt));
    network::matrix counts(e.image_start.size(), s.neurons);
    std::size_t j = 0;
    for (std::size_t n = 0; n < e.image_start.size(); ++n) {
        std::vector<std::vector<std::size_t>> active(slots);
        for (; j < in.size() && (n + 1 == e.image_start.size() || in.time[j] < e.image_start[n + 1]); ++j)
            active[static_cast<std::size_t>(std::floor((in.time[j] - e.image_start[n]) / e.coding.dt + 1e-6))].push_back(in.row[j]);
        for (const auto& rows : active) {
            std::vector<double> col(cols, 0.0);
            for (std::size_t r : rows)
                for (std::size_t c = 0; c < cols; ++c) col[c] += i_read[r * cols + c];
            for (std::size_t k = 0; k < s.neurons; ++k)
                counts(n, k) += std::isfinite(table.fire_time(s.gain.gain * (col[2 * k] - col[2 * k + 1])));
        }
    }
    double a = 0, b = 0;
    std::size_t same = 0;
    for (std::size_t n = 0; n < e.image_start.size(); ++n) {
        std::size_t best = 0;
        for (std::size_t k = 0; k < s.neurons; ++k) {
            a += by_engine.counts(n, k), b += counts(n, k);
            if (counts(n, k) > counts(n, best)) best = k;
        }
        same += static_cast<int>(best) == by_engine.predicted[n];
    }
    std::printf("spikes: engine %.0f, fresh per slot %.0f; the same answer on %zu of %zu images\n", a, b, same, e.image_start.size());
    EXPECT_LE(b, a);
    EXPECT_GE(b / a, 0.90);
    EXPECT_GE(same, 19u);
}

// A post pulse at the circuit level: an 8 x 4 crossbar of 1T1R agsn cells as one circuit
// (array::build, ideal lines, each column's TIA holding its source line at its reference), cells
// from 10 to 70 uS, rows 0-3 armed (their bit lines at `pre` over the pulse), column 1's reference
// playing the post pulse and the others at 0 V. Each cell of column 1 that the pulse moves by more
// than 5 % (at least 6 of 8) changes as the fast level's post_pulse changes it alone, within 5 % of
// the change (measured: 3.0 %); the cells of the other columns, which the fast level leaves alone
// (those on armed rows see `pre` over the pulse), change by less than 1 % (measured: 4e-6).
TEST(NetworkLearning, PostPulseAtCircuitLevelAgreesWithTheCellsAlone) {
    auto s = spec(8, 4, 30e-6);
    for (std::size_t c = 0; c < 32; ++c) s.synapse_state[c] = network::agsn_bridged_state(*s.synapse, 10e-6 + 10e-6 * static_cast<double>(c % 7), 3.35e-9);
    network::stdp_settings L;
    L.potentiate = 0.33;
    const double t0 = 100e-9, e = s.edge, end = t0 + 3 * e + L.potentiate_width + L.depress_width;
    array::spec a = crossbar_8x4(s);
    array::drivers d;
    for (std::size_t r = 0; r < 8; ++r) {
        d.bit.push_back(r < 4 ? line({{t0, 0.0}, {t0 + e, L.pre}, {end - e, L.pre}, {end, 0.0}}) : line({}));
        d.word.push_back(line({{e, s.synapse_gate}}));
    }
    const double low = -(L.potentiate - L.pre);
    for (std::size_t k = 0; k < 4; ++k)
        d.source.push_back(k == 1 ? line({{t0, 0.0}, {t0 + e, low}, {t0 + e + L.potentiate_width, low},
                                          {t0 + 2 * e + L.potentiate_width, L.depress}, {end - e, L.depress}, {end, 0.0}})
                                  : line({}));
    circuit::solver_options opts;
    opts.linsol = circuit::linear_solver::klu;
    const circuit::circuit c = array::build(a, d);  // the simulation holds on to it
    circuit::simulation sim(c, opts, 1);
    sim.advance(end + 100e-9);
    const auto& names = s.synapse->states();
    auto g_of = [&](const std::vector<double>& st) { return s.synapse->current(array::g_probe, st) / array::g_probe; };
    double worst = 0, worst_other = 0;
    std::size_t changed = 0;
    for (std::size_t r = 0; r < 8; ++r)
        for (std::size_t k = 0; k < 4; ++k) {
            std::vector<double> st(names.size());
            for (std::size_t j = 0; j < st.size(); ++j) st[j] = sim.probe(array::device_name(r, k) + "." + names[j].name);
            const double g0 = g_of(s.synapse_state[r * 4 + k]), g_circuit = g_of(st);
            if (k != 1) {
                worst_other = std::max(worst_other, std::fabs(g_circuit / g0 - 1));
                continue;
            }
            std::vector<double> alone = s.synapse_state[r * 4 + k];
            network::post_pulse(s, L, alone, r < 4, t0, 1);
            const double g_fast = g_of(alone);
            std::printf("cell %zu: %.2f uS -> circuit %.2f uS, alone %.2f uS\n", r, g0 * 1e6, g_circuit * 1e6, g_fast * 1e6);
            // Compared on the cells the pulse changes (a quiet cell already at its reset floor does not move).
            if (std::fabs(g_fast - g0) < 0.05 * g0) continue;
            ++changed;
            worst = std::max(worst, std::fabs(g_circuit - g_fast) / std::fabs(g_fast - g0));
        }
    std::printf("largest difference %.3g of the change; other columns' largest change %.3g\n", worst, worst_other);
    EXPECT_GE(changed, 6u);
    EXPECT_LT(worst, 0.05);
    EXPECT_LT(worst_other, 0.01);
}

// The same post pulse, played by the neuron's own periphery in one circuit: rows 0 and 1 carry a
// read pulse (0.2 V, 1 us) into column 1, whose synapses there hold 80 uS; the column's TIA puts
// 4 V on its neuron cell (agsn device, access transistor, 1 V rail), which fires. Three comparators
// on the neuron's current fire at that crossing: "CP" plays the post pulse (1.2 us later, after the
// read pulse: -(potentiate - pre), then +depress) on node post1, which holds column 1's TIA input
// (circuit::add_tia_on_node); "CG" puts 1 V on node gate over the post pulse, and rows 0-3 add
// pre x v(gate) to their drivers (armed rows, array::drivers::bit_control); "CH" holds all three
// over the whole sequence (their inhibit input), so the neuron, driven hard through the column
// during the post pulse, cannot start another. Each cell of column 1 the pulse moves by more than
// 5 % changes as post_pulse changes it alone from the state it holds when the pulse starts (after
// the read pulse), within 5 % of the change.
TEST(NetworkLearning, PostPulseFromTheNeuronsComparatorAtCircuitLevel) {
    auto s = spec(8, 4, 30e-6);
    for (std::size_t c = 0; c < 32; ++c) s.synapse_state[c] = network::agsn_bridged_state(*s.synapse, 10e-6 + 10e-6 * static_cast<double>(c % 7), 3.35e-9);
    for (std::size_t r : {0u, 1u}) s.synapse_state[r * 4 + 1] = network::agsn_bridged_state(*s.synapse, 80e-6, 3.35e-9);
    network::stdp_settings L;
    L.potentiate = 0.33;
    const double e = s.edge, read_at = 100e-9, delay = 1.2e-6;
    const double low = -(L.potentiate - L.pre), post_len = 3 * e + L.potentiate_width + L.depress_width;
    array::spec a = crossbar_8x4(s);
    a.tia = s.gain;
    array::drivers d;
    for (std::size_t r = 0; r < 8; ++r) {
        d.bit.push_back(r < 2 ? line({{read_at, 0.0}, {read_at + e, s.read_voltage}, {read_at + e + s.pulse_width, s.read_voltage},
                                      {read_at + 2 * e + s.pulse_width, 0.0}})
                              : line({}));
        d.word.push_back(line({{e, s.synapse_gate}}));
        d.bit_control.emplace_back(r < 4 ? "gate" : "", L.pre);
    }
    for (std::size_t k = 0; k < 4; ++k) {
        d.source.push_back(line({}));
        d.source_node.push_back(k == 1 ? "post1" : "");
    }
    circuit::circuit c = array::build(a, d);
    c.add_voltage_source("VNB", "nb", "0", line({{e, s.neuron_rail}}));
    c.add_voltage_source("VGN", "gn", "0", line({{e, s.neuron_rail + s.neuron_gate}}));
    c.add_memristor("N1", "out1", "nm1", s.neuron, s.neuron_state);
    c.add_transistor("TN1", "nm1", "gn", "nb", "nb", s.transistor, false);
    circuit::comparator_params cp = network::comparator_of(s);
    cp.shape = {{delay, 0.0}, {delay + e, low}, {delay + e + L.potentiate_width, low}, {delay + 2 * e + L.potentiate_width, L.depress},
                {delay + post_len - e, L.depress}, {delay + post_len, 0.0}};
    c.add_comparator("CP", "N1", "post1", "hold", cp);
    circuit::comparator_params cg = cp;
    cg.shape = {{delay, 0.0}, {delay + e, 1.0}, {delay + post_len - e, 1.0}, {delay + post_len, 0.0}};
    c.add_comparator("CG", "N1", "gate", "hold", cg);
    circuit::comparator_params ch = cp;
    ch.shape = {{e, 1.0}, {delay + post_len + e, 1.0}, {delay + post_len + 2 * e, 0.0}};
    c.add_comparator("CH", "N1", "hold", "hold", ch);
    circuit::solver_options opts;
    opts.linsol = circuit::linear_solver::klu;
    circuit::simulation sim(c, opts, 1);
    // To the end of the read pulse (the neuron has fired), then to the post pulse's start: the
    // column's cells there are where the post pulse starts from, read disturb included.
    sim.advance(read_at + 2 * e + s.pulse_width);
    const double fired = sim.probe("CP.fired");
    ASSERT_EQ(sim.probe("CP.count"), 1.0) << "the neuron did not fire in the read pulse";
    EXPECT_GT(fired, read_at);
    EXPECT_GT(fired + delay, read_at + 2 * e + s.pulse_width);  // the post pulse starts after the read pulse
    sim.advance(fired + delay);
    const auto& names = s.synapse->states();
    auto state_of = [&](std::size_t r) {
        std::vector<double> st(names.size());
        for (std::size_t j = 0; j < st.size(); ++j) st[j] = sim.probe(array::device_name(r, 1) + "." + names[j].name);
        return st;
    };
    std::vector<std::vector<double>> before;
    for (std::size_t r = 0; r < 8; ++r) before.push_back(state_of(r));
    for (std::size_t j = 0; j < names.size(); ++j)
        if (names[j].name == "T") std::printf("cell 0 (read) at the post pulse: T = %.1f K\n", before[0][j]);
    sim.advance(fired + delay + post_len + 1e-6);
    std::printf("the neuron fired %.1f ns into the read pulse; comparators fired %g, %g, %g times\n", (fired - read_at) * 1e9,
                sim.probe("CP.count"), sim.probe("CG.count"), sim.probe("CH.count"));
    EXPECT_EQ(sim.probe("CP.count"), 1.0);
    EXPECT_EQ(sim.probe("CG.count"), 1.0);
    EXPECT_EQ(sim.probe("CH.count"), 1.0);
    auto g_of = [&](const std::vector<double>& st) { return s.synapse->current(array::g_probe, st) / array::g_probe; };
    double worst = 0, worst_unread = 0;
    std::size_t changed = 0;
    for (std::size_t r = 0; r < 8; ++r) {
        const double g_start = g_of(s.synapse_state[r * 4 + 1]), g0 = g_of(before[r]), g_circuit = g_of(state_of(r));
        std::vector<double> alone = before[r], unread = s.synapse_state[r * 4 + 1];
        network::post_pulse(s, L, alone, r < 4, 0.0, 1);
        network::post_pulse(s, L, unread, r < 4, fired + delay, 1);  // as the fast level's held reads leave it
        const double g_fast = g_of(alone), g_unread = g_of(unread);
        std::printf("cell %zu: %.2f uS, %.2f uS at the post pulse -> circuit %.2f uS, alone %.2f uS (never read: %.2f uS)\n", r,
                    g_start * 1e6, g0 * 1e6, g_circuit * 1e6, g_fast * 1e6, g_unread * 1e6);
        if (std::fabs(g_fast - g0) < 0.05 * g0) continue;
        ++changed;
        worst = std::max(worst, std::fabs(g_circuit - g_fast) / std::fabs(g_fast - g0));
        worst_unread = std::max(worst_unread, std::fabs(g_circuit - g_unread) / std::fabs(g_fast - g0));
    }
    std::printf("against the cell alone never read (held reads): largest difference %.3g of the change\n", worst_unread);
    std::printf("largest difference %.3g of the change\n", worst);
    EXPECT_GE(changed, 6u);
    EXPECT_LT(worst, 0.05);
}
