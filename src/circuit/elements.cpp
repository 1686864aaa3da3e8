#include "elements.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "memlab/error.hpp"
#include "memlab/units/units.hpp"

namespace memlab::circuit {
namespace {

// Adds `value` to F[row] unless row is ground.
inline void add_f(double* F, int row, double value) {
    if (row >= 0) F[row] += value;
}
inline void add_j(stamper& J, int row, int col, double value) {
    if (row >= 0 && col >= 0) J.add(row, col, value);
}
// Stamps a conductance-like term g between unknowns a and b (rows a, b; cols a, b).
inline void stamp_pair(stamper& J, int a, int b, double g) {
    add_j(J, a, a, g);
    add_j(J, a, b, -g);
    add_j(J, b, a, -g);
    add_j(J, b, b, g);
}

}  // namespace

int element::extra_index(std::string_view extra_name) const {
    const auto ex = extras();
    for (std::size_t k = 0; k < ex.size(); ++k)
        if (ex[k].name == extra_name) return first + static_cast<int>(k);
    return -1;
}

// ---- resistor ----
resistor::resistor(std::string name, std::string a, std::string b, double r)
    : element(std::move(name), {std::move(a), std::move(b)}), r_(r) {
    units::positive(r, this->name() + ".resistance");
}
void resistor::residual(const eval_point& p, double* F) const {
    const double i = current(p);
    add_f(F, u(0), i);
    add_f(F, u(1), -i);
}
void resistor::jacobian(const eval_point&, double, stamper& J) const { stamp_pair(J, u(0), u(1), 1.0 / r_); }
double resistor::current(const eval_point& p) const { return (p.v(u(0)) - p.v(u(1))) / r_; }

// ---- capacitor ----
capacitor::capacitor(std::string name, std::string a, std::string b, double c)
    : element(std::move(name), {std::move(a), std::move(b)}), c_(c) {
    units::positive(c, this->name() + ".capacitance");
}
void capacitor::residual(const eval_point& p, double* F) const {
    const double i = current(p);
    add_f(F, u(0), i);
    add_f(F, u(1), -i);
}
void capacitor::jacobian(const eval_point&, double cj, stamper& J) const { stamp_pair(J, u(0), u(1), cj * c_); }
double capacitor::current(const eval_point& p) const { return c_ * (p.vp(u(0)) - p.vp(u(1))); }

// ---- voltage source: extra 0 is the current delivered out of the + terminal ----
voltage_source::voltage_source(std::string name, std::string p, std::string n, stimulus::waveform_ptr w)
    : element(std::move(name), {std::move(p), std::move(n)}), wave_(std::move(w)) {
    if (!wave_) throw input_error(this->name() + ": no waveform");
}
std::vector<extra_info> voltage_source::extras() const { return {{"i", "A", 0.0, false, 0.0}}; }
void voltage_source::residual(const eval_point& p, double* F) const {
    const double i = p.y[first];
    add_f(F, u(0), -i);
    add_f(F, u(1), i);
    F[first] = p.v(u(0)) - p.v(u(1)) - wave_->value(p.t);
}
void voltage_source::jacobian(const eval_point&, double, stamper& J) const {
    add_j(J, u(0), first, -1.0);
    add_j(J, u(1), first, 1.0);
    add_j(J, first, u(0), 1.0);
    add_j(J, first, u(1), -1.0);
    // Structural zero on the diagonal, stamped so the sparse pattern has it.
    J.add(first, first, 0.0);
}
namespace {
// A jump: the value at t differs from the value one ulp before by more than a ramp there moves in
// an ulp (the change over the ulp before that, with room for the ulp doubling at a power of two).
// Without the ramp allowance the end of a 10 ns fall to 0 V at t = 9 us counted as a jump (1.7e-13 V
// in the last ulp), and the engine restarted there as after a step.
bool wave_jumps(const stimulus::waveform& w, double t) {
    constexpr double down = -std::numeric_limits<double>::infinity();
    const double t1 = std::nextafter(t, down);
    const double at = w.value(t), before = w.value(t1), earlier = w.value(std::nextafter(t1, down));
    return std::fabs(at - before) > 4 * std::fabs(before - earlier) + 1e-9 * (std::fabs(at) + std::fabs(before)) + 1e-15;
}
}  // namespace
bool voltage_source::jumps_at(double t) const { return wave_jumps(*wave_, t); }
double voltage_source::current(const eval_point& p) const { return p.y[first]; }

// ---- SMU: extras u (set-point, differential) and i (output current, algebraic) ----
// Beyond the limit the current keeps a slope of 1e-6 of the voltage-mode conductance (0.1 % of
// I_cc per volt of excess at V_t = 1 mV): physically negligible, but the law never becomes flat,
// so Newton can always tell which way to move when an event changes the load in compliance.
constexpr double smu_leak_slope = 1e-6;
smu::smu(std::string name, std::string p, std::string n, stimulus::waveform_ptr w, smu_params params)
    : element(std::move(name), {std::move(p), std::move(n)}), wave_(std::move(w)), p_(params) {
    if (!wave_) throw input_error(this->name() + ": no waveform");
    units::positive(p_.compliance, this->name() + ".compliance");
    if (p_.compliance_wave) {
        for (double t = 0; std::isfinite(t); t = p_.compliance_wave->next_breakpoint(t))
            if (!(p_.compliance_wave->value(t) > 0))
                throw input_error(fmt::format("{}.compliance: must stay positive (at t = {})", this->name(), t));
    }
    units::positive(p_.settling_time, this->name() + ".settling_time");
    units::positive(p_.transition_voltage, this->name() + ".transition_voltage");
    units::non_negative(p_.parasitic_capacitance, this->name() + ".parasitic_capacitance");
}
std::vector<extra_info> smu::extras() const {
    // In voltage mode i = (u - v) I_cc / V_t: rounding in u - v (about 1e-16 of a volt-scale value)
    // limits how finely i can be resolved to ~1e-16 I_cc / V_t; ask no finer than 100x that.
    double icc_max = p_.compliance;
    if (p_.compliance_wave)
        for (double t = 0; std::isfinite(t); t = p_.compliance_wave->next_breakpoint(t))
            icc_max = std::max(icc_max, p_.compliance_wave->value(t));
    if (!p_.compliance_wave) icc_max = p_.compliance;
    const double i_resolution = 1e-14 * icc_max / p_.transition_voltage;
    return {{"u", "V", 0.0, true, wave_->value(0.0)}, {"i", "A", i_resolution, false, 0.0}};
}
std::vector<std::size_t> smu::differential_terminals() const {
    if (p_.parasitic_capacitance > 0) return {0, 1};
    return {};
}
void smu::residual(const eval_point& p, double* F) const {
    const int iu = first, ii = first + 1;
    const double vout = p.v(u(0)) - p.v(u(1));
    const double i = p.y[ii];
    const double icp = p_.parasitic_capacitance * (p.vp(u(0)) - p.vp(u(1)));
    add_f(F, u(0), -i + icp);
    add_f(F, u(1), i - icp);
    F[iu] = p_.settling_time * p.yp[iu] - (wave_->value(p.t) - p.y[iu]);
    const double x = (p.y[iu] - vout) / p_.transition_voltage;
    F[ii] = i - compliance_at(p.t) * (std::tanh(x) + smu_leak_slope * x);
}
void smu::jacobian(const eval_point& p, double cj, stamper& J) const {
    const int iu = first, ii = first + 1;
    const double vout = p.v(u(0)) - p.v(u(1));
    const double x = (p.y[iu] - vout) / p_.transition_voltage;
    const double th = std::tanh(x);
    const double g = compliance_at(p.t) * (1.0 - th * th + smu_leak_slope) / p_.transition_voltage;  // d(i)/du
    add_j(J, u(0), ii, -1.0);
    add_j(J, u(1), ii, 1.0);
    stamp_pair(J, u(0), u(1), cj * p_.parasitic_capacitance);
    J.add(iu, iu, p_.settling_time * cj + 1.0);
    J.add(ii, ii, 1.0);
    J.add(ii, iu, -g);
    add_j(J, ii, u(0), g);
    add_j(J, ii, u(1), -g);
}
bool smu::jumps_at(double t) const {
    return wave_jumps(*wave_, t) || (p_.compliance_wave && wave_jumps(*p_.compliance_wave, t));
}
double smu::next_breakpoint(double t) const {
    const double b = wave_->next_breakpoint(t);
    return p_.compliance_wave ? std::min(b, p_.compliance_wave->next_breakpoint(t)) : b;
}
double smu::current(const eval_point& p) const { return p.y[first + 1]; }

// ---- TIA: extras i_in (algebraic), x (filtered output, differential), i_out (algebraic) ----
tia::tia(std::string name, std::string in, std::string out, tia_params params, stimulus::waveform_ptr reference)
    : element(std::move(name), {std::move(in), std::move(out)}), p_(params), reference_(std::move(reference)) {
    units::positive(p_.gain, this->name() + ".gain");
    units::positive(p_.bandwidth, this->name() + ".bandwidth");
}
tia::tia(std::string name, std::string in, std::string out, tia_params params, std::string reference)
    : element(std::move(name), {std::move(in), std::move(out), std::move(reference)}), p_(params) {
    units::positive(p_.gain, this->name() + ".gain");
    units::positive(p_.bandwidth, this->name() + ".bandwidth");
}
std::vector<extra_info> tia::extras() const {
    return {{"i_in", "A", 0.0, false, 0.0}, {"x", "V", 0.0, true, 0.0}, {"i_out", "A", 0.0, false, 0.0}};
}
void tia::residual(const eval_point& p, double* F) const {
    const int ia = first, ix = first + 1, io = first + 2;
    const double tau = p_.tau();
    add_f(F, u(0), p.y[ia]);   // input current leaves the node into the amplifier
    add_f(F, u(1), -p.y[io]);  // the output drives its node
    // Virtual ground, at the reference node's level, the reference waveform's, or 0 V.
    F[ia] = p.v(u(0)) - (nodes.size() > 2 ? p.v(u(2)) : reference_ ? reference_->value(p.t) : 0.0);
    F[ix] = tau * p.yp[ix] + p.y[ix] - p_.gain * p.y[ia];
    F[io] = p.v(u(1)) - p.y[ix];
}
void tia::jacobian(const eval_point&, double cj, stamper& J) const {
    const int ia = first, ix = first + 1, io = first + 2;
    const double tau = p_.tau();
    add_j(J, u(0), ia, 1.0);
    add_j(J, u(1), io, -1.0);
    add_j(J, ia, u(0), 1.0);
    if (nodes.size() > 2) add_j(J, ia, u(2), -1.0);
    J.add(ia, ia, 0.0);
    J.add(ix, ix, tau * cj + 1.0);
    J.add(ix, ia, -p_.gain);
    add_j(J, io, u(1), 1.0);
    J.add(io, ix, -1.0);
    J.add(io, io, 0.0);
}
double tia::next_breakpoint(double t) const {
    return reference_ ? reference_->next_breakpoint(t) : std::numeric_limits<double>::infinity();
}
bool tia::jumps_at(double t) const { return reference_ && wave_jumps(*reference_, t); }
double tia::current(const eval_point& p) const { return p.y[first]; }

// ---- VCVS: extra i (algebraic), the output branch's current ----
vcvs::vcvs(std::string name, std::string p, std::string n, std::string cp, std::string cn, double gain)
    : element(std::move(name), {std::move(p), std::move(n), std::move(cp), std::move(cn)}), gain_(gain) {
    if (!std::isfinite(gain_)) throw input_error(this->name() + ".gain: must be finite");
}
std::vector<extra_info> vcvs::extras() const { return {{"i", "A", 0.0, false, 0.0}}; }
void vcvs::residual(const eval_point& p, double* F) const {
    const double i = p.y[first];
    add_f(F, u(0), -i);
    add_f(F, u(1), i);
    F[first] = p.v(u(0)) - p.v(u(1)) - gain_ * (p.v(u(2)) - p.v(u(3)));
}
void vcvs::jacobian(const eval_point&, double, stamper& J) const {
    add_j(J, u(0), first, -1.0);
    add_j(J, u(1), first, 1.0);
    add_j(J, first, u(0), 1.0);
    add_j(J, first, u(1), -1.0);
    add_j(J, first, u(2), -gain_);
    add_j(J, first, u(3), gain_);
    J.add(first, first, 0.0);
}
double vcvs::current(const eval_point& p) const { return p.y[first]; }

// ---- comparator: extras i (algebraic), fired, armed, count (constant between crossings) ----
comparator::comparator(std::string name, const element& sensed, std::string out, std::string inhibit, comparator_params params)
    : element(std::move(name), {std::move(out), std::move(inhibit)}), sensed_(sensed), p_(params) {
    units::positive(p_.threshold, this->name() + ".threshold");
    units::finite(p_.rearm, this->name() + ".rearm");
    if (!(p_.rearm < p_.threshold)) throw input_error(this->name() + ".rearm: must be below the threshold");
    units::finite(p_.height, this->name() + ".height");
    units::positive(p_.width, this->name() + ".width");
    units::positive(p_.edge, this->name() + ".edge");
    units::finite(p_.hold, this->name() + ".hold");
    double last = 0;
    for (const auto& [t, v] : p_.shape) {
        if (!(t > last) || !std::isfinite(t)) throw input_error(this->name() + ".shape: the times must increase from 0");
        units::finite(v, this->name() + ".shape");
        last = t;
    }
    if (!p_.shape.empty() && p_.shape.back().second != 0.0) throw input_error(this->name() + ".shape: the pulse must end at 0 V");
    corners_ = comparator_corners(p_);
}
std::vector<extra_info> comparator::extras() const {
    return {{"i", "A", 0.0, false, 0.0}, {"fired", "s", 1e-12, true, never}, {"armed", "1", 1e-3, true, 1.0}, {"count", "1", 1e-3, true, 0.0}};
}
std::vector<std::pair<double, double>> comparator_corners(const comparator_params& p) {
    if (!p.shape.empty()) {
        std::vector<std::pair<double, double>> c{{0.0, 0.0}};
        c.insert(c.end(), p.shape.begin(), p.shape.end());
        return c;
    }
    return {{0.0, 0.0}, {p.edge, p.height}, {p.edge + p.width, p.height}, {2 * p.edge + p.width, 0.0}};
}
namespace {
// The piecewise-linear pulse through `c` at `age`, and its slope there.
std::pair<double, double> pulse_at(const std::vector<std::pair<double, double>>& c, double age) {
    if (age <= 0 || age >= c.back().first) return {0.0, 0.0};
    const auto j = static_cast<std::size_t>(
        std::upper_bound(c.begin(), c.end(), age, [](double a, const std::pair<double, double>& q) { return a < q.first; }) - c.begin());
    const auto& [t0, v0] = c[j - 1];
    const auto& [t1, v1] = c[j];
    const double slope = (v1 - v0) / (t1 - t0);
    return {v0 + slope * (age - t0), slope};
}
}  // namespace
double comparator_pulse(const comparator_params& p, double age) { return pulse_at(comparator_corners(p), age).first; }
double comparator::pulse(double age) const { return pulse_at(corners_, age).first; }
double comparator::pulse_slope(double age) const { return pulse_at(corners_, age).second; }
void comparator::residual(const eval_point& p, double* F) const {
    const double i = p.y[first];
    add_f(F, u(0), -i);
    F[first] = p.v(u(0)) - pulse(p.t - p.y[first + 1]);
    for (int k = 1; k <= 3; ++k) F[first + k] = p.yp[first + k];
}
void comparator::jacobian(const eval_point& p, double cj, stamper& J) const {
    add_j(J, u(0), first, -1.0);
    add_j(J, first, u(0), 1.0);
    J.add(first, first, 0.0);  // structural zero, stamped so the sparse pattern has it
    // d/d(fired) of -pulse(t - fired) is +pulse'(t - fired).
    J.add(first, first + 1, pulse_slope(p.t - p.y[first + 1]));
    for (int k = 1; k <= 3; ++k) J.add(first + k, first + k, cj);
}
double comparator::crossing(std::size_t, const eval_point& p) const {
    return sensed_.current(p) - (p.y[first + 2] > 0.5 ? p_.threshold : p_.rearm);
}
void comparator::on_crossing(std::size_t, const eval_point& p, double* y, int direction) const {
    if (y[first + 2] <= 0.5) {
        if (direction < 0) y[first + 2] = 1.0;  // the sensed current fell through the re-arm level
        return;
    }
    if (direction < 0) return;  // armed, and the current fell through the threshold: nothing to do
    y[first + 2] = 0.0;
    if (p.v(u(1)) > p_.hold) return;  // held by the inhibit input: the edge is lost
    y[first + 1] = p.t;
    y[first + 3] += 1.0;
}
double comparator::state_breakpoint(double t, const double* y) const {
    const double t0 = y[first + 1];
    for (const auto& c : corners_)
        if (t0 + c.first > t) return t0 + c.first;
    return std::numeric_limits<double>::infinity();
}

// ---- memristor: extras are the model's states, then one integrated hazard per model hazard ----
memristor::memristor(std::string name, std::string p, std::string n, device::model_ptr m, std::vector<double> s0)
    : element(std::move(name), {std::move(p), std::move(n)}), model_(std::move(m)), s0_(std::move(s0)) {
    if (!model_) throw input_error(this->name() + ": no device model");
    if (s0_.empty()) {
        s0_.resize(model_->n_states());
        model_->initial_state(s0_);
    }
    if (s0_.size() != model_->n_states())
        throw input_error(fmt::format("{}: initial state has {} values, model '{}' has {} states", this->name(),
                                      s0_.size(), model_->name(), model_->n_states()));
    for (std::size_t k = 0; k < s0_.size(); ++k)
        units::finite(s0_[k], fmt::format("{}.{}", this->name(), model_->states()[k].name));
}
std::vector<extra_info> memristor::extras() const {
    std::vector<extra_info> out;
    const auto& st = model_->states();
    for (std::size_t k = 0; k < st.size(); ++k) out.push_back({st[k].name, st[k].unit, st[k].abs_tolerance, true, s0_[k]});
    for (std::size_t k = 0; k < model_->n_hazards(); ++k)
        // Loose: an integrated hazard only has to cross -ln U; 1e-4 of it is a 1e-4 relative error
        // in the event time, and a tight tolerance would force tiny first steps for fast hazards.
        out.push_back({fmt::format("hazard{}", k), "1", 1e-4, true, 0.0});
    return out;
}
void memristor::residual(const eval_point& p, double* F) const {
    const std::size_t n = model_->n_states(), nh = model_->n_hazards();
    const double v = p.v(u(0)) - p.v(u(1));
    const std::span<const double> s(p.y + first, n);
    const double i = model_->current(v, s);
    add_f(F, u(0), i);
    add_f(F, u(1), -i);
    double rates[16], haz[8];
    if (n > 16 || nh > 8) throw internal_error("memristor: more than 16 states or 8 hazards");
    model_->rates(v, s, std::span<double>(rates, n));
    for (std::size_t k = 0; k < n; ++k) F[first + static_cast<int>(k)] = p.yp[first + static_cast<int>(k)] - rates[k];
    if (nh > 0) {
        model_->hazards(v, s, std::span<double>(haz, nh));
        for (std::size_t k = 0; k < nh; ++k) {
            const int h = first + static_cast<int>(n + k);
            F[h] = p.yp[h] - haz[k];
        }
    }
}
void memristor::jacobian(const eval_point& p, double cj, stamper& J) const {
    const std::size_t n = model_->n_states(), nh = model_->n_hazards();
    const double v = p.v(u(0)) - p.v(u(1));
    const std::span<const double> s(p.y + first, n);
    double di_dv = 0, di_ds[16], dr_dv[16], dr_ds[256];
    model_->current_jacobian(v, s, di_dv, std::span<double>(di_ds, n));
    model_->rates_jacobian(v, s, std::span<double>(dr_dv, n), std::span<double>(dr_ds, n * n));
    stamp_pair(J, u(0), u(1), di_dv);
    for (std::size_t k = 0; k < n; ++k) {
        const int sk = first + static_cast<int>(k);
        add_j(J, u(0), sk, di_ds[k]);
        add_j(J, u(1), sk, -di_ds[k]);
        add_j(J, sk, u(0), -dr_dv[k]);
        add_j(J, sk, u(1), dr_dv[k]);
        for (std::size_t j = 0; j < n; ++j) J.add(sk, first + static_cast<int>(j), (j == k ? cj : 0.0) - dr_ds[k * n + j]);
    }
    // Hazards: their rates do not feed back into the circuit; only the diagonal cj matters for
    // convergence of H itself (the off-diagonal terms are left to the Newton iteration).
    for (std::size_t k = 0; k < nh; ++k) {
        const int h = first + static_cast<int>(n + k);
        J.add(h, h, cj);
    }
}
double memristor::current(const eval_point& p) const {
    const double v = p.v(u(0)) - p.v(u(1));
    return model_->current(v, std::span<const double>(p.y + first, model_->n_states()));
}
void memristor::on_event(std::size_t k, const eval_point& p, double* y, device::rng& r) const {
    const double v = p.v(u(0)) - p.v(u(1));
    model_->on_event(k, v, std::span<double>(y + first, model_->n_states()), r);
}
void memristor::on_event_draw(std::size_t k, const eval_point& p, double* y, std::size_t stream, device::rng& r) const {
    const double v = p.v(u(0)) - p.v(u(1));
    model_->on_event_draw(k, v, std::span<double>(y + first, model_->n_states()), stream, r);
}
bool memristor::on_settle(std::size_t k, double count, const eval_point& p, double* y, device::rng& r) const {
    const double v = p.v(u(0)) - p.v(u(1));
    return model_->on_settle(k, count, v, std::span<double>(y + first, model_->n_states()), r);
}

// ---- transistor: terminals d, g, s, b; the channel current leaves the drain node ----
transistor::transistor(std::string name, std::string d, std::string g, std::string s, std::string b,
                       std::shared_ptr<const device::mosfet> m, bool capacitances)
    : element(std::move(name), {std::move(d), std::move(g), std::move(s), std::move(b)}), model_(std::move(m)), capacitances_(capacitances) {
    if (!model_) throw input_error(this->name() + ": no transistor model");
    if (capacitances_) c_gd_ = model_->c_gd(), c_gs_ = model_->c_gs(), c_j_ = model_->c_junction();
}
std::vector<std::size_t> transistor::differential_terminals() const {
    // With capacitances every terminal's node holds charge. A gate held by an ideal source is then
    // a differential node fixed by an algebraic row, which no consistent-initial-condition solve can
    // satisfy: drive the gate through a resistance (a word-line driver's output), as the
    // experiment files do (circuit.transistor.gate_resistance).
    if (capacitances_) return {0, 1, 2, 3};
    return {};
}
std::vector<std::pair<int, int>> transistor::connections() const {
    // The channel joins drain and source; the gate and the bulk draw no current (their nodes need
    // a path of their own, a gate driver or a bulk tie).
    std::vector<std::pair<int, int>> c{{nodes[0], nodes[2]}};
    if (capacitances_) c.insert(c.end(), {{nodes[1], nodes[0]}, {nodes[1], nodes[2]}, {nodes[0], nodes[3]}, {nodes[2], nodes[3]}});
    return c;
}
void transistor::residual(const eval_point& p, double* F) const {
    const int d = u(0), g = u(1), s = u(2), b = u(3);
    const double i = current(p);
    add_f(F, d, i);
    add_f(F, s, -i);
    if (!capacitances_) return;
    const auto cap = [&](int a, int c, double value) {
        const double ic = value * (p.vp(a) - p.vp(c));
        add_f(F, a, ic);
        add_f(F, c, -ic);
    };
    cap(g, d, c_gd_);
    cap(g, s, c_gs_);
    cap(d, b, c_j_);
    cap(s, b, c_j_);
}
void transistor::jacobian(const eval_point& p, double cj, stamper& J) const {
    const int d = u(0), g = u(1), s = u(2), b = u(3);
    const auto c = model_->current(p.v(d), p.v(g), p.v(s), p.v(b));
    for (const auto& [col, value] : {std::pair{d, c.d_vd}, std::pair{g, c.d_vg}, std::pair{s, c.d_vs}, std::pair{b, c.d_vb}}) {
        add_j(J, d, col, value);
        add_j(J, s, col, -value);
    }
    if (!capacitances_) return;
    stamp_pair(J, g, d, cj * c_gd_);
    stamp_pair(J, g, s, cj * c_gs_);
    stamp_pair(J, d, b, cj * c_j_);
    stamp_pair(J, s, b, cj * c_j_);
}
double transistor::current(const eval_point& p) const { return model_->current(p.v(u(0)), p.v(u(1)), p.v(u(2)), p.v(u(3))).id; }

}  // namespace memlab::circuit
