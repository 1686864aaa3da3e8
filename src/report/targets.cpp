#include "memlab/report/targets.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>
#include <map>
#include <set>

#include "memlab/analysis/analysis.hpp"
#include "memlab/error.hpp"
#include "memlab/units/units.hpp"

namespace memlab::report {
namespace {

using nlohmann::json;


struct block_view {
    std::vector<double> t, v, i;
};

// Samples of one sweep block, with time relative to the block start.
block_view block_samples(const io::memory_trace& tr, const protocol::sweep_block& b) {
    block_view out;
    const auto& t = tr.time();
    const auto& v = tr.column("v(in)");
    const auto& i = tr.column("i(DUT)");
    const double end = b.start + b.period * static_cast<double>(b.cycles);
    for (std::size_t k = 0; k < t.size(); ++k)
        if (t[k] >= b.start && t[k] <= end) out.t.push_back(t[k] - b.start), out.v.push_back(v[k]), out.i.push_back(i[k]);
    return out;
}

// HRS conductance of each cycle: i/v at the first sample above 0.1 V on the way up.
std::vector<double> hrs_per_cycle(const block_view& b, double period, std::size_t cycles) {
    std::vector<double> g(cycles, NAN);
    for (std::size_t k = 0; k < b.t.size(); ++k) {
        const auto c = static_cast<std::size_t>(b.t[k] / period);
        if (c < cycles && std::isnan(g[c]) && b.v[k] >= 0.1 && b.t[k] - static_cast<double>(c) * period < 0.5 * period)
            g[c] = b.i[k] / b.v[k];
    }
    return g;
}

// Largest |i| on the negative branch (v < -0.1 V) of each cycle, as a fraction of the compliance.
// A cycle whose device voltage never gets below -0.1 V (a conducting device held by the limit)
// did not show an HRS negative branch: it counts as 1 (at the limit).
std::vector<double> negative_branch(const block_view& b, double period, std::size_t cycles, double icc) {
    std::vector<double> m(cycles, -1.0);
    for (std::size_t k = 0; k < b.t.size(); ++k) {
        const auto c = std::min(static_cast<std::size_t>(b.t[k] / period), cycles - 1);
        if (b.v[k] < -0.1) m[c] = std::max(m[c], std::fabs(b.i[k]) / icc);
    }
    for (auto& x : m)
        if (x < 0) x = 1.0;
    return m;
}

// |i| / compliance at the end of each cycle (back at 0 V: the last samples above -0.05 V).
// The blocks of a training protocol by role: the first (initial volatile), the second to last
// (nonvolatile) and the last (trained volatile). Blocks between the first and the NV block are the
// compliance ramp the paper used to bring the device into the NV regime (Supp. Table 4) and are not
// analysed.
std::array<const protocol::sweep_block*, 3> training_roles(const protocol::experiment& e) {
    if (e.blocks.size() < 3)
        throw input_error(fmt::format("{}: a training protocol needs at least three sweep blocks (initial, nonvolatile, trained)", e.file));
    return {&e.blocks.front(), &e.blocks[e.blocks.size() - 2], &e.blocks.back()};
}

std::vector<double> end_of_cycle(const block_view& b, double period, std::size_t cycles, double icc) {
    std::vector<double> m(cycles, NAN);
    for (std::size_t k = 0; k < b.t.size(); ++k) {
        const auto c = static_cast<std::size_t>(b.t[k] / period);
        const double phase = b.t[k] - static_cast<double>(c) * period;
        // The last sample of the cycle's final quarter at a negative voltage (the integrator may
        // take one long step through a quiet HRS, so a narrower window can hold no sample).
        if (c < cycles && phase > 0.75 * period && b.v[k] < -0.02) m[c] = std::fabs(b.i[k] / b.v[k]) * 0.1 / icc;
    }
    return m;
}


const target& row(const std::string& id) {
    const auto& all = all_targets();
    const auto it = std::find_if(all.begin(), all.end(), [&](const target& t) { return t.id == id; });
    if (it == all.end()) throw internal_error("unknown target " + id);
    return *it;
}

result make(const std::string& id, json simulated, bool pass, std::string note, std::uint64_t seed, const std::string& experiment = "") {
    const target& t = row(id);
    result r;
    r.id = id;
    r.experiment = experiment;
    r.paper = t.paper;
    r.tolerance = t.tolerance;
    r.kind = t.kind;
    r.fit = t.fit;
    r.unit = t.unit;
    r.simulated = std::move(simulated);
    r.pass = pass;
    r.note = std::move(note);
    r.seed = seed;
    return r;
}

result make(const std::string& id, json simulated, bool pass, std::string note, const protocol::experiment& e) {
    auto r = make(id, std::move(simulated), pass, std::move(note), e.seed, e.name);
    if (!pass && e.device && e.device->name() == shipped_model) r.missing = row(id).missing;
    return r;
}

// Is x inside the numeric tolerance of target `id` (from the table: one source of truth)?
bool within(const std::string& id, double x) {
    const target& t = row(id);
    if (!std::isfinite(t.lo)) throw internal_error("no numeric tolerance for target " + id);
    return std::isfinite(x) && x >= t.lo && x <= t.hi;
}

json rounded(double x, int digits = 4) {
    if (!std::isfinite(x)) return nullptr;
    return std::stod(fmt::format("{:.{}g}", x, digits));
}


// A relative change under this counts as flat (integrate and synapse): a held state wiggles by a
// few 0.1 %, and that is neither integration nor plasticity.
constexpr double flat = 0.01;
// A stored weight (docs/targets.md, synapse.asymmetry and synapse.retention): a device that never set
// has nothing to compare or keep.
constexpr double stored_weight = 1e-4;  // S

// Per stimulus pulse: the peak device current, and the device conductance i/v(top) (median over
// the second half of the plateau: the "on-state" a zoom of the paper's figures shows).
struct pulse_response {
    double level, peak, g_late;
    // The pulse responds (all-or-none) or spikes (integrate and fire) when its peak current reaches
    // half of what the series resistor alone would pass at the pulse's level (the device is then a
    // small part of the total resistance): a set held by the resistor passes (level - v_hold) / R_s
    // with v_hold a few tenths of a volt. The step from a base (level - base) is not the reference:
    // a set without a capacitive discharge (no parasitic capacitance) at 2 V on a -1 V base
    // through 2 MOhm passes 0.72-0.74 uA, under half of 3 V / 2 MOhm.
    bool responds(double series_resistance) const { return peak >= analysis::response_threshold(level, series_resistance); }
};
std::vector<pulse_response> per_pulse(const protocol::experiment& e, const io::memory_trace& tr) {
    const auto* pl = dynamic_cast<const stimulus::pulse_list*>(e.stimulus.get());
    if (!pl) throw input_error(fmt::format("{}: this experiment's targets need a pulse stimulus", e.file));
    const auto& t = tr.time();
    const auto& i = tr.column("i(DUT)");
    const auto& vt = tr.column(e.series_resistance > 0 ? "v(top)" : "v(in)");
    std::vector<pulse_response> out;
    for (const auto& p : pl->pulses()) {
        const double a = p.start, mid = p.start + pl->rise() + 0.5 * p.width, b = p.start + pl->rise() + p.width;
        double peak = 0;
        std::vector<double> g;
        for (std::size_t k = 0; k < t.size(); ++k) {
            if (t[k] < a || t[k] > b) continue;
            peak = std::max(peak, i[k]);
            if (t[k] >= mid && vt[k] != 0) g.push_back(i[k] / vt[k]);
        }
        out.push_back({p.level, peak, analysis::median(g)});
    }
    return out;
}

std::vector<result> evaluate_all_or_none(const protocol::experiment& e, const io::memory_trace& tr) {
    const auto r = per_pulse(e, tr);
    std::size_t first = 0;
    for (std::size_t k = 0; k < r.size() && !first; ++k)
        if (r[k].responds(e.series_resistance)) first = k + 1;
    std::vector<result> out;
    out.push_back(make("all_or_none.threshold_pulse", first ? json(first) : json("none"), within("all_or_none.threshold_pulse", static_cast<double>(first)),
                       "first pulse whose peak current reaches half of V/R_s", e));
    double worst_below = 0;
    for (std::size_t k = 0; first && k + 1 < first; ++k) worst_below = std::max(worst_below, r[k].peak / r[first - 1].peak);
    out.push_back(make("all_or_none.silent_below", first ? json(rounded(worst_below, 3)) : json("no response"),
                       first && worst_below < 0.1, "largest sub-threshold peak / peak of the first responding pulse", e));
    double gmin = INFINITY, gmax = 0;
    for (std::size_t k = first ? first - 1 : r.size(); k < r.size(); ++k) gmin = std::min(gmin, r[k].g_late), gmax = std::max(gmax, r[k].g_late);
    const double ratio = gmax / gmin;
    out.push_back(make("all_or_none.full_response", first ? rounded(ratio, 3) : json("no response"), first && ratio <= 2,
                       "max/min of the on-state conductance (median i/v over the late plateau) of the responding pulses", e));
    return out;
}

std::vector<result> evaluate_integrate(const protocol::experiment& e, const io::memory_trace& tr) {
    const auto r = per_pulse(e, tr);
    std::vector<result> out;
    // An increment counts as a rise only above `flat` (as for the synapse).
    std::size_t up = 0;
    for (std::size_t k = 1; k < r.size(); ++k) up += r[k].g_late > (1 + flat) * r[k - 1].g_late;
    out.push_back(make("integrate.rising", fmt::format("{} of {} increments positive", up, r.size() - 1), r.size() == 9 && up >= 7,
                       "on-state conductance (median i/v over the late plateau) pulse to pulse; a change under 1 % counts as flat", e));
    const double ratio = r.back().g_late / r.front().g_late;
    const double first_step = r.size() > 1 ? r[1].g_late / r[0].g_late : NAN;
    // "Not reached in one pulse": the first increment covers less than half of the total growth (in log).
    const bool gradual = std::isfinite(first_step) && ratio > 1 && std::log(first_step) < 0.5 * std::log(ratio);
    out.push_back(make("integrate.nonlinear", rounded(ratio, 3), ratio >= 3 && gradual,
                       fmt::format("G9/G1; G2/G1 = {:.3g} (must be under half of the growth, in log)", first_step), e));
    return out;
}


// Integrate and fire: spikes per package (a spike: a pulse that responds, pulse_response).
struct if_package {
    std::vector<std::size_t> spikes;  // 1-based pulse indices within the package
    std::size_t pulses;
};
std::vector<if_package> if_packages(const protocol::experiment& e, const io::memory_trace& tr, double* worst_refractory) {
    const auto* pl = dynamic_cast<const stimulus::pulse_list*>(e.stimulus.get());
    if (!pl) throw input_error(fmt::format("{}: integrate-and-fire targets need a packages stimulus", e.file));
    const auto r = per_pulse(e, tr);
    const auto& ps = pl->pulses();
    // A new package begins where the start-to-start spacing exceeds 1.5 pulse periods.
    double period = INFINITY;
    for (std::size_t k = 1; k < ps.size(); ++k) period = std::min(period, ps[k].start - ps[k - 1].start);
    std::vector<if_package> out;
    for (std::size_t k = 0; k < ps.size(); ++k) {
        if (k == 0 || ps[k].start - ps[k - 1].start > 1.5 * period) out.push_back({{}, 0});
        auto& pk = out.back();
        ++pk.pulses;
        if (r[k].responds(e.series_resistance)) pk.spikes.push_back(pk.pulses);
    }
    // Refractory: between two spikes the conductance must fall below 10 % of its spike value.
    *worst_refractory = 0;
    const auto& t = tr.time();
    const auto& i = tr.column("i(DUT)");
    const auto& vt = tr.column("v(top)");
    std::vector<double> g(t.size());
    for (std::size_t k = 0; k < t.size(); ++k) g[k] = std::fabs(vt[k]) > 1e-3 ? i[k] / vt[k] : NAN;
    std::vector<std::size_t> spike_pulses;
    std::size_t idx = 0;
    for (const auto& pk : out) {
        for (std::size_t sp : pk.spikes) spike_pulses.push_back(idx + sp - 1);
        idx += pk.pulses;
    }
    for (std::size_t n = 0; n + 1 < spike_pulses.size(); ++n) {
        const auto& a = ps[spike_pulses[n]];
        const auto& b = ps[spike_pulses[n + 1]];
        double g_spike = 0, g_min = INFINITY;
        for (std::size_t k = 0; k < t.size(); ++k) {
            if (t[k] >= a.start && t[k] <= a.start + pl->rise() + a.width && std::isfinite(g[k])) g_spike = std::max(g_spike, g[k]);
            if (t[k] > a.start + pl->rise() + a.width && t[k] < b.start && std::isfinite(g[k])) g_min = std::min(g_min, g[k]);
        }
        *worst_refractory = std::max(*worst_refractory, g_spike > 0 ? g_min / g_spike : 1.0);
    }
    return out;
}

std::string spikes_text(const std::vector<if_package>& pk) {
    std::string s;
    for (std::size_t k = 0; k < pk.size(); ++k)
        if (!pk[k].spikes.empty()) s += fmt::format("{}p{}:{}", s.empty() ? "" : "; ", k + 1, fmt::join(pk[k].spikes, ","));
    return s.empty() ? "no spikes" : s;
}

// Supp. Fig. 7: at a weak offset the device still fires once in a package (every package of >= 9
// pulses), but never twice.
std::vector<result> evaluate_weak_offset(const protocol::experiment& e, const io::memory_trace& tr) {
    double refr = 0;
    const auto pk = if_packages(e, tr, &refr);
    std::size_t second = 0, long_pkgs = 0, firing = 0;
    for (const auto& p : pk) {
        second += p.spikes.size() >= 2;
        if (p.pulses >= 9) ++long_pkgs, firing += !p.spikes.empty();
    }
    return {make("integrate_and_fire.weak_offset",
                 fmt::format("{} of {} packages of >= 9 pulses fire; {} with a second spike", firing, long_pkgs, second),
                 long_pkgs > 0 && firing == long_pkgs && second == 0,
                 "spikes by package (package:pulses): " + spikes_text(pk), e)};
}

std::vector<result> evaluate_if(const protocol::experiment& e, const io::memory_trace& tr) {
    double refr = 0;
    const auto pk = if_packages(e, tr, &refr);
    const std::string detail = "spikes by package (package:pulses): " + spikes_text(pk);
    std::vector<result> out;
    std::size_t first_pkg = 0;
    for (std::size_t k = 0; k < pk.size() && !first_pkg; ++k)
        if (!pk[k].spikes.empty()) first_pkg = k + 1;
    const bool on_last = first_pkg && pk[first_pkg - 1].spikes.front() == pk[first_pkg - 1].pulses;
    out.push_back(make("integrate_and_fire.first_spike_package", first_pkg ? json(first_pkg) : json("none"),
                       within("integrate_and_fire.first_spike_package", static_cast<double>(first_pkg)) && on_last,
                       fmt::format("first package with a spike{}; {}", on_last ? " (on its last pulse)" : " (not on its last pulse)", detail), e));
    bool first_ok = first_pkg > 0;
    std::size_t spiking = 0;
    for (std::size_t k = first_pkg; k < pk.size(); ++k)
        if (!pk[k].spikes.empty()) ++spiking, first_ok = first_ok && pk[k].spikes[0] >= 7 && pk[k].spikes[0] <= 10;
    out.push_back(make("integrate_and_fire.first_spike_pulse", fmt::format("{} later packages spike", spiking), first_ok && spiking > 0,
                       "first spike of every later spiking package on pulse 7..10; " + detail, e));
    bool second_ok = true;
    std::size_t long_pkgs = 0;
    for (const auto& p : pk)
        if (p.pulses >= 14) {
            ++long_pkgs;
            second_ok = second_ok && p.spikes.size() >= 2 && p.spikes[1] >= 13 && p.spikes[1] <= 15;
        }
    out.push_back(make("integrate_and_fire.second_spike_pulse", fmt::format("{} packages of >= 14 pulses", long_pkgs), long_pkgs > 0 && second_ok,
                       "second spike on pulse 13..15 in every package of >= 14 pulses; " + detail, e));
    bool consecutive = false;
    std::size_t spikes = 0;
    for (const auto& p : pk) {
        spikes += p.spikes.size();
        for (std::size_t k = 1; k < p.spikes.size(); ++k) consecutive = consecutive || p.spikes[k] == p.spikes[k - 1] + 1;
    }
    out.push_back(make("integrate_and_fire.refractory", spikes >= 2 ? rounded(refr, 3) : json(fmt::format("{} spike(s)", spikes)),
                       spikes >= 2 && refr < 0.1 && !consecutive,
                       fmt::format("largest (minimum conductance between spikes / spike conductance) over {} spikes (needs >= 2); "
                                   "spikes on consecutive pulses: {}", spikes, consecutive ? "yes" : "no"), e));
    return out;
}


std::vector<result> evaluate_synapse(const protocol::experiment& e, const io::memory_trace& tr) {
    const auto* pl = dynamic_cast<const stimulus::pulse_list*>(e.stimulus.get());
    if (!pl) throw input_error(fmt::format("{}: synapse targets need a read_after_write stimulus", e.file));
    // The read level is the level of every second pulse.
    const double read = pl->pulses().size() > 1 ? pl->pulses()[1].level : 0.1;
    const auto g = analysis::read_conductance(tr.time(), tr.column("v(top)"), tr.column("i(DUT)"), *pl, read);
    std::vector<result> out;
    const std::size_t per_cycle = 200, half = 100, cycles = g.size() / per_cycle;
    if (cycles == 0 || g.size() % per_cycle) throw input_error(fmt::format("{}: synapse targets expect cycles of 100 + 100 pulses", e.file));
    std::vector<double> mean(per_cycle, 0.0);
    for (std::size_t c = 0; c < cycles; ++c)
        for (std::size_t k = 0; k < per_cycle; ++k) mean[k] += g[c * per_cycle + k] / static_cast<double>(cycles);
    auto avg = [&](std::size_t a, std::size_t b) {
        double s = 0;
        for (std::size_t k = a; k < b; ++k) s += mean[k];
        return s / static_cast<double>(b - a);
    };
    const std::size_t turn_on = 5;  // reads skipped as the "initial fast turn-on"
    std::size_t up = 0, down = 0;
    for (std::size_t k = turn_on + 1; k < half; ++k) up += mean[k] >= mean[k - 1];
    for (std::size_t k = half + 1; k < per_cycle; ++k) down += mean[k] <= mean[k - 1];
    const double up_frac = static_cast<double>(up) / static_cast<double>(half - turn_on - 1);
    const double down_frac = static_cast<double>(down) / static_cast<double>(half - 1);
    const double p_first = avg(turn_on, turn_on + 10), p_last = avg(half - 10, half);
    const double d_first = avg(half, half + 10), d_last = avg(per_cycle - 10, per_cycle);
    out.push_back(make("synapse.potentiation", fmt::format("G {:.3g} -> {:.3g} S, {:.0f} % increments >= 0", p_first, p_last, 100 * up_frac),
                       p_last > (1 + flat) * p_first && up_frac >= 0.8,
                       "mean read conductance over the cycles; first 5 reads taken as turn-on; a change under 1 % counts as flat", e));
    out.push_back(make("synapse.depression", fmt::format("G {:.3g} -> {:.3g} S, {:.0f} % increments <= 0", d_first, d_last, 100 * down_frac),
                       d_last < (1 - flat) * d_first && down_frac >= 0.8, "mean read conductance over the cycles; a change under 1 % counts as flat", e));
    // Asymmetry: potentiation and (time-reversed) depression, each normalised to [0, 1].
    auto norm = [](std::vector<double> x) {
        const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
        const double a = *lo, b = *hi;
        for (auto& v : x) v = b > a ? (v - a) / (b - a) : 0.0;
        return x;
    };
    const auto pn = norm(std::vector<double>(mean.begin(), mean.begin() + half));
    auto dn = norm(std::vector<double>(mean.begin() + half, mean.end()));
    std::reverse(dn.begin(), dn.end());
    double diff = 0;
    for (std::size_t k = 0; k < half; ++k) diff = std::max(diff, std::fabs(pn[k] - dn[k]));
    const double weight = avg(0, per_cycle);
    out.push_back(make("synapse.asymmetry", rounded(diff, 3), weight >= stored_weight && diff > 0.05,
                       fmt::format("largest difference of the normalised curves; mean read conductance {:.3g} S (a stored weight needs >= 0.1 mS)", weight), e));
    // Cycle-to-cycle: over all cycles, and over cycles 2.. alone (a spread that is only the first
    // cycle settling out of its starting state is not a cycle-to-cycle spread).
    auto c2c = [&](std::size_t first_cycle, std::size_t a, std::size_t b) {
        std::vector<double> m(per_cycle, 0.0), dev;
        const double n = static_cast<double>(cycles - first_cycle);
        for (std::size_t c = first_cycle; c < cycles; ++c)
            for (std::size_t k = a; k < b; ++k) m[k] += g[c * per_cycle + k] / n;
        for (std::size_t c = first_cycle; c < cycles; ++c)
            for (std::size_t k = a; k < b; ++k) dev.push_back(g[c * per_cycle + k] - m[k]);
        return analysis::statistics(dev).std;
    };
    // A spread is cycle-to-cycle noise only if a random element acted in every later cycle (a
    // different seed then gives a different value); without one, cycles 2.. differ by a drift.
    std::size_t quiet = 0;
    if (std::any_of(e.targets.begin(), e.targets.end(), [](const auto& id) { return id.rfind("synapse.c2c_", 0) == 0; })) {
        if (std::find(e.recording.probes.begin(), e.recording.probes.end(), "events") == e.recording.probes.end())
            throw input_error(fmt::format("{}: recording.probes: the synapse.c2c targets need the probe \"events\" (the random events that make a spread)", e.file));
        const auto& t = tr.time();
        const auto& ev = tr.column("events");
        const auto& pulses = pl->pulses();
        for (std::size_t c = 1; c < cycles; ++c) {
            const double start = pulses[2 * per_cycle * c].start;
            const double end = c + 1 < cycles ? pulses[2 * per_cycle * (c + 1)].start : t.back();
            quiet += analysis::interpolate(t, ev, end) == analysis::interpolate(t, ev, start);
        }
    }
    for (const auto& [id, a, b] : {std::tuple{"synapse.c2c_potentiation_std", std::size_t{0}, half},
                                   std::tuple{"synapse.c2c_depression_std", half, per_cycle}}) {
        const double all = c2c(0, a, b), later = cycles > 2 ? c2c(1, a, b) : NAN;
        std::string note = fmt::format("std of G_measured - G_mean (S) over all {} cycles; over cycles 2-{} alone {:.3g} S (both must be in the band)",
                                       cycles, cycles, later);
        if (quiet) note += fmt::format("; no random event in {} of cycles 2-{}: a spread there is a drift, not noise", quiet, cycles);
        out.push_back(make(id, rounded(all, 3), within(id, all) && within(id, later) && quiet == 0, note, e));
    }
    return out;
}


std::vector<result> evaluate_set_delay(const protocol::experiment& e, const io::memory_trace& tr) {
    const auto* pl = dynamic_cast<const stimulus::pulse_list*>(e.stimulus.get());
    if (!pl) throw input_error(fmt::format("{}: set-delay targets need a pulse stimulus", e.file));
    const auto& t = tr.time();
    const auto& i = tr.column("i(DUT)");
    std::vector<double> v, d;
    for (const auto& p : pl->pulses()) {
        double delay = NAN;
        for (std::size_t k = 0; k < t.size(); ++k)
            if (t[k] >= p.start && t[k] <= p.start + pl->rise() + p.width && i[k] >= analysis::response_threshold(p.level, e.series_resistance)) {
                delay = t[k] - p.start;
                break;
            }
        v.push_back(p.level);
        d.push_back(delay);
    }
    // Repeated amplitudes (a measurement repeated to average over the cycle-to-cycle spread) are
    // reduced to their median delay; a pulse that never switched counts as longer than any delay,
    // and an amplitude whose median did not switch is left out of the fit.
    std::vector<double> levels, medians;
    std::vector<std::size_t> repeats;
    for (std::size_t k = 0; k < v.size(); ++k) {
        if (std::find(levels.begin(), levels.end(), v[k]) != levels.end()) continue;
        std::vector<double> ds;
        for (std::size_t j = 0; j < v.size(); ++j)
            if (v[j] == v[k]) ds.push_back(std::isfinite(d[j]) ? d[j] : INFINITY);
        const std::size_t n = ds.size();
        const double med = analysis::median(ds);
        levels.push_back(v[k]);
        medians.push_back(std::isfinite(med) ? med : NAN);
        repeats.push_back(n);
    }
    const auto f = analysis::exponential_delay_fit(levels, medians);
    const std::size_t reps = *std::max_element(repeats.begin(), repeats.end());
    // The scatter of single pulses about the fitted law (decades, population std): what one pulse
    // per amplitude would have measured.
    std::vector<double> resid;
    for (std::size_t k = 0; k < v.size(); ++k)
        if (std::isfinite(d[k]) && d[k] > 0) resid.push_back(std::log10(d[k]) - (f.intercept + f.slope * v[k]));
    const double scatter = resid.size() > 1 ? analysis::statistics(resid).std : NAN;
    std::string delays;
    for (std::size_t k = 0; k < levels.size(); ++k) delays += fmt::format("{}{:.2g} V: {:.3g} s", k ? ", " : "", levels[k], medians[k]);
    return {make("kinetics.exponential_delay", fmt::format("R^2 {:.3f} over {:.1f} decades ({:.2f} decades/V)", f.r2, f.decades, -f.slope),
                 f.r2 >= 0.95 && f.decades >= 3,
                 fmt::format("delay from the pulse edge to half of V/R_s{}; ",
                             reps > 1 ? fmt::format(", median of {} pulses per amplitude (single pulses scatter by {:.2f} decades about the fit)", reps, scatter) : "") +
                     delays,
                 e)};
}

// The reads of a retention protocol (a set pulse, then read pulses at the level of the second pulse).
struct retention_reads {
    const stimulus::pulse_list* pl;
    std::vector<double> g;
    const char* vname;
};
retention_reads reads_after_set(const protocol::experiment& e, const io::memory_trace& tr) {
    const auto* pl = dynamic_cast<const stimulus::pulse_list*>(e.stimulus.get());
    if (!pl || pl->pulses().size() < 3) throw input_error(fmt::format("{}: retention targets need a set pulse and reads", e.file));
    const double read = pl->pulses()[1].level;
    const char* vname = e.series_resistance > 0 ? "v(top)" : "v(in)";
    return {pl, analysis::read_conductance(tr.time(), tr.column(vname), tr.column("i(DUT)"), *pl, read), vname};
}

std::vector<result> evaluate_retention_volatile(const protocol::experiment& e, const io::memory_trace& tr) {
    const auto [pl, g, vname] = reads_after_set(e, tr);
    const auto& ps = pl->pulses();
    // Reference: the conductance at the end of the set plateau (the last 10 %).
    const auto& set = ps[0];
    std::vector<double> gs;
    const auto& t = tr.time();
    const auto& i = tr.column("i(DUT)");
    const auto& vv = tr.column(vname);
    for (std::size_t k = 0; k < t.size(); ++k)
        if (t[k] >= set.start + pl->rise() + 0.9 * set.width && t[k] <= set.start + pl->rise() + set.width && vv[k] != 0)
            gs.push_back(i[k] / vv[k]);
    const double g_set = analysis::median(gs), end = set.start + pl->rise() + set.width + pl->fall();
    double when = NAN;
    for (std::size_t k = 0; k < g.size(); ++k)
        if (g[k] < 0.1 * g_set) {
            when = ps[k + 1].start - end;
            break;
        }
    return {make("retention.volatile", std::isfinite(when) ? json(fmt::format("below 10 % at the read {:.3g} s after the set", when)) : json("not below 10 % at any read"),
                 std::isfinite(when) && when <= 1.0, fmt::format("set conductance {:.3g} S (end of the set plateau); reads at 0.1 V", g_set), e)};
}

std::vector<result> evaluate_retention_nonvolatile(const protocol::experiment& e, const io::memory_trace& tr) {
    const auto [pl, g, vname] = reads_after_set(e, tr);
    const auto& ps = pl->pulses();
    const double change = g.back() / g.front() - 1;
    return {make("synapse.retention", fmt::format("{:+.1f} % after {:.3g} s", 100 * change, ps.back().start - ps[1].start),
                 g.front() >= stored_weight && std::fabs(change) <= 0.1 && ps.back().start - ps[1].start >= 1e4 - 1,
                 fmt::format("read conductance first {:.3g} S (a stored weight needs >= 0.1 mS), last {:.3g} S", g.front(), g.back()), e)};
}


std::vector<result> evaluate_switching(const protocol::experiment& e, const io::memory_trace& tr) {
    // Every volatile block: negative branch at HRS level (< 1 % of the limit) in every cycle and
    // Vset within the trained tolerance (0.16..0.30 V); every NV block: the filament survives the
    // return to 0 V (current on the early negative branch above 10 % of what 1 mA-level LRS gives).
    std::size_t ok_blocks = 0;
    std::string detail;
    for (std::size_t b = 0; b < e.blocks.size(); ++b) {
        const auto& blk = e.blocks[b];
        const auto v = block_samples(tr, blk);
        const bool volatile_block = blk.compliance < 1e-6;
        bool ok = false;
        if (volatile_block) {
            const auto neg = negative_branch(v, blk.period, blk.cycles, blk.compliance);
            const auto vs = analysis::statistics(analysis::vset_per_cycle(v.t, v.v, v.i, blk.compliance, blk.period));
            const double worst = *std::max_element(neg.begin(), neg.end());
            ok = worst < 0.01 && vs.mean >= 0.16 && vs.mean <= 0.30;
            detail += fmt::format("{}block {} (10 nA): Vset {:.3g} V, worst negative branch {:.2g} of I_cc", detail.empty() ? "" : "; ", b + 1, vs.mean, worst);
        } else {
            const auto neg = negative_branch(v, blk.period, blk.cycles, blk.compliance);
            std::size_t nv = 0;
            for (double m : neg) nv += m > 0.1;
            ok = nv == blk.cycles;
            detail += fmt::format("{}block {} (1 mA): {} of {} cycles keep the filament into the negative branch", detail.empty() ? "" : "; ", b + 1, nv, blk.cycles);
        }
        ok_blocks += ok;
    }
    return {make("switching.seven_alternations", fmt::format("{} of {} blocks show their regime", ok_blocks, e.blocks.size()),
                 e.blocks.size() >= 8 && ok_blocks == e.blocks.size(), detail, e)};
}

std::vector<result> evaluate_training(const protocol::experiment& e, const io::memory_trace& tr) {
    const auto roles = training_roles(e);
    std::vector<result> out;
    struct stats {
        analysis::summary vset;
        std::vector<double> hrs, neg, end;
        block_view samples;
    };
    std::vector<stats> s;
    for (const protocol::sweep_block* pb : roles) {
        const auto& b = *pb;
        auto v = block_samples(tr, b);
        stats x;
        x.vset = analysis::statistics(analysis::vset_per_cycle(v.t, v.v, v.i, b.compliance, b.period));
        x.hrs = hrs_per_cycle(v, b.period, b.cycles);
        x.neg = negative_branch(v, b.period, b.cycles, b.compliance);
        x.end = end_of_cycle(v, b.period, b.cycles, b.compliance);
        x.samples = std::move(v);
        s.push_back(std::move(x));
    }
    const std::string how = "Vset at 90 % of the compliance per cycle (analysis::vset_per_cycle); mean and population std";
    const auto missing = [](const analysis::summary& x) { return x.missing ? fmt::format("; {} cycles never set", x.missing) : std::string(); };
    out.push_back(make("training.initial_vset_mean", rounded(s[0].vset.mean), within("training.initial_vset_mean", s[0].vset.mean), how + missing(s[0].vset), e));
    out.push_back(make("training.initial_vset_std", rounded(s[0].vset.std), within("training.initial_vset_std", s[0].vset.std), how, e));
    out.push_back(make("training.nonvolatile_vset_mean", rounded(s[1].vset.mean), within("training.nonvolatile_vset_mean", s[1].vset.mean), how + missing(s[1].vset), e));
    out.push_back(make("training.nonvolatile_vset_std", rounded(s[1].vset.std), within("training.nonvolatile_vset_std", s[1].vset.std), how, e));
    out.push_back(make("training.trained_vset_mean", rounded(s[2].vset.mean), within("training.trained_vset_mean", s[2].vset.mean), how + missing(s[2].vset), e));
    out.push_back(make("training.trained_vset_std", rounded(s[2].vset.std), within("training.trained_vset_std", s[2].vset.std), how, e));
    const double drop = analysis::median(s[2].hrs) / analysis::median(s[0].hrs);
    const std::string hrs_how = "median HRS conductance at 0.1 V on the way up, trained / initial block";
    if (std::isfinite(drop)) {
        out.push_back(make("training.hrs_drop", rounded(drop, 3), within("training.hrs_drop", drop), hrs_how, e));
    } else {
        // No cycle of a block reached 0.1 V on its way up: the device conducted at the limit below
        // 0.1 V, so there was no HRS to read. That is a result (a failing one), not a target not run.
        const auto none = [](const std::vector<double>& g) { return std::all_of(g.begin(), g.end(), [](double x) { return std::isnan(x); }); };
        out.push_back(make("training.hrs_drop",
                           fmt::format("no HRS read in the {} block", none(s[0].hrs) ? "initial" : "trained"), false,
                           hrs_how + "; no cycle of that block reached 0.1 V below the compliance", e));
    }
    // Volatile blocks: the negative branch stays at HRS level: |i| < 1 % of the limit in every cycle.
    std::size_t bad = 0, total = 0;
    double worst = 0;
    for (std::size_t b : {0u, 2u})
        for (double m : s[b].neg) ++total, bad += m >= 0.01, worst = std::max(worst, m);
    out.push_back(make("training.volatile_blocks_volatile", fmt::format("{} of {} volatile cycles at HRS level", total - bad, total),
                       bad == 0, fmt::format("largest negative-branch |i| {:.3g} of the compliance (HRS level: < 1 %)", worst), e));
    // NV cycles reset before their end (conductance back below 1 % of the LRS, I_cc / 0.1 V, at the
    // end), and gradually: the current falls from 90 % to 10 % of its value at the start of the
    // reset (where |i| peaks on the negative branch) over >= 50 mV of the sweep.
    std::size_t reset = 0, gradual = 0;
    std::vector<double> widths;
    {
        const auto& b = *roles[1];
        const auto& v = s[1].samples;
        for (std::size_t c = 0; c < b.cycles; ++c) {
            std::vector<double> cv, ci;
            for (std::size_t k = 0; k < v.t.size(); ++k)
                if (v.t[k] >= static_cast<double>(c) * b.period && v.t[k] < static_cast<double>(c + 1) * b.period) cv.push_back(v.v[k]), ci.push_back(v.i[k]);
            const auto rc = analysis::reset_width(cv, ci);
            const double w = std::fabs(rc.v_to - rc.v_from);
            widths.push_back(std::isfinite(w) ? w : NAN);
            const bool ends_reset = std::isfinite(s[1].end[c]) && s[1].end[c] < 0.01;
            reset += ends_reset;
            gradual += ends_reset && std::isfinite(w) && w >= 0.05;
        }
    }
    const auto ws = analysis::statistics(widths);
    out.push_back(make("training.nonvolatile_reset_gradual",
                       fmt::format("{} of {} NV cycles reset before their end, {} gradually", reset, s[1].end.size(), gradual),
                       gradual == s[1].end.size(),
                       fmt::format("end of cycle: |i/v| x 0.1 V below 1 % of the compliance; gradual: 90 % -> 10 % of the current at the "
                                   "reset's start over >= 50 mV (analysis::reset_width): {:.0f} +- {:.0f} mV, smallest {:.0f} mV",
                                   1e3 * ws.mean, 1e3 * ws.std, 1e3 * *std::min_element(widths.begin(), widths.end(), [](double a, double b) {
                                       return std::isnan(b) || (!std::isnan(a) && a < b);
                                   })),
                       e));
    return out;
}

// A SET's current overshoot: per cycle of every block with a limit under 1 uA (the neuron
// regime), the largest device current on the positive branch over the limit, and the charge that
// passed above the limit in the overshoot around that peak. The largest ratio over the cycles is the result; the note compares the
// overshoot charge with C_p x the drop of the top node, the charge a parasitic capacitance outside
// the limit gives up when the device switches on (Ambrogio et al., IEEE Electron Device Lett.
// (2016), "Analytical modeling of current overshoot in oxide-based resistive switching memory").
struct overshoot_stats {
    double worst = 0;       // largest peak / limit
    double charge = 0;      // C, above the limit, in the worst cycle
    double drop = 0;        // V, fall of v(top) during that cycle's overshoot
    double v_peak = 0;      // V, v(top) at that cycle's peak
    std::size_t cycles = 0;
};
overshoot_stats set_overshoot(const protocol::experiment& e, const io::memory_trace& tr) {
    overshoot_stats out;
    const auto& t = tr.time();
    const auto& i = tr.column("i(DUT)");
    const auto& vin = tr.column("v(in)");
    const auto& vtop = tr.column(e.series_resistance > 0 ? "v(top)" : "v(in)");
    for (const auto& b : e.blocks) {
        if (b.compliance >= 1e-6) continue;
        for (std::size_t c = 0; c < b.cycles; ++c) {
            const double t0 = b.start + static_cast<double>(c) * b.period, t1 = t0 + b.period;
            const auto in_branch = [&](std::size_t k) { return t[k] >= t0 && t[k] <= t1 && vin[k] > 0; };
            std::size_t kp = t.size();
            for (std::size_t k = 1; k < t.size(); ++k)
                if (in_branch(k) && (kp == t.size() || i[k] > i[kp])) kp = k;
            ++out.cycles;
            if (kp == t.size() || i[kp] / b.compliance <= out.worst) continue;
            // The overshoot is the stretch around the peak where the current stays more than 1 %
            // above the limit; a source holding its limit (an SMU's smooth compliance, a transistor
            // in saturation) regulates within that, which is not overshoot.
            const double held = 1.01 * b.compliance;
            std::size_t a = kp, z = kp;
            while (a > 1 && in_branch(a - 1) && i[a - 1] > held) --a;
            while (z + 1 < t.size() && in_branch(z + 1) && i[z + 1] > held) ++z;
            double q = 0, v_min = INFINITY;
            for (std::size_t k = a; k <= z + 1 && k < t.size(); ++k) {
                q += 0.5 * (std::max(i[k] - b.compliance, 0.0) + std::max(i[k - 1] - b.compliance, 0.0)) * (t[k] - t[k - 1]);
                v_min = std::min(v_min, vtop[k]);
            }
            out.worst = i[kp] / b.compliance, out.charge = q, out.drop = vtop[a - 1] - v_min, out.v_peak = vtop[kp];
        }
    }
    return out;
}

// SMU: the charge above the compliance is the parasitic capacitance's, C_p x the drop of the top
// node (within 2x), and the peak is far above the limit. 1T1R: the bit line's charge must pass the
// transistor; only the cell's inner node (the drain: junction and gate-drain overlap) discharges
// through the device unlimited, so the charge above the limit is within 2x of C_drain x v(top) at
// the peak, however large the bit line's capacitance.
std::vector<result> evaluate_overshoot(const protocol::experiment& e, const io::memory_trace& tr) {
    const auto o = set_overshoot(e, tr);
    if (o.cycles == 0) throw input_error(fmt::format("{}: overshoot targets need sweep blocks with a limit under 1 uA", e.file));
    const double cp = e.parasitic_capacitance;
    const double c_drain = e.transistor && e.transistor->capacitances ? e.transistor->model->c_junction() + e.transistor->model->c_gd() : 0.0;
    const std::string how = fmt::format(
        "largest device current on the positive branch / limit, over {} cycles with a limit under 1 uA; in that cycle {:.3g} C "
        "passed above the limit; C_p x the drop of the top node = {:.3g} F x {:.3g} V = {:.3g} C",
        o.cycles, o.charge, cp, o.drop, cp * o.drop);
    const auto ratio_ok = [](double q, double ref) { return ref > 0 && q >= 0.5 * ref && q <= 2 * ref; };
    std::vector<result> out;
    if (e.transistor)
        out.push_back(make("cell_1t1r.overshoot", rounded(o.worst, 3), ratio_ok(o.charge, c_drain * o.v_peak),
                           fmt::format("{}; C_drain x v(top) at the peak = {:.3g} F x {:.3g} V = {:.3g} C (the inner node's charge); "
                                       "limit: the transistor's current at the block's gate with the sweep's top voltage on its drain",
                                       how, c_drain, o.v_peak, c_drain * o.v_peak),
                           e));
    else
        out.push_back(make("smu.parasitic_overshoot", rounded(o.worst, 3), within("smu.parasitic_overshoot", o.worst) && ratio_ok(o.charge, cp * o.drop),
                           how + "; limit: the SMU's compliance", e));
    return out;
}

// The paper's training in a 1T1R cell (the role of each block set by the gate alone): the first
// and last blocks at a low gate (a limit of ~10 nA), the second to last at a high gate (~1 mA).
std::vector<result> evaluate_cell_training(const protocol::experiment& e, const io::memory_trace& tr) {
    const auto roles = training_roles(e);
    std::vector<block_view> v;
    for (const auto* b : roles) v.push_back(block_samples(tr, *b));
    const auto gate = [&](std::size_t r) { return fmt::format("V_G {:.3g} V, limit {}", roles[r]->gate, units::format(roles[r]->compliance, "A")); };
    std::vector<result> out;
    // Volatile at the low gate: the negative branch stays at HRS level (< 1 % of the limit).
    std::size_t bad = 0, total = 0;
    double worst = 0;
    for (std::size_t r : {0u, 2u})
        for (double m : negative_branch(v[r], roles[r]->period, roles[r]->cycles, roles[r]->compliance))
            ++total, bad += m >= 0.01, worst = std::max(worst, m);
    out.push_back(make("cell_1t1r.volatile_at_low_gate", fmt::format("{} of {} low-gate cycles at HRS level", total - bad, total), bad == 0,
                       fmt::format("largest negative-branch |i| {:.3g} of the limit (HRS level: < 1 %); {}", worst, gate(0)), e));
    // Nonvolatile at the high gate: the filament carries the current into the negative branch.
    const auto neg = negative_branch(v[1], roles[1]->period, roles[1]->cycles, roles[1]->compliance);
    std::size_t nv = 0;
    for (double m : neg) nv += m > 0.1;
    out.push_back(make("cell_1t1r.nonvolatile_at_high_gate", fmt::format("{} of {} high-gate cycles keep the filament", nv, neg.size()),
                       nv == neg.size(), fmt::format("negative-branch |i| above 10 % of the limit in the cycle; {}", gate(1)), e));
    // Training: Vset at the low gate before and after the high-gate block.
    const auto vs = [&](std::size_t r) {
        return analysis::statistics(analysis::vset_per_cycle(v[r].t, v[r].v, v[r].i, roles[r]->compliance, roles[r]->period));
    };
    const auto a = vs(0), b = vs(2);
    const double mean_ratio = a.mean / b.mean, std_ratio = a.std / b.std;
    const std::string how = fmt::format("Vset (cell voltage at 90 % of the limit) per cycle of the first and the last low-gate block "
                                        "(analysis::vset_per_cycle), {} and {} cycles{}",
                                        a.n, b.n, a.missing + b.missing ? fmt::format("; {} cycles never set", a.missing + b.missing) : "");
    const bool all_set = !a.missing && !b.missing;
    out.push_back(make("cell_1t1r.training_vset_mean", fmt::format("{:.3g} -> {:.3g} V (/{:.2g})", a.mean, b.mean, mean_ratio),
                       std::isfinite(mean_ratio) && mean_ratio > 2 && all_set, how + "; the paper's factor: > 2", e));
    // A spread passes only inside its band, never by being near zero: the trained std must also be
    // a measured randomness (the band of training.trained_vset_std).
    out.push_back(make("cell_1t1r.training_vset_std", fmt::format("{:.3g} -> {:.3g} V (/{:.2g})", a.std, b.std, std_ratio),
                       std::isfinite(std_ratio) && std_ratio > 7 && within("training.trained_vset_std", b.std) && all_set,
                       how + "; the paper's factor: > 7, and the trained std inside 3..30 mV (training.trained_vset_std's band)", e));
    return out;
}

}  // namespace

const std::vector<target>& all_targets() {
    // id, evaluator, paper, tolerance, source, lo, hi, kind, fit parameters, unit of the numbers.
    // kind "fit" names the parameters calibrated on the target (their sources in the model's
    // parameter table say how); "check": nothing was tuned on it.
    const std::string check = "check", fit = "fit";
    // What the shipped model lacks where it fails (shown with the failed target).
    const std::string integrate_missing =
        "a tip that thickens under the resistor's current limit over tens of ms: at 3 V through 10 MOhm a fresh device sets on pulse 1 "
        "and holds a one-atom tip where it stops dissolving, near V_GT(r_min), the same hold every pulse (1.5 uS); no series resistor "
        "changes that";
    static const std::vector<target> t{
        {"all_or_none.threshold_pulse", "pulse_response", 6, "5..7", "Fig. 2a-c", 5, 7, fit, {"h_init"}, "#pulse"},
        {"all_or_none.silent_below", "pulse_response", "no switching below threshold", "sub-threshold peaks < 10 % of the first response", "Fig. 2a-c", NAN, NAN, check, {}},
        {"all_or_none.full_response", "pulse_response", "similar on-state conductance", "max/min <= 2", "Fig. 2a-c", NAN, NAN, check, {}},
        {"integrate.rising", "pulse_growth", "conductance rises pulse to pulse", ">= 7 of 8 increments positive", "Fig. 2d-f", NAN, NAN, check, {}, "",
         integrate_missing},
        {"integrate.nonlinear", "pulse_growth", "nonlinear growth", "G9/G1 >= 3, not in one pulse", "Fig. 2d-f", NAN, NAN, check, {}, "",
         integrate_missing},
        {"integrate_and_fire.first_spike_package", "spikes_per_package", 8, "7..9", "Fig. 1b, 2g-i", 7, 9, fit, {"e_diss"}, "#package"},
        {"integrate_and_fire.first_spike_pulse", "spikes_per_package", "8 or 9", "7..10 in every spiking package", "Fig. 2g-i", NAN, NAN, fit, {"e_diss"}},
        {"integrate_and_fire.second_spike_pulse", "spikes_per_package", 14, "13..15", "Fig. 2g-i", NAN, NAN, fit, {"e_diss"}, "#pulse"},
        {"integrate_and_fire.refractory", "spikes_per_package", "returns to HRS after a spike",
         ">= 2 spikes; < 10 % before the next spike; no consecutive spikes", "Fig. 2g-i", NAN, NAN, fit, {"e_diss"}},
        {"integrate_and_fire.weak_offset", "single_spike_per_package", "fires once, no second spike",
         "a first spike in every package of >= 9 pulses; 0 second spikes", "Supp. Fig. 7", NAN, NAN, check, {}, "",
         "a recovery of the relaxed device that the negative sections drive: after a spike the model relaxes and re-fires 2-4 pulses "
         "later; a held contact sees 2-3 % of the base, so a tip that outlasts the -0.5 V sections outlasts -1 V too"},
        {"synapse.potentiation", "read_after_write", "rises after turn-on", "last 10 > first 10; >= 80 % increments >= 0", "Fig. 1d, 3", NAN, NAN, fit,
         {"kappa_th", "tau_th"}},
        {"synapse.depression", "read_after_write", "falls", "mirror of potentiation", "Fig. 3", NAN, NAN, fit, {"kappa_th", "de_sn"}},
        {"synapse.asymmetry", "read_after_write", "not symmetric", "mean read G >= 0.1 mS; normalised curves differ by > 5 %", "Fig. 3", NAN, NAN, check, {}},
        {"synapse.c2c_potentiation_std", "read_after_write", 15.97e-6, "5..50 uS, all five cycles and cycles 2-5", "Fig. 3e", 5e-06, 5e-05, check, {}, "S"},
        {"synapse.c2c_depression_std", "read_after_write", 10.86e-6, "3..35 uS, all five cycles and cycles 2-5", "Fig. 3e", 3e-06, 3.5e-05, fit, {"kappa_th"}, "S"},
        {"synapse.retention", "weight_retention", "weight kept", "first read >= 0.1 mS; within 10 % after 1e4 s",
         "Supp. Fig. 3", NAN, NAN, fit, {"de_sn"}},
        {"training.initial_vset_mean", "sweep_training", 0.77, "0.62..0.92 V", "Fig. 4a", 0.62, 0.92, fit, {"e_ag", "beta", "f_cluster"}, "V"},
        {"training.initial_vset_std", "sweep_training", 0.22, "0.12..0.35 V", "Fig. 4a", 0.12, 0.35, fit, {"sigma_e"}, "V"},
        {"training.nonvolatile_vset_mean", "sweep_training", 0.35, "0.25..0.45 V", "Fig. 4b", 0.25, 0.45, check, {}, "V"},
        {"training.nonvolatile_vset_std", "sweep_training", 0.03, "0.01..0.06 V", "Fig. 4b", 0.01, 0.06, fit, {"sigma_step"}, "V",
         "a larger cycle-to-cycle spread of the 1 mA neck's growth that keeps its retention: the facets' step energy (sigma_step) "
         "gives 12-14 mV over seeds 1-5; a spread that reaches the paper's 30 mV leaves some necks too thin to keep their filament"},
        {"training.trained_vset_mean", "sweep_training", 0.23, "0.16..0.30 V", "Fig. 4c", 0.16, 0.3, fit, {"gamma", "e_res"}, "V"},
        {"training.trained_vset_std", "sweep_training", 0.01, "0.003..0.03 V", "Fig. 4c", 0.003, 0.03, fit, {"sigma_tip"}, "V"},
        {"training.hrs_drop", "sweep_training", "about 10x", "3..30 x", "Fig. 4, Supp. Fig. 7", 3, 30, fit, {"h_s_max"}},
        {"training.volatile_blocks_volatile", "sweep_training", "negative branch at HRS", "every volatile cycle", "Fig. 4a, c", NAN, NAN, check, {}},
        {"training.nonvolatile_reset_gradual", "sweep_training", "gradual reset",
         "every NV cycle resets before its end, 90 % -> 10 % over >= 50 mV", "Fig. 4b", NAN, NAN, check, {}},
        {"switching.seven_alternations", "regime_blocks", "7 switches", "every block shows its regime; trained Vset kept", "Fig. 4d", NAN, NAN, fit,
         {"de_sn_sd"}},
        {"devices.initial_vset_mean", "pooled_vset", 1.2, "0.9..1.5 V", "Supp. Fig. 8", 0.9, 1.5, fit, {"f_cluster"}, "V"},
        {"devices.initial_vset_std", "pooled_vset", 0.53, "0.3..0.8 V", "Supp. Fig. 8", 0.3, 0.8, fit, {"e_ag (its device-to-device spread)"}, "V"},
        {"devices.trained_vset_mean", "pooled_vset", 0.2, "0.13..0.3 V", "Supp. Fig. 8", 0.13, 0.3, check, {}, "V"},
        {"devices.trained_vset_std", "pooled_vset", 0.03, "0.01..0.06 V", "Supp. Fig. 8", 0.01, 0.06, fit, {"sigma_tip"}, "V"},
        {"kinetics.exponential_delay", "delay_law", "exponential", "R^2 >= 0.95 over >= 3 decades", "Supp. Fig. 4", NAN, NAN, fit,
         {"f_cluster_c2c", "sigma_e"}},
        {"retention.volatile", "relaxation", "relaxes", "< 10 % within 1 s at 0 V", "Supp. Fig. 3", NAN, NAN, check, {}},
        // The paper's outlook (1T1R arrays, the transistor choosing the role): its training in a
        // 1T1R cell, and the overshoot a parasitic capacitance outside the limit gives.
        {"cell_1t1r.volatile_at_low_gate", "cell_training", "volatile at ~nA (Fig. 4a, c, by SMU)", "every low-gate cycle at HRS level on its negative branch",
         "Fig. 4, outlook", NAN, NAN, check, {}},
        {"cell_1t1r.nonvolatile_at_high_gate", "cell_training", "nonvolatile at ~mA (Fig. 4b, by SMU)", "every high-gate cycle keeps its filament into the negative branch",
         "Fig. 4, outlook", NAN, NAN, fit, {"de_sn_sd"}},
        {"cell_1t1r.training_vset_mean", "cell_training", "falls > 2x (0.77 -> 0.23 V)", "mean falls > 2x", "Fig. 4a, c", NAN, NAN, check, {}},
        {"cell_1t1r.training_vset_std", "cell_training", "falls > 7x (0.22 -> 0.01 V)", "std falls > 7x, trained std 3..30 mV", "Fig. 4a, c", NAN, NAN, check, {}},
        {"cell_1t1r.overshoot", "set_overshoot", "only the inner node's charge overshoots", "charge above the limit within 2x of C_drain x V_BL",
         "Ambrogio et al. 2016; Shrestha et al. 2018", NAN, NAN, check, {}},
        {"smu.parasitic_overshoot", "set_overshoot", "the parasitic capacitance discharges unlimited",
         "peak >= 10 x a 10 nA compliance; charge above it within 2x of C_p x the drop", "Ambrogio et al. 2016; Shrestha et al. 2018", 10, INFINITY, check, {}},
        // memlab's own checks of the outlook in an array (not the paper's numbers): each cell's
        // gate sets its role (array files; the roles by limit at 1.5 V on the drain: neuron
        // <= 100 nA, synapse >= 100 uA).
        {"array.role_by_gate", "array_roles", "the gate alone makes a cell a neuron or a synapse (outlook)",
         "after the same write, every neuron-gated cell < 10 % and every synapse-gated cell within 10 % of its read after >= 0.1 s at rest; "
         "a cell in both roles", "outlook; Fig. 4, Supp. Fig. 3", NAN, NAN, check, {}},
        {"array.neuron_spikes", "array_roles", "neuron cells fire (Fig. 2g-i)",
         "every neuron cell in every package drive: >= 2 spikes, < 10 % between them; no consecutive spikes in its first",
         "Fig. 2g-i, outlook", NAN, NAN, check, {}},
        {"array.synapse_retention", "array_roles", "synapse cells keep their weights (Supp. Fig. 3)",
         "every synapse cell >= 0.1 mS and within 10 % after >= 1e4 s at rest", "Supp. Fig. 3, outlook", NAN, NAN, check, {}},
        {"array.switched_cell", "array_roles", "one cell neuron -> synapse -> neuron by V_G (outlook)",
         "exactly one cell driven at both gates, no other; it spikes as a neuron before and after, and as a synapse keeps its weight within 10 % over its rest", "outlook", NAN, NAN, check, {}},
        // memlab's own checks of the networks the device is built into (not the paper's numbers):
        // the 597 test digits of the stated split through a 64 -> 10 softmax trained offline and
        // mapped onto the network (the software figure, 97.15 %, is the one the network goal quotes).
        {"network.mapped_digits_lif", "network_images", "0.9715 (a 64 -> 10 softmax in software)",
         "accuracy >= 0.95 on the 597 test digits, ideal LIF neurons and weights (the software baseline)", "outlook", 0.95, 1.0, check, {}, ""},
        {"network.mapped_digits_device", "network_images", "0.9715 (a 64 -> 10 softmax in software)",
         "accuracy >= 0.95 on the 597 test digits: every synapse of the 1T1R agsn pairs written by write-verify, agsn neurons (device mode)",
         "outlook", 0.95, 1.0, check, {}, ""},
        {"network.unsupervised_digits", "network_images", "0.844 (Brian2, ideal LIF neurons and synapses, Diehl & Cook style; the goal's reference)",
         "accuracy >= 0.85 on the 597 test digits after one epoch of unsupervised STDP by pulses on 64 x 100 1T1R agsn synapses with 100 agsn "
         "neurons and winner-take-all (device mode)",
         "outlook", 0.85, 1.0, check, {}, ""},
        {"diffusion.sn_slower_than_ag", "msd_diffusion", "D_Sn < D_Ag", "from MSD slopes, 5 samples each", "Supp. Fig. 2", NAN, NAN, check, {}},
    };
    return t;
}

json result::to_json() const {
    return {{"id", id},       {"paper", paper}, {"simulated", simulated}, {"unit", unit},   {"tolerance", tolerance}, {"pass", pass},
            {"kind", kind},   {"fit", fit},     {"experiment", experiment}, {"seed", seed}, {"note", note}, {"missing", missing}};
}

result result::from_json(const json& j) {
    result r;
    r.id = j.at("id");
    r.experiment = j.at("experiment");
    r.paper = j.at("paper");
    r.simulated = j.at("simulated");
    r.tolerance = j.at("tolerance");
    r.pass = j.at("pass");
    r.note = j.value("note", "");
    r.missing = j.value("missing", "");
    r.kind = j.value("kind", "");
    r.fit = j.value("fit", std::vector<std::string>{});
    r.unit = j.value("unit", "");
    r.seed = j.at("seed");
    return r;
}

std::vector<result> evaluate_five_devices(const protocol::experiment& e, const std::vector<io::memory_trace>& traces) {
    const auto roles = training_roles(e);  // initial and trained volatile blocks only
    std::vector<double> initial, trained;
    for (const auto& tr : traces)
        for (auto [blk, out] : {std::pair{roles[0], &initial}, std::pair{roles[2], &trained}}) {
            const auto v = block_samples(tr, *blk);
            const auto vs = analysis::vset_per_cycle(v.t, v.v, v.i, blk->compliance, blk->period);
            out->insert(out->end(), vs.begin(), vs.end());
        }
    const auto si = analysis::statistics(initial), st = analysis::statistics(trained);
    const std::string how = fmt::format("Vset per cycle pooled over {} devices x {} cycles (d2d draws, seeded)", traces.size(), e.blocks[0].cycles);
    return {make("devices.initial_vset_mean", rounded(si.mean), within("devices.initial_vset_mean", si.mean), how, e),
            make("devices.initial_vset_std", rounded(si.std), within("devices.initial_vset_std", si.std), how, e),
            make("devices.trained_vset_mean", rounded(st.mean), within("devices.trained_vset_mean", st.mean), how, e),
            make("devices.trained_vset_std", rounded(st.std), within("devices.trained_vset_std", st.std), how, e)};
}

namespace {
using evaluator_fn = std::vector<result> (*)(const protocol::experiment&, const std::vector<io::memory_trace>&);
template <std::vector<result> (*F)(const protocol::experiment&, const io::memory_trace&)>
std::vector<result> first_device(const protocol::experiment& e, const std::vector<io::memory_trace>& traces) {
    return F(e, traces.front());
}
const std::map<std::string, evaluator_fn>& evaluator_table() {
    static const std::map<std::string, evaluator_fn> m{
        {"pulse_response", first_device<evaluate_all_or_none>},
        {"pulse_growth", first_device<evaluate_integrate>},
        {"spikes_per_package", first_device<evaluate_if>},
        {"single_spike_per_package", first_device<evaluate_weak_offset>},
        {"read_after_write", first_device<evaluate_synapse>},
        {"weight_retention", first_device<evaluate_retention_nonvolatile>},
        {"relaxation", first_device<evaluate_retention_volatile>},
        {"sweep_training", first_device<evaluate_training>},
        {"regime_blocks", first_device<evaluate_switching>},
        {"pooled_vset", evaluate_five_devices},
        {"delay_law", first_device<evaluate_set_delay>},
        {"cell_training", first_device<evaluate_cell_training>},
        {"set_overshoot", first_device<evaluate_overshoot>},
    };
    return m;
}
// What kind of file a target is evaluated from, for the error naming a target in the wrong file.
std::string source_of(const target& t) {
    if (t.evaluator == "array_roles") return "an array file";
    if (t.evaluator == "msd_diffusion") return "a molecular-dynamics run";
    if (t.evaluator == "network_images") return "a network file";
    return "a circuit";
}

// A file's experiment.targets: every id known, listed once, and of the file's kind (`wrong`: why
// a target is not, or empty).
void check_ids(const std::string& file, const std::vector<std::string>& ids, const std::function<std::string(const target&)>& wrong) {
    std::set<std::string> seen;
    for (const auto& id : ids) {
        const auto& all = all_targets();
        const auto it = std::find_if(all.begin(), all.end(), [&](const target& t) { return t.id == id; });
        if (it == all.end()) throw input_error(fmt::format("{}: experiment.targets: unknown target '{}' (docs/targets.md lists them)", file, id));
        if (const auto why = wrong(*it); !why.empty()) throw input_error(fmt::format("{}: experiment.targets: '{}' {}", file, id, why));
        if (!seen.insert(id).second) throw input_error(fmt::format("{}: experiment.targets: '{}' is listed twice", file, id));
    }
}
}  // namespace

void check_targets(const protocol::experiment& e) {
    check_ids(e.file, e.targets, [](const target& t) -> std::string {
        if (evaluator_table().count(t.evaluator)) return "";
        return fmt::format("is evaluated from {}, not a circuit", source_of(t));
    });
}

std::vector<result> evaluate(const protocol::experiment& e, const std::vector<io::memory_trace>& traces) {
    check_targets(e);
    if (traces.empty() || e.targets.empty()) return {};
    // Each evaluator the listed targets need runs once; its results for targets the file does not
    // list are dropped.
    std::vector<std::string> needed;
    for (const auto& t : all_targets())
        if (std::count(e.targets.begin(), e.targets.end(), t.id) && std::find(needed.begin(), needed.end(), t.evaluator) == needed.end())
            needed.push_back(t.evaluator);
    std::vector<result> out;
    for (const auto& name : needed)
        for (auto& r : evaluator_table().at(name)(e, traces))
            if (std::count(e.targets.begin(), e.targets.end(), r.id)) out.push_back(std::move(r));
    return out;
}

// ---- arrays: roles by gate ----
namespace {

enum class role { neuron, synapse, other };
const char* role_name(role r) { return r == role::neuron ? "neuron" : r == role::synapse ? "synapse" : "other"; }

struct array_view {
    const array::experiment& e;
    std::map<std::string, const array::map*> maps;
    const array::map& at(const std::string& name) const {
        const auto it = maps.find(name);
        if (it == maps.end()) throw internal_error("array run without map " + name);
        return *it->second;
    }
    // The role a gate level gives: the transistor's limit with 1.5 V on its drain (the paper's
    // sweep top; mosfet::limit): neuron <= 100 nA (the paper's 10 nA regime), synapse >= 100 uA (1 mA).
    role of(double gate) const {
        const double i = e.array.transistor->limit(gate, 1.5);
        return i <= 100e-9 ? role::neuron : i >= 100e-6 ? role::synapse : role::other;
    }
};

std::string cell_text(std::size_t r, std::size_t c) { return fmt::format("({}, {})", r, c); }

// A drive of pulse packages on a negative base (Fig. 2g-i: the base returns a fired cell to HRS).
bool package_drive(const array::operation& op) {
    const auto* pl = dynamic_cast<const stimulus::pulse_list*>(op.waveform.get());
    return pl && pl->base() < 0 && pl->pulses().size() >= 2;
}
bool reaches(const array::operation& op, std::size_t c) {
    return op.columns.empty() || std::find(op.columns.begin(), op.columns.end(), c) != op.columns.end();
}

}  // namespace

void check_targets(const array::experiment& e) {
    check_ids(e.file, e.targets, [](const target& t) -> std::string {
        return t.evaluator == "array_roles" ? "" : fmt::format("is evaluated from {}, not an array", source_of(t));
    });
    if (!e.targets.empty() && e.array.cell != array::cell_type::t1r1)
        throw input_error(fmt::format("{}: experiment.targets: the array targets need 1T1R cells (a role per gate)", e.file));
}

std::vector<result> evaluate(const array::experiment& e, const array::result& run) {
    check_targets(e);
    if (e.targets.empty()) return {};
    array_view v{e, {}};
    for (const auto& m : run.maps) v.maps[m.name] = &m.values;
    const std::size_t R = e.array.rows, C = e.array.cols;
    const auto& ops = e.operations;
    // Each cell's role at every operation, from the gate levels in force (0 V before any gate).
    std::vector<std::vector<double>> gates(ops.size());
    {
        std::vector<double> g(e.array.word_line_count(), 0.0);
        for (std::size_t i = 0; i < ops.size(); ++i) {
            if (ops[i].k == array::operation::kind::gate) g = ops[i].gates;
            gates[i] = g;
        }
    }
    const auto role_at = [&](std::size_t i, std::size_t r, std::size_t c) { return v.of(gates[i][e.array.word_line_of(r, c)]); };

    // Spikes: every neuron cell in every package drive that reaches it.
    struct spiking {
        std::size_t op, r, c, spikes, consecutive;
        double refractory;
        bool first;  // the cell's first package drive
    };
    std::vector<spiking> sp;
    std::set<std::pair<std::size_t, std::size_t>> driven_before;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        if (ops[i].k != array::operation::kind::drive || !package_drive(ops[i])) continue;
        const auto& L = ops[i].label;
        for (std::size_t r = 0; r < R; ++r)
            for (std::size_t c = 0; c < C; ++c)
                if (reaches(ops[i], c) && role_at(i, r, c) == role::neuron)
                    sp.push_back({i, r, c, static_cast<std::size_t>(v.at(L + "_responses")(r, c)), static_cast<std::size_t>(v.at(L + "_consecutive")(r, c)),
                                  v.at(L + "_refractory")(r, c), driven_before.insert({r, c}).second});
    }
    const auto spikes_ok = [](const spiking& x) { return x.spikes >= 2 && x.refractory < 0.1 && (!x.first || x.consecutive == 0); };

