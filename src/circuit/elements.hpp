#pragma once
// Circuit elements as seen by the engine: each stamps its part of the residual
// F(t, y, y') = 0 and of the iteration matrix dF/dy + cj dF/dy'. Node unknowns come first
// (node k > 0 is unknown k-1; ground is -1), then each element's own unknowns ("extras").
// Stamps never depend on values being zero, so the sparsity pattern is fixed.
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "memlab/circuit/circuit.hpp"
#include "memlab/device/model.hpp"
#include "memlab/device/mosfet.hpp"

namespace memlab::circuit {

class stamper {
public:
    virtual ~stamper() = default;
    virtual void add(int row, int col, double value) = 0;
};

struct eval_point {
    double t;
    const double* y;
    const double* yp;
    double v(int unknown) const { return unknown < 0 ? 0.0 : y[unknown]; }
    double vp(int unknown) const { return unknown < 0 ? 0.0 : yp[unknown]; }
};

// An unknown an element owns, for names, tolerances and the differential/algebraic flag.
struct extra_info {
    std::string name;
    std::string unit;
    double atol;  // 0: use the engine's default for the unit
    bool differential;
    double initial;
};

class element {
public:
    element(std::string name, std::vector<std::string> terminal_names)
        : name_(std::move(name)), terminal_names_(std::move(terminal_names)) {}
    virtual ~element() = default;

    const std::string& name() const { return name_; }
    virtual std::string_view kind() const = 0;
    const std::vector<std::string>& terminal_names() const { return terminal_names_; }
    // Node indices (0 = ground), set by the circuit.
    std::vector<int> nodes;
    // First unknown of the element's extras, set by the simulation; unknown index of node k.
    int first = -1;
    static int unknown_of_node(int node) { return node - 1; }
    int u(std::size_t terminal) const { return unknown_of_node(nodes[terminal]); }

    virtual std::vector<extra_info> extras() const { return {}; }
    // Terminals whose node voltage enters through y' (capacitors): the node is differential.
    virtual std::vector<std::size_t> differential_terminals() const { return {}; }
    // Pairs of terminals joined for the ground-path check (an ideal source or a TIA joins its
    // terminal to ground).
    virtual std::vector<std::pair<int, int>> connections() const { return {{nodes[0], nodes[1]}}; }
    // Terminals that may be touched only by this element (an instrument output).
    virtual bool terminal_may_dangle(std::size_t) const { return false; }

    virtual void residual(const eval_point& p, double* F) const = 0;
    virtual void jacobian(const eval_point& p, double cj, stamper& J) const = 0;
    virtual double next_breakpoint(double) const { return std::numeric_limits<double>::infinity(); }
    // True if a source value jumps at t (a step of zero rise time): the solution must be restarted
    // there. At other breakpoints only a slope changes, and the integrator simply steps onto them.
    virtual bool jumps_at(double) const { return false; }
    // Current for the probe i(name), in the element's sign convention (see circuit.hpp).
    virtual double current(const eval_point& p) const = 0;

    // Hazards (stochastic events): number, and the unknown index of the first integrated hazard.
    virtual std::size_t n_hazards() const { return 0; }
    virtual int hazard_unknown(std::size_t) const { return -1; }
    virtual void on_event(std::size_t, const eval_point&, double*, device::rng&) const {}
    virtual std::size_t hazard_stream(std::size_t) const { return 0; }
    virtual double hazard_threshold(std::size_t, device::rng& r) const { return r.exponential(); }
    virtual std::span<const std::size_t> draw_streams(std::size_t) const { return {}; }
    virtual void on_event_draw(std::size_t, const eval_point&, double*, std::size_t, device::rng&) const {}
    // A counter that settles its count at breakpoints (device::model::settles, on_settle).
    virtual bool settles(std::size_t) const { return false; }
    virtual bool on_settle(std::size_t, double, const eval_point&, double*, device::rng&) const { return false; }

    // Crossings: deterministic events at which a function of the solution changes sign (located by
    // the integrator's root finding, as hazards are). crossing(k, p) is the function; on_crossing
    // changes the element's own states (y) when it has changed sign, rising (direction +1) or
    // falling (-1).
    virtual std::size_t n_crossings() const { return 0; }
    virtual double crossing(std::size_t, const eval_point&) const { return 1.0; }
    virtual void on_crossing(std::size_t, const eval_point&, double*, int) const {}
    // Breakpoints set by the element's own states (a pulse started at a crossing): the first after
    // t. Asked only of elements with crossings.
    virtual double state_breakpoint(double, const double*) const { return std::numeric_limits<double>::infinity(); }

