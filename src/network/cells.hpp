#pragma once
// The one-cell pieces the device mode's levels share (src/network/device.cpp, learning.cpp): the
// spikes of the neurons' comparators, supplies, a cell alone on the engine and the per-cell seeds.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
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
    stage_response(array::schedule input, double tau) : input_(std::move(input)), tau_(tau) {
        const auto& t = input_.times();
        const auto& u = input_.values();
        // Each knot's slope towards the next (0 after the last, and across a step: two knots at
        // one time), then the response at each knot.
        slope_.assign(t.size(), 0.0);
        for (std::size_t k = 0; k + 1 < t.size(); ++k)
            if (t[k + 1] > t[k]) slope_[k] = (u[k + 1] - u[k]) / (t[k + 1] - t[k]);
        y_.assign(t.size(), u.front());
        for (std::size_t k = 1; k < t.size(); ++k) y_[k] = along(k - 1, t[k] - t[k - 1]);
    }
    double value(double t) const override {
        const auto& knots = input_.times();
        const auto it = std::upper_bound(knots.begin(), knots.end(), t);
        if (it == knots.begin()) return y_.front();
        const auto k = static_cast<std::size_t>(it - knots.begin()) - 1;
        return along(k, t - knots[k]);
    }
    double next_breakpoint(double t) const override { return input_.next_breakpoint(t); }
    double end_time() const override { return input_.end_time() + 40 * tau_; }  // settled to exp(-40)
    nlohmann::json describe() const override {
        return {{"kind", "first-order response"}, {"points", y_.size()}, {"tau", units::format(tau_, "s")}};
    }

private:
    // The response s after knot k.
    double along(std::size_t k, double s) const {
        const double a = input_.values()[k], b = slope_[k];
        return a + b * (s - tau_) + (y_[k] - a + b * tau_) * std::exp(-s / tau_);
    }
    array::schedule input_;
    std::vector<double> slope_, y_;
    double tau_;
};

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
