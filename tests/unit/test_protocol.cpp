// Experiment files: every mistake is one line naming the file and the key. (Experiment files run
// through the engine: tests/validation/test_circuit_runs.cpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "memlab/error.hpp"
#include "memlab/io/trace.hpp"
#include "memlab/protocol/experiment.hpp"
#include "../protocol_files.hpp"

using namespace memlab;
namespace fs = std::filesystem;

namespace {

using test::base;
using test::write_file;

std::string error_of(const fs::path& p, const std::vector<std::string>& sets = {}) {
    try {
        protocol::load(p, sets);
    } catch (const input_error& e) {
        return e.what();
    }
    return "no error";
}

// The base file with the first occurrence of `from` replaced by `to`.
std::string with(const std::string& from, const std::string& to) {
    std::string s = base;
    s.replace(s.find(from), from.size(), to);
    return s;
}

void expect_error(const std::string& text, const std::string& key, const std::string& what = "") {
    const auto p = write_file("memlab_proto.toml", text);
    const std::string m = error_of(p);
    EXPECT_NE(m.find(p.string()), std::string::npos) << m;
    EXPECT_NE(m.find(key), std::string::npos) << m;
    if (!what.empty()) {
        EXPECT_NE(m.find(what), std::string::npos) << m;
    }
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
}

}  // namespace

TEST(Protocol, Loads) {
    const auto e = protocol::load(write_file("memlab_ok.toml", base));
    EXPECT_EQ(e.name, "t");
    EXPECT_DOUBLE_EQ(e.series_resistance, 1e3);
    EXPECT_NEAR(e.duration, 2e-6 * 2 + 1e-6 + 2e-8, 1e-15);
    EXPECT_EQ(e.resolved["circuit"]["series_resistance"], "1 kOhm");
    EXPECT_EQ(e.resolved["device"]["parameters"]["r_off"], "100 kOhm");
    EXPECT_EQ(e.recording.probes, (std::vector<std::string>{"i(DUT)", "DUT.w"}));
}

TEST(Protocol, OverridesApply) {
    const auto p = write_file("memlab_ok.toml", base);
    const auto e = protocol::load(p, {"circuit.series_resistance=10 MOhm", "stimulus.count=5", "device.r_on=2 kOhm"});
    EXPECT_DOUBLE_EQ(e.series_resistance, 10e6);
    EXPECT_DOUBLE_EQ(e.device->get("r_on"), 2e3);
    EXPECT_NE(error_of(p, {"circuit.series_resistance=10 MV"}).find("circuit.series_resistance"), std::string::npos);
    EXPECT_NE(error_of(p, {"nokey"}).find("expected key=value"), std::string::npos);
    // A command line may carry any bytes: text that is not UTF-8 is an input error, not a crash
    // when the resolved experiment is written as JSON (a fuzz finding: tests/fuzz/regressions/set).
    EXPECT_NE(error_of(p, {"experiment.description=ab\xff" "cd"}).find("not valid UTF-8"), std::string::npos);
}

TEST(Protocol, UnknownKeysAnywhereAreErrors) {
    expect_error(std::string(base) + "\n[solver]\nrtoll = 1e-6\n", "solver.rtoll", "unknown key");
    expect_error(with("series_resistance", "seires_resistance"), "circuit.seires_resistance", "unknown key");
    expect_error(std::string(base) + "\n[extra]\nx = 1\n", "extra", "unknown key");
    expect_error(with("model = \"vteam\"", "model = \"vteam\"\nr_onn = \"1 kOhm\""), "device.r_onn", "unknown key");
}

TEST(Protocol, BadValuesNameFileAndKey) {
    expect_error(with("\"1 kOhm\"", "\"-1 kOhm\""), "circuit.series_resistance", "negative");
    expect_error(with("\"1 kOhm\"", "1000"), "circuit.series_resistance", "needs a unit");
    expect_error(with("\"1 V\"", "\"1 A\""), "stimulus.amplitude", "unit 'A'");
    expect_error(with("count = 3", "count = -3"), "stimulus.count", "outside");
    expect_error(with("\"vteam\"", "\"vtean\""), "device.model", "unknown model");
    expect_error(with("model = \"vteam\"", "model = \"vteam\"\nalpha_off = \"100\""), "alpha_off",
                 "outside the allowed range");
    expect_error(with("\"2 us\"", "\"0.5 us\""), "stimulus", "period");
    // Probes are checked at run time.
    const auto e = protocol::load(write_file("memlab_probe.toml", with("\"DUT.w\"", "\"DUT.x\"")));
    io::memory_trace tr;
    EXPECT_THROW(protocol::run(e, tr), input_error);
}