    // Role by gate: a write (a drive that is not a package drive: no base to return a cell to
    // HRS), a read, a rest of >= 0.1 s, a read; every cell the write reached.
    struct kept {
        std::size_t op, r, c;
        role ro;
        double before, after, rest;
    };
    std::vector<kept> keep;
    for (std::size_t i = 0; i + 3 < ops.size(); ++i) {
        const auto& d = ops[i];
        if (d.k != array::operation::kind::drive || package_drive(d) || ops[i + 1].k != array::operation::kind::read || ops[i + 2].k != array::operation::kind::rest ||
            ops[i + 3].k != array::operation::kind::read || ops[i + 2].duration < 0.1)
            continue;
        const auto& a = v.at(ops[i + 1].label);
        const auto& b = v.at(ops[i + 3].label);
        for (std::size_t r = 0; r < R; ++r)
            for (std::size_t c = 0; c < C; ++c)
                if (reaches(d, c)) keep.push_back({i, r, c, role_at(i, r, c), a(r, c), b(r, c), ops[i + 2].duration});
    }
    const auto kept_ok = [](const kept& k) {
        const double q = k.after / k.before;
        if (k.ro == role::neuron) return q < 0.1;
        if (k.ro == role::synapse) return std::fabs(q - 1) <= 0.1 && k.before >= 1e-4;
        return false;
    };

