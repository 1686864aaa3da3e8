#pragma once
// The circuit every ngspice cross-check of a device model runs in memlab's engine: the source
// `wave` (V1) -> R1 (`rs`) -> node a -> the device M1 -> ground, the device in its deterministic
// form (no stochastic events: what the SPICE export is), recording v(a), i(R1) and every state
// M1.<state> at every step.
#include <memory>
#include <string>
#include <vector>

#include "memlab/circuit/simulation.hpp"
#include "memlab/device/model.hpp"
#include "memlab/io/trace.hpp"
#include "memlab/stimulus/waveform.hpp"

namespace memlab::test {

inline io::memory_trace run_device_circuit(const std::shared_ptr<device::model>& model, const stimulus::waveform_ptr& wave, double rs,
                                           double t_end, double rtol, double atol_scale) {
    circuit::circuit c;
    c.add_voltage_source("V1", "in", "0", wave);
    c.add_resistor("R1", "in", "a", rs);
    c.add_memristor("M1", "a", "0", model);
    circuit::solver_options o;
    o.rtol = rtol;
    // The models' state tolerances (1e-14 m for a gap) are meant for use; switching that runs away
    // (a reset that speeds itself up) amplifies them, and ngspice integrates its 1 F state nodes at
    // reltol of the node value, so a reference run tightens them (device::regime::atol_scale).
    o.state_atol_scale = atol_scale;
    o.hazards = false;
    // Node voltages are algebraic and out of the error test: where the state rests, steps grow long
    // and a linear interpolation of a sinh or exponential current between them is coarse. Bound
    // the step so that the trace resolves the waveform ngspice is compared on.
    o.max_step = t_end / 4000;
    circuit::simulation sim(c, o);
    io::memory_trace tr;
    std::vector<std::string> probes{"v(a)", "i(R1)"};
    for (const auto& s : model->states()) probes.push_back("M1." + s.name);
    sim.run(t_end, {probes, 0}, tr);
    return tr;
}

}  // namespace memlab::test
