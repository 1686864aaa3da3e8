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
#include <cmath>
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

// A current comparator with a pulse shaper behind it (the periphery of a neuron cell): it watches
// the current of another element, and when that current rises through `threshold` while the
// comparator is armed it fires: its output plays one pulse (rise `edge`, plateau `width` at
// `height`, fall `edge`) from that instant, and it disarms until the current has fallen below
// `rearm`. An inhibit input held above `hold` (V, against ground) gates the pulse shaper: a
// crossing while held disarms the comparator and plays no pulse (the edge is lost). Crossings are
// located by the integrator's root finding, so a spike's time is the crossing's, not a step's.
struct comparator_params {
    double threshold = 5e-9;  // A, the sensed current that fires
    double rearm = 2.5e-9;    // A, the sensed current below which it is armed again (< threshold)
    double height = 1.0;      // V, the output pulse's plateau
    double width = 1e-6;      // s, the output pulse's plateau
    double edge = 10e-9;      // s, the output pulse's rise and fall
    double hold = 0.5;        // V, the inhibit input's level above which the pulse shaper is held
    // The output pulse as a piecewise-linear wave through (s after the crossing, V) points, from
    // (0, 0) and back to 0 V at the last (times increasing, the last level 0): a delayed or
    // two-phase pulse (a learning rule's post pulse). Empty: the trapezoid of height, width and edge.
    std::vector<std::pair<double, double>> shape;
};

// The corners of a comparator's output pulse, (0, 0) first: `shape`, or the trapezoid.
std::vector<std::pair<double, double>> comparator_corners(const comparator_params& p);
// A comparator's output pulse `age` after its start (0 before it and after it).
double comparator_pulse(const comparator_params& p, double age);

struct tia_params {
    double gain = 1e6;       // V/A (transimpedance)
    double bandwidth = 1e6;  // Hz, -3 dB of the first-order response
    // s, the first-order response's time constant: tau x' = gain i_in - x.
    double tau() const { return 1.0 / (2.0 * M_PI * bandwidth); }
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
    // The same TIA with its input held at the voltage of node `reference` (sensed, no current): a
    // level another element sets, e.g. a pulse shaper's output playing a post pulse on a column.
    void add_tia_on_node(std::string name, std::string in, std::string out, tia_params params, std::string reference);
    // A current comparator on the current i(sensed) of an element added before it (comparator_params);
    // its output drives `out` against ground as an ideal source; `inhibit` ("0": never held) is
    // sensed against ground and draws no current. Unknowns: the output's current i(name) and the
    // states name.fired (s, the time of the latest spike), name.armed (1 or 0) and name.count
    // (spikes so far).
    void add_comparator(std::string name, std::string_view sensed, std::string out, std::string inhibit, comparator_params params);
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
