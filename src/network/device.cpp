#include "memlab/network/device.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "memlab/circuit/simulation.hpp"
#include "memlab/device/agsn.hpp"
#include "memlab/error.hpp"
#include "memlab/units/units.hpp"

namespace memlab::network {

namespace {

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

std::shared_ptr<array::schedule> constant(double level) { return std::make_shared<array::schedule>(level); }
// A supply that rises from 0 to `level` over `rise` and stays (the engine's first solve starts
// from every node at 0 V).
std::shared_ptr<array::schedule> supply(double level, double rise) {
    auto w = std::make_shared<array::schedule>(0.0);
    w->to(rise, level);
    return w;
}

// The device alone at array::g_probe in the state held by `sim` under the element name `name`.
double probe_conductance(const circuit::simulation& sim, const std::string& name, const device::model& m) {
    std::vector<double> st(m.n_states());
    for (std::size_t k = 0; k < st.size(); ++k) st[k] = sim.probe(name + "." + m.states()[k].name);
    return m.current(array::g_probe, st) / array::g_probe;
}

std::uint64_t cell_seed(std::uint64_t seed, std::size_t k) {
    // splitmix64 of (seed, k): the fast level's cells draw independent streams.
    std::uint64_t z = seed * 0x9e3779b97f4a7c15ULL + (k + 1) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// One cell alone: a driver on "top", the device from top to "m", the transistor (m, "g", "b", "b")
// with its source and bulk on the return rail "b" at `rail` (ground at 0) and its gate `gate`
// above it.
circuit::circuit one_cell(stimulus::waveform_ptr drive, const device::model_ptr& m, const std::vector<double>& state,
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

// Tells `progress` the fraction done when it passes a whole percent.
void tell(const fraction_fn& progress, std::size_t done, std::size_t total) {
    if (progress && (done * 100 / total != (done - 1) * 100 / total || done == total))
        progress(static_cast<double>(done) / static_cast<double>(total));
}

void finish(device_result& r, std::size_t neurons) {
    r.counts.assign(neurons, 0);
    for (std::size_t n : r.out.neuron) ++r.counts[n];
}

device_result run_circuit(const device_spec& s, const std::vector<std::shared_ptr<array::schedule>>& rows, std::uint64_t seed,
                          const fraction_fn& progress) {
    array::spec a;
    a.rows = s.inputs;
    a.cols = s.neurons;
    a.cell = array::cell_type::t1r1;
    a.bit_line_resistance = s.line_resistance;
    a.source_line_resistance = s.line_resistance;
    a.devices.assign(a.cells(), s.synapse);
    a.initial_state = s.synapse_state;
    a.transistor = s.transistor;
    a.tia = s.gain;
    array::drivers d;
    for (std::size_t r = 0; r < s.inputs; ++r) {
        d.bit.push_back(rows[r]);
        d.word.push_back(supply(s.synapse_gate, s.edge));
    }
    for (std::size_t k = 0; k < s.neurons; ++k) d.source.push_back(constant(0.0));
    circuit::circuit c = array::build(a, d);
    const std::string nb = s.neuron_rail != 0.0 ? "nb" : "0";
    if (s.neuron_rail != 0.0) c.add_voltage_source("VNB", "nb", "0", supply(s.neuron_rail, s.edge));
    c.add_voltage_source("VGN", "gn", "0", supply(s.neuron_rail + s.neuron_gate, s.edge));
    for (std::size_t k = 0; k < s.neurons; ++k) {
        c.add_memristor(fmt::format("N{}", k), fmt::format("out{}", k), fmt::format("nm{}", k), s.neuron, s.neuron_state);
        c.add_transistor(fmt::format("TN{}", k), fmt::format("nm{}", k), "gn", nb, nb, s.transistor, false);
    }
    auto opts = s.solver;
    if (opts.linsol == circuit::linear_solver::automatic) opts.linsol = circuit::linear_solver::klu;
    circuit::simulation sim(c, opts, seed);
    device_result r;
    r.simulations = 1;
    r.g_before = matrix(s.inputs, s.neurons);
    r.g_after = matrix(s.inputs, s.neurons);
    for (std::size_t i = 0; i < s.inputs; ++i)
        for (std::size_t k = 0; k < s.neurons; ++k) r.g_before(i, k) = probe_conductance(sim, array::device_name(i, k), *s.synapse);
    circuit::recording rec;
    for (std::size_t k = 0; k < s.neurons; ++k) rec.probes.push_back(fmt::format("i(N{})", k));
    spike_detector det(s.spike_current, 0, s.neurons);
    // In 100 parts of the simulated time, one run continued (each part's end is one more stop of
    // the solver).
    constexpr int parts = 100;
    for (int k = 1; k <= parts; ++k) {
        sim.run(k == parts ? s.duration : s.duration * k / parts, rec, det);
        if (progress) progress(static_cast<double>(k) / parts);
    }
    r.out = std::move(det.found);
    for (std::size_t i = 0; i < s.inputs; ++i)
        for (std::size_t k = 0; k < s.neurons; ++k) r.g_after(i, k) = probe_conductance(sim, array::device_name(i, k), *s.synapse);
    r.steps = sim.stats().steps;
    finish(r, s.neurons);
    return r;
}

device_result run_fast(const device_spec& s, const std::vector<std::shared_ptr<array::schedule>>& rows, std::uint64_t seed,
                       const fraction_fn& progress) {
    if (s.line_resistance > 0)
        throw input_error("network.line_resistance: the fast level holds every line at its driver's level (0 Ohm only); "
                          "use level = \"circuit\"");
    // Events: every edge of every input pulse, and the end.
    std::vector<double> events;
    for (const auto& row : rows)
        for (double t : row->times())
            if (t > 0 && t < s.duration) events.push_back(t);
    events.push_back(s.duration);
    std::sort(events.begin(), events.end());
    events.erase(std::unique(events.begin(), events.end()), events.end());

    device_result r;
    r.g_before = matrix(s.inputs, s.neurons);
    r.g_after = matrix(s.inputs, s.neurons);
    const std::size_t total = s.inputs * s.neurons + s.neurons;
    // The columns' currents at each event (and at 0): the synapse cells under their rows.
    std::vector<std::vector<double>> column(s.neurons, std::vector<double>(events.size() + 1, 0.0));
    for (std::size_t i = 0; i < s.inputs; ++i)
        for (std::size_t k = 0; k < s.neurons; ++k) {
            const std::size_t cell = i * s.neurons + k;
            const circuit::circuit c = one_cell(rows[i], s.synapse, s.synapse_state[cell], s.transistor, s.synapse_gate, 0.0, s.edge);
            circuit::simulation sim(c, s.solver, cell_seed(seed, cell));
            r.g_before(i, k) = probe_conductance(sim, "X", *s.synapse);
            column[k][0] += sim.probe("i(T)");
            for (std::size_t e = 0; e < events.size(); ++e) {
                sim.advance(events[e]);
                column[k][e + 1] += sim.probe("i(T)");
            }
            r.g_after(i, k) = probe_conductance(sim, "X", *s.synapse);
            r.steps += sim.stats().steps;
            ++r.simulations;
            tell(progress, r.simulations, total);
        }
    // The neurons under their gain stages' outputs.
    std::vector<spikes> per;
    for (std::size_t k = 0; k < s.neurons; ++k) {
        auto drive = std::make_shared<array::schedule>(s.gain.gain * column[k][0]);
        for (std::size_t e = 0; e < events.size(); ++e) drive->to(events[e], s.gain.gain * column[k][e + 1]);
        const circuit::circuit c = one_cell(drive, s.neuron, s.neuron_state, s.transistor, s.neuron_gate, s.neuron_rail, s.edge);
        circuit::simulation sim(c, s.solver, cell_seed(seed, s.inputs * s.neurons + k));
        circuit::recording rec;
        rec.probes = {"i(X)"};
        spike_detector det(s.spike_current, k, 1);
        sim.run(s.duration, rec, det);
        per.push_back(std::move(det.found));
        r.steps += sim.stats().steps;
        ++r.simulations;
        tell(progress, r.simulations, total);
    }
    // Merged in time order (neurons ascending at equal times).
    std::vector<std::pair<double, std::size_t>> all;
    for (const auto& p : per)
        for (std::size_t j = 0; j < p.size(); ++j) all.emplace_back(p.time[j], p.neuron[j]);
    std::sort(all.begin(), all.end());
    for (const auto& [t, n] : all) {
        r.out.time.push_back(t);
        r.out.neuron.push_back(n);
    }
    finish(r, s.neurons);
    return r;
}

}  // namespace

const char* level_name(level l) { return l == level::fast ? "fast" : "circuit"; }

void check(const device_spec& s) {
    if (s.inputs == 0 || s.neurons == 0) throw input_error("network: needs at least one input and one neuron");
    if (!s.synapse) throw input_error("network.synapse: no device model");
    if (!s.neuron) throw input_error("network.neuron: no device model");
    if (!s.transistor) throw input_error("network: the 1T1R cells need their transistor");
    if (s.synapse_state.size() != s.inputs * s.neurons)
        throw internal_error(fmt::format("network: {} synapse states for {} cells", s.synapse_state.size(), s.inputs * s.neurons));
    units::non_negative(s.line_resistance, "network.line_resistance");
    units::positive(s.read_voltage, "network.input.read_voltage");
    units::positive(s.pulse_width, "network.input.pulse_width");
    units::positive(s.edge, "network.input.edge");
    units::positive(s.gain.gain, "network.gain.gain");
    units::positive(s.gain.bandwidth, "network.gain.bandwidth");
    units::positive(s.spike_current, "network.neuron.spike_current");
    units::positive(s.duration, "network.duration");
}

std::vector<std::shared_ptr<array::schedule>> row_pulses(const device_spec& s, const input_spikes& in, std::size_t& dropped) {
    std::vector<std::shared_ptr<array::schedule>> rows;
    for (std::size_t i = 0; i < s.inputs; ++i) rows.push_back(constant(0.0));
    std::vector<double> end(s.inputs, 0.0);
    dropped = 0;
    for (std::size_t j = 0; j < in.size(); ++j) {
        const std::size_t i = in.row[j];
        const double t = in.time[j];
        if (i >= s.inputs) throw input_error(fmt::format("network: input spike on row {} of {}", i, s.inputs));
        if (t < end[i]) {
            ++dropped;
            continue;
        }
        auto& w = *rows[i];
        w.to(t, 0.0);
        w.to(t + s.edge, s.read_voltage);
        w.to(t + s.edge + s.pulse_width, s.read_voltage);
        w.to(t + 2 * s.edge + s.pulse_width, 0.0);
        end[i] = t + 2 * s.edge + s.pulse_width;
    }
    return rows;
}

device_result simulate_device(const device_spec& s, const input_spikes& in, level l, std::uint64_t seed, const fraction_fn& progress) {
    check(s);
    device_result r;
    std::size_t dropped = 0;
    const auto rows = row_pulses(s, in, dropped);
    r = l == level::circuit ? run_circuit(s, rows, seed, progress) : run_fast(s, rows, seed, progress);
    r.dropped = dropped;
    return r;
}

std::vector<double> agsn_bridged_state(const device::model& m, double g, double h_c) {
    if (m.name() != "agsn_sio2_pt") throw input_error(fmt::format("network: a bridged synapse state needs agsn_sio2_pt, not {}", m.name()));
    using S = device::agsn_state;
    std::vector<double> st(m.n_states());
    m.initial_state(st);
    st[S::h] = m.get("L");
    st[S::theta] = m.get("theta_max");
    st[S::h_s] = m.get("h_s_max");
    st[S::h_c] = h_c;
    st[S::armed] = 1.0;
    const double r_min = m.get("r_min");
    auto conductance = [&](double h, double radius) {
        st[S::h] = h;
        st[S::r] = radius;
        return m.current(array::g_probe, st) / array::g_probe;
    };
    const double g_bridged = conductance(m.get("L"), r_min);
    if (g >= g_bridged) {
        // A bridged filament: its neck radius.
        double lo = r_min, hi = 100 * r_min;
        if (g > conductance(m.get("L"), hi))
            throw input_error(fmt::format("network: synapse conductance {} above a bridged filament's {}", units::format(g, "S"),
                                          units::format(conductance(m.get("L"), hi), "S")));
        for (int it = 0; it < 200; ++it) {
            const double mid = 0.5 * (lo + hi);
            (conductance(m.get("L"), mid) < g ? lo : hi) = mid;
        }
        conductance(m.get("L"), 0.5 * (lo + hi));
    } else {
        // Below one atom's contact: a one-atom tip at the height whose tunnelling gap gives g.
        double lo = h_c, hi = m.get("L");
        if (g < conductance(lo, r_min))
            throw input_error(fmt::format("network: synapse conductance {} below the tip at the cluster front's {}", units::format(g, "S"),
                                          units::format(conductance(lo, r_min), "S")));
        for (int it = 0; it < 200; ++it) {
            const double mid = 0.5 * (lo + hi);
            (conductance(mid, r_min) < g ? lo : hi) = mid;
        }
        conductance(0.5 * (lo + hi), r_min);
    }
    return st;
}

}  // namespace memlab::network
