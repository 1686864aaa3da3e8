#pragma once
// VTEAM: the voltage threshold adaptive memristor model of Kvatinsky, Ramadan, Friedman and
// Kolodny, IEEE TCAS-II 62, 786 (2015), with a resistance linear in the state.
//
//   dw/dt = k_off (v/v_off - 1)^alpha_off f_off(w)   for v > v_off > 0
//         = 0                                         for v_on <= v <= v_off
//         = k_on  (v/v_on - 1)^alpha_on  f_on(w)     for v < v_on < 0
//   f_off(w) = exp(-exp((w - w_off)/w_c)),  f_on(w) = exp(-exp(-(w - w_on)/w_c))
//   R(w) = r_on + (r_off - r_on) (w - w_on)/(w_off - w_on),   i = v / R(w)
//
// The thresholds are written with max(., 0), so the rate and its first alpha-1 derivatives are
// continuous (alpha > 1): the form used verbatim in the ngspice cross-check.
//
// Defaults are memlab's engine-test calibration, not a fit to a device: a 1 V, 1 us pulse moves w
// by about a tenth of its range, so pulse trains of 10..1000 pulses are interesting. Parameters:
// the rows in vteam.cpp (memlab describe vteam).
#include "memlab/device/descriptor.hpp"

namespace memlab::device {

struct vteam_params {
    double r_on, r_off, w_on, w_off, w_c, k_on, k_off, alpha_on, alpha_off, v_on, v_off, w_init;
};
struct vteam_state {
    enum index : std::size_t { w };
};

// The physics as small pure functions (used by the model and by the closed-form tests).
double vteam_resistance(const vteam_params& p, double w);
double vteam_rate(const vteam_params& p, double v, double w);

class vteam final : public basic_model<vteam_params> {
public:
    vteam();
    std::string_view name() const override { return "vteam"; }
    std::string_view summary() const override;
    void initial_state(std::span<double> s) const override;
    double current(double v, std::span<const double> s) const override;
    void rates(double v, std::span<const double> s, std::span<double> ds) const override;
    void current_jacobian(double v, std::span<const double> s, double& di_dv, std::span<double> di_ds) const override;
    std::unique_ptr<model> clone() const override { return std::make_unique<vteam>(*this); }
    bool has_spice() const override { return true; }
    spice_form spice() const override;
    const regime* typical_regime() const override;
};

}  // namespace memlab::device
