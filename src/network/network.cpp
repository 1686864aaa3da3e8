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

lif_result simulate_lif(const lif_spec& s, const input_source& source) {
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

    // The current chunk of inputs, sorted by step, rows ascending within a step (the order Brian2
    // propagates them in); the next chunk is taken when it is used up.
    std::vector<std::pair<std::int64_t, std::size_t>> events;
    input_spikes chunk;
    bool more = true;
    std::size_t taken = 0;  // input spikes before this chunk
    auto take_chunk = [&](std::int64_t now) {
        events.clear();
        while (events.empty() && more) {
            chunk.row.clear();
            chunk.time.clear();
            more = source(chunk);
            if (!more) break;
            for (std::size_t k = 0; k < chunk.size(); ++k) {
                if (chunk.row[k] >= s.inputs)
                    throw input_error(fmt::format("network: input spike {} on row {}, the network has {} rows", taken + k, chunk.row[k], s.inputs));
                const std::int64_t step = timestep(chunk.time[k], s.dt);
                if (step >= 0 && step < steps) events.emplace_back(step, chunk.row[k]);
            }
            taken += chunk.size();
            std::sort(events.begin(), events.end());
            if (!events.empty() && events.front().first < now)
                throw internal_error("network: an input chunk begins in a step already run");
        }
    };
    take_chunk(0);
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
        while (true) {
            if (next == events.size()) {
                if (!more) break;
                take_chunk(t);
                next = 0;
                if (events.empty()) break;
            }
            if (events[next].first != t) break;
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

lif_result simulate_lif(const lif_spec& s, const input_spikes& in) {
    bool given = false;
    return simulate_lif(s, [&](input_spikes& chunk) {
        if (given) return false;
        chunk = in;
        given = true;
        return true;
    });
}

rate_encoder::rate_encoder(const image_set& images, const rate_coding& c) : images_(images), c_(c), g_(c.seed) {
    if (!(c.rate_max >= 0 && c.rate_max * c.dt <= 1)) throw input_error(fmt::format("network.input.rate: {:g} Hz is not in [0, 1/dt]", c.rate_max));
    if (!(c.bias_rate >= 0 && c.bias_rate * c.dt <= 1))
        throw input_error(fmt::format("network.input.bias_rate: {:g} Hz is not in [0, 1/dt]", c.bias_rate));
    if (!(c.presentation > 0) || !(c.rest >= 0)) throw input_error("network.input: presentation must be positive, rest not negative");
    per_ = timestep(c.presentation, c.dt);
    gap_ = timestep(c.rest, c.dt);
    p_.assign(images.size + (c.bias_rate > 0 ? 1 : 0), 0.0);
}

std::vector<double> rate_encoder::starts() const {
    std::vector<double> out;
    for (std::size_t n = 0; n < images_.count(); ++n) out.push_back(static_cast<double>(static_cast<std::int64_t>(n) * (per_ + gap_)) * c_.dt);
    return out;
}

bool rate_encoder::next(input_spikes& in) {
    in.row.clear();
    in.time.clear();
    if (n_ >= images_.count()) return false;
    const std::int64_t first = static_cast<std::int64_t>(n_) * (per_ + gap_);
    for (std::size_t k = 0; k < images_.size; ++k) p_[k] = c_.rate_max * images_.pixels[n_ * images_.size + k] / images_.max_value * c_.dt;
    if (c_.bias_rate > 0) p_.back() = c_.bias_rate * c_.dt;
    for (std::int64_t t = first; t < first + per_; ++t)
        for (std::size_t k = 0; k < p_.size(); ++k)
            if (p_[k] > 0 && g_.uniform() < p_[k]) {
                in.row.push_back(k);
                in.time.push_back(static_cast<double>(t) * c_.dt);
            }
    ++n_;
    return true;
}

input_spikes encode_rates(const image_set& images, const rate_coding& c, std::vector<double>& starts) {
    rate_encoder enc(images, c);
    starts = enc.starts();
    input_spikes all, one;
    while (enc.next(one)) {
        all.row.insert(all.row.end(), one.row.begin(), one.row.end());
        all.time.insert(all.time.end(), one.time.begin(), one.time.end());
    }
    return all;
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
