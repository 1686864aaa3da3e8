// The network layer's parts that need no simulation: the digits file and its split, the Poisson
// encoder's statistics, the LIF spec's checks. (The LIF mode against Brian2: tests/cli/test_network.py.)
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "memlab/error.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/network/data.hpp"
#include "memlab/network/device.hpp"
#include "memlab/network/network.hpp"

namespace net = memlab::network;

TEST(Digits, ReadsTheFileDebianInstalls) {
    const auto d = net::read_digits();
    // digits.rst beside it: 1797 instances, 64 attributes, integer pixels in 0..16.
    ASSERT_EQ(d.count(), 1797u);
    EXPECT_EQ(d.size, 64u);
    EXPECT_EQ(d.pixels.size(), 1797u * 64u);
    for (double x : d.pixels) ASSERT_TRUE(x >= 0 && x <= 16 && x == std::floor(x));
    // sklearn's own loader on the same file (python3 -c "from sklearn.datasets import load_digits;
    // d = load_digits(); print(numpy.bincount(d.target), d.data.sum())", python3-sklearn 1.2.1):
    // the classes and the sum of every pixel.
    const std::vector<int> per_class{178, 182, 177, 183, 181, 182, 181, 179, 174, 180};
    std::vector<int> counts(10, 0);
    for (int l : d.labels) ++counts.at(static_cast<std::size_t>(l));
    EXPECT_EQ(counts, per_class);
    EXPECT_EQ(std::accumulate(d.pixels.begin(), d.pixels.end(), 0.0), 561718.0);
}

TEST(Digits, MissingFileIsOneLine) {
    try {
        net::read_digits("/nonexistent/digits.csv.gz");
        FAIL() << "no error";
    } catch (const memlab::input_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/digits.csv.gz: cannot open"), std::string::npos) << e.what();
    }
}

TEST(Digits, SplitIsAPermutationFixedBySeed) {
    const auto a = net::split_indices(1797, 1200, 1);
    ASSERT_EQ(a.train.size(), 1200u);
    ASSERT_EQ(a.test.size(), 597u);
    std::set<std::size_t> all(a.train.begin(), a.train.end());
    all.insert(a.test.begin(), a.test.end());
    EXPECT_EQ(all.size(), 1797u);
    EXPECT_EQ(*all.rbegin(), 1796u);
    const auto b = net::split_indices(1797, 1200, 1);
    EXPECT_EQ(a.train, b.train);
    const auto c = net::split_indices(1797, 1200, 2);
    EXPECT_NE(a.train, c.train);
    // Shuffled: the training set is not the first 1200 images in order.
    EXPECT_FALSE(std::is_sorted(a.train.begin(), a.train.end()));
    // Every class is in both sets, near its share (a random 2/3: within 4 sigma of the hypergeometric).
    const auto d = net::read_digits();
    const auto train = net::subset(d, a.train), test = net::subset(d, a.test);
    EXPECT_EQ(train.pixels.size(), 1200u * 64u);
    EXPECT_EQ(test.labels[0], d.labels[a.test[0]]);
    std::vector<double> n(10, 0), k(10, 0);
    for (int l : d.labels) ++n[static_cast<std::size_t>(l)];
    for (int l : train.labels) ++k[static_cast<std::size_t>(l)];
    for (std::size_t c2 = 0; c2 < 10; ++c2) {
        const double p = 1200.0 / 1797.0, mean = n[c2] * p, sd = std::sqrt(n[c2] * p * (1 - p) * (1797 - n[c2]) / 1796.0);
        EXPECT_LT(std::abs(k[c2] - mean), 4 * sd) << "class " << c2;
    }
}

