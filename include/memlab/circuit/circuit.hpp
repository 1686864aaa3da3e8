#pragma once
// A netlist: named nodes ("0" or "gnd" is ground) and named elements. The description only; a
// `simulation` turns it into one DAE (node voltages, branch currents, instrument and device states
// together) and integrates it.
//
// Sign conventions: an element's current i(X) flows from its first terminal through the element to
// its second. A voltage source's or SMU's current i(X) is the current it delivers out of its first
// (positive) terminal into the circuit. A TIA's i(X) is the current flowing into its input, and its
// output is v(out) = gain * i(X) filtered by a first-order low-pass at `bandwidth`; its input is a
// virtual ground at 0 V, or at its `reference` level.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "memlab/device/model.hpp"
#include "memlab/device/mosfet.hpp"
#include "memlab/stimulus/waveform.hpp"

namespace memlab::circuit {

class element;  // defined in src/circuit/elements.hpp

struct smu_params {
    double compliance = 1e-3;            // A, current limit (both polarities)
    double settling_time = 1e-6;         // s, first-order settling of the output voltage
    double transition_voltage = 1e-3;    // V, width of the smooth change from voltage mode to
                                         // compliance: below the limit the SMU is a voltage source
                                         // with output resistance transition_voltage / compliance,
                                         // so its output is within this voltage of the set-point.
                                         // Narrower is closer to ideal and harder for Newton.
    stimulus::waveform_ptr compliance_wave;  // optional: a compliance that changes in time (A),
                                             // e.g. training blocks at 10 nA, 1 mA, 10 nA; when
                                             // set it replaces `compliance`
    double parasitic_capacitance = 0.0;  // F, across the output (cables and probe); not limited by
                                         // the compliance: its discharge through a device that
                                         // switches on is the overshoot a real setup sees
};

struct tia_params {
    double gain = 1e6;       // V/A (transimpedance)
    double bandwidth = 1e6;  // Hz, -3 dB of the first-order response
};

class circuit {
public:
    circuit();
    ~circuit();
    circuit(circuit&&) noexcept;
    circuit& operator=(circuit&&) noexcept;

    void add_resistor(std::string name, std::string a, std::string b, double resistance);
    void add_capacitor(std::string name, std::string a, std::string b, double capacitance);
    void add_voltage_source(std::string name, std::string p, std::string n, stimulus::waveform_ptr wave);
    void add_smu(std::string name, std::string p, std::string n, stimulus::waveform_ptr wave, smu_params params);
    // `reference`: the level (V) the input is held at (the amplifier's non-inverting input, e.g. an
    // array column's driver); none: ground. The output stays gain * i_in.
    void add_tia(std::string name, std::string in, std::string out, tia_params params, stimulus::waveform_ptr reference = nullptr);
    // Voltage-controlled voltage source: v(p) - v(n) = gain (v(cp) - v(cn)); i(name) its branch current.
    void add_vcvs(std::string name, std::string p, std::string n, std::string cp, std::string cn, double gain);
    // `initial_state` empty: the model's own initial state.
    void add_memristor(std::string name, std::string p, std::string n, device::model_ptr model,
                       std::vector<double> initial_state = {});
    // An n-channel MOSFET (drain, gate, source, bulk); i(name) is the channel current from drain to
    // source. `capacitances`: the model's gate and junction capacitances as well (memlab/device/mosfet.hpp).
    void add_transistor(std::string name, std::string drain, std::string gate, std::string source, std::string bulk,
                        std::shared_ptr<const device::mosfet> model, bool capacitances = false);

    // Node names in index order; index 0 is ground.
    const std::vector<std::string>& nodes() const { return nodes_; }
    std::size_t node_index(std::string_view name) const;  // input_error if unknown
    bool has_node(std::string_view name) const;
    const std::vector<std::unique_ptr<element>>& elements() const { return elements_; }
    const element& find(std::string_view name) const;  // input_error if unknown

    // Structural checks, run by simulation before anything is integrated: an element name used
    // twice, a node with no path to ground, a node touched by only one terminal (a typo, usually).
    void check() const;

private:
    int node(std::string name);
    void add(std::unique_ptr<element> e);
    std::vector<std::string> nodes_;
    std::vector<std::unique_ptr<element>> elements_;
    // Indexes by name (nodes_ and elements_ positions): building a large array by names stays
    // linear in its elements.
    std::unordered_map<std::string, std::size_t> node_index_, element_index_;
};

}  // namespace memlab::circuit
