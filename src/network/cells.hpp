#pragma once
// The one-cell pieces the device mode's levels share (src/network/device.cpp, learning.cpp): the
// comparator on a neuron's current, supplies, a cell alone on the engine and the per-cell seeds.
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

// The comparator on each neuron's current: a spike when it rises through the threshold, re-armed
// once it has fallen below half of it. Channels 1.. are the neurons' currents (`first` the first
// neuron's index).
class spike_detector final : public io::trace_sink {
public:
    spike_detector(double threshold, std::size_t first, std::size_t count)
        : threshold_(threshold), first_(first), armed_(count, true) {}
    void begin(const std::vector<io::channel>&) override {}
    void append(std::span<const double> row) override {
        for (std::size_t k = 0; k < armed_.size(); ++k) {
            const double i = row[1 + k];
            if (armed_[k] && i > threshold_) {
                found.neuron.push_back(first_ + k);
                found.time.push_back(row[0]);
                armed_[k] = false;
            } else if (!armed_[k] && i < 0.5 * threshold_) {
                armed_[k] = true;
            }
        }
    }
    spikes found;

private:
    double threshold_;
    std::size_t first_;
    std::vector<bool> armed_;
};

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

// Probes of a one_cell neuron for the comparator and the energy: its current, then the voltage
// across the cell (driver to return rail): channels 1 and 2 of the recorded rows.
inline std::vector<std::string> neuron_probes(double rail) { return {"i(X)", rail != 0.0 ? "v(top,b)" : "v(top)"}; }

}  // namespace memlab::network::detail
