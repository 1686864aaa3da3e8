#include "memlab/stimulus/waveform.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>

#include "memlab/error.hpp"
#include "memlab/units/units.hpp"

namespace memlab::stimulus {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// A breakpoint e counts as "after t" only if it is clearly after it: the integrator returns
// exactly at a stop time, and rounding in start + rise + width must not yield a second, spurious
// breakpoint a few ulps later.
bool after(double e, double t) { return e > t + 16 * std::numeric_limits<double>::epsilon() * std::max(std::fabs(e), 1e-30); }

}  // namespace

pulse_list::pulse_list(std::vector<pulse> pulses, double base, double rise, double fall)
    : pulses_(std::move(pulses)),
      base_(units::finite(base, "base")),
      rise_(units::non_negative(rise, "rise")),
      fall_(units::non_negative(fall, "fall")) {
    for (std::size_t k = 0; k < pulses_.size(); ++k) {
        const auto& p = pulses_[k];
        units::finite(p.start, fmt::format("pulse {} start", k + 1));
        units::finite(p.level, fmt::format("pulse {} level", k + 1));
        units::non_negative(p.width, fmt::format("pulse {} width", k + 1));
        if (k > 0) {
            const auto& q = pulses_[k - 1];
            if (p.start < q.start + rise_ + q.width + fall_ * (1 - 1e-12))
                throw input_error(fmt::format("pulse {} starts at {} before pulse {} has ended: period shorter "
                                              "than rise + width + fall",
                                              k + 1, units::format(p.start, "s"), k));
        }
    }
}

long pulse_list::pulse_index_at(double t) const {
    auto it = std::upper_bound(pulses_.begin(), pulses_.end(), t,
                               [](double x, const pulse& p) { return x < p.start; });
    return static_cast<long>(it - pulses_.begin()) - 1;
}

double pulse_list::value(double t) const {
    const long k = pulse_index_at(t);
    if (k < 0) return base_;
    const pulse& p = pulses_[static_cast<std::size_t>(k)];
    const double dt = t - p.start;
    if (dt < rise_) return base_ + (p.level - base_) * (dt / rise_);
    if (dt <= rise_ + p.width) return p.level;
    if (dt < rise_ + p.width + fall_) return p.level + (base_ - p.level) * ((dt - rise_ - p.width) / fall_);
    return base_;
}

double pulse_list::next_breakpoint(double t) const {
    long k = std::max(pulse_index_at(t), 0L);
    for (auto i = static_cast<std::size_t>(k); i < pulses_.size(); ++i) {
        const pulse& p = pulses_[i];
        for (double e : {p.start, p.start + rise_, p.start + rise_ + p.width, p.start + rise_ + p.width + fall_})
            if (after(e, t)) return e;
    }
    return inf;
}

double pulse_list::end_time() const {
    if (pulses_.empty()) return 0;
    const auto& p = pulses_.back();
    return p.start + rise_ + p.width + fall_;
}

nlohmann::json pulse_list::describe() const {
    nlohmann::json j;
    j["kind"] = "pulse_list";
    j["base"] = units::format(base_, "V");
    j["rise"] = units::format(rise_, "s");
    j["fall"] = units::format(fall_, "s");
    j["pulse_count"] = pulses_.size();
    j["end_time"] = units::format(end_time(), "s");
    return j;
}

pwl::pwl(std::vector<double> times, std::vector<double> values) : t_(std::move(times)), v_(std::move(values)) {
    if (t_.empty() || t_.size() != v_.size())
        throw input_error("pwl: needs at least one point and as many times as values");
    for (std::size_t k = 0; k < t_.size(); ++k) {
        units::finite(t_[k], fmt::format("pwl point {} time", k + 1));
        units::finite(v_[k], fmt::format("pwl point {} value", k + 1));
        if (k > 0 && !(t_[k] > t_[k - 1]))
            throw input_error(fmt::format("pwl point {}: times must increase strictly", k + 1));
    }
}

