#pragma once
// Dynamic memdiode model (DMM): E. Miranda and J. Sune, "Memristive state equation for bipolar
// resistive switching devices based on a dynamic balance model and its equivalent circuit
// representation", IEEE Trans. Nanotechnol. 19, 837 (2020); SPICE form in F. Aguirre et al.,
// Micromachines 13, 330 (2022).
//
//   d(lambda)/dt = (1 - lambda)/tau_S(v) - lambda/tau_R(v)
//   tau_S = T_0s exp(-v/V_0s),   tau_R = T_0r exp(v/V_0r)       (finite tau_R(0): volatile)
//   i = I_0(lambda) [exp(beta A(lambda) v_d) - exp(-(1 - beta) A(lambda) v_d)],  v_d = v - i R_s(lambda)
//   I_0, A, R_s interpolate linearly between their min (lambda = 0) and max (lambda = 1) values.
// The implicit current (series resistance) is solved exactly in memlab (bracketed Newton on v_d);
// in SPICE the series resistance is a resistor to an internal node, as in the published form.
//
// Parameters: the rows in memdiode.cpp (memlab describe memdiode, docs/models/memdiode.md).
#include "memlab/device/descriptor.hpp"

namespace memlab::device {

struct memdiode_params {
    double t0s, v0s, t0r, v0r, i_min, i_max, a_min, a_max, rs_min, rs_max, beta, lambda_init;
};
struct memdiode_state {
    enum index : std::size_t { lambda };
};

namespace memdiode_eq {
// The diode voltage v_d solving v_d + R_s I_d(v_d) = v, and the current.
double diode_voltage(const memdiode_params& p, double v, double lambda);
double current(const memdiode_params& p, double v, double lambda);
double rate(const memdiode_params& p, double v, double lambda);
}  // namespace memdiode_eq

class memdiode final : public basic_model<memdiode_params> {
public:
    memdiode();
    std::string_view name() const override { return "memdiode"; }
    std::string_view summary() const override;
    void initial_state(std::span<double> s) const override { s[memdiode_state::lambda] = p_.lambda_init; }
    double current(double v, std::span<const double> s) const override {
        return memdiode_eq::current(p_, v, s[memdiode_state::lambda]);
    }
    void current_jacobian(double v, std::span<const double> s, double& di_dv, std::span<double> di_ds) const override;
    void rates(double v, std::span<const double> s, std::span<double> ds) const override {
        ds[memdiode_state::lambda] = memdiode_eq::rate(p_, v, s[memdiode_state::lambda]);
    }
    std::unique_ptr<model> clone() const override { return std::make_unique<memdiode>(*this); }
    bool has_spice() const override { return true; }
    spice_form spice() const override;
    const regime* typical_regime() const override;
};

}  // namespace memlab::device