TEST(Data, FashionMnistIsReadAsNumpyReadsIt) {
    // numpy on the same files (np.frombuffer(gzip.open(f).read(), np.uint8, offset=16 or 8)),
    // dataset-fashion-mnist 2017: 10000 test images of 28 x 28, 1000 of each class, the first
    // labels 9 2 1 1 6, the pixels summing to 573469082. (The 60000 training images take seconds.)
    const auto test = net::read_fashion_mnist(false);
    ASSERT_EQ(test.count(), 10000u);
    EXPECT_EQ(test.size, 784u);
    EXPECT_EQ(test.max_value, 255);
    std::vector<std::size_t> per_class(10, 0);
    for (int l : test.labels) ++per_class[static_cast<std::size_t>(l)];
    EXPECT_EQ(per_class, std::vector<std::size_t>(10, 1000));
    EXPECT_EQ((std::vector<int>(test.labels.begin(), test.labels.begin() + 5)), (std::vector<int>{9, 2, 1, 1, 6}));
    EXPECT_EQ(std::accumulate(test.pixels.begin(), test.pixels.end(), 0.0), 573469082.0);
}

TEST(Data, AnIdxFileThatIsNotOneIsAnInputError) {
    const auto dir = std::filesystem::temp_directory_path() / "memlab_idx_test";
    std::filesystem::create_directories(dir);
    const auto write = [&](const std::string& name, const std::string& bytes) {
        const auto f = dir / name;
        gzFile g = gzopen(f.c_str(), "wb");
        gzwrite(g, bytes.data(), static_cast<unsigned>(bytes.size()));
        gzclose(g);
        return f;
    };
    const auto be = [](std::uint32_t x) { return std::string{char(x >> 24), char((x >> 16) & 255), char((x >> 8) & 255), char(x & 255)}; };
    // Two 2 x 2 images and their labels: read back.
    const auto im = write("im.gz", be(0x803) + be(2) + be(2) + be(2) + std::string("\x01\x02\x03\x04\x05\x06\x07\xff", 8));
    const auto lb = write("lb.gz", be(0x801) + be(2) + std::string("\x03\x07", 2));
    const auto s = net::read_idx(im, lb);
    EXPECT_EQ(s.size, 4u);
    EXPECT_EQ(s.labels, (std::vector<int>{3, 7}));
    EXPECT_EQ(s.pixels.back(), 255);
    const auto fails_with = [&](const std::filesystem::path& i, const std::filesystem::path& l, const std::string& what) {
        try {
            net::read_idx(i, l);
            ADD_FAILURE() << "no error for " << what;
        } catch (const memlab::input_error& e) {
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    };
    fails_with(lb, lb, im.parent_path().string() + "/lb.gz: not an IDX image file");  // labels given as images
    fails_with(write("short.gz", be(0x803) + be(3) + be(2) + be(2) + std::string(8, '\1')), lb, "short.gz: 8 bytes of pixels, 3 images");
    fails_with(im, write("few.gz", be(0x801) + be(1) + std::string(1, '\1')), "few.gz: 1 labels for the 2 images");
    fails_with(im, write("ten.gz", be(0x801) + be(2) + std::string("\x01\x0a", 2)), "ten.gz: label 10 of image 1 is not in 0..9");
    std::filesystem::remove_all(dir);
}

TEST(Poisson, CountsWithinTheirSpread) {
    // 50 rows at 40 Hz for 5 s in 0.1 ms steps: each row's count is binomial(50000, 0.004), mean 200.
    const auto in = net::poisson(std::vector<double>(50, 40.0), 1e-4, 5.0, 3);
    std::vector<double> counts(50, 0);
    for (std::size_t k = 0; k < in.size(); ++k) ++counts[in.row[k]];
    const double mean = std::accumulate(counts.begin(), counts.end(), 0.0) / 50.0;
    const double sd_of_mean = std::sqrt(50000 * 0.004 * 0.996 / 50.0);
    EXPECT_LT(std::abs(mean - 200.0), 4 * sd_of_mean);
    EXPECT_TRUE(std::is_sorted(in.time.begin(), in.time.end()));
    EXPECT_THROW(net::poisson({2e4}, 1e-4, 1.0, 1), memlab::input_error);  // rate dt > 1
}

TEST(Lif, NoInputStaysAtRestAndChecksItsSpec) {
    net::lif_spec s;
    s.inputs = 2;
    s.neurons = 3;
    s.weight = net::matrix(2, 3, 1e-3);
    s.duration = 0.1;
    const auto r = net::simulate_lif(s, net::input_spikes{});
    EXPECT_EQ(r.out.size(), 0u);
    EXPECT_EQ(r.steps, 1000u);
    s.neuron.tau = 0;
    EXPECT_THROW(net::simulate_lif(s, net::input_spikes{}), memlab::input_error);
    s.neuron.tau = 0.02;
    s.weight = net::matrix(3, 2);
    EXPECT_THROW(net::simulate_lif(s, net::input_spikes{}), memlab::input_error);
}

TEST(Lif, OneInputSpikeAboveThresholdFiresInTheNextStep) {
    // A jump of 20 mV over a 15 mV gap at step 10: the threshold is checked before propagation, so
    // the neuron fires at step 11 (Brian2's order), once.
    net::lif_spec s;
    s.inputs = 1;
    s.neurons = 1;
    s.weight = net::matrix(1, 1, 20e-3);
    s.duration = 0.01;
    net::input_spikes in;
    in.row = {0};
    in.time = {10e-4};
    const auto r = net::simulate_lif(s, in);
    ASSERT_EQ(r.out.size(), 1u);
    EXPECT_NEAR(r.out.time[0], 11e-4, 1e-12);
}

TEST(Lif, InputsInChunksRunAsInputsAtOnce) {
    // 20 Poisson rows x 5 neurons with inhibition, handed over whole and in chunks cut at arbitrary
    // steps (two chunks may share a step); an image encoder's chunks against encode_rates.
    net::lif_spec s;
    s.inputs = 20;
    s.neurons = 5;
    s.weight = net::matrix(20, 5);
    memlab::util::rng g(11);
    for (double& w : s.weight.v) w = 4e-3 * g.uniform();
    s.inhibition = -2e-3;
    s.neuron.refractory = 2e-3;
    s.duration = 1.0;
    const auto in = net::poisson(std::vector<double>(20, 50.0), 1e-4, 1.0, 5);
    const auto whole = net::simulate_lif(s, in);
    ASSERT_GT(whole.out.size(), 20u);
    std::size_t k = 0;
    const auto chunked = net::simulate_lif(s, [&](net::input_spikes& chunk) {
        const std::size_t n = std::min<std::size_t>(in.size() - k, 1 + g.below(300));
        chunk.row.assign(in.row.begin() + static_cast<std::ptrdiff_t>(k), in.row.begin() + static_cast<std::ptrdiff_t>(k + n));
        chunk.time.assign(in.time.begin() + static_cast<std::ptrdiff_t>(k), in.time.begin() + static_cast<std::ptrdiff_t>(k + n));
        k += n;
        return n > 0;
    });
    EXPECT_EQ(k, in.size());
    EXPECT_EQ(chunked.out.neuron, whole.out.neuron);
    EXPECT_EQ(chunked.out.time, whole.out.time);
    EXPECT_EQ(chunked.synaptic_events, whole.synaptic_events);

    // A chunk that goes back in time is a bug in its source.
    bool first = true;
    EXPECT_THROW(net::simulate_lif(s,
                                   [&](net::input_spikes& chunk) {
                                       chunk.row = {0};
                                       chunk.time = {first ? 0.5 : 0.1};
                                       const bool more = first;
                                       first = false;
                                       return more || chunk.size() > 0;
                                   }),
                 memlab::internal_error);

    // Images: each chunk lies inside its image's presentation; together they are encode_rates'.
    net::image_set im;
    im.size = 4;
    im.max_value = 16;
    im.pixels = {0, 4, 8, 16, 16, 0, 0, 2, 1, 1, 1, 1};
    im.labels = {0, 1, 2};
    const net::rate_coding c{.rate_max = 400, .bias_rate = 100, .presentation = 0.05, .rest = 0.01, .dt = 1e-4, .seed = 3};
    std::vector<double> starts;
    const auto all = net::encode_rates(im, c, starts);
    net::rate_encoder enc(im, c);
    EXPECT_EQ(enc.starts(), starts);
    net::input_spikes chunk, joined;
    std::size_t n = 0;
    while (enc.next(chunk)) {
        for (std::size_t j = 0; j < chunk.size(); ++j) {
            EXPECT_GE(chunk.time[j], starts[n] - 1e-12);
            EXPECT_LT(chunk.time[j], starts[n] + c.presentation - 1e-12);
            EXPECT_LE(chunk.row[j], 4u);  // 4 pixels and the bias row
        }
        joined.row.insert(joined.row.end(), chunk.row.begin(), chunk.row.end());
        joined.time.insert(joined.time.end(), chunk.time.begin(), chunk.time.end());
        ++n;
    }
    EXPECT_EQ(n, 3u);
    EXPECT_EQ(joined.row, all.row);
    EXPECT_EQ(joined.time, all.time);
    EXPECT_GT(all.size(), 50u);
    EXPECT_THROW(net::rate_encoder(im, {.rate_max = 2e4, .presentation = 0.05, .dt = 1e-4}), memlab::input_error);  // rate dt > 1
}

// A synapse state at a conductance: below one atom's contact a one-atom tip in a tunnelling gap,
// above it a bridged filament; the device alone at memlab::array::g_probe has the conductance asked for.
TEST(NetworkDeviceState, BridgedStateHasItsConductance) {
    const auto m = memlab::device::make_model("agsn_sio2_pt");
    std::vector<std::string> names;
    for (const auto& st : m->states()) names.push_back(st.name);
    const auto idx = [&](const std::string& n) { return static_cast<std::size_t>(std::find(names.begin(), names.end(), n) - names.begin()); };
    for (double g : {1e-6, 4e-6, 80e-6, 300e-6}) {
        const auto s = net::agsn_bridged_state(*m, g, 3.35e-9);
        EXPECT_NEAR(m->current(memlab::array::g_probe, s) / memlab::array::g_probe / g, 1.0, 1e-9) << g;
        EXPECT_EQ(s[idx("theta")], m->get("theta_max"));
        EXPECT_EQ(s[idx("h_s")], m->get("h_s_max"));
        if (g > 200e-6) {
            EXPECT_EQ(s[idx("h")], m->get("L"));
            EXPECT_GT(s[idx("r")], m->get("r_min"));
        } else {
            EXPECT_LT(s[idx("h")], m->get("L"));
            EXPECT_EQ(s[idx("r")], m->get("r_min"));
        }
    }
    EXPECT_THROW(net::agsn_bridged_state(*m, 1.0, 3.35e-9), memlab::input_error);
    EXPECT_THROW(net::agsn_bridged_state(*memlab::device::make_model("vteam"), 1e-5, 3.35e-9), memlab::input_error);
}

// The row drivers: a pulse per input spike (edge, plateau, edge); a spike while its row's pulse is
// still on is dropped.
TEST(NetworkDeviceState, RowPulsesAndDroppedSpikes) {
    net::device_spec s;
    s.inputs = 2;
    s.read_voltage = 0.2;
    s.pulse_width = 1e-6;
    s.edge = 1e-8;
    net::input_spikes in;
    in.row = {0, 1, 0, 0};
    in.time = {0.0, 0.5e-6, 0.6e-6, 2e-6};
    std::size_t dropped = 0;
    const auto rows = net::row_pulses(s, in, dropped);
    EXPECT_EQ(dropped, 1u);  // row 0 at 0.6 us, inside its pulse from 0 to 1.02 us
    EXPECT_DOUBLE_EQ(rows[0]->value(0.5e-6), 0.2);
    EXPECT_DOUBLE_EQ(rows[0]->value(0.005e-6), 0.1);  // half way up the first edge
    EXPECT_DOUBLE_EQ(rows[0]->value(1.5e-6), 0.0);
    EXPECT_DOUBLE_EQ(rows[0]->value(2.5e-6), 0.2);
    EXPECT_DOUBLE_EQ(rows[1]->value(1.0e-6), 0.2);
    EXPECT_DOUBLE_EQ(rows[1]->value(1.6e-6), 0.0);
    in.row = {2};
    in.time = {0.0};
    EXPECT_THROW(net::row_pulses(s, in, dropped), memlab::input_error);
}
