#include "memlab/analysis/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "memlab/error.hpp"

namespace memlab::analysis {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

void same_size(std::size_t a, std::size_t b, const char* what) {
    if (a != b) throw input_error(std::string("analysis: ") + what + ": traces of different lengths");
}

}  // namespace

double interpolate(std::span<const double> t, std::span<const double> y, double x) {
    const auto it = std::lower_bound(t.begin(), t.end(), x);
    if (it == t.begin()) return y.front();
    if (it == t.end()) return y.back();
    const auto k = static_cast<std::size_t>(it - t.begin());
    if (t[k] == t[k - 1]) return y[k];
    return y[k - 1] + (y[k] - y[k - 1]) * (x - t[k - 1]) / (t[k] - t[k - 1]);
}

namespace {

double interp(std::span<const double> t, std::span<const double> y, double x) { return interpolate(t, y, x); }

}  // namespace

double median(std::span<const double> values) {
    std::vector<double> x;
    for (double v : values)
        if (!std::isnan(v)) x.push_back(v);
    if (x.empty()) return nan;
    const auto mid = x.begin() + static_cast<long>(x.size() / 2);
    std::nth_element(x.begin(), mid, x.end());
    if (x.size() % 2 == 1) return *mid;
    const double hi = *mid;
    return 0.5 * (hi + *std::max_element(x.begin(), mid));
}

double quantile(std::span<const double> values, double q) {
    if (!(q >= 0 && q <= 1)) throw input_error("analysis: quantile: q must lie in [0, 1]");
    std::vector<double> x;
    for (double v : values)
        if (std::isfinite(v)) x.push_back(v);
    if (x.empty()) return nan;
    std::sort(x.begin(), x.end());
    const double h = q * static_cast<double>(x.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, x.size() - 1);
    return x[lo] + (h - static_cast<double>(lo)) * (x[hi] - x[lo]);
}

histogram_bins histogram(std::span<const double> values, std::size_t bins) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (lo > hi || bins == 0) return {};
    if (lo == hi) bins = 1;
    std::vector<double> edges;
    for (std::size_t k = 0; k <= bins; ++k)
        edges.push_back(k == bins ? hi : lo + (hi - lo) * static_cast<double>(k) / static_cast<double>(bins));
    return histogram(values, edges);
}

histogram_bins histogram(std::span<const double> values, std::span<const double> edges) {
    histogram_bins out{{edges.begin(), edges.end()}, {}};
    if (edges.size() < 2) return out;
    out.counts.assign(edges.size() - 1, 0);
    for (double v : values) {
        if (!std::isfinite(v) || v < edges.front() || v > edges.back()) continue;
        // The bin whose [left, right) holds v; the last bin also holds its right edge.
        const auto it = std::upper_bound(edges.begin(), edges.end(), v);
        const auto k = static_cast<std::size_t>(it - edges.begin());
        ++out.counts[std::min(k == 0 ? 0 : k - 1, out.counts.size() - 1)];
    }
    return out;
}

double response_threshold(double amplitude, double series_resistance) { return 0.5 * std::fabs(amplitude) / series_resistance; }

reset_curve reset_width(std::span<const double> v, std::span<const double> i, double from, double to) {
    same_size(v.size(), i.size(), "reset_width");
    reset_curve out{nan, nan, nan, nan};
    // The reset starts where |i| peaks on the negative branch (v < 0).
    std::size_t peak = v.size();
    for (std::size_t k = 0; k < v.size(); ++k)
        if (v[k] < 0 && (peak == v.size() || std::fabs(i[k]) > std::fabs(i[peak]))) peak = k;
    if (peak == v.size() || i[peak] == 0) return out;
    out.v_start = v[peak];
    out.i_start = std::fabs(i[peak]);
    // Where |i| first falls below `from` and then below `to` of that value, interpolated in v
    // between the samples that bracket each crossing.
    auto crossing = [&](double level, std::size_t from_k) -> std::pair<double, std::size_t> {
        for (std::size_t k = from_k + 1; k < v.size(); ++k)
            if (std::fabs(i[k]) < level) {
                const double a = std::fabs(i[k - 1]), b = std::fabs(i[k]);
                const double f = a > b ? (a - level) / (a - b) : 1.0;
                return {v[k - 1] + f * (v[k] - v[k - 1]), k};
            }
        return {nan, v.size()};
    };
    const auto [v_from, k_from] = crossing(from * out.i_start, peak);
    if (k_from == v.size()) return out;
    out.v_from = v_from;
    out.v_to = crossing(to * out.i_start, k_from - 1).first;
    return out;
}