double pwl::value(double t) const {
    if (t <= t_.front()) return v_.front();
    if (t >= t_.back()) return v_.back();
    const auto it = std::upper_bound(t_.begin(), t_.end(), t);
    const auto k = static_cast<std::size_t>(it - t_.begin());
    const double w = (t - t_[k - 1]) / (t_[k] - t_[k - 1]);
    return v_[k - 1] + w * (v_[k] - v_[k - 1]);
}

double pwl::next_breakpoint(double t) const {
    auto it = std::upper_bound(t_.begin(), t_.end(), t);
    if (it != t_.begin() && after(*(it - 1), t)) --it;
    while (it != t_.end() && !after(*it, t)) ++it;
    return it == t_.end() ? inf : *it;
}

double pwl::end_time() const { return t_.back(); }

nlohmann::json pwl::describe() const {
    nlohmann::json j;
    j["kind"] = "pwl";
    j["points"] = t_.size();
    j["end_time"] = units::format(end_time(), "s");
    return j;
}

waveform_ptr dc(double level) { return std::make_shared<pwl>(std::vector<double>{0.0}, std::vector<double>{level}); }

waveform_ptr single_pulse(double delay, double level, double width, double rise, double fall, double base) {
    units::non_negative(delay, "delay");
    return std::make_shared<pulse_list>(std::vector<pulse>{{delay, level, width}}, base, rise, fall);
}

std::vector<pulse> train_pulses(const train_spec& s) {
    if (s.levels.empty()) throw input_error("pulse train: needs at least one amplitude");
    const std::size_t n = s.levels.size() == 1 ? (s.count == 0 ? 1 : s.count) : s.levels.size();
    if (s.levels.size() > 1 && s.count != 0 && s.count != s.levels.size())
        throw input_error(fmt::format("pulse train: count {} disagrees with {} amplitudes", s.count, s.levels.size()));
    units::non_negative(s.width, "width");
    units::non_negative(s.rise, "rise");
    units::non_negative(s.fall, "fall");
    units::non_negative(s.delay, "delay");
    double period = s.period;
    if (period == 0) {
        if (!(s.duty > 0 && s.duty <= 1))
            throw input_error(fmt::format("pulse train: give a period or a duty cycle in (0, 1], got duty {}", s.duty));
        period = (s.rise + s.width + s.fall) / s.duty;
    }
    units::positive(period, "period");
    if (period < (s.rise + s.width + s.fall) * (1 - 1e-12))
        throw input_error(fmt::format("pulse train: period {} is shorter than rise + width + fall = {}",
                                      units::format(period, "s"), units::format(s.rise + s.width + s.fall, "s")));
    std::vector<pulse> out;
    out.reserve(n);
    for (std::size_t k = 0; k < n; ++k)
        out.push_back({s.delay + static_cast<double>(k) * period, s.levels.size() == 1 ? s.levels[0] : s.levels[k], s.width});
    return out;
}

waveform_ptr pulse_train(const train_spec& s) {
    return std::make_shared<pulse_list>(train_pulses(s), s.base, s.rise, s.fall);
}

waveform_ptr packages(const train_spec& train, const std::vector<std::size_t>& counts, double gap) {
    units::non_negative(gap, "gap");
    std::vector<pulse> all;
    double t0 = train.delay;
    for (std::size_t k = 0; k < counts.size(); ++k) {
        if (counts[k] == 0) throw input_error(fmt::format("packages: package {} has no pulses", k + 1));
        train_spec s = train;
        s.levels = {train.levels.at(0)};
        s.count = counts[k];
        s.delay = t0;
        auto p = train_pulses(s);
        const double period = p.size() > 1 ? p[1].start - p[0].start
                                           : (train.period > 0 ? train.period : (s.rise + s.width + s.fall) / s.duty);
        t0 = p.back().start + period + gap;
        all.insert(all.end(), p.begin(), p.end());
    }
    return std::make_shared<pulse_list>(std::move(all), train.base, train.rise, train.fall);
}

