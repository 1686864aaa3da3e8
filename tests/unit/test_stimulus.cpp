#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "memlab/error.hpp"
#include "memlab/stimulus/waveform.hpp"

using namespace memlab::stimulus;
using memlab::input_error;

namespace {
std::vector<double> all_breakpoints(const waveform& w) {
    std::vector<double> out;
    double t = -1;
    for (double b = w.next_breakpoint(t); std::isfinite(b); b = w.next_breakpoint(b)) {
        out.push_back(b);
        if (out.size() > 100000) break;
    }
    return out;
}
}  // namespace

TEST(Stimulus, SinglePulseValuesAndEdges) {
    auto w = single_pulse(1e-6, 2.0, 10e-6, 1e-7, 2e-7, -1.0);
    EXPECT_DOUBLE_EQ(w->value(0), -1.0);
    EXPECT_NEAR(w->value(1e-6 + 0.5e-7), 0.5, 1e-12);  // half way up
    EXPECT_DOUBLE_EQ(w->value(5e-6), 2.0);
    EXPECT_NEAR(w->value(1e-6 + 1e-7 + 10e-6 + 1e-7), 0.5, 1e-12);  // half way down
    EXPECT_DOUBLE_EQ(w->value(20e-6), -1.0);
    const auto b = all_breakpoints(*w);
    ASSERT_EQ(b.size(), 4u);
    EXPECT_DOUBLE_EQ(b[0], 1e-6);
    EXPECT_DOUBLE_EQ(b[1], 1.1e-6);
    EXPECT_DOUBLE_EQ(b[2], 11.1e-6);
    EXPECT_DOUBLE_EQ(b[3], 11.3e-6);
}

TEST(Stimulus, ZeroRiseIsAStepRightContinuous) {
    auto w = single_pulse(1.0, 1.0, 1.0, 0.0, 0.0, 0.0);
    EXPECT_EQ(w->value(std::nextafter(1.0, 0.0)), 0.0);
    EXPECT_EQ(w->value(1.0), 1.0);
    EXPECT_EQ(w->value(2.0), 1.0);
    EXPECT_EQ(w->value(std::nextafter(2.0, 3.0)), 0.0);
    // Coincident edges give one breakpoint each, not two.
    EXPECT_EQ(all_breakpoints(*w).size(), 2u);
}

TEST(Stimulus, PulseTrainFromAmplitudeListAndDuty) {
    train_spec s;
    s.levels = {0.2, 0.4, 0.6};
    s.width = 0.1;
    s.duty = 0.5;
    auto w = pulse_train(s);
    const auto& pl = dynamic_cast<const pulse_list&>(*w);
    ASSERT_EQ(pl.pulses().size(), 3u);
    EXPECT_DOUBLE_EQ(pl.pulses()[1].start, 0.2);
    EXPECT_DOUBLE_EQ(w->value(0.25), 0.4);
    EXPECT_DOUBLE_EQ(w->value(0.35), 0.0);
    EXPECT_EQ(pl.pulse_index_at(0.45), 2);
    EXPECT_EQ(pl.pulse_index_at(-1), -1);
}

TEST(Stimulus, PulseTrainOneAmplitudeWithCountBaseAndPeriod) {
    train_spec s;
    s.levels = {2.0};
    s.count = 1000;
    s.width = 4e-6;
    s.period = 5e-6;
    s.base = -1.0;
    auto w = pulse_train(s);
    EXPECT_DOUBLE_EQ(w->value(999 * 5e-6 + 1e-6), 2.0);
    EXPECT_DOUBLE_EQ(w->value(999 * 5e-6 + 4.5e-6), -1.0);
    const auto b = all_breakpoints(*w);
    EXPECT_EQ(b.size(), 2000u);  // zero rise: 2 distinct edges per pulse
    for (std::size_t k = 1; k < b.size(); ++k) ASSERT_GT(b[k], b[k - 1]);
}

TEST(Stimulus, PackagesHaveGrowingLengthsAndGaps) {
    train_spec s;
    s.levels = {2.0};
    s.width = 4e-6;
    s.period = 5e-6;
    s.base = -1.0;
    auto w = packages(s, {1, 2, 3}, 100e-6);
    const auto& pl = dynamic_cast<const pulse_list&>(*w);
    ASSERT_EQ(pl.pulses().size(), 6u);
    EXPECT_DOUBLE_EQ(pl.pulses()[1].start, 5e-6 + 100e-6);
    EXPECT_DOUBLE_EQ(pl.pulses()[2].start, 110e-6);
    EXPECT_DOUBLE_EQ(pl.pulses()[3].start, 115e-6 + 100e-6);
}