    std::vector<result> out;
    const auto add = [&](const std::string& id, json simulated, bool pass, const std::string& note) {
        if (std::count(e.targets.begin(), e.targets.end(), id)) out.push_back(make(id, std::move(simulated), pass, note, e.seed, e.name));
    };
    {
        std::size_t good = 0, neurons = 0, synapses = 0;
        std::set<std::pair<std::size_t, std::size_t>> as_neuron, as_synapse;
        std::string detail;
        double worst_n = 0, worst_s = 0;
        for (const auto& k : keep) {
            good += kept_ok(k);
            if (k.ro == role::neuron) ++neurons, as_neuron.insert({k.r, k.c}), worst_n = std::max(worst_n, k.after / k.before);
            if (k.ro == role::synapse) ++synapses, as_synapse.insert({k.r, k.c}), worst_s = std::max(worst_s, std::fabs(k.after / k.before - 1));
            if (!kept_ok(k))
                detail += fmt::format("; {} {} after {}: {} -> {}", role_name(k.ro), cell_text(k.r, k.c), ops[k.op].label, units::format(k.before, "S"),
                                      units::format(k.after, "S"));
        }
        std::size_t both = 0;
        for (const auto& x : as_neuron) both += as_synapse.count(x);
        add("array.role_by_gate", fmt::format("{} of {} cells as their gate says; {} cell(s) in both roles", good, keep.size(), both),
            !keep.empty() && good == keep.size() && neurons > 0 && synapses > 0 && both > 0,
            fmt::format("read after a write (a drive without a negative base), then after a rest of >= 0.1 s (0.1 V reads): neuron-gated cells (limit <= 100 nA at 1.5 V) keep at most "
                        "{:.3g} of their read, synapse-gated ones (>= 100 uA) change by at most {:.2g} %; {} neuron and {} synapse cases{}",
                        worst_n, 100 * worst_s, neurons, synapses, detail));
    }
    {
        std::size_t good = 0;
        std::string detail;
        double worst = 0;
        for (const auto& x : sp) {
            good += spikes_ok(x);
            if (std::isfinite(x.refractory)) worst = std::max(worst, x.refractory);
            detail += fmt::format("; {} {}: {} spikes{}", ops[x.op].label, cell_text(x.r, x.c), x.spikes,
                                  x.consecutive ? fmt::format(" ({} on the pulse after a spike)", x.consecutive) : "");
        }
        add("array.neuron_spikes", fmt::format("{} of {} neuron cells in package drives fire", good, sp.size()), !sp.empty() && good == sp.size(),
            fmt::format("a spike: the device current reaches half the cell's limit in a pulse (drive_result); largest conductance between spikes "
                        "over the spike's {:.3g}{}", worst, detail));
    }
    {
        std::size_t good = 0, n = 0;
        std::string detail;
        double worst = 0, least = INFINITY, longest = 0;
        for (std::size_t i = 1; i + 1 < ops.size(); ++i) {
            if (ops[i].k != array::operation::kind::rest || ops[i].duration < 1e4 || ops[i - 1].k != array::operation::kind::read ||
                ops[i + 1].k != array::operation::kind::read)
                continue;
            longest = std::max(longest, ops[i].duration);
            const auto& a = v.at(ops[i - 1].label);
            const auto& b = v.at(ops[i + 1].label);
            for (std::size_t r = 0; r < R; ++r)
                for (std::size_t c = 0; c < C; ++c) {
                    if (role_at(i, r, c) != role::synapse) continue;
                    ++n;
                    const double q = std::fabs(b(r, c) / a(r, c) - 1);
                    const bool ok = a(r, c) >= 1e-4 && q <= 0.1;
                    good += ok;
                    worst = std::max(worst, q);
                    least = std::min(least, a(r, c));
                    if (!ok) detail += fmt::format("; {} {} -> {}", cell_text(r, c), units::format(a(r, c), "S"), units::format(b(r, c), "S"));
                }
        }
        add("array.synapse_retention", n ? json(fmt::format("{} of {} synapse cells kept (worst change {:.2g} %)", good, n, 100 * worst)) : json("no rest of >= 1e4 s"),
            n > 0 && good == n,
            fmt::format("0.1 V reads before and after a rest of {} at 0 V with every gate at its level; least weight {}{}", units::format(longest, "s"),
                        std::isfinite(least) ? units::format(least, "S") : "none", detail));
    }
    {
        // One cell changed role: the drives that reached it found it at a neuron's gate and at a
        // synapse's, and no other cell was reached at both. That cell fires as a neuron, keeps a
        // weight as a synapse, then fires again.
        std::map<std::pair<std::size_t, std::size_t>, std::set<role>> reached;
        for (std::size_t i = 0; i < ops.size(); ++i)
            if (ops[i].k == array::operation::kind::drive)
                for (std::size_t r = 0; r < R; ++r)
                    for (std::size_t c = 0; c < C; ++c)
                        if (reaches(ops[i], c)) reached[{r, c}].insert(role_at(i, r, c));
        std::vector<std::pair<std::size_t, std::size_t>> changed;
        for (const auto& [cell, roles] : reached)
            if (roles.count(role::neuron) && roles.count(role::synapse)) changed.push_back(cell);
        std::vector<std::string> switched, changed_text;
        std::string detail;
        for (const auto& [r, c] : changed) {
            changed_text.push_back(cell_text(r, c));
            std::size_t stage = 0;  // 0: looking for spikes, 1: a kept weight, 2: spikes again, 3: done
            std::vector<std::string> how;
            std::vector<std::pair<std::size_t, int>> events;  // op index, 0 spikes / 1 kept
            for (const auto& x : sp)
                if (x.r == r && x.c == c && spikes_ok(x)) events.push_back({x.op, 0});
            for (const auto& k : keep)
                if (k.r == r && k.c == c && k.ro == role::synapse && kept_ok(k)) events.push_back({k.op, 1});
            std::sort(events.begin(), events.end());
            for (const auto& [i, kind] : events) {
                if ((stage == 0 || stage == 2) && kind == 0) how.push_back(ops[i].label + " fires"), ++stage;
                else if (stage == 1 && kind == 1) how.push_back(ops[i].label + " kept"), ++stage;
            }
            if (stage >= 3) switched.push_back(cell_text(r, c));
            detail += fmt::format("; {}: {}", cell_text(r, c), how.empty() ? std::string("neither fires nor keeps") : fmt::format("{}", fmt::join(how, ", ")));
        }
        std::string sim;
        if (changed.empty()) sim = "no cell reached by drives at both gates";
        else if (changed.size() > 1) sim = fmt::format("{} cells changed role: {}", changed.size(), fmt::join(changed_text, " "));
        else sim = fmt::format("{} alone changed role{}", changed_text[0], switched.empty() ? " (neuron -> synapse -> neuron not shown)" : "; no other cell did");
        add("array.switched_cell", sim, changed.size() == 1 && switched.size() == 1,
            "exactly one cell is reached by drives at both a neuron's and a synapse's gate (every other cell keeps the role of its gate throughout), and that "
            "cell shows a neuron's spikes (array.neuron_spikes' test), then a synapse's kept weight (array.role_by_gate's test), then spikes again; "
            "the gate the only change" + detail);
    }
    return out;
}