TEST(Protocol, BrokenFilesAreErrors) {
    expect_error(std::string(base) + "\n[circuit]\nx = 1\n", "", "not valid TOML");  // duplicate table
    const std::string b(base);
    expect_error(b.substr(0, b.find("vteam") + 3), "", "not valid TOML");  // truncated inside a string
    expect_error(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "", "not valid TOML");  // binary
    EXPECT_NE(error_of("/nonexistent/x.toml").find("no such file"), std::string::npos);
}

TEST(Protocol, SwappingTheModelDropsTheOldModelsSettingsWithNotes) {
    const auto p = write_file("memlab_swap.toml", with("model = \"vteam\"", "model = \"vteam\"\nr_on = \"2 kOhm\"\n[device.initial_state]\nw = \"2 nm\""));
    // Same model: nothing dropped.
    const auto same = protocol::load(p, {"device.model=vteam"});
    EXPECT_TRUE(same.notes.empty());
    EXPECT_DOUBLE_EQ(same.device->get("r_on"), 2e3);
    // Another model: the file's r_on and initial state do not apply; DUT.w becomes the new states.
    const auto e = protocol::load(p, {"device.model=memdiode", "device.t0r=1 ks"});
    EXPECT_EQ(e.device->name(), "memdiode");
    EXPECT_DOUBLE_EQ(e.device->get("t0r"), 1e3);  // an override given with the swap is kept
    ASSERT_EQ(e.notes.size(), 2u);
    EXPECT_NE(e.notes[0].find("device.initial_state.w, device.r_on no longer apply"), std::string::npos) << e.notes[0];
    EXPECT_NE(e.notes[1].find("DUT.w"), std::string::npos) << e.notes[1];
    EXPECT_EQ(e.recording.probes, (std::vector<std::string>{"i(DUT)", "DUT.lambda"}));
    // An unknown model is still an error naming the key.
    EXPECT_NE(error_of(p, {"device.model=vtaem"}).find("device.model"), std::string::npos);
}

TEST(Protocol, PulseTrainRepeatAppliesTheListAgain) {
    const auto once = protocol::load(write_file("memlab_once.toml", with("amplitude = \"1 V\"\ncount = 3", "amplitudes = [\"1 V\", \"2 V\"]")));
    const auto thrice = protocol::load(write_file("memlab_rep.toml", with("amplitude = \"1 V\"\ncount = 3", "amplitudes = [\"1 V\", \"2 V\"]\nrepeat = 3")));
    EXPECT_NEAR(thrice.duration, once.duration + 4 * 2e-6, 1e-15);  // 2 pulses -> 6 pulses of period 2 us
    // The 5th pulse is the list's first again (1 V), the 6th its second (2 V).
    EXPECT_NEAR(thrice.stimulus->value(8e-6 + 0.5e-6), 1.0, 1e-12);
    EXPECT_NEAR(thrice.stimulus->value(10e-6 + 0.5e-6), 2.0, 1e-12);
    // repeat belongs to a list of amplitudes; with amplitude + count it is an unknown key.
    expect_error(with("count = 3", "count = 3\nrepeat = 2"), "stimulus.repeat", "unknown key");
    expect_error(with("amplitude = \"1 V\"\ncount = 3", "amplitudes = [\"1 V\"]\nrepeat = 0"), "stimulus.repeat");
}