    // For state probes: unknown index of a named extra, or -1.
    int extra_index(std::string_view extra_name) const;

private:
    std::string name_;
    std::vector<std::string> terminal_names_;
};

class resistor final : public element {
public:
    resistor(std::string name, std::string a, std::string b, double r);
    std::string_view kind() const override { return "resistor"; }
    void residual(const eval_point& p, double* F) const override;
    void jacobian(const eval_point& p, double cj, stamper& J) const override;
    double current(const eval_point& p) const override;
    double resistance() const { return r_; }

private:
    double r_;
};

class capacitor final : public element {
public:
    capacitor(std::string name, std::string a, std::string b, double c);
    std::string_view kind() const override { return "capacitor"; }
    std::vector<std::size_t> differential_terminals() const override { return {0, 1}; }
    void residual(const eval_point& p, double* F) const override;
    void jacobian(const eval_point& p, double cj, stamper& J) const override;
    double current(const eval_point& p) const override;

private:
    double c_;
};

class voltage_source final : public element {
public:
    voltage_source(std::string name, std::string p, std::string n, stimulus::waveform_ptr w);
    std::string_view kind() const override { return "voltage_source"; }
    std::vector<extra_info> extras() const override;
    void residual(const eval_point& p, double* F) const override;
    void jacobian(const eval_point& p, double cj, stamper& J) const override;
    double next_breakpoint(double t) const override { return wave_->next_breakpoint(t); }
    bool jumps_at(double t) const override;
    double current(const eval_point& p) const override;

private:
    stimulus::waveform_ptr wave_;
};

// Source-measure unit. Unknowns: u, the settled set-point (tau u' = V(t) - u), and the output
// current i. Output law, smooth in every argument:
//     i = I_cc [tanh((u - v_out) / V_t) + 1e-6 (u - v_out) / V_t]
// a voltage source u behind R_out = V_t / I_cc for |i| << I_cc, a current source +-I_cc beyond
// (the small linear term keeps the law from becoming flat; see elements.cpp).
class smu final : public element {
public:
    smu(std::string name, std::string p, std::string n, stimulus::waveform_ptr w, smu_params params);
    std::string_view kind() const override { return "smu"; }
    std::vector<extra_info> extras() const override;
    std::vector<std::size_t> differential_terminals() const override;
    void residual(const eval_point& p, double* F) const override;
    void jacobian(const eval_point& p, double cj, stamper& J) const override;
    double next_breakpoint(double t) const override;
    bool jumps_at(double t) const override;
    double current(const eval_point& p) const override;

private:
    double compliance_at(double t) const { return p_.compliance_wave ? p_.compliance_wave->value(t) : p_.compliance; }
    stimulus::waveform_ptr wave_;
    smu_params p_;
};

// Transimpedance amplifier: the input is a virtual ground (v_in = 0, or the reference level when
// one is given; the input current i_in is an unknown), the output follows tau x' = gain i_in - x, tau = 1/(2 pi bandwidth), and drives its
// output node as an ideal source.
class tia final : public element {
public:
    tia(std::string name, std::string in, std::string out, tia_params params, stimulus::waveform_ptr reference);
    // Input held at node `reference` (a third terminal, sensed).
    tia(std::string name, std::string in, std::string out, tia_params params, std::string reference);
    std::string_view kind() const override { return "tia"; }
    std::vector<extra_info> extras() const override;
    std::vector<std::pair<int, int>> connections() const override { return {{nodes[0], 0}, {nodes[1], 0}}; }
    bool terminal_may_dangle(std::size_t k) const override { return k == 1; }
    void residual(const eval_point& p, double* F) const override;
    void jacobian(const eval_point& p, double cj, stamper& J) const override;
    double next_breakpoint(double t) const override;
    bool jumps_at(double t) const override;
    double current(const eval_point& p) const override;

private:
    tia_params p_;
    stimulus::waveform_ptr reference_;
};

// Voltage-controlled voltage source (SPICE's E element), terminals p, n, cp, cn:
// v(p) - v(n) = gain (v(cp) - v(cn)). Unknown: the branch current i (delivered out of p, as a
// voltage source's). The control terminals draw no current. An ideal difference amplifier (the
// subtracting stage of a differential pair).
class vcvs final : public element {
public:
    vcvs(std::string name, std::string p, std::string n, std::string cp, std::string cn, double gain);
    std::string_view kind() const override { return "vcvs"; }
    std::vector<extra_info> extras() const override;
    // The output pair is joined as a voltage source's; the control pair draws no current and joins
    // nothing (its nodes need their own path to ground).
    void residual(const eval_point& p, double* F) const override;
    void jacobian(const eval_point& p, double cj, stamper& J) const override;
    double current(const eval_point& p) const override;

private:
    double gain_;
};

// Current comparator and pulse shaper (circuit.hpp, comparator_params); terminals out, inhibit.
// Extras: i (the output's current, algebraic), fired (s), armed, count (differential, constant
// between crossings: F = y'). The output is v(out) = pulse(t - fired): the trapezoid, or `shape`.
class comparator final : public element {
public:
    comparator(std::string name, const element& sensed, std::string out, std::string inhibit, comparator_params params);
    std::string_view kind() const override { return "comparator"; }
    std::vector<extra_info> extras() const override;
    std::vector<std::pair<int, int>> connections() const override { return {{nodes[0], 0}}; }
    bool terminal_may_dangle(std::size_t k) const override { return k == 0; }
    void residual(const eval_point& p, double* F) const override;
    void jacobian(const eval_point& p, double cj, stamper& J) const override;
    double current(const eval_point& p) const override { return p.y[first]; }
    std::size_t n_crossings() const override { return 1; }
    double crossing(std::size_t, const eval_point& p) const override;
    void on_crossing(std::size_t, const eval_point& p, double* y, int direction) const override;
    double state_breakpoint(double t, const double* y) const override;
    // The output pulse (comparator_pulse) `age` after its start, and its slope.
    double pulse(double age) const;
    double pulse_slope(double age) const;
    static constexpr double never = -1e30;  // s, `fired` before the first spike

private:
    const element& sensed_;
    comparator_params p_;
    std::vector<std::pair<double, double>> corners_;  // comparator_corners(p_)
};

class memristor final : public element {
public:
    memristor(std::string name, std::string p, std::string n, device::model_ptr m, std::vector<double> s0);
    std::string_view kind() const override { return "memristor"; }
    std::vector<extra_info> extras() const override;
    void residual(const eval_point& p, double* F) const override;
    void jacobian(const eval_point& p, double cj, stamper& J) const override;
    double current(const eval_point& p) const override;
    std::size_t n_hazards() const override { return model_->n_hazards(); }
    int hazard_unknown(std::size_t k) const override { return first + static_cast<int>(model_->n_states() + k); }
    void on_event(std::size_t k, const eval_point& p, double* y, device::rng& r) const override;
    std::size_t hazard_stream(std::size_t k) const override { return model_->hazard_stream(k); }
    double hazard_threshold(std::size_t k, device::rng& r) const override { return model_->hazard_threshold(k, r); }
    std::span<const std::size_t> draw_streams(std::size_t k) const override { return model_->draw_streams(k); }
    void on_event_draw(std::size_t k, const eval_point& p, double* y, std::size_t stream, device::rng& r) const override;
    bool settles(std::size_t k) const override { return model_->settles(k); }
    bool on_settle(std::size_t k, double count, const eval_point& p, double* y, device::rng& r) const override;
    const device::model& model() const { return *model_; }

private:
    device::model_ptr model_;
    std::vector<double> s0_;
};

// MOSFET (device::mosfet), terminals drain, gate, source, bulk; no unknowns of its own. i(name) is
// the channel current from drain to source. With capacitances on, the gate-drain, gate-source,
// drain-bulk and source-bulk capacitances of the model (constant) are stamped as capacitors.
class transistor final : public element {
public:
    transistor(std::string name, std::string d, std::string g, std::string s, std::string b, std::shared_ptr<const device::mosfet> m,
               bool capacitances);
    std::string_view kind() const override { return "transistor"; }
    std::vector<std::size_t> differential_terminals() const override;
    std::vector<std::pair<int, int>> connections() const override;
    void residual(const eval_point& p, double* F) const override;
    void jacobian(const eval_point& p, double cj, stamper& J) const override;
    double current(const eval_point& p) const override;
    const device::mosfet& model() const { return *model_; }

private:
    std::shared_ptr<const device::mosfet> model_;
    bool capacitances_;
    double c_gd_ = 0, c_gs_ = 0, c_j_ = 0;
};

}  // namespace memlab::circuit
