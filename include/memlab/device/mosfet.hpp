#pragma once
// The access transistor of a 1T1R cell: an n-channel MOSFET in the long-channel EKV form (Enz,
// Krummenacher, Vittoz, Analog Integrated Circuits and Signal Processing 8, 83-114 (1995)), one
// smooth expression from weak to strong inversion, so that a gate voltage can set a limit of 10 nA
// (weak inversion) as well as 1 mA (strong inversion). All voltages are taken from the bulk:
//
//     V_G' = V_GB - V_T0 + phi + gamma sqrt(phi)                      (gate voltage above flat band)
//     V_P  = V_G' - phi - gamma [sqrt(V_G' + gamma^2/4) - gamma/2]     (pinch-off voltage, body effect)
//     n    = 1 + gamma / (2 sqrt(V_P + phi))  = 1 / (dV_P/dV_G)        (slope factor)
//     I_spec = 2 n KP (W/L) U_T^2,  U_T = k T / q                      (specific current)
//     F(x) = ln^2(1 + exp(x/2))                                        (forward and reverse currents)
//     I_D  = I_spec [F((V_P - V_SB)/U_T) - F((V_P - V_DB)/U_T)] (1 + lambda |V_DS|)
//
// with lambda = lambda_l / L (channel-length modulation, the level-1 factor; |x| smoothed over
// 1 mV) and V_G' floored smoothly above 0 (below it the channel is off by many decades). Weak
// inversion: I_D ~ exp(V_P / U_T), a slope of n U_T ln 10 per decade of current. Strong inversion:
// I_D = n KP W/L / 2 [(V_P - V_SB)^2 - (V_P - V_DB)^2] (saturation: KP W/L / (2 n) (V_GB - V_T0)^2,
// as V_P ~ (V_GB - V_T0) / n); with gamma = 0 (n = 1, V_P = V_GB - V_T0) this is SPICE's level-1
// MOSFET exactly (bulk at the source), the reduction the tests check.
//
// The model is symmetric: drain and source are the terminals' names, and the current reverses with
// V_DS. In RESET the cell's source side rises: V_SB > 0 lowers V_P - V_SB and the current, the body
// effect through V_P. Junction diodes to the bulk are not modelled (a drain below the bulk would
// forward-bias one). Optional capacitances (the element's `capacitances` switch), constant:
// C_GD = cgdo W (overlap), C_GS = cgdo W + (2/3) C_ox W L (overlap and Meyer's share of the channel
// in saturation), C_DB = C_SB = cj W l_diff (junctions at zero bias).
#include <string_view>

#include "memlab/device/descriptor.hpp"

namespace memlab::device {

struct mosfet_params {
    double vt0, kp, gamma, phi, lambda_l, w, l, temperature, tox, cgdo, cj, l_diff;
};

// The drain current and its derivatives with respect to the terminal voltages (all from ground).
struct mosfet_current {
    double id;                     // A, from drain to source through the channel
    double d_vd, d_vg, d_vs, d_vb;  // S
};

// The operating point's internal quantities, for tests and docs.
struct mosfet_point {
    double vp;        // V, pinch-off voltage (from the bulk)
    double n;         // slope factor
    double i_spec;    // A, specific current
    double i_f, i_r;  // forward and reverse normalised currents F(.)
};

class mosfet final : public basic_parameters<mosfet_params> {
public:
    mosfet();
    std::string_view name() const override { return "nmos_ekv"; }
    std::string_view summary() const { return "n-channel MOSFET, long-channel EKV (weak to strong inversion, body effect)"; }

    mosfet_current current(double vd, double vg, double vs, double vb) const;
    mosfet_point point(double vd, double vg, double vs, double vb) const;
    double thermal_voltage() const;
    // The current the transistor passes with its source and bulk at ground, drain at vd: the
    // limit it sets on a cell at gate voltage vg.
    double limit(double vg, double vd) const { return current(vd, vg, 0.0, 0.0).id; }
    // The gate voltage at which limit(vg, vd) = i (bisection; input_error if out of reach).
    double gate_for(double i, double vd) const;

    // Capacitances (F) when the element has them on.
    double c_gd() const;
    double c_gs() const;
    double c_junction() const;  // drain-bulk and source-bulk each
};

}  // namespace memlab::device