waveform_ptr read_after_write(const read_after_write_spec& s) {
    units::non_negative(s.write_width, "write_width");
    units::non_negative(s.read_width, "read_width");
    units::non_negative(s.gap, "gap");
    units::non_negative(s.delay, "delay");
    std::vector<pulse> all;
    all.reserve(2 * s.write_levels.size());
    double t = s.delay;
    const double edge = s.rise + s.fall;
    for (double w : s.write_levels) {
        all.push_back({t, w, s.write_width});
        t += edge + s.write_width + s.gap;
        all.push_back({t, s.read_level, s.read_width});
        t += edge + s.read_width + s.gap;
    }
    return std::make_shared<pulse_list>(std::move(all), s.base, s.rise, s.fall);
}

namespace {

// `history` on [0, t_zero), then `main` shifted by t_zero.
class sequence final : public waveform {
public:
    sequence(waveform_ptr history, double t_zero, waveform_ptr main) : h_(std::move(history)), m_(std::move(main)), t0_(t_zero) {}
    double value(double t) const override { return t < t0_ ? h_->value(t) : m_->value(t - t0_); }
    double next_breakpoint(double t) const override {
        if (!after(t0_, t)) {
            // The shifted breakpoint must be after t in the caller's time too (t - t0 rounds).
            double b = m_->next_breakpoint(t - t0_);
            while (std::isfinite(b) && !after(t0_ + b, t)) b = m_->next_breakpoint(b);
            return t0_ + b;
        }
        return std::min(h_->next_breakpoint(t), t0_);
    }
    double end_time() const override { return t0_ + m_->end_time(); }
    nlohmann::json describe() const override {
        return {{"kind", "preceded"}, {"history", h_->describe()}, {"t_zero", units::format(t0_, "s")}, {"then", m_->describe()}};
    }

private:
    waveform_ptr h_, m_;
    double t0_;
};

}  // namespace

waveform_ptr preceded(waveform_ptr history, double t_zero, waveform_ptr main) {
    if (!history || !main) throw internal_error("preceded: a waveform is missing");
    units::finite(t_zero, "t_zero");
    if (t_zero < history->end_time() * (1 - 1e-12))
        throw input_error(fmt::format("preceded: t = 0 of the stimulus ({}) is before the history's end ({})", units::format(t_zero, "s"),
                                      units::format(history->end_time(), "s")));
    return std::make_shared<sequence>(std::move(history), t_zero, std::move(main));
}

waveform_ptr triangle_sweep(const std::vector<double>& vertices, double rate, std::size_t cycles, double delay) {
    if (vertices.size() < 2) throw input_error("sweep: needs at least two vertices");
    units::positive(rate, "rate");
    units::non_negative(delay, "delay");
    if (cycles == 0) throw input_error("sweep: cycles must be at least 1");
    std::vector<double> t{delay}, v{vertices.front()};
    if (delay > 0) {
        t.insert(t.begin(), 0.0);
        v.insert(v.begin(), vertices.front());
    }
    for (std::size_t c = 0; c < cycles; ++c) {
        for (std::size_t k = 1; k < vertices.size(); ++k) {
            const double dv = std::fabs(vertices[k] - v.back());
            if (dv == 0) throw input_error(fmt::format("sweep: vertices {} and {} are equal", k, k + 1));
            t.push_back(t.back() + dv / rate);
            v.push_back(vertices[k]);
        }
        if (c + 1 < cycles && vertices.back() != vertices.front()) {
            t.push_back(t.back() + std::fabs(vertices.front() - v.back()) / rate);
            v.push_back(vertices.front());
        }
    }
    return std::make_shared<pwl>(std::move(t), std::move(v));
}

}  // namespace memlab::stimulus
