#include "memlab/network/device.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "memlab/circuit/simulation.hpp"
#include "memlab/device/agsn.hpp"
#include "memlab/error.hpp"
#include "memlab/units/units.hpp"
#include "cells.hpp"

namespace memlab::network {

namespace {

using namespace detail;

// Tells `progress` the fraction done when it passes a whole percent.
void tell(const fraction_fn& progress, std::size_t done, std::size_t total) {
    if (progress && (done * 100 / total != (done - 1) * 100 / total || done == total))
        progress(static_cast<double>(done) / static_cast<double>(total));
}

void finish(device_result& r, std::size_t neurons) {
    r.counts.assign(neurons, 0);
    for (std::size_t n : r.out.neuron) ++r.counts[n];
}

// The current the gain stage of neuron k turns into its drive, at each event: its column's, or
// with differential pairs its G+ column's less its G- column's (the subtracting stage).
std::vector<double> stage_input(const device_spec& s, const std::vector<std::vector<double>>& column, std::size_t k) {
    if (!s.differential) return column[k];
    std::vector<double> d(column[2 * k].size());
    for (std::size_t e = 0; e < d.size(); ++e) d[e] = column[2 * k][e] - column[2 * k + 1][e];
    return d;
}

// One neuron cell under its gain stage's output (stage_response) to gain x `column[0]` at 0, then
// linear through gain x column[e + 1] at events[e], over [0, duration), its spikes (shifted by
// `offset`) added to `all` as (time, neuron).
void run_neuron(const device_spec& s, std::size_t k, const std::vector<double>& events, const std::vector<double>& column,
                double duration, std::uint64_t stream, double offset, std::vector<std::pair<double, std::size_t>>& all,
                device_result& r) {
    array::schedule input(s.gain.gain * column[0]);
    for (std::size_t e = 0; e < events.size(); ++e) input.to(events[e], s.gain.gain * column[e + 1]);
    circuit::circuit c = one_cell(std::make_shared<stage_response>(std::move(input), s.gain.tau()), s.neuron_of(k), s.neuron_state, s.transistor, s.neuron_gate, s.neuron_rail, s.edge);
    add_cell_comparator(c, comparator_of(s));
    circuit::simulation sim(c, s.solver, stream);
    circuit::recording rec;
    rec.probes = neuron_probes(s.neuron_rail);
    spike_reader det(k, 1, 3);
    energy_sink e(2, 1);  // what the gain stage's output and the rail deliver to the neuron cell
    io::tee_trace both(det, e);
    sim.run(duration, rec, both);
    for (std::size_t j = 0; j < det.found.size(); ++j) all.emplace_back(det.found.time[j] + offset, k);
    r.neuron_energy += e.energy;
    r.steps += sim.stats().steps;
    ++r.simulations;
}

// The spikes in time order (neurons ascending at equal times). With the inhibition path, the
// circuit level's rule applied to the comparators' spikes: a spike is lost while the bus the output
// pulses of the spikes kept before it put up (their sum / (neurons + 1)) is above the comparators'
// hold level.
void merge(const device_spec& s, std::vector<std::pair<double, std::size_t>>& all, device_result& r) {
    std::sort(all.begin(), all.end());
    const circuit::comparator_params cp = comparator_of(s);
    const double length = circuit::comparator_corners(cp).back().first;  // of an output pulse
    for (const auto& [t, n] : all) {
        if (s.inhibition) {
            double sum = 0;
            for (std::size_t j = r.out.size(); j-- > 0 && t - r.out.time[j] < length;) sum += circuit::comparator_pulse(cp, t - r.out.time[j]);
            if (sum / static_cast<double>(s.neurons + 1) > cp.hold) continue;
        }
        r.out.time.push_back(t);
        r.out.neuron.push_back(n);
    }
}

device_result run_circuit(const device_spec& s, const std::vector<std::shared_ptr<array::schedule>>& rows, std::uint64_t seed,
                          const fraction_fn& progress) {
    const std::size_t cols = s.columns();
    array::spec a;
    a.rows = s.inputs;
    a.cols = cols;
    a.cell = array::cell_type::t1r1;
    a.bit_line_resistance = s.line_resistance;
    a.source_line_resistance = s.line_resistance;
    for (std::size_t c = 0; c < a.cells(); ++c) a.devices.push_back(s.synapse_of(c));
    a.initial_state = s.synapse_state;
    a.transistor = s.transistor;
    a.tia = s.gain;
    array::drivers d;
    for (std::size_t r = 0; r < s.inputs; ++r) {
        d.bit.push_back(rows[r]);
        d.word.push_back(supply(s.synapse_gate, s.edge));
    }
    for (std::size_t k = 0; k < cols; ++k) d.source.push_back(constant(0.0));
    circuit::circuit c = array::build(a, d);
    const std::string nb = s.neuron_rail != 0.0 ? "nb" : "0";
    if (s.neuron_rail != 0.0) c.add_voltage_source("VNB", "nb", "0", supply(s.neuron_rail, s.edge));
    c.add_voltage_source("VGN", "gn", "0", supply(s.neuron_rail + s.neuron_gate, s.edge));
    for (std::size_t k = 0; k < s.neurons; ++k) {
        // A pair's subtracting stage: an ideal difference amplifier on its two columns' TIA outputs.
        std::string drive = fmt::format("out{}", k);
        if (s.differential) {
            drive = fmt::format("d{}", k);
            c.add_vcvs(fmt::format("SUB{}", k), drive, "0", fmt::format("out{}", 2 * k), fmt::format("out{}", 2 * k + 1), 1.0);
        }
        c.add_memristor(fmt::format("N{}", k), drive, fmt::format("nm{}", k), s.neuron_of(k), s.neuron_state);
        c.add_transistor(fmt::format("TN{}", k), fmt::format("nm{}", k), "gn", nb, nb, s.transistor, false);
    }
    // The comparators and their pulse shapers; with inhibition, the bus between them.
    const circuit::comparator_params cp = comparator_of(s);
    std::vector<std::string> comparators;
    for (std::size_t k = 0; k < s.neurons; ++k) {
        comparators.push_back(fmt::format("C{}", k));
        c.add_comparator(comparators.back(), fmt::format("N{}", k), fmt::format("spk{}", k), s.inhibition ? "inh" : "0", cp);
        if (s.inhibition) c.add_resistor(fmt::format("RI{}", k), fmt::format("spk{}", k), "inh", s.inhibition_resistance);
    }
    if (s.inhibition) c.add_resistor("RIG", "inh", "0", s.inhibition_resistance);
    auto opts = s.solver;
    if (opts.linsol == circuit::linear_solver::automatic) opts.linsol = circuit::linear_solver::klu;
    circuit::simulation sim(c, opts, seed);
    device_result r;
    r.simulations = 1;
    r.g_before = matrix(s.inputs, cols);
    r.g_after = matrix(s.inputs, cols);
    for (std::size_t i = 0; i < s.inputs; ++i)
        for (std::size_t k = 0; k < cols; ++k) r.g_before(i, k) = probe_conductance(sim, array::device_name(i, k), *s.synapse_of(i * cols + k));
    circuit::recording rec;
    rec.probes = comparator_probes(comparators);
    spike_reader det(0, s.neurons);
    // In 100 parts of the simulated time, one run continued (each part's end is one more stop of
    // the solver).
    constexpr int parts = 100;
    for (int k = 1; k <= parts; ++k) {
        sim.run(k == parts ? s.duration : s.duration * k / parts, rec, det);
        if (progress) progress(static_cast<double>(k) / parts);
    }
    r.out = std::move(det.found);  // in time order: each crossing has its own recorded row
    for (std::size_t i = 0; i < s.inputs; ++i)
        for (std::size_t k = 0; k < cols; ++k) r.g_after(i, k) = probe_conductance(sim, array::device_name(i, k), *s.synapse_of(i * cols + k));
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
    const std::size_t cols = s.columns();
    r.g_before = matrix(s.inputs, cols);
    r.g_after = matrix(s.inputs, cols);
    const std::size_t total = s.inputs * cols + s.neurons;
    // The columns' currents at each event (and at 0): the synapse cells under their rows.
    std::vector<std::vector<double>> column(cols, std::vector<double>(events.size() + 1, 0.0));
    for (std::size_t i = 0; i < s.inputs; ++i)
        for (std::size_t k = 0; k < cols; ++k) {
            const std::size_t cell = i * cols + k;
            const circuit::circuit c = one_cell(rows[i], s.synapse_of(cell), s.synapse_state[cell], s.transistor, s.synapse_gate, 0.0, s.edge);
            circuit::simulation sim(c, s.solver, cell_seed(seed, cell));
            r.g_before(i, k) = probe_conductance(sim, "X", *s.synapse_of(cell));
            column[k][0] += sim.probe("i(T)");
            for (std::size_t e = 0; e < events.size(); ++e) {
                sim.advance(events[e]);
                column[k][e + 1] += sim.probe("i(T)");
            }
            r.g_after(i, k) = probe_conductance(sim, "X", *s.synapse_of(cell));
            r.steps += sim.stats().steps;
            ++r.simulations;
            tell(progress, r.simulations, total);
        }
    // The neurons under their gain stages' outputs.
    std::vector<std::pair<double, std::size_t>> all;
    for (std::size_t k = 0; k < s.neurons; ++k) {
        run_neuron(s, k, events, stage_input(s, column, k), s.duration, cell_seed(seed, s.inputs * cols + k), 0.0, all, r);
        tell(progress, r.simulations, total);
    }
    merge(s, all, r);
    finish(r, s.neurons);
    return r;
}

// Held reads: each synapse cell's DC current at its row's level in its initial state (device and
// transistor in series, array::series_current), the columns' currents summed at every event of a
// span between resets, the neurons run on the engine over each span from neuron_state.
device_result run_held(const device_spec& s, const input_spikes& in, std::uint64_t seed, const fraction_fn& progress) {
    const std::size_t cols = s.columns(), cells = s.inputs * cols;
    device_result r;
    r.g_before = matrix(s.inputs, cols);
    std::vector<double> i_read(cells);
    for (std::size_t c = 0; c < cells; ++c) {
        r.g_before.v[c] = s.synapse_of(c)->current(array::g_probe, s.synapse_state[c]) / array::g_probe;
        i_read[c] = array::series_current(*s.synapse_of(c), s.synapse_state[c], s.transistor.get(), s.read_voltage, s.synapse_gate);
    }
    r.g_after = r.g_before;  // held: no read disturb
    // The spans: from each reset (and 0) to the next (or the end).
    std::vector<double> starts{0.0};
    for (double t : s.resets)
        if (t > 0 && t < s.duration) starts.push_back(t);
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    std::vector<std::pair<double, std::size_t>> all;
    std::size_t j = 0;  // next input spike
    for (std::size_t n = 0; n < starts.size(); ++n) {
        const double a = starts[n], b = n + 1 < starts.size() ? starts[n + 1] : s.duration;
        input_spikes local;
        while (j < in.size() && in.time[j] < a) ++j;
        for (; j < in.size() && in.time[j] < b; ++j) {
            local.row.push_back(in.row[j]);
            local.time.push_back(in.time[j] - a);
        }
        std::size_t dropped = 0;
        const auto rows = row_pulses(s, local, dropped);
        r.dropped += dropped;
        std::vector<double> events{0.0};
        for (const auto& row : rows)
            for (double t : row->times())
                if (t > 0 && t < b - a) events.push_back(t);
        events.push_back(b - a);
        std::sort(events.begin(), events.end());
        events.erase(std::unique(events.begin(), events.end()), events.end());
        // The columns' currents at each event; the power in the synapse cells for the read energy.
        std::vector<std::vector<double>> column(cols, std::vector<double>(events.size(), 0.0));
        std::vector<double> power(events.size(), 0.0);
        for (std::size_t i = 0; i < s.inputs; ++i) {
            if (rows[i]->times().size() < 2) continue;  // never pulsed in this span
            for (std::size_t e = 0; e < events.size(); ++e) {
                const double v = rows[i]->value(events[e]);
                if (v == 0.0) continue;
                for (std::size_t k = 0; k < cols; ++k) {
                    const std::size_t c = i * cols + k;
                    const double id = v == s.read_voltage ? i_read[c]
                                                          : array::series_current(*s.synapse_of(c), s.synapse_state[c], s.transistor.get(), v, s.synapse_gate);
                    column[k][e] += id;
                    power[e] += v * id;
                }
            }
        }
        for (std::size_t e = 1; e < events.size(); ++e) r.read_energy += 0.5 * (power[e] + power[e - 1]) * (events[e] - events[e - 1]);
        // The events after 0 drive the neurons (the drive starts at its value at 0).
        const std::vector<double> after(events.begin() + 1, events.end());
        for (std::size_t k = 0; k < s.neurons; ++k)
            run_neuron(s, k, after, stage_input(s, column, k), b - a, cell_seed(seed, cells + n * s.neurons + k), a, all, r);
        if (progress) progress(static_cast<double>(n + 1) / static_cast<double>(starts.size()));
    }
    merge(s, all, r);
    finish(r, s.neurons);
    return r;
}

}  // namespace

const char* level_name(level l) { return l == level::fast ? "fast" : "circuit"; }

circuit::comparator_params comparator_of(const device_spec& s) {
    circuit::comparator_params p;
    p.threshold = s.spike_current;
    p.rearm = 0.5 * s.spike_current;
    p.height = s.spike_height;
    p.width = s.spike_width;
    p.edge = s.edge;
    p.hold = 0.5 * s.spike_height / static_cast<double>(s.neurons + 1);  // the bus: one pulse at half its height
    return p;
}
const char* reads_name(synapse_reads r) { return r == synapse_reads::held ? "held" : "transient"; }

void check(const device_spec& s) {
    if (s.inputs == 0 || s.neurons == 0) throw input_error("network: needs at least one input and one neuron");
    if (!s.synapse) throw input_error("network.synapse: no device model");
    if (!s.neuron) throw input_error("network.neuron: no device model");
    if (!s.synapse_models.empty() && s.synapse_models.size() != s.inputs * s.columns())
        throw internal_error(fmt::format("network: {} synapse models for {} cells", s.synapse_models.size(), s.inputs * s.columns()));
    if (!s.neuron_models.empty() && s.neuron_models.size() != s.neurons)
        throw internal_error(fmt::format("network: {} neuron models for {} neurons", s.neuron_models.size(), s.neurons));
    if (!s.transistor) throw input_error("network: the 1T1R cells need their transistor");
    if (s.synapse_state.size() != s.inputs * s.columns())
        throw internal_error(fmt::format("network: {} synapse states for {} cells", s.synapse_state.size(), s.inputs * s.columns()));
    if (!s.resets.empty() && s.reads != synapse_reads::held)
        throw input_error("network.synapse.read: presented images (a neuron reset at each) need \"held\" synapse reads");
    units::non_negative(s.line_resistance, "network.line_resistance");
    units::positive(s.read_voltage, "network.input.read_voltage");
    units::positive(s.pulse_width, "network.input.pulse_width");
    units::positive(s.edge, "network.input.edge");
    units::positive(s.gain.gain, "network.gain.gain");
    units::positive(s.gain.bandwidth, "network.gain.bandwidth");
    units::positive(s.spike_current, "network.neuron.spike_current");
    units::positive(s.spike_height, "network.neuron.spike_height");
    units::positive(s.spike_width, "network.neuron.spike_width");
    units::positive(s.inhibition_resistance, "network.inhibition.resistance");
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
    if (s.reads == synapse_reads::held && l != level::fast)
        throw input_error("network.synapse.read: \"held\" is a fast-level shortcut; the circuit level runs every cell");
    device_result r;
    std::size_t dropped = 0;
    const auto rows = row_pulses(s, in, dropped);
    if (s.reads == synapse_reads::held) return run_held(s, in, seed, progress);
    r = l == level::circuit ? run_circuit(s, rows, seed, progress) : run_fast(s, rows, seed, progress);
    r.dropped = dropped;
    return r;
}

std::vector<double> agsn_bridged_state(const device::model& m, double g, double h_c) {
    if (m.name() != "agsn_sio2_pt") throw input_error(fmt::format("network: a bridged synapse state needs agsn_sio2_pt, not {}", m.name()));
    using S = device::agsn_state;
    std::vector<double> st = agsn_relaxed_state(m, h_c);
    st[S::h] = m.get("L");
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

std::vector<double> agsn_relaxed_state(const device::model& m, double h_c) {
    if (m.name() != "agsn_sio2_pt") throw input_error(fmt::format("network: a relaxed synapse state needs agsn_sio2_pt, not {}", m.name()));
    using S = device::agsn_state;
    std::vector<double> st(m.n_states());
    m.initial_state(st);
    st[S::theta] = m.get("theta_max");
    st[S::h_s] = m.get("h_s_max");
    st[S::h_c] = h_c;
    st[S::h] = h_c;
    st[S::r] = m.get("r_min");
    st[S::armed] = 0.0;
    return st;
}

std::vector<std::vector<double>> rest_synapses(const device_spec& s, double duration, std::uint64_t seed) {
    units::positive(duration, "network.synapse.rest");
    std::vector<std::vector<double>> out;
    const auto& names = s.synapse->states();
    for (std::size_t c = 0; c < s.synapse_state.size(); ++c) {
        const circuit::circuit cell = one_cell(constant(0.0), s.synapse_of(c), s.synapse_state[c], s.transistor, s.synapse_gate, 0.0, s.edge);
        circuit::simulation sim(cell, s.solver, cell_seed(seed, c));
        sim.advance(duration);
        std::vector<double> st(names.size());
        for (std::size_t k = 0; k < st.size(); ++k) st[k] = sim.probe("X." + names[k].name);
        out.push_back(std::move(st));
    }
    return out;
}

programmed program_synapses(const device_spec& s, const array::program_settings& settings, const std::vector<std::vector<double>>& initial,
                            std::uint64_t seed, const fraction_fn& progress) {
    const std::size_t cols = s.columns(), cells = s.inputs * cols;
    if (settings.target.rows != s.inputs || settings.target.cols != cols)
        throw internal_error(fmt::format("network: a {} x {} target map for {} x {} synapses", settings.target.rows, settings.target.cols, s.inputs, cols));
    programmed out;
    auto& rep = out.report;
    rep.target = settings.target;
    rep.achieved = rep.cell = rep.pulses = rep.energy = matrix(s.inputs, cols);
    const auto& names = s.synapse->states();
    for (std::size_t c = 0; c < cells; ++c) {
        // The cell alone: a 1 x 1 1T1R array, programmed by the arrays' write-verify.
        array::spec a;
        a.rows = a.cols = 1;
        a.cell = array::cell_type::t1r1;
        a.devices = {s.synapse_of(c)};
        a.initial_state = {initial.size() == 1 ? initial[0] : initial[c]};
        a.transistor = s.transistor;
        a.rise = a.fall = s.edge;
        array::controller ctl(a, s.solver, cell_seed(seed, c), {}, nullptr);
        array::program_settings p = settings;
        p.target = matrix(1, 1, settings.target.v[c]);
        const auto r = ctl.program(p);
        rep.achieved.v[c] = r.achieved.v[0];
        rep.cell.v[c] = r.cell.v[0];
        rep.pulses.v[c] = r.pulses.v[0];
        rep.energy.v[c] = r.energy.v[0];
        rep.converged += r.converged;
        std::vector<double> st(names.size());
        for (std::size_t k = 0; k < st.size(); ++k) st[k] = ctl.simulation().probe(array::device_name(0, 0) + "." + names[k].name);
        out.states.push_back(std::move(st));
        out.steps += ctl.simulation().stats().steps;
        tell(progress, c + 1, cells);
    }
    const auto e = array::compare(rep.achieved, rep.target);
    rep.rms_error = e.rms;
    rep.worst_error = e.worst;
    return out;
}

}  // namespace memlab::network