// memlab fit's model population (fit.device_draws = "matched"): the device-to-device draws of every
// seed's devices, shifted and scaled over the whole population, so that its parameters have the
// nominal mean and the stated spread exactly. Drawn independently, the 16 devices of the seeds of
// examples/fit/agsn_d2d.toml have a sample spread of 1.26 standard deviations, which scaled every
// fitted device-to-device spread down alike (docs/fitting.md, "Coverage over draws").
TEST(Protocol, FitPopulationDrawsAreMomentMatched) {
    const std::vector<std::uint64_t> seeds{101, 201};
    const std::size_t J = 8;
    auto e = protocol::load(fs::path(MEMLAB_SOURCE_DIR) / "examples" / "fit" / "agsn_cycles_setup.toml",
                            {"device.e_ag=0.87 eV", "device.d2d.e_ag=50 meV", "experiment.devices=8"});
    const auto matched = device::matched_normals(*e.device, e.d2d, seeds, J);
    ASSERT_EQ(matched.size(), seeds.size() * J);
    auto sample = [](const std::vector<double>& x) {
        double m = 0, ss = 0;
        for (const double v : x) m += v;
        m /= static_cast<double>(x.size());
        for (const double v : x) ss += (v - m) * (v - m);
        return std::pair{m, std::sqrt(ss / static_cast<double>(x.size() - 1))};
    };
    std::vector<double> drawn, matched_drawn, raw;
    for (std::size_t k = 0; k < seeds.size(); ++k) {
        e.seed = seeds[k];
        e.d2d_normals.clear();  // as memlab run draws them: from (seed, index)
        for (std::size_t j = 0; j < J; ++j) {
            const auto z = device::d2d_normals(*e.device, e.d2d, seeds[k], j);
            ASSERT_EQ(z.size(), 1u);
            raw.push_back(z.at("e_ag"));
            const double x = e.device_instance(j)->get("e_ag");
            EXPECT_DOUBLE_EQ(x, device::draw_device(*e.device, e.d2d, seeds[k], j)->get("e_ag"));
            EXPECT_NEAR(x, 0.87 + 0.05 * raw.back(), 1e-12);  // nominal + spread x N(0, 1): the ordinary draw is unchanged
            drawn.push_back(x);
        }
        e.d2d_normals.assign(matched.begin() + static_cast<std::ptrdiff_t>(k * J), matched.begin() + static_cast<std::ptrdiff_t>((k + 1) * J));
        for (std::size_t j = 0; j < J; ++j) matched_drawn.push_back(e.device_instance(j)->get("e_ag"));
    }
    // The population memlab fit compares with the measured one: exactly the nominal mean and spread.
    const auto [mean, sd] = sample(matched_drawn);
    EXPECT_NEAR(mean, 0.87, 1e-12);
    EXPECT_NEAR(sd, 0.05, 1e-12);
    // The same devices in the same order (an increasing map of the raw draws), which alone would
    // have a spread a quarter wider than stated and a mean 14 meV low.
    const auto [raw_mean, raw_sd] = sample(drawn);
    EXPECT_GT(std::fabs(raw_sd - 0.05), 0.01);
    EXPECT_GT(std::fabs(raw_mean - 0.87), 0.01);
    for (std::size_t a = 0; a < raw.size(); ++a)
        for (std::size_t b = 0; b < raw.size(); ++b)
            if (raw[a] < raw[b]) {
                EXPECT_LT(matched_drawn[a], matched_drawn[b]);
            }
    // A device beyond the given draws is a programming error, not a silent fallback.
    EXPECT_THROW((void)e.device_instance(J), std::logic_error);
}

TEST(Protocol, EventsProbeCountsTheRandomEvents) {
    // The probe "events" counts the events of the models' hazards, each a draw from a random
    // stream: the all-or-none pulses set and relax the AgSn device (a set and a breakup per
    // responding pulse); a deterministic model has none.
    const auto e = protocol::load(MEMLAB_SOURCE_DIR "/experiments/all_or_none.toml", {"recording.probes=[\"i(DUT)\", \"events\"]"});
    io::memory_trace tr;
    protocol::run(e, tr);
    const auto& ev = tr.column("events");
    EXPECT_EQ(ev.front(), 0.0);
    EXPECT_GE(ev.back(), 9.0);  // pulses 6..10 set, and all but the last have relaxed
    for (std::size_t k = 1; k < ev.size(); ++k) ASSERT_GE(ev[k], ev[k - 1]);
    const auto d = protocol::load(write_file("memlab_events.toml", with("\"DUT.w\"", "\"events\"")));
    io::memory_trace td;
    protocol::run(d, td);
    EXPECT_EQ(td.column("events").back(), 0.0);
}

