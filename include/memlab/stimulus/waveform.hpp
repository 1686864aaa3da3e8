#pragma once
// Stimulus waveforms with exact breakpoints.
//
// Every waveform is a function of time that is linear between breakpoints; the integrator asks
// for the next breakpoint and steps onto it, so no edge is ever stepped over or smeared.
// Two representations cover every protocol of the paper:
//   - pulse_list: non-overlapping trapezoidal pulses on a base level (pulse, pulse train, packages
//     of trains with gaps, read-after-write), each with its own level and plateau width;
//   - pwl: piecewise linear through given points (triangular sweeps at a rate, arbitrary PWL).
// Levels are absolute: a pulse goes from `base` to its `level` in `rise`, holds for `width`
// (the plateau) and returns to `base` in `fall`.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace memlab::stimulus {

class waveform {
public:
    virtual ~waveform() = default;
    // Value at time t (right-continuous at a step of zero rise time).
    virtual double value(double t) const = 0;
    // The first breakpoint strictly after t, or +infinity.
    virtual double next_breakpoint(double t) const = 0;
    // Time of the last breakpoint: after it the value no longer changes.
    virtual double end_time() const = 0;
    // The waveform as JSON with units, for show-config and the report.
    virtual nlohmann::json describe() const = 0;
};

using waveform_ptr = std::shared_ptr<const waveform>;

struct pulse {
    double start;  // s, time the rising edge begins
    double level;  // V (or A), absolute plateau level
    double width;  // s, plateau duration
};

class pulse_list final : public waveform {
public:
    // Pulses must be sorted by start and must not overlap (a pulse ends at start+rise+width+fall).
    pulse_list(std::vector<pulse> pulses, double base, double rise, double fall);

    double value(double t) const override;
    double next_breakpoint(double t) const override;
    double end_time() const override;
    nlohmann::json describe() const override;

    const std::vector<pulse>& pulses() const { return pulses_; }
    double base() const { return base_; }
    double rise() const { return rise_; }
    double fall() const { return fall_; }
    // Index of the pulse whose [start, start + period-of-occupation) contains t, or -1 before the
    // first pulse: the pulse a sample "falls on" (used by analysis to attribute spikes to pulses).
    long pulse_index_at(double t) const;

private:
    std::vector<pulse> pulses_;
    double base_, rise_, fall_;
};

class pwl final : public waveform {
public:
    // Points (t, v) with strictly increasing t. Before the first point the value is the first v,
    // after the last the last v.
    pwl(std::vector<double> times, std::vector<double> values);

    double value(double t) const override;
    double next_breakpoint(double t) const override;
    double end_time() const override;
    nlohmann::json describe() const override;

    const std::vector<double>& times() const { return t_; }
    const std::vector<double>& values() const { return v_; }

private:
    std::vector<double> t_, v_;
};

// ---- Builders (all times in s, levels in V; each validates and names the offending argument) ----

// A constant level.
waveform_ptr dc(double level);

// One rectangular pulse with finite edges.
waveform_ptr single_pulse(double delay, double level, double width, double rise, double fall, double base);

struct train_spec {
    std::vector<double> levels;  // one per pulse; if it holds one value, `count` pulses share it
    std::size_t count = 0;       // number of pulses when levels has one entry (0: levels.size())
    double width = 0;            // s, plateau
    double period = 0;           // s, start-to-start; 0 means: derive from duty
    double duty = 0;             // (rise + width + fall) / period when period is 0
    double rise = 0, fall = 0;   // s
    double base = 0;             // V, level between pulses (offset)
    double delay = 0;            // s, start of the first pulse
};
std::vector<pulse> train_pulses(const train_spec& spec);
waveform_ptr pulse_train(const train_spec& spec);

// Packages of pulse trains: package k holds counts[k] pulses of the train spec (its levels[0]),
// packages separated by `gap` (end of the last pulse's period to start of the next package).
waveform_ptr packages(const train_spec& train, const std::vector<std::size_t>& counts, double gap);

// A write pulse followed by a read pulse, repeated for every write level: write (width
// write_width), wait `gap`, read (read_level, read_width), wait `gap`.
struct read_after_write_spec {
    std::vector<double> write_levels;
    double write_width = 0;
    double read_level = 0;
    double read_width = 0;
    double gap = 0;
    double rise = 0, fall = 0;
    double base = 0;
    double delay = 0;
};
waveform_ptr read_after_write(const read_after_write_spec& spec);

// The device's history before an experiment: `history` from t = 0, then `main` from t = t_zero
// on (its own t = 0 there). t_zero must not be before history's end. The experiment's traces start
// at t_zero (protocol::experiment::history).
waveform_ptr preceded(waveform_ptr history, double t_zero, waveform_ptr main);

// A triangular sweep through `vertices` (V) at `rate` (V/s), repeated `cycles` times, starting at
// t = delay. The first vertex is the start level (usually 0 V).
waveform_ptr triangle_sweep(const std::vector<double>& vertices, double rate, std::size_t cycles,
                            double delay = 0);

}  // namespace memlab::stimulus