void check_targets(const network::experiment& e) {
    check_ids(e.file, e.targets, [](const target& t) -> std::string {
        return t.evaluator == "network_images" ? "" : fmt::format("is evaluated from {}, not a network", source_of(t));
    });
    if (!e.targets.empty() && e.labels.empty())
        throw input_error(fmt::format("{}: experiment.targets: the network targets need digits presented (network.input.kind = \"digits\")", e.file));
}

std::vector<result> evaluate(const network::experiment& e, const network::run_result& r) {
    check_targets(e);
    // The accuracy on the images shown; the targets are the whole test set of the stated split.
    const auto& in = e.resolved["network"]["input"];
    const bool digits = in.value("kind", "") == "digits", test = in.value("set", "") == "test";
    const std::size_t shown = e.labels.size();
    const bool whole = digits && test && in.value("split_seed", 1) == 1 && in.value("train", 1200) == 1200 && shown == 597;
    const double accuracy = r.metrics.value("accuracy", NAN);
    const std::size_t right = r.metrics.value("correct", std::size_t{0}), silent = r.metrics.value("silent", std::size_t{0});
    std::string shown_note = fmt::format("{} of {} {} {} digits right by spike count ({} silent)", right, shown, digits ? "sklearn" : "non-digit",
                                         test ? "test" : "training", silent);
    if (!whole) shown_note += "; fails: not the 597 test digits of the stated split (split_seed 1, 1200 training images)";
    std::vector<result> out;
    for (const auto& id : e.targets) {
        std::string note = shown_note;
        bool as_stated = whole;
        if (id == "network.mapped_digits_device") {
            // The device network's synapses as written by write-verify, every one within its tolerance.
            const auto& p = r.metrics.contains("program") ? r.metrics["program"] : nlohmann::json::object();
            const std::size_t cells = p.value("cells", std::size_t{0}), converged = p.value("converged", std::size_t{0});
            const bool programmed = e.m == network::mode::device && cells > 0 && converged == cells;
            if (cells > 0) note += fmt::format("; {} of {} synapses written within tolerance by write-verify", converged, cells);
            if (!programmed) note += "; fails: not a device-mode network whose every synapse was written by write-verify";
            as_stated = as_stated && programmed;
        }
        if (id == "network.unsupervised_digits") {
            // Learned on the device: 64 x 100 synapses, 100 neurons, one epoch of every training image.
            const bool learned = e.learning && e.device.inputs == 64 && e.device.neurons == 100 && e.train.count() == 1200 &&
                                 r.learning.post_pulses > 0;
            note += fmt::format("; {} training images learned by {} post pulses, {} neurons labelled", e.train.count(), r.learning.post_pulses,
                                std::count_if(r.learning.labels.begin(), r.learning.labels.end(), [](int c) { return c >= 0; }));
            if (!learned) note += "; fails: not a device-mode network of 64 x 100 synapses and 100 neurons that learned the 1200 training images";
            as_stated = as_stated && learned;
        }
        out.push_back(make(id, rounded(accuracy, 4), as_stated && within(id, accuracy), note, e.seed, e.name));
    }
    return out;
}