// [history]: a stimulus run before the recorded one on the same circuit, not recorded. Its run
// and the experiment's are one run of both stimuli: the recorded trace is the tail of that run,
// shifted to start at t = 0 (to the integrator's rounding), and the random streams run on through
// the history (the recorded cycle does not replay the history's draws).
TEST(Protocol, AHistoryIsTheUnrecordedStartOfOneRun) {
    const std::string syn = MEMLAB_SOURCE_DIR "/experiments/synapse.toml";
    const std::vector<std::string> common{"stimulus.write_counts=[5, 5]", "device.n_lump=1", "recording.probes=[\"i(DUT)\", \"DUT.r\", \"events\"]"};
    const std::string hist = R"toml(
[history]
kind = "read_after_write"
write_amplitudes = ["1 V", "-0.8 V"]
write_counts = [5, 5]
write_width = "10 us"
read_amplitude = "0.1 V"
read_width = "10 us"
gap = "10 us"
rise = "20 ns"
fall = "20 ns"
rest = "10 us"
)toml";
    std::string text = test::without_table(syn, "history");  // the file's own history
    // The whole run: both cycles recorded, from the trained state.
    auto sets = common;
    sets.push_back("stimulus.cycles=2");
    const auto whole = protocol::load(write_file("memlab_whole.toml", text), sets);
    text.insert(text.find("\n[circuit]\n"), hist + "\n");
    const auto p = write_file("memlab_history.toml", text);
    auto hsets = common;
    hsets.push_back("stimulus.cycles=1");
    const auto part = protocol::load(p, hsets);
    ASSERT_TRUE(part.history);
    const double t0 = part.t_zero;
    EXPECT_NEAR(t0, 10 * 40.08e-6, 1e-12);  // ten write-read pairs of 40.08 us, the last gap as the rest
    EXPECT_EQ(part.resolved["history"]["rest"], "10 us");
    io::memory_trace a, b;
    protocol::run(whole, a);
    protocol::run(part, b);
    ASSERT_GT(b.size(), 100u);
    EXPECT_EQ(b.time().front(), 0.0);
    EXPECT_NEAR(b.time().back(), whole.duration - t0, 1e-12);
    // The history's random events happened (a set from the trained HRS, the neck's draws) and are
    // counted: the recorded trace starts with them.
    EXPECT_GT(b.column("events").front(), 0.0);
    const auto& ta = a.time();
    // Allowed: a millionth of the current's range, 1 % of the neck radius's absolute tolerance
    // (100 fm), no event.
    for (const auto& [ch, allowed] : {std::pair<std::string, double>{"i(DUT)", 1e-6}, {"DUT.r", 1e-15}, {"events", 0.0}}) {
        const auto& xa = a.column(ch);
        const auto& xb = b.column(ch);
        const auto [lo, hi] = std::minmax_element(xb.begin(), xb.end());
        double worst = 0;
        for (std::size_t k = 0; k < b.size(); ++k) {
            const double t = b.time()[k] + t0;
            // At a breakpoint both traces hold two rows (before and after a settled draw): compare
            // between breakpoints only, on the whole run's rows.
            const auto j = std::lower_bound(ta.begin(), ta.end(), t) - ta.begin();
            if (j == 0 || j >= static_cast<long>(ta.size()) || std::fabs(ta[j] - t) > 1e-15) continue;
            if (j + 1 < static_cast<long>(ta.size()) && ta[j + 1] == ta[j]) continue;
            if (k + 1 < b.size() && b.time()[k + 1] == b.time()[k]) continue;
            worst = std::max(worst, std::fabs(xa[j] - xb[k]));
        }
        // Not bit for bit: the stimulus's corners are t_zero + its own times, which round apart
        // from the whole run's by an ulp, and the steps follow them (4e-8 of the current's range).
        EXPECT_LE(worst, ch == "i(DUT)" ? allowed * (*hi - *lo) : allowed) << ch;
        EXPECT_GT(*hi - *lo, 0.0) << ch;
    }
    // Another seed draws other atoms: the recorded cycle is not a replay.
    auto other = hsets;
    other.push_back("experiment.seed=2");
    io::memory_trace c;
    protocol::run(protocol::load(p, other), c);
    EXPECT_NE(c.column("DUT.r").back(), b.column("DUT.r").back());
}

TEST(Protocol, HistoryMistakesNameTheKey) {
    const std::string h = "\n[history]\nkind = \"pulse_train\"\namplitude = \"1 V\"\ncount = 2\nwidth = \"1 us\"\nperiod = \"2 us\"\n";
    expect_error(std::string(base) + h + "restt = \"1 us\"\n", "history.restt", "unknown key");
    expect_error(std::string(base) + h + "rest = \"-1 us\"\n", "history.rest", "negative");
    expect_error(std::string(base) + h + "rest = \"1 V\"\n", "history.rest");
    expect_error(std::string(base) + "\n[history]\nkind = \"sweep_blocks\"\n", "history.kind", "sweep_blocks");
    // A well-formed history loads: t = 0 of the stimulus is the history's end plus the rest.
    const auto e = protocol::load(write_file("memlab_hist_ok.toml", std::string(base) + h + "rest = \"1 us\"\n"));
    EXPECT_NEAR(e.t_zero, 2e-6 + 1e-6 + 20e-9 + 1e-6, 1e-15);
    io::memory_trace tr;
    protocol::run(e, tr);
    EXPECT_EQ(tr.time().front(), 0.0);
    EXPECT_NEAR(tr.time().back(), e.duration, 1e-15);
}