TEST(Stimulus, ReadAfterWrite) {
    read_after_write_spec s;
    s.write_levels = {1.0, 1.0, -0.8};
    s.write_width = 10e-6;
    s.read_level = 0.1;
    s.read_width = 5e-6;
    s.gap = 5e-6;
    auto w = read_after_write(s);
    const auto& pl = dynamic_cast<const pulse_list&>(*w);
    ASSERT_EQ(pl.pulses().size(), 6u);
    EXPECT_DOUBLE_EQ(pl.pulses()[1].level, 0.1);
    EXPECT_DOUBLE_EQ(pl.pulses()[1].start, 15e-6);
    EXPECT_DOUBLE_EQ(pl.pulses()[4].level, -0.8);
    EXPECT_DOUBLE_EQ(w->value(17e-6), 0.1);
}

TEST(Stimulus, TriangleSweepAtRate) {
    auto w = triangle_sweep({0.0, 1.5, -0.5, 0.0}, 1.0, 2);
    // One cycle: 1.5 + 2 + 0.5 = 4 s; two cycles 8 s.
    EXPECT_DOUBLE_EQ(w->end_time(), 8.0);
    EXPECT_DOUBLE_EQ(w->value(0.75), 0.75);
    EXPECT_DOUBLE_EQ(w->value(2.5), 0.5);
    EXPECT_DOUBLE_EQ(w->value(3.75), -0.25);
    EXPECT_DOUBLE_EQ(w->value(4.75), 0.75);
    EXPECT_EQ(all_breakpoints(*w).size(), 7u);  // 0, 1.5, 3.5, 4, 5.5, 7.5, 8
}

TEST(Stimulus, PiecewiseLinear) {
    pwl w({0.0, 1.0, 3.0}, {0.0, 2.0, -2.0});
    EXPECT_DOUBLE_EQ(w.value(-5), 0.0);
    EXPECT_DOUBLE_EQ(w.value(0.5), 1.0);
    EXPECT_DOUBLE_EQ(w.value(2.0), 0.0);
    EXPECT_DOUBLE_EQ(w.value(9.0), -2.0);
    EXPECT_DOUBLE_EQ(w.next_breakpoint(1.0), 3.0);
    EXPECT_DOUBLE_EQ(w.next_breakpoint(0.2), 1.0);
}

TEST(Stimulus, BadInputIsAnError) {
    train_spec s;
    s.levels = {1.0};
    s.width = 1.0;
    s.period = 0.5;  // shorter than the pulse
    EXPECT_THROW(pulse_train(s), input_error);
    s.period = 0;
    s.duty = 1.5;
    EXPECT_THROW(pulse_train(s), input_error);
    s.duty = 0.5;
    s.width = -1;
    EXPECT_THROW(pulse_train(s), input_error);
    EXPECT_THROW(pwl({0.0, 0.0}, {1.0, 2.0}), input_error);
    EXPECT_THROW(pwl({0.0, std::numeric_limits<double>::infinity()}, {1.0, 2.0}), input_error);
    EXPECT_THROW(triangle_sweep({0.0, 1.0}, -1.0, 1), input_error);
    EXPECT_THROW(triangle_sweep({0.0, 1.0}, 1.0, 0), input_error);
}

TEST(Stimulus, AHistoryPrecedesTheStimulusAndItsBreakpointsAreBoth) {
    // Two pulses of history, a rest to t = 10 us, then the stimulus (one pulse at its own t = 1 us).
    const auto h = pulse_train({{2.0}, 2, 1e-6, 3e-6, 0, 0, 0, 0, 0});
    const auto m = single_pulse(1e-6, -1.0, 2e-6, 1e-7, 1e-7, 0.0);
    const auto w = preceded(h, 10e-6, m);
    EXPECT_DOUBLE_EQ(w->value(0.5e-6), 2.0);       // the history's first pulse
    EXPECT_DOUBLE_EQ(w->value(5e-6), 0.0);         // its rest
    EXPECT_DOUBLE_EQ(w->value(10e-6 + 2e-6), -1.0);  // the stimulus's pulse, shifted
    EXPECT_DOUBLE_EQ(w->end_time(), 10e-6 + m->end_time());
    const auto b = all_breakpoints(*w);
    std::vector<double> want = all_breakpoints(*h);
    want.push_back(10e-6);
    for (double x : all_breakpoints(*m)) want.push_back(10e-6 + x);
    ASSERT_EQ(b.size(), want.size());
    for (std::size_t k = 0; k < b.size(); ++k) EXPECT_NEAR(b[k], want[k], 1e-18) << k;
    // Asked exactly at a shifted breakpoint, the next one is strictly later (t - t_zero rounds).
    for (double x : b) EXPECT_GT(w->next_breakpoint(x), x);
    // t = 0 of the stimulus cannot fall inside the history.
    EXPECT_THROW(preceded(h, 2e-6, m), input_error);
}