double vset(std::span<const double> v, std::span<const double> i, double compliance, double fraction) {
    same_size(v.size(), i.size(), "vset");
    for (std::size_t k = 0; k < v.size(); ++k)
        if (i[k] >= fraction * compliance) return v[k];
    return nan;
}

std::vector<double> vset_per_cycle(std::span<const double> t, std::span<const double> v, std::span<const double> i,
                                   double compliance, double period, double t0, double fraction) {
    same_size(t.size(), v.size(), "vset_per_cycle");
    same_size(t.size(), i.size(), "vset_per_cycle");
    if (!(period > 0)) throw input_error("analysis: vset_per_cycle: period must be positive");
    std::vector<double> out;
    for (std::size_t k = 0; k < t.size(); ++k) {
        if (t[k] < t0) continue;
        const auto c = static_cast<std::size_t>((t[k] - t0) / period);
        if (c >= out.size()) out.resize(c + 1, nan);
        if (std::isnan(out[c]) && i[k] >= fraction * compliance) out[c] = v[k];
    }
    // A trace ending exactly on a cycle boundary opens no new cycle.
    if (!t.empty() && !out.empty() && std::fabs((t.back() - t0) / period - static_cast<double>(out.size() - 1)) < 1e-9)
        out.pop_back();
    return out;
}

summary statistics(std::span<const double> x) {
    summary s{0, 0, 0, 0};
    for (double v : x) std::isfinite(v) ? (s.mean += v, ++s.n) : ++s.missing;
    if (s.n == 0) return {nan, nan, 0, s.missing};
    s.mean /= static_cast<double>(s.n);
    for (double v : x)
        if (std::isfinite(v)) s.std += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(s.std / static_cast<double>(s.n));
    return s;
}

std::vector<spike> find_spikes(std::span<const double> t, std::span<const double> y, double threshold, double release,
                               const stimulus::pulse_list* pulses) {
    same_size(t.size(), y.size(), "find_spikes");
    std::vector<spike> out;
    bool in = false;
    for (std::size_t k = 0; k < t.size(); ++k) {
        if (!in && y[k] >= threshold) {
            in = true;
            out.push_back({t[k], t[k], y[k], pulses ? pulses->pulse_index_at(t[k]) : -1});
        } else if (in) {
            if (y[k] > out.back().peak) out.back().peak = y[k], out.back().t_peak = t[k];
            if (y[k] < threshold * release) in = false;
        }
    }
    return out;
}

std::vector<double> read_conductance(std::span<const double> t, std::span<const double> v, std::span<const double> i,
                                     const stimulus::pulse_list& pulses, double read_level, double window) {
    same_size(t.size(), v.size(), "read_conductance");
    same_size(t.size(), i.size(), "read_conductance");
    std::vector<double> out;
    for (const auto& p : pulses.pulses()) {
        if (std::fabs(p.level - read_level) > 1e-9) continue;
        const double a = p.start + pulses.rise() + 0.5 * (1 - window) * p.width;
        const double b = a + window * p.width;
        double sum = 0;
        std::size_t n = 0;
        const auto first = static_cast<std::size_t>(std::lower_bound(t.begin(), t.end(), a) - t.begin());
        for (auto k = first; k < t.size() && t[k] <= b; ++k)
            if (v[k] != 0) sum += i[k] / v[k], ++n;
        if (n == 0 && first > 0 && first < t.size()) {
            // A step of the solver across the whole window (a quiet device): i/v at its middle,
            // linear between the samples either side when both lie on the plateau.
            const double lo = p.start + pulses.rise(), hi = lo + p.width, m = 0.5 * (a + b);
            const std::size_t k0 = first - 1, k1 = first;
            if (t[k0] >= lo && t[k1] <= hi && t[k1] > t[k0]) {
                const double f = (m - t[k0]) / (t[k1] - t[k0]);
                const double vm = v[k0] + f * (v[k1] - v[k0]), im = i[k0] + f * (i[k1] - i[k0]);
                if (vm != 0) sum = im / vm, n = 1;
            }
        }
        out.push_back(n ? sum / static_cast<double>(n) : nan);
    }
    return out;
}

