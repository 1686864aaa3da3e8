#pragma once
// The one-cell pieces the device mode's levels share (src/network/device.cpp, learning.cpp): the
// spikes of the neurons' comparators, supplies, a cell alone on the engine and the per-cell seeds.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlab/array/array.hpp"
#include "memlab/circuit/circuit.hpp"
#include "memlab/circuit/simulation.hpp"
#include "memlab/device/model.hpp"
#include "memlab/device/mosfet.hpp"
#include "memlab/io/trace.hpp"
#include "memlab/network/network.hpp"
#include "memlab/units/units.hpp"

namespace memlab::network::detail {

// The spikes of comparator elements (circuit::add_comparator) read from a recording: the probes
// comparator_probes gives, channels 1.. in pairs (count, fired) per neuron (`first` the first
// neuron's index). A count that has grown since the last row is a spike at `fired`, the
// crossing's time (the engine records the row of each crossing).
class spike_reader final : public io::trace_sink {
public:
    spike_reader(std::size_t first, std::size_t count, std::size_t channel = 1)
        : first_(first), channel_(channel), seen_(count, 0.0) {}
    void begin(const std::vector<io::channel>&) override {}
    void append(std::span<const double> row) override {
        for (std::size_t k = 0; k < seen_.size(); ++k) {
            const double n = row[channel_ + 2 * k];
            if (n > seen_[k]) {
                found.neuron.push_back(first_ + k);
                found.time.push_back(row[channel_ + 2 * k + 1]);
                seen_[k] = n;
            }
        }
    }
    spikes found;

private:
    std::size_t first_, channel_;
    std::vector<double> seen_;
};

// The probes spike_reader reads for the comparators `names`.
inline std::vector<std::string> comparator_probes(const std::vector<std::string>& names) {
    std::vector<std::string> p;
    for (const auto& n : names) {
        p.push_back(n + ".count");
        p.push_back(n + ".fired");
    }
    return p;
}

// The energy a cell takes from its drivers: the trapezoid of v x i over the recorded steps, v and i
// the channels given (by default 1 and 2: probes {"v(top)", "i(X)"}).
class energy_sink final : public io::trace_sink {
public:
    explicit energy_sink(std::size_t v = 1, std::size_t i = 2) : v_(v), i_(i) {}
    void begin(const std::vector<io::channel>&) override { first_ = true; }
    void append(std::span<const double> row) override {
        const double p = row[v_] * row[i_];
        if (!first_) energy += 0.5 * (p + p_) * (row[0] - t_);
        first_ = false;
        t_ = row[0], p_ = p;
    }
    double energy = 0;

private:
    std::size_t v_, i_;
    bool first_ = true;
    double t_ = 0, p_ = 0;
};

inline std::shared_ptr<array::schedule> constant(double level) { return std::make_shared<array::schedule>(level); }
// A supply that rises from 0 to `level` over `rise` and stays (the engine's first solve starts
// from every node at 0 V).
inline std::shared_ptr<array::schedule> supply(double level, double rise) {
    auto w = std::make_shared<array::schedule>(0.0);
    w->to(rise, level);
    return w;
}

// The device alone at array::g_probe in the state held by `sim` under the element name `name`.
inline double probe_conductance(const circuit::simulation& sim, const std::string& name, const device::model& m) {
    std::vector<double> st(m.n_states());
    for (std::size_t k = 0; k < st.size(); ++k) st[k] = sim.probe(name + "." + m.states()[k].name);
    return m.current(array::g_probe, st) / array::g_probe;
}

inline std::uint64_t cell_seed(std::uint64_t seed, std::size_t k) {
    // splitmix64 of (seed, k): the fast level's cells draw independent streams.
    std::uint64_t z = seed * 0x9e3779b97f4a7c15ULL + (k + 1) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// The gain stage's output (circuit::tia: tau y' = u - y, tau = 1/(2 pi bandwidth)) under an input u
// that is linear between the knots of `input` (the drive the fast level computes, gain x the
// column's current at each event): on a segment from t0 with u = a + b s (s = t - t0) the exact
// response is
//   y = a + b (s - tau) + (y0 - a + b tau) exp(-s / tau),
// y0 the response at t0. It starts settled (y = u at the first knot); its breakpoints are the
// knots, where y'' jumps. The fast level's neurons and the tabulated neuron take their drive
// through it, as the circuit level's neurons take theirs from the TIA.
class stage_response final : public stimulus::waveform {
public:
    stage_response(const array::schedule& input, double tau) : t_(input.times()), u_(input.values()), tau_(tau) {
        y_.assign(t_.size(), u_.front());
        for (std::size_t k = 1; k < t_.size(); ++k) y_[k] = along(k - 1, t_[k] - t_[k - 1]);
    }
    double value(double t) const override {
        const auto it = std::upper_bound(t_.begin(), t_.end(), t);
        if (it == t_.begin()) return y_.front();
        const auto k = static_cast<std::size_t>(it - t_.begin()) - 1;
        return along(k, t - t_[k]);
    }
    double next_breakpoint(double t) const override {
        const auto it = std::upper_bound(t_.begin(), t_.end(), t);
        return it == t_.end() ? std::numeric_limits<double>::infinity() : *it;
    }
    double end_time() const override { return t_.back() + 40 * tau_; }  // settled to exp(-40)
    nlohmann::json describe() const override {
        return {{"kind", "first-order response"}, {"points", t_.size()}, {"tau", units::format(tau_, "s")}};
    }

private:
    // The response s after knot k: the input from knot k towards knot k + 1 (held after the last;
    // a step, two knots at one time, has no length and no slope).
    double along(std::size_t k, double s) const {
        const double a = u_[k];
        const double b = k + 1 < t_.size() && t_[k + 1] > t_[k] ? (u_[k + 1] - u_[k]) / (t_[k + 1] - t_[k]) : 0.0;
        return a + b * (s - tau_) + (y_[k] - a + b * tau_) * std::exp(-s / tau_);
    }
    std::vector<double> t_, u_, y_;
    double tau_;
};

// The gain stage's time constant (circuit::tia).
inline double stage_tau(const device_spec& s) { return 1.0 / (2.0 * M_PI * s.gain.bandwidth); }

// One cell alone: a driver on "top", the device from top to "m", the transistor (m, "g", "b", "b")
// with its source and bulk on the return rail "b" at `rail` (ground at 0) and its gate `gate`
// above it.
inline circuit::circuit one_cell(stimulus::waveform_ptr drive, const device::model_ptr& m, const std::vector<double>& state,
                          const std::shared_ptr<const device::mosfet>& t, double gate, double rail, double rise) {
    circuit::circuit c;
    const std::string b = rail != 0.0 ? "b" : "0";
    c.add_voltage_source("V", "top", "0", std::move(drive));
    if (rail != 0.0) c.add_voltage_source("VB", "b", "0", supply(rail, rise));
    c.add_voltage_source("VG", "g", "0", supply(rail + gate, rise));
    c.add_memristor("X", "top", "m", m, state);
    c.add_transistor("T", "m", "g", b, b, t, false);
    return c;
}

// A one_cell neuron with its comparator "C" on the device's current (output "spk", not inhibited).
// Probes for the energy and the comparator: the device's current and the voltage across the cell
// (driver to return rail), channels 1 and 2 of the recorded rows, then C's count and fired time
// (channels 3 and 4: spike_reader(k, 1, 3)).
inline void add_cell_comparator(circuit::circuit& c, const circuit::comparator_params& p) { c.add_comparator("C", "X", "spk", "0", p); }
inline std::vector<std::string> neuron_probes(double rail) { return {"i(X)", rail != 0.0 ? "v(top,b)" : "v(top)", "C.count", "C.fired"}; }

}  // namespace memlab::network::detail
