#pragma once
// Two-state diffusive memristor after Z. Wang et al., "Memristors with diffusive dynamics as
// synaptic emulators for neuromorphic computing", Nat. Mater. 16, 101 (2017), in the form of the
// public LTspice model of T. Wang (github TongWang-USC/Memristor-Model, MIT; equations only).
//
//   df/dt = |v| mu / (alpha + 1 - s) W(s) - (gamma_1 + beta) f      (s = f + r)
//   dr/dt = beta f - gamma_2 r
//   R(s) = R_on s' + R_off (exp((1 - s')/lambda) - 1)/(exp(1/lambda) - 1),  s' = min(max(s, 0), 1)
//   i = v / R(s)
// f: mobile Ag filament (fast decay gamma_1), r: residual (slow decay gamma_2), beta: conversion.
// The LTspice model holds f + r <= 1 with if/else clamps; memlab's bound is the ramp
// W(s) = min(max((1 - s)/0.01, 0), 1) on the drive and max(1 - s, 0) in its denominator.
// Stochastic shrinking: Poisson events of rate kappa f^m, each taking eta f from f (as in the
// LTspice model); the SPICE export is the deterministic form (events off). The 10 pF that the
// paper puts across the device belongs to the circuit (circuit.parasitic_capacitance).
//
// Parameters: the rows in diffusive.cpp (memlab describe diffusive, docs/models/diffusive.md).
#include "memlab/device/descriptor.hpp"

namespace memlab::device {

struct diffusive_params {
    double alpha, lambda, r_on, r_off, mu, beta, gamma1, gamma2, eta, kappa, m, f_init, r_init;
};
struct diffusive_state {
    enum index : std::size_t { f, r };
};

namespace diffusive_eq {
double resistance(const diffusive_params& p, double s);
void rates(const diffusive_params& p, double v, double f, double r, double& df, double& dr);
}  // namespace diffusive_eq

class diffusive final : public basic_model<diffusive_params> {
public:
    diffusive();
    std::string_view name() const override { return "diffusive"; }
    std::string_view summary() const override;
    void initial_state(std::span<double> s) const override {
        s[diffusive_state::f] = p_.f_init;
        s[diffusive_state::r] = p_.r_init;
    }
    double current(double v, std::span<const double> s) const override {
        return v / diffusive_eq::resistance(p_, s[diffusive_state::f] + s[diffusive_state::r]);
    }
    void rates(double v, std::span<const double> s, std::span<double> ds) const override {
        using S = diffusive_state;
        diffusive_eq::rates(p_, v, s[S::f], s[S::r], ds[S::f], ds[S::r]);
    }
    std::size_t n_hazards() const override { return p_.kappa > 0 && p_.eta > 0 ? 1 : 0; }
    void hazards(double v, std::span<const double> s, std::span<double> h) const override;
    void on_event(std::size_t k, double v, std::span<double> s, rng& r) const override;
    std::unique_ptr<model> clone() const override { return std::make_unique<diffusive>(*this); }
    bool has_spice() const override { return true; }
    spice_form spice() const override;
    const regime* typical_regime() const override;
};

}  // namespace memlab::device
