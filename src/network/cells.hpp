#pragma once
// The one-cell pieces the device mode's levels share (src/network/device.cpp, learning.cpp): the
// spikes of the neurons' comparators, supplies, a cell alone on the engine and the per-cell seeds.
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "memlab/array/array.hpp"
#include "memlab/circuit/circuit.hpp"
#include "memlab/circuit/simulation.hpp"
#include "memlab/device/model.hpp"
#include "memlab/device/mosfet.hpp"
#include "memlab/io/trace.hpp"
#include "memlab/network/network.hpp"

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

// The lag of the gain stage's first-order response (circuit::tia, tau = 1/(2 pi bandwidth)) on the
// neuron's drive: its response to a ramp is the ramp tau later (rounded over a few tau at each
// corner), and the drive's ramps (the pulses' edges, 10 ns) are several tau long. The fast level
// and the tabulated neuron shift the drive by it; the circuit level has the TIA itself.
inline double stage_lag(const device_spec& s) { return 1.0 / (2.0 * M_PI * s.gain.bandwidth); }

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