std::vector<result> evaluate(const md::diffusion_experiment& e, const md::diffusion_result& r) {
    // D_Sn < D_Ag over the samples (means), with each sample's pair (same glass, same site) and the
    // glass network's own mobility in the note: a trajectory too short for Ag to leave its cage
    // shows as an Ag D near the network's.
    const bool has = std::count(e.ions.begin(), e.ions.end(), "Ag") && std::count(e.ions.begin(), e.ions.end(), "Sn");
    if (!has || std::find(e.temperatures.begin(), e.temperatures.end(), e.temperature) == e.temperatures.end()) return {};
    std::map<std::size_t, std::map<std::string, double>> by_sample;
    std::vector<double> ag, sn, network;
    for (const auto& x : r.runs) {
        if (x.temperature != e.temperature) continue;  // the paper's comparison is at one temperature
        by_sample[x.sample][x.ion] = x.fit.coefficient;
        if (x.ion == "Ag") ag.push_back(x.fit.coefficient);
        if (x.ion == "Sn") sn.push_back(x.fit.coefficient);
        network.push_back(x.network_fit.coefficient);
    }
    const auto a = analysis::statistics(ag), s = analysis::statistics(sn), n = analysis::statistics(network);
    std::size_t slower = 0, pairs = 0;
    for (const auto& [k, d] : by_sample)
        if (d.count("Ag") && d.count("Sn") && std::isfinite(d.at("Ag")) && std::isfinite(d.at("Sn"))) {
            ++pairs;
            slower += d.at("Sn") < d.at("Ag");
        }
    // The target's own condition: the comparison over at least the paper's five samples per ion.
    const bool enough = a.n >= 5 && s.n >= 5;
    const bool pass = enough && s.mean < a.mean;
    const double ratio = s.mean / a.mean;
    const std::string note = fmt::format(
        "D (m^2/s, MSD slope/6 over lags {:.0f}-{:.0f} % of {}, mean +- s.e. over {} samples): Ag {:.3g} +- {:.2g}, Sn {:.3g} +- {:.2g} "
        "(medians {:.2g} and {:.2g}); Sn slower in {} of {} paired samples (same glass, same site); glass network (Si) {:.2g}; "
        "{} atoms per sample at {}",
        100 * e.fit_from, 100 * e.fit_to, units::format(e.production_time, "s"), a.n, a.mean, analysis::standard_error(a), s.mean, analysis::standard_error(s), analysis::median(ag),
        analysis::median(sn), slower, pairs, n.mean, 3 * e.formula_units + 1, fmt::format("{:g} K", e.temperature));
    return {make("diffusion.sn_slower_than_ag", rounded(ratio, 3), pass,
                 note + "; simulated = D_Sn / D_Ag" + (enough ? "" : "; fails: fewer than the 5 samples per ion the target asks for"), e.seed, e.name)};
}

std::vector<result> complete(std::vector<result> evaluated, const std::string& why_missing,
                             const std::map<std::string, std::string>& why_by_experiment,
                             const std::map<std::string, std::string>& experiment_of) {
    std::set<std::string> have;
    for (const auto& r : evaluated) have.insert(r.id);
    std::vector<result> out;
    for (const auto& t : all_targets()) {
        const auto it = std::find_if(evaluated.begin(), evaluated.end(), [&](const result& r) { return r.id == t.id; });
        if (it != evaluated.end()) {
            out.push_back(*it);
            continue;
        }
        result r;
        r.id = t.id;
        r.experiment = experiment_of.count(t.id) ? experiment_of.at(t.id) : "";
        r.paper = t.paper;
        r.tolerance = t.tolerance;
        r.kind = t.kind;
        r.fit = t.fit;
        r.unit = t.unit;
        r.simulated = nullptr;
        if (why_by_experiment.count(r.experiment))
            r.note = "not run: " + why_by_experiment.at(r.experiment);
        else
            r.note = fmt::format("not run: {}", why_missing);
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace memlab::report
