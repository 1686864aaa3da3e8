// Unsupervised learning in the device mode (network::learn): the neurons' tabulated answer against
// the engine, and a two-pattern network that learns to tell its patterns apart by pulses alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

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

}  // namespace

// The table interpolates what the engine gives a fresh neuron: at drives spread over the table's
// range, the tabulated firing time is within 2 % (or 5 ns) of a direct engine run; just below the
// threshold the engine does not fire within the pulse.
TEST(NetworkLearning, NeuronTableMatchesTheEngine) {
    const auto s = spec(1, 1, 10e-6);
    const network::neuron_table t(s, 0, 7);
    std::printf("threshold %.4f V, %zu engine runs\n", t.threshold(), t.runs());
    EXPECT_GT(t.threshold(), s.neuron_rail);
    EXPECT_FALSE(std::isfinite(network::neuron_table::engine_fire_time(s, 0, t.threshold() - 5e-3, 7)));
    EXPECT_FALSE(std::isfinite(t.fire_time(t.threshold() - 5e-3)));
    util::rng g(3);
    double worst = 0;
    for (int j = 0; j < 16; ++j) {
        const double v = t.threshold() + 0.002 + (j < 8 ? 1.0 : 40.0) * g.uniform();
        const double a = t.fire_time(v), b = network::neuron_table::engine_fire_time(s, 0, v, 7);
        ASSERT_TRUE(std::isfinite(a) && std::isfinite(b)) << v;
        worst = std::max(worst, std::fabs(a - b) / std::max(b, 250e-9));
    }
    std::printf("largest table error %.3g (relative, floor 5 ns / 250 ns)\n", worst);
    EXPECT_LT(worst, 0.02);
}

// Two patterns (rows 0-3 and rows 4-7 at full rate) presented in turn to 2 neurons whose synapses
// all start at 50 uS: after 16 images each neuron answers one pattern, the test images are all
// classified right, and each neuron's synapses are stronger on its pattern's rows than elsewhere.
TEST(NetworkLearning, TwoNeuronsLearnTwoPatterns) {
    auto s = spec(8, 2, 50e-6);
    s.gain.gain = 9e4;
    network::image_set train, test;
    train.size = test.size = 8;
    train.max_value = test.max_value = 16;
    for (int n = 0; n < 24; ++n) {
        const int c = n % 2;
        auto& set = n < 16 ? train : test;
        for (int p = 0; p < 8; ++p) set.pixels.push_back(p / 4 == c ? 16.0 : 0.0);
        set.labels.push_back(c);
    }
    network::stdp_settings L;
    L.pre_window = L.hold = 4;
    L.inhibition = L.refractory = L.test_inhibition = 16;
    network::learning_data d{.train = &train, .test = &test, .coding = {.rate_max = 5e5, .presentation = 32e-6, .dt = 2e-6}};
    const auto r = network::learn(s, L, d, 1);
    std::printf("labels %d %d, accuracy %.3f, post pulses %zu\n", r.labels[0], r.labels[1], r.accuracy, r.post_pulses);
    ASSERT_EQ(r.labels.size(), 2u);
    EXPECT_NE(r.labels[0], r.labels[1]);
    EXPECT_GE(std::min(r.labels[0], r.labels[1]), 0);
    EXPECT_EQ(r.correct, test.count());
    EXPECT_EQ(r.post_pulses, train.count());  // one winner per image, each with its post pulse
    for (std::size_t k = 0; k < 2; ++k) {
        double own = 0, other = 0;
        for (std::size_t row = 0; row < 8; ++row)
            (static_cast<int>(row / 4) == r.labels[k] ? own : other) += r.g_trained(row, k) / 4;
        std::printf("neuron %zu (class %d): %.1f uS on its rows, %.1f uS elsewhere\n", k, r.labels[k], own * 1e6, other * 1e6);
        EXPECT_GT(own, 2 * other);
    }
    // No learning without post pulses: the initial map is the drawn one, unchanged in place.
    EXPECT_NEAR(r.g_initial(0, 0), 50e-6, 1e-6);
}