std::vector<double> read_conductance(std::span<const double> v_source, std::span<const double> v, std::span<const double> i,
                                     double read_level) {
    same_size(v_source.size(), v.size(), "read_conductance");
    same_size(v_source.size(), i.size(), "read_conductance");
    const double tol = 1e-9 + 1e-6 * std::fabs(read_level);
    std::vector<double> out;
    double sum = 0;
    std::size_t n = 0;
    bool in = false;
    for (std::size_t k = 0; k <= v_source.size(); ++k) {
        const bool reading = k < v_source.size() && std::fabs(v_source[k] - read_level) <= tol && v[k] != 0;
        if (reading) sum += i[k] / v[k], ++n;
        if (in && !reading) out.push_back(sum / static_cast<double>(n)), sum = 0, n = 0;
        in = reading;
    }
    return out;
}

cycle_curve median_cycle(std::span<const double> t, std::span<const double> v, std::span<const double> i, double period,
                         double t0, std::size_t n_points) {
    same_size(t.size(), v.size(), "median_cycle");
    same_size(t.size(), i.size(), "median_cycle");
    if (!(period > 0) || n_points < 2) throw input_error("analysis: median_cycle: period must be positive, n_points >= 2");
    cycle_curve out;
    if (t.empty()) return out;
    const auto cycles = static_cast<std::size_t>(std::floor((t.back() - t0) / period + 1e-9));
    for (std::size_t p = 0; p < n_points; ++p) {
        const double phase = period * static_cast<double>(p) / static_cast<double>(n_points - 1);
        std::vector<double> vs, is;
        for (std::size_t c = 0; c < cycles; ++c) {
            const double x = t0 + static_cast<double>(c) * period + phase;
            vs.push_back(interp(t, v, x));
            is.push_back(interp(t, i, x));
        }
        out.v.push_back(median(std::span<const double>(vs)));
        out.i.push_back(median(std::span<const double>(is)));
    }
    return out;
}

double relaxation_time(std::span<const double> t, std::span<const double> y, double t_start, double fraction) {
    same_size(t.size(), y.size(), "relaxation_time");
    const double y0 = interp(t, y, t_start);
    for (std::size_t k = 0; k < t.size(); ++k)
        if (t[k] > t_start && y[k] < fraction * y0) {
            // Interpolate the crossing between the two samples.
            const double ya = k > 0 ? y[k - 1] : y0, ta = k > 0 ? std::max(t[k - 1], t_start) : t_start;
            const double target = fraction * y0;
            const double w = ya == y[k] ? 1.0 : (ya - target) / (ya - y[k]);
            return ta + w * (t[k] - ta) - t_start;
        }
    return nan;
}

double standard_error(const summary& s) { return s.n > 1 ? s.std / std::sqrt(static_cast<double>(s.n - 1)) : nan; }

namespace {

// Least-squares line y = intercept + slope x with R^2, weighted by w (empty: every point 1); NaN
// slope for fewer than two points, one x, or no positive weight. sxx (the weighted spread of x) and
// the weighted residual sum of squares give the slope's standard error.
struct line {
    double intercept = nan, slope = nan, r2 = nan, sxx = nan, residual_ss = nan;
};
line fit_line(const std::vector<double>& x, const std::vector<double>& y, const std::vector<double>& w = {}) {
    line f;
    if (x.size() < 2) return f;
    const auto weight = [&](std::size_t k) { return w.empty() ? 1.0 : w[k]; };
    double sw = 0;
    for (std::size_t k = 0; k < x.size(); ++k) sw += weight(k);
    if (!(sw > 0)) return f;
    double mx = 0, my = 0;
    for (std::size_t k = 0; k < x.size(); ++k) mx += weight(k) * x[k] / sw, my += weight(k) * y[k] / sw;
    double sxx = 0, sxy = 0, syy = 0;
    for (std::size_t k = 0; k < x.size(); ++k) {
        sxx += weight(k) * (x[k] - mx) * (x[k] - mx);
        sxy += weight(k) * (x[k] - mx) * (y[k] - my);
        syy += weight(k) * (y[k] - my) * (y[k] - my);
    }
    if (!(sxx > 0)) return f;
    f.slope = sxy / sxx;
    f.intercept = my - f.slope * mx;
    f.r2 = syy == 0 ? 1.0 : (sxy * sxy) / (sxx * syy);
    f.sxx = sxx;
    f.residual_ss = 0;
    for (std::size_t k = 0; k < x.size(); ++k) f.residual_ss += weight(k) * std::pow(y[k] - (f.intercept + f.slope * x[k]), 2);
    return f;
}

}  // namespace

