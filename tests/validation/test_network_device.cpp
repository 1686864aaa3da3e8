// Device mode of the network layer: the circuit level (the whole network as one circuit) against
// the fast level (each cell on its own between events), on an 8-input x 4-neuron network.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "memlab/circuit/simulation.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/network/device.hpp"
#include "memlab/network/experiment.hpp"
#include "memlab/protocol/network_file.hpp"

using namespace memlab;

namespace {

// experiments/snn_device_8x4.toml: column k holds 80 uS on rows 2k and 2k+1 and 4 uS elsewhere, so
// each neuron answers to the coincidence of its own two rows; fresh nominal neurons; Poisson
// pulses drawn every 2 us at 200 kHz over 120 us, seed 1.
network::experiment agreement_network() {
    return protocol::load_network(std::string(MEMLAB_SOURCE_DIR) + "/experiments/snn_device_8x4.toml", {});
}

}  // namespace

TEST(NetworkDevice, CircuitAndFastLevelsAgree8x4) {
    const auto e = agreement_network();
    const auto& s = e.device;
    const auto& in = e.inputs;
    ASSERT_EQ(s.inputs, 8u);
    ASSERT_EQ(s.neurons, 4u);
    std::vector<network::device_result> r;
    for (auto l : {network::level::circuit, network::level::fast}) {
        const auto t0 = std::chrono::steady_clock::now();
        r.push_back(network::simulate_device(s, in, l, e.seed));
        const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%s level: %.2f s, %ld steps in %zu simulations; %zu input pulses, %zu dropped; spikes per neuron", network::level_name(l),
                    sec, r.back().steps, r.back().simulations, in.size(), r.back().dropped);
        for (auto c : r.back().counts) std::printf(" %zu", c);
        std::printf("\n");
    }
    const auto& c = r[0];
    const auto& f = r[1];
    ASSERT_EQ(c.dropped, 0u);
    std::size_t total_c = 0, total_f = 0;
    for (std::size_t k = 0; k < s.neurons; ++k) {
        EXPECT_GE(c.counts[k], 5u) << "neuron " << k << " hardly fires: the comparison would say nothing";
        EXPECT_LE(std::fabs(double(f.counts[k]) - double(c.counts[k])), 0.05 * double(c.counts[k])) << "neuron " << k;
        total_c += c.counts[k];
        total_f += f.counts[k];
    }
    EXPECT_LE(std::fabs(double(total_f) - double(total_c)), 0.05 * double(total_c));
    // Spike times, neuron by neuron where the two trains pair up one to one.
    double worst_time = 0;
    for (std::size_t k = 0; k < s.neurons; ++k) {
        if (c.counts[k] != f.counts[k]) continue;
        std::vector<double> tc, tf;
        for (std::size_t j = 0; j < c.out.size(); ++j)
            if (c.out.neuron[j] == k) tc.push_back(c.out.time[j]);
        for (std::size_t j = 0; j < f.out.size(); ++j)
            if (f.out.neuron[j] == k) tf.push_back(f.out.time[j]);
        for (std::size_t j = 0; j < tc.size(); ++j) worst_time = std::max(worst_time, std::fabs(tc[j] - tf[j]));
    }
    std::printf("largest spike-time difference %.3g s (pulse edges %.3g s)\n", worst_time, s.edge);
    EXPECT_LT(worst_time, s.edge);
    // Read disturb: the synapses' conductance changes over the run, level against level.
    double largest = 0, worst = 0;
    for (std::size_t i = 0; i < c.g_before.v.size(); ++i) {
        EXPECT_DOUBLE_EQ(c.g_before.v[i], f.g_before.v[i]);
        const double dc = c.g_after.v[i] - c.g_before.v[i], df = f.g_after.v[i] - f.g_before.v[i];
        largest = std::max(largest, std::fabs(dc / c.g_before.v[i]));
        worst = std::max(worst, std::fabs(df - dc) / std::fabs(dc));
    }
    std::printf("largest relative conductance change %.3g; worst relative difference of the changes %.3g\n", largest, worst);
    EXPECT_LE(worst, 0.05);
}

// The neuron's return rail: between input pulses the gain stage's output is 0 V, and a fired
// neuron relaxes only if it then sees a reverse voltage. One neuron cell (device, transistor at
// 0.526 V above its rail) under 4 V pulses of 1 us every 4 us: on a 1 V rail it fires in every pulse
// and is relaxed (disarmed) again before the next; on a 0 V rail it fires once and stays set.
TEST(NetworkDevice, NeuronRelaxesOnItsRail) {
    auto m = std::shared_ptr<const device::model>(device::make_model("agsn_sio2_pt"));
    auto t = std::make_shared<device::mosfet>();
    for (double rail : {1.0, 0.0}) {
        auto w = std::make_shared<array::schedule>(0.0);
        std::vector<double> before;  // just before each pulse
        for (int k = 0; k < 6; ++k) {
            const double t0 = 1e-6 + 4e-6 * k;
            before.push_back(t0);
            w->to(t0, 0);
            w->to(t0 + 1e-8, 4.0);
            w->to(t0 + 1e-8 + 1e-6, 4.0);
            w->to(t0 + 2e-8 + 1e-6, 0);
        }
        auto vb = std::make_shared<array::schedule>(0.0);
        vb->to(1e-8, rail);
        auto vg = std::make_shared<array::schedule>(0.0);
        vg->to(1e-8, rail + 0.526);
        circuit::circuit c;
        c.add_voltage_source("V", "top", "0", w);
        c.add_voltage_source("VB", "b", "0", vb);
        c.add_voltage_source("VG", "g", "0", vg);
        c.add_memristor("X", "top", "m", m);
        c.add_transistor("T", "m", "g", "b", "b", t, false);
        circuit::simulation sim(c, {}, 1);
        int fired = 0, relaxed = 0;
        for (std::size_t k = 0; k < before.size(); ++k) {
            sim.advance(before[k]);
            if (k > 0) relaxed += sim.probe("X.armed") < 0.5;
            sim.advance(before[k] + 1e-6);
            fired += sim.probe("i(X)") > 5e-9;
        }
        std::printf("rail %.0f V: fired at the end of %d of 6 pulses, relaxed before %d of 5\n", rail, fired, relaxed);
        if (rail > 0) {
            EXPECT_EQ(fired, 6);
            EXPECT_EQ(relaxed, 5);
        } else {
            EXPECT_EQ(fired, 6);  // set once, conducting at every later pulse
            EXPECT_EQ(relaxed, 0);
        }
    }
}
