#include "memlab/network/learning.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include <fmt/format.h>

#include "memlab/error.hpp"
#include "memlab/util/rng.hpp"
#include "cells.hpp"

namespace memlab::network {

namespace {

using namespace detail;

constexpr std::size_t none = static_cast<std::size_t>(-1);
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double settle = 2e-6;  // s a neuron cell rests on its rail before the tabulated pulse


}  // namespace

neuron_table::slot neuron_table::engine_slot(const device_spec& s, std::size_t k, double v, std::uint64_t seed) {
    // The pulse through the gain stage (stage_response), over the pulse and the stage's settling
    // after it: the fire time counts from the pulse at the stage's input, as the network's events do.
    const double end = settle + 2 * s.edge + s.pulse_width;
    array::schedule input(0.0);
    input.to(settle, 0.0);
    input.to(settle + s.edge, v);
    input.to(settle + s.edge + s.pulse_width, v);
    input.to(end, 0.0);
    auto drive = std::make_shared<stage_response>(std::move(input), s.gain.tau());
    circuit::circuit c = one_cell(drive, s.neuron_of(k), s.neuron_state, s.transistor, s.neuron_gate, s.neuron_rail, s.edge);
    add_cell_comparator(c, comparator_of(s));
    circuit::simulation sim(c, s.solver, seed);
    sim.advance(settle);
    circuit::recording rec;
    rec.probes = neuron_probes(s.neuron_rail);
    // The comparator, and the energy up to its spike (the crossing has its own row) and over the
    // whole pulse.
    class sink final : public io::trace_sink {
    public:
        void begin(const std::vector<io::channel>& c) override { det.begin(c), e.begin(c); }
        void append(std::span<const double> row) override {
            e.append(row);
            if (det.found.size() > 0) return;
            det.append(row);
            to_spike = e.energy;
        }
        spike_reader det{0, 1, 3};
        energy_sink e{2, 1};
        double to_spike = 0;
    } out;
    sim.run(end + 10 * s.gain.tau(), rec, out);
    slot r{inf, out.to_spike, out.e.energy};
    if (out.det.found.size() > 0) r.fire_time = out.det.found.time[0] - settle;
    return r;
}

neuron_table::neuron_table(const device_spec& s, std::size_t k, std::uint64_t seed) {
    std::map<double, slot> seen;
    auto at = [&](double v) {
        ++runs_;
        const slot a = engine_slot(s, k, v, seed);
        seen[v] = a;
        return a.fire_time;
    };
    // The lowest drive that fires within the pulse, by bisection to 1 mV, between the rail (the
    // neuron sees no forward voltage) and 64 V.
    double lo = s.neuron_rail, hi = 64.0;
    if (!std::isfinite(at(hi))) throw input_error(fmt::format("network.neuron: neuron {} does not fire within a pulse of 64 V", k));
    while (hi - lo > 1e-3) {
        const double mid = 0.5 * (lo + hi);
        (std::isfinite(at(mid)) ? hi : lo) = mid;
    }
    // The answer from there up, densest near the threshold where it changes fastest.
    constexpr std::size_t n = 64;
    for (std::size_t j = 0; j <= n; ++j) {
        const double x = static_cast<double>(j) / n;
        const double v = hi + (64.0 - hi) * x * x * x;
        const double t = at(v);
        if (!std::isfinite(t)) continue;  // at the threshold itself a run may just miss
        v_.push_back(v);
        t_.push_back(t);
    }
    if (v_.size() < 2) throw internal_error(fmt::format("network: the neuron table of neuron {} has {} points", k, v_.size()));
    // The energies below the threshold too (the drives the bisection left below it, and 8 more
    // from the rail up), over every drive run.
    for (std::size_t j = 1; j <= 8; ++j) at(s.neuron_rail + (lo - s.neuron_rail) * static_cast<double>(j) / 9);
    rail_ = s.neuron_rail;
    for (const auto& [v, a] : seen) {
        if (!(v > rail_ && a.to_spike > 0 && a.whole > 0)) continue;
        ev_.push_back(v);
        e_spike_.push_back(std::log(a.to_spike));
        e_.push_back(std::log(a.whole));
    }
}

// Interpolated in the logarithm (the energies span decades below the threshold); below the lowest
// drive as the square of the cell's forward voltage, v - rail (a leak).
double neuron_table::energy(double v, bool whole) const {
    const auto& e = whole ? e_ : e_spike_;
    if (v <= rail_) return 0.0;
    if (v <= ev_.front()) return std::exp(e.front()) * std::pow((v - rail_) / (ev_.front() - rail_), 2);
    if (v >= ev_.back()) return std::exp(e.back());
    const auto j = static_cast<std::size_t>(std::upper_bound(ev_.begin(), ev_.end(), v) - ev_.begin());
    const double f = (v - ev_[j - 1]) / (ev_[j] - ev_[j - 1]);
    return std::exp(e[j - 1] + f * (e[j] - e[j - 1]));
}

double neuron_table::fire_time(double v) const {
    if (v < v_.front()) return inf;
    if (v >= v_.back()) return t_.back();
    const auto j = static_cast<std::size_t>(std::upper_bound(v_.begin(), v_.end(), v) - v_.begin());
    const double f = (v - v_[j - 1]) / (v_[j] - v_[j - 1]);
    return t_[j - 1] + f * (t_[j] - t_[j - 1]);
}

std::shared_ptr<array::schedule> post_waveform(const device_spec& s, const stdp_settings& L, bool armed, double t0) {
    const double p1 = armed ? L.potentiate : L.potentiate - L.pre, p2 = armed ? L.pre - L.depress : -L.depress;
    auto w = std::make_shared<array::schedule>(0.0);
    w->to(t0, 0.0);
    double t = t0 + s.edge;
    w->to(t, p1);
    w->to(t += L.potentiate_width, p1);
    w->to(t += s.edge, p2);
    w->to(t += L.depress_width, p2);
    w->to(t += s.edge, 0.0);
    return w;
}

post_result post_pulse(const device_spec& s, const stdp_settings& L, std::vector<double>& state, bool armed, double rest,
                       std::uint64_t seed, std::size_t cell) {
    const double t0 = std::max(rest, 2 * s.edge);  // the word line's supply rises over the first edge
    const auto drive = post_waveform(s, L, armed, t0);
    const circuit::circuit c = one_cell(drive, s.synapse_of(cell), state, s.transistor, s.synapse_gate, 0.0, s.edge);
    circuit::simulation sim(c, s.solver, seed);
    sim.advance(t0);
    circuit::recording rec;
    rec.probes = {"v(top)", "i(X)"};
    energy_sink e;
    sim.run(drive->end_time(), rec, e);
    const auto& names = s.synapse->states();
    for (std::size_t k = 0; k < names.size(); ++k) state[k] = sim.probe("X." + names[k].name);
    return {e.energy, sim.stats().steps, drive->end_time()};
}

void check(const stdp_settings& L) {
    auto positive = [](double x, const char* key) {
        if (!(x > 0)) throw input_error(fmt::format("network.learning.{}: must be positive", key));
    };
    positive(L.potentiate, "potentiate"), positive(L.potentiate_width, "potentiate_width");
    positive(L.depress, "depress"), positive(L.depress_width, "depress_width");
    if (!(L.pre >= 0 && L.pre < L.potentiate)) throw input_error("network.learning.pre: must be in [0, potentiate)");
    if (L.pre_window < 1) throw input_error("network.learning.pre_window: must be at least 1 slot");
    if (L.refresh < 1) throw input_error("network.learning.refresh: must be at least 1 image");
    auto probability = [](double p, const char* key) {
        if (!(p >= 0 && p <= 1)) throw input_error(fmt::format("network.learning.{}: must be in [0, 1]", key));
    };
    probability(L.potentiate_probability, "potentiate_probability");
    probability(L.depress_probability, "depress_probability");
}

learning_result learn(const device_spec& s0, const stdp_settings& L, const learning_data& d, std::uint64_t seed,
                      const fraction_fn& progress) {
    check(L);
    check(s0);
    if (s0.differential) throw input_error("network.synapse.differential: learning is built for one column per neuron");
    if (d.train == nullptr || d.test == nullptr) throw internal_error("network: learning without its images");
    device_spec s = s0;
    const std::size_t rows = s.inputs, cols = s.neurons, cells = rows * cols;
    auto& state = s.synapse_state;
    const auto& names = s.synapse->states();
    learning_result r;

    auto conductances = [&] {
        matrix g(rows, cols);
        for (std::size_t c = 0; c < cells; ++c) g.v[c] = s.synapse_of(c)->current(array::g_probe, state[c]) / array::g_probe;
        return g;
    };
    r.g_initial = conductances();
    std::vector<double> i_read(cells), last(cells, 0.0);
    std::vector<std::uint64_t> runs(cells, 0);
    auto read_of = [&](std::size_t c) {
        return array::series_current(*s.synapse_of(c), state[c], s.transistor.get(), s.read_voltage, s.synapse_gate);
    };
    for (std::size_t c = 0; c < cells; ++c) i_read[c] = read_of(c);
    // After cell c's engine run (its state already updated): its read current and the run's count.
    auto ran = [&](std::size_t c, long steps) {
        i_read[c] = read_of(c);
        r.steps += steps;
        ++r.cell_runs;
    };

    // The neurons' answers: one table for nominal neurons, one per neuron with device-to-device draws.
    std::vector<neuron_table> tables;
    for (std::size_t k = 0; k < (s.neuron_models.empty() ? 1 : cols); ++k) {
        tables.emplace_back(s, k, cell_seed(seed, cells + k));
        r.neuron_runs += tables.back().runs();
    }
    auto table_of = [&](std::size_t k) -> const neuron_table& { return tables[s.neuron_models.empty() ? 0 : k]; };

    const double dt = d.coding.dt, period = d.coding.presentation + d.coding.rest;
    const auto slots = static_cast<std::size_t>(std::llround(d.coding.presentation / dt));
    const double read_area = s.pulse_width + s.edge;  // a trapezoid read pulse's integral over its height
    double now = 0;  // s, the run's clock: the passes follow one another

    // Every synapse at rest (0 V) from its last run to now.
    auto relax_all = [&] {
        for (std::size_t c = 0; c < cells; ++c) {
            if (now - last[c] <= 0) continue;
            const circuit::circuit cell = one_cell(constant(0.0), s.synapse_of(c), state[c], s.transistor, s.synapse_gate, 0.0, s.edge);
            circuit::simulation sim(cell, s.solver, cell_seed(cell_seed(seed, c), ++runs[c]));
            sim.advance(now - last[c]);
            for (std::size_t k = 0; k < names.size(); ++k) state[c][k] = sim.probe("X." + names[k].name);
            ran(c, sim.stats().steps);
            last[c] = now;
        }
    };
    // Cell c's rest since its last run, then the post pulse's two phases.
    auto post = [&](std::size_t c, bool armed) {
        const auto p = post_pulse(s, L, state[c], armed, now - last[c], cell_seed(cell_seed(seed, c), ++runs[c]), c);
        r.learning_energy += p.energy;
        ++r.post_cells;
        ran(c, p.steps);
        last[c] += p.end;  // its rest (at least the supplies' rise) and the pulse
    };

    // The word lines' draws of stochastic STDP: a stream of their own (a run at probability 1 draws
    // nothing, so it is the run without them).
    util::rng gates(cell_seed(seed, cells + cols + 4));
    auto gate_on = [&](bool armed) {
        const double p = armed ? L.potentiate_probability : L.depress_probability;
        return p >= 1 || gates.uniform() < p;
    };

    const std::size_t total = 2 * d.train->count() + d.test->count();
    std::size_t done = 0;
    // One pass over `images`: spikes into `out` (times from the pass's start), spike counts per image
    // and neuron into `counts`, the neurons that spiked per image, in order, into `order`.
    auto pass = [&](const image_set& images, std::uint64_t pass_seed, bool learning, spikes& out, matrix& counts,
                    std::vector<std::vector<std::size_t>>& order) {
        rate_coding coding = d.coding;
        coding.seed = pass_seed;
        rate_encoder enc(images, coding);
        const std::vector<double> starts = enc.starts();  // whole clock steps, as the encoder draws them
        const double start = now;
        counts = matrix(images.count(), cols);
        order.assign(images.count(), {});
        input_spikes chunk;
        std::vector<std::vector<std::size_t>> active(slots);
        std::vector<std::size_t> last_spike(rows), free_at(cols);
        std::vector<double> current(cols);
        for (std::size_t n = 0; enc.next(chunk); ++n) {
            const double at = starts[n];
            now = start + at;
            if (n % L.refresh == 0) relax_all();
            for (auto& a : active) a.clear();
            for (std::size_t j = 0; j < chunk.size(); ++j) {
                const double x = std::floor((chunk.time[j] - at) / dt + 1e-6);
                if (x >= 0 && x < static_cast<double>(slots)) active[static_cast<std::size_t>(x)].push_back(chunk.row[j]);
            }
            std::fill(last_spike.begin(), last_spike.end(), none);
            std::fill(free_at.begin(), free_at.end(), L.hold);
            for (std::size_t slot = 0; slot < slots; ++slot) {
                now = start + at + static_cast<double>(slot) * dt;
                if (active[slot].empty()) continue;
                std::fill(current.begin(), current.end(), 0.0);
                r.synaptic_events += active[slot].size() * cols;
                r.neuron_slots += cols;
                for (std::size_t row : active[slot]) {
                    last_spike[row] = slot;
                    const double* ir = &i_read[row * cols];
                    for (std::size_t k = 0; k < cols; ++k) current[k] += ir[k];
                }
                double best = inf;
                std::size_t w = none;
                for (std::size_t k = 0; k < cols; ++k) {
                    r.read_energy += s.read_voltage * current[k] * read_area;
                    if (slot < free_at[k]) continue;
                    const double t = table_of(k).fire_time(s.gain.gain * current[k]);
                    // Equal times (drives beyond the table, where a neuron fires on the pulse's edge):
                    // the larger drive first.
                    if (t < best || (t == best && w != none && current[k] > current[w])) best = t, w = k;
                }
                // The neurons' energy in this slot: the winner over the whole pulse; every other free
                // neuron up to the winner's spike (its energy up to its own spike, or over the pulse,
                // taken as spread evenly over the pulse); a held neuron's input is off (none).
                const double pulse = s.pulse_width + 2 * s.edge;
                for (std::size_t k = 0; k < cols; ++k) {
                    if (slot < free_at[k]) continue;
                    const double v = s.gain.gain * current[k];
                    r.neuron_energy += k == w ? table_of(k).energy(v, true) : table_of(k).energy(v, false) * std::min(1.0, best / pulse);
                }
                if (w == none) continue;
                out.neuron.push_back(w);
                out.time.push_back(at + static_cast<double>(slot) * dt + best);
                counts(n, w) += 1;
                order[n].push_back(w);
                const std::size_t held = learning ? L.inhibition : L.test_inhibition, dead = learning ? L.refractory : L.test_refractory;
                for (std::size_t k = 0; k < cols; ++k) free_at[k] = std::max(free_at[k], slot + 1 + (k == w ? dead : held));
                if (!learning) continue;
                // The post pulse on column w: armed rows at `pre` over both phases, the others at 0 V.
                now += best;
                for (std::size_t row = 0; row < rows; ++row) {
                    const bool armed = last_spike[row] != none && slot - last_spike[row] < L.pre_window;
                    if (gate_on(armed)) post(row * cols + w, armed);
                }
                ++r.post_pulses;
            }
            ++done;
            if (progress) progress(static_cast<double>(done) / static_cast<double>(total));
        }
        now = start + (starts.empty() ? 0.0 : starts.back() + (starts.size() > 1 ? starts[1] - starts[0] : period));
    };

    matrix train_counts, label_counts;
    std::vector<std::vector<std::size_t>> train_order, label_order, test_order;
    pass(*d.train, cell_seed(seed, cells + cols + 1), true, r.train_out, train_counts, train_order);
    for (const auto& o : train_order) r.train_winner.push_back(o.empty() ? none : o.front());
    r.trained_at = now;
    relax_all();
    r.g_trained = conductances();
    pass(*d.train, cell_seed(seed, cells + cols + 2), false, r.label_out, label_counts, label_order);
    pass(*d.test, cell_seed(seed, cells + cols + 3), false, r.test_out, r.test.counts, test_order);

    // Labels: each neuron's class is the one it answers most, per image of the class.
    int classes = 0;
    for (int c : d.train->labels) classes = std::max(classes, c + 1);
    for (int c : d.test->labels) classes = std::max(classes, c + 1);
    std::vector<double> per_class(static_cast<std::size_t>(classes), 0.0);
    for (int c : d.train->labels) per_class[static_cast<std::size_t>(c)] += 1;
    r.labels.assign(cols, -1);
    for (std::size_t k = 0; k < cols; ++k) {
        std::vector<double> resp(static_cast<std::size_t>(classes), 0.0);
        for (std::size_t n = 0; n < d.train->count(); ++n) resp[static_cast<std::size_t>(d.train->labels[n])] += label_counts(n, k);
        double most = 0;
        for (std::size_t c = 0; c < resp.size(); ++c) {
            if (per_class[c] > 0) resp[c] /= per_class[c];
            if (resp[c] > most) most = resp[c], r.labels[k] = static_cast<int>(c);
        }
        if (r.labels[k] >= 0) continue;
        // Silent in the labelling pass: labelled by the training images it won, if any.
        std::fill(resp.begin(), resp.end(), 0.0);
        for (std::size_t n = 0; n < d.train->count(); ++n)
            if (r.train_winner[n] == k) resp[static_cast<std::size_t>(d.train->labels[n])] += 1;
        for (std::size_t c = 0; c < resp.size(); ++c) {
            if (per_class[c] > 0) resp[c] /= per_class[c];
            if (resp[c] > most) most = resp[c], r.labels[k] = static_cast<int>(c);
        }
    }
    // The test: the class whose neurons spiked most per neuron; a tie goes to the tied class whose
    // neuron spiked first.
    std::vector<double> neurons_of(static_cast<std::size_t>(classes), 0.0);
    for (int c : r.labels)
        if (c >= 0) neurons_of[static_cast<std::size_t>(c)] += 1;
    r.test.predicted.assign(d.test->count(), -1);
    for (std::size_t n = 0; n < d.test->count(); ++n) {
        std::vector<double> score(static_cast<std::size_t>(classes), 0.0);
        for (std::size_t k = 0; k < cols; ++k)
            if (r.labels[k] >= 0) score[static_cast<std::size_t>(r.labels[k])] += r.test.counts(n, k);
        double most = 0;
        for (std::size_t c = 0; c < score.size(); ++c) {
            if (neurons_of[c] > 0) score[c] /= neurons_of[c];
            if (score[c] > most) most = score[c], r.test.predicted[n] = static_cast<int>(c);
        }
        for (std::size_t k : test_order[n]) {
            const int c = r.labels[k];
            if (c >= 0 && most > 0 && score[static_cast<std::size_t>(c)] == most) {
                r.test.predicted[n] = c;
                break;
            }
        }
        r.correct += r.test.predicted[n] == d.test->labels[n];
        r.silent += r.test.predicted[n] < 0;
    }
    r.accuracy = static_cast<double>(r.correct) / static_cast<double>(d.test->count());
    return r;
}

}  // namespace memlab::network
