#include "memlab/network/network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "memlab/error.hpp"
#include "memlab/network/data.hpp"
#include "memlab/util/rng.hpp"

namespace memlab::network {
namespace {

// Brian2's timestep(t, dt): whole steps in t, a multiple of dt never falling into the step before.
std::int64_t timestep(double t, double dt) { return static_cast<std::int64_t>(std::floor((t + 1e-3 * dt) / dt)); }

}  // namespace

void check(const lif_spec& s) {
    const auto need = [](bool ok, const char* what) {
        if (!ok) throw input_error(fmt::format("network: {}", what));
    };
    need(s.inputs > 0, "inputs: must be at least 1");
    need(s.neurons > 0, "neurons: must be at least 1");
    need(s.weight.rows == s.inputs && s.weight.cols == s.neurons, "synapse.weight: must be inputs x neurons");
    need(std::isfinite(s.neuron.tau) && s.neuron.tau > 0, "neuron.tau: must be positive");
    need(std::isfinite(s.neuron.refractory) && s.neuron.refractory >= 0, "neuron.refractory: must not be negative");
    need(std::isfinite(s.neuron.v_rest) && std::isfinite(s.neuron.v_reset) && std::isfinite(s.neuron.v_threshold) &&
             std::isfinite(s.neuron.bias),
         "neuron: potentials must be finite");
    need(std::isfinite(s.dt) && s.dt > 0, "dt: must be positive");
    need(std::isfinite(s.duration) && s.duration > 0, "duration: must be positive");
    need(std::isfinite(s.inhibition), "inhibition.weight: must be finite");
    for (double w : s.weight.v) need(std::isfinite(w), "synapse.weight: must be finite");
}

lif_result simulate_lif(const lif_spec& s, const input_spikes& in) {
    check(s);
    const std::size_t n = s.neurons;
    const auto& p = s.neuron;
    const std::int64_t steps = timestep(s.duration, s.dt);
    const std::int64_t refractory_steps = timestep(p.refractory, s.dt);
    // Exact integration over one step, written as Brian2's exact integrator writes it (the same
    // operations in the same order): v' = bias + v E + v_rest + (-bias - v_rest) E, where E is
    // exp(-dt/tau) for a neuron that integrates and exp(0) = 1 for one held refractory.
    const double decay = std::exp(-s.dt / p.tau);
    const double rest = -p.bias - p.v_rest;

    std::vector<double> v(n, p.v_rest);
    constexpr std::int64_t never = std::numeric_limits<std::int64_t>::min() / 2;
    std::vector<std::int64_t> last(n, never);  // step of the last spike
    std::vector<std::size_t> fired, rows;
    std::vector<double> gain(n, 1.0);
    lif_result r;
    r.counts.assign(n, 0);

    // Inputs sorted by step, rows ascending within a step (the order Brian2 propagates them in).
    std::vector<std::pair<std::int64_t, std::size_t>> events;
    events.reserve(in.size());
    for (std::size_t k = 0; k < in.size(); ++k) {
        if (in.row[k] >= s.inputs) throw input_error(fmt::format("network: input spike {} on row {}, the network has {} rows", k, in.row[k], s.inputs));
        const std::int64_t step = timestep(in.time[k], s.dt);
        if (step >= 0 && step < steps) events.emplace_back(step, in.row[k]);
    }
    std::sort(events.begin(), events.end());
    std::size_t next = 0;
    std::vector<std::int64_t> reset_steps;
    for (double x : s.resets) reset_steps.push_back(timestep(x, s.dt));
    std::sort(reset_steps.begin(), reset_steps.end());
    std::size_t next_reset = 0;

    for (std::int64_t t = 0; t < steps; ++t) {
        if (next_reset < reset_steps.size() && reset_steps[next_reset] == t) {
            std::fill(v.begin(), v.end(), p.v_rest);
            std::fill(last.begin(), last.end(), never);
            while (next_reset < reset_steps.size() && reset_steps[next_reset] == t) ++next_reset;
        }
        // State update.
        for (std::size_t j = 0; j < n; ++j) {
            const bool free = t - last[j] >= refractory_steps;
            const double e = free ? decay : 1.0;
            v[j] = p.bias + v[j] * e + p.v_rest + rest * e;
        }
        // Threshold.
        fired.clear();
        for (std::size_t j = 0; j < n; ++j)
            if (v[j] > p.v_threshold && t - last[j] >= refractory_steps) {
                fired.push_back(j);
                last[j] = t;
            }
        // Synaptic propagation: inputs of this step, then the inhibition of this step's spikes.
        rows.clear();
        while (next < events.size() && events[next].first == t) {
            if (!rows.empty() && rows.back() == events[next].second)
                throw input_error(fmt::format("network: row {} spikes twice in the step at {:g} s (one spike per row and step)",
                                              rows.back(), static_cast<double>(t) * s.dt));
            rows.push_back(events[next].second);
            ++next;
        }
        // A refractory neuron's potential is held: what arrives while it is held is lost (Brian2's
        // conditional write of a variable marked "unless refractory").
        // (v + 0 w is v exactly, and 1 w is w: the same sums as a branch, in a loop the compiler
        // can vectorise.)
        if (refractory_steps > 0) {
            for (std::size_t j = 0; j < n; ++j) gain[j] = t - last[j] >= refractory_steps ? 1.0 : 0.0;
            for (std::size_t i : rows) {
                const double* w = &s.weight.v[i * n];
                for (std::size_t j = 0; j < n; ++j) v[j] += gain[j] * w[j];
            }
        } else {
            for (std::size_t i : rows) {
                const double* w = &s.weight.v[i * n];
                for (std::size_t j = 0; j < n; ++j) v[j] += w[j];
            }
        }
        r.synaptic_events += rows.size() * n;
        if (s.inhibition != 0 && n > 1) {
            for (std::size_t k : fired)
                for (std::size_t j = 0; j < n; ++j)
                    if (j != k && t - last[j] >= refractory_steps) v[j] += s.inhibition;
            r.synaptic_events += fired.size() * (n - 1);
        }
        // Reset, and the record.
        for (std::size_t j : fired) {
            v[j] = p.v_reset;
            ++r.counts[j];
            r.out.neuron.push_back(j);
            r.out.time.push_back(static_cast<double>(t) * s.dt);
        }
    }
    r.steps = static_cast<std::uint64_t>(steps);
    return r;
}

input_spikes encode_rates(const image_set& images, double rate_max, double bias_rate, double presentation, double rest, double dt,
                          std::uint64_t seed, std::vector<double>& starts) {
    if (!(rate_max >= 0 && rate_max * dt <= 1)) throw input_error(fmt::format("network.input.rate: {:g} Hz is not in [0, 1/dt]", rate_max));
    if (!(bias_rate >= 0 && bias_rate * dt <= 1)) throw input_error(fmt::format("network.input.bias_rate: {:g} Hz is not in [0, 1/dt]", bias_rate));
    if (!(presentation > 0) || !(rest >= 0)) throw input_error("network.input: presentation must be positive, rest not negative");
    util::rng g(seed);
    input_spikes in;
    starts.clear();
    const std::int64_t per = timestep(presentation, dt), gap = timestep(rest, dt);
    const bool bias = bias_rate > 0;
    std::vector<double> p(images.size + (bias ? 1 : 0));
    for (std::size_t n = 0; n < images.count(); ++n) {
        const std::int64_t first = static_cast<std::int64_t>(n) * (per + gap);
        starts.push_back(static_cast<double>(first) * dt);
        for (std::size_t k = 0; k < images.size; ++k) p[k] = rate_max * images.pixels[n * images.size + k] / images.max_value * dt;
        if (bias) p.back() = bias_rate * dt;
        for (std::int64_t t = first; t < first + per; ++t)
            for (std::size_t k = 0; k < p.size(); ++k)
                if (p[k] > 0 && g.uniform() < p[k]) {
                    in.row.push_back(k);
                    in.time.push_back(static_cast<double>(t) * dt);
                }
    }
    return in;
}

classification classify(const spikes& out, std::size_t neurons, const std::vector<double>& starts, double window) {
    classification c;
    c.counts = matrix(starts.size(), neurons);
    std::vector<double> first(starts.size() * neurons, std::numeric_limits<double>::infinity());
    std::size_t n = 0;
    for (std::size_t k = 0; k < out.size(); ++k) {
        const double t = out.time[k];
        while (n + 1 < starts.size() && t >= starts[n + 1]) ++n;
        if (starts.empty() || t < starts[n] || t >= starts[n] + window) continue;
        c.counts(n, out.neuron[k]) += 1;
        first[n * neurons + out.neuron[k]] = std::min(first[n * neurons + out.neuron[k]], t);
    }
    for (std::size_t i = 0; i < starts.size(); ++i) {
        int best = -1;
        for (std::size_t j = 0; j < neurons; ++j) {
            if (c.counts(i, j) == 0) continue;
            if (best < 0 || c.counts(i, j) > c.counts(i, static_cast<std::size_t>(best)) ||
                (c.counts(i, j) == c.counts(i, static_cast<std::size_t>(best)) &&
                 first[i * neurons + j] < first[i * neurons + static_cast<std::size_t>(best)]))
                best = static_cast<int>(j);
        }
        c.predicted.push_back(best);
    }
    return c;
}

input_spikes poisson(const std::vector<double>& rate, double dt, double duration, std::uint64_t seed) {
    if (!(dt > 0) || !(duration > 0)) throw input_error("network.input: dt and duration must be positive");
    for (double x : rate)
        if (!(x >= 0) || !(x * dt <= 1)) throw input_error(fmt::format("network.input.rate: {:g} Hz is not in [0, 1/dt]", x));
    util::rng g(seed);
    input_spikes in;
    const std::int64_t steps = timestep(duration, dt);
    for (std::int64_t t = 0; t < steps; ++t)
        for (std::size_t i = 0; i < rate.size(); ++i)
            if (g.uniform() < rate[i] * dt) {
                in.row.push_back(i);
                in.time.push_back(static_cast<double>(t) * dt);
            }
    return in;
}

}  // namespace memlab::network