exp_fit exponential_delay_fit(std::span<const double> voltage, std::span<const double> delay) {
    same_size(voltage.size(), delay.size(), "exponential_delay_fit");
    std::vector<double> x, y;
    for (std::size_t k = 0; k < voltage.size(); ++k)
        if (std::isfinite(delay[k]) && delay[k] > 0 && std::isfinite(voltage[k])) {
            x.push_back(voltage[k]);
            y.push_back(std::log10(delay[k]));
        }
    exp_fit f{nan, nan, nan, nan, x.size()};
    const line l = fit_line(x, y);
    if (!std::isfinite(l.slope)) return f;
    f.slope = l.slope;
    f.intercept = l.intercept;
    f.r2 = l.r2;
    f.decades = *std::max_element(y.begin(), y.end()) - *std::min_element(y.begin(), y.end());
    return f;
}

std::vector<double> mean_squared_displacement(std::span<const double> x, std::span<const double> y,
                                              std::span<const double> z, std::span<const std::size_t> lags) {
    same_size(x.size(), y.size(), "mean_squared_displacement");
    same_size(x.size(), z.size(), "mean_squared_displacement");
    std::vector<double> msd;
    msd.reserve(lags.size());
    for (const std::size_t lag : lags) {
        if (lag == 0 || lag >= x.size()) {
            msd.push_back(nan);
            continue;
        }
        // Every origin k: the same lag sampled (n - lag) times, correlated but unbiased.
        double sum = 0;
        for (std::size_t k = 0; k + lag < x.size(); ++k) {
            const double dx = x[k + lag] - x[k], dy = y[k + lag] - y[k], dz = z[k + lag] - z[k];
            sum += dx * dx + dy * dy + dz * dz;
        }
        msd.push_back(sum / static_cast<double>(x.size() - lag));
    }
    return msd;
}

std::vector<std::size_t> log_spaced_lags(std::size_t max_lag, std::size_t count) {
    std::vector<std::size_t> lags;
    if (max_lag == 0 || count == 0) return lags;
    const double top = std::log(static_cast<double>(max_lag));
    for (std::size_t k = 0; k < count; ++k) {
        const double f = count == 1 ? 1.0 : static_cast<double>(k) / static_cast<double>(count - 1);
        const auto lag = static_cast<std::size_t>(std::llround(std::exp(f * top)));
        if (lags.empty() || lag > lags.back()) lags.push_back(std::clamp<std::size_t>(lag, 1, max_lag));
    }
    return lags;
}

diffusion_fit diffusion_coefficient(std::span<const double> tau, std::span<const double> msd, double tau_from, double tau_to) {
    same_size(tau.size(), msd.size(), "diffusion_coefficient");
    std::vector<double> x, y;
    for (std::size_t k = 0; k < tau.size(); ++k)
        if (tau[k] >= tau_from && tau[k] <= tau_to && std::isfinite(msd[k])) {
            x.push_back(tau[k]);
            y.push_back(msd[k]);
        }
    const line l = fit_line(x, y);
    return {l.slope / 6.0, l.intercept, l.r2, x.size()};
}

arrhenius_fit arrhenius(std::span<const double> temperature, std::span<const double> d, std::span<const double> d_se) {
    same_size(temperature.size(), d.size(), "arrhenius");
    if (!d_se.empty()) same_size(d.size(), d_se.size(), "arrhenius");
    constexpr double k_b = 8.617333262e-5;  // eV/K
    std::vector<double> x, y, w;
    for (std::size_t k = 0; k < d.size(); ++k)
        if (std::isfinite(d[k]) && d[k] > 0 && temperature[k] > 0) {
            x.push_back(1.0 / (k_b * temperature[k]));
            y.push_back(std::log(d[k]));
            const double rel = d_se.empty() ? 1.0 : d_se[k] / d[k];
            w.push_back(d_se.empty() ? 1.0 : (rel > 0 && std::isfinite(rel) ? 1.0 / (rel * rel) : 0.0));
        }
    arrhenius_fit f{nan, nan, nan, x.size()};
    const line l = fit_line(x, y, w);
    if (!std::isfinite(l.slope)) return f;
    f.activation_energy = -l.slope;
    f.prefactor = std::exp(l.intercept);
    if (!d_se.empty()) {
        f.activation_energy_se = std::sqrt(1.0 / l.sxx);  // weights are inverse variances of ln D
    } else if (x.size() > 2) {
        f.activation_energy_se = std::sqrt(l.residual_ss / static_cast<double>(x.size() - 2) / l.sxx);
    }
    return f;
}

}  // namespace memlab::analysis
