#pragma once
// Device mode of the network layer (docs/networks.md): the synapses are 1T1R cells of a device
// model in its nonvolatile regime, the neurons cells of the same model in its volatile regime behind
// an access transistor at a low gate. Two levels of one physics:
//
//   circuit: the whole network as one circuit on the engine. array::build makes the crossbar (1T1R
//            cells, bit and source line resistances, a TIA per column), and per column the neuron
//            periphery is added to the same circuit:
//              TIA<c> (the array's own): holds source line c at virtual ground and puts
//                       gain x (column current) on node out<c>: the gain stage between the
//                       synapses (read at read_voltage, below their set voltage) and the neuron
//                       (which needs volts);
//              N<c>:    the neuron's device, from out<c> to nm<c>;
//              TN<c>:   its access transistor (drain nm<c>, gate "gn", source and bulk on the
//                       return rail "nb"), the current limit that keeps the neuron volatile;
//                       "VNB" holds nb at neuron_rail, "VGN" holds gn at neuron_rail + neuron_gate;
//              C<c>:    the comparator on i(N<c>) and its pulse shaper (circuit::add_comparator):
//                       a spike is its crossing of spike_current (re-armed below half of it), its
//                       output pulse (spike_height, spike_width) on node spk<c>;
//              with inhibition, the inhibition path: RI<c> (inhibition_resistance) from each
//                       spk<c> to the bus "inh", RIG from inh to ground, so v(inh) is the sum of
//                       the output pulses / (neurons + 1); every comparator is held while it is
//                       above half a pulse's height / (neurons + 1): while any output pulse is
//                       above half its height, every other neuron's spike is lost (winner-take-all),
//                       and the winner's own comparator is disarmed until its current has fallen.
//                       Between input pulses out<c> is at 0 V and the neuron sees -neuron_rail,
//                       which relaxes its filament (the -1 V base of integrate_and_fire.toml).
//            Input spikes are pulses of read_voltage on the rows from the bit-line drivers ("VBL<r>").
//   fast:    each cell on its own: a synapse cell (device and transistor) under its row's driver,
//            the column held at virtual ground as the TIA holds it; a neuron cell under the gain
//            stage's output. Each advances by the device model's own equations with its own adaptive
//            steps and its own stochastic events (the engine on a one-cell circuit: the code in
//            src/device, not a re-implementation). The coupling, the columns' currents, is re-solved
//            at every event (each edge of each input pulse): the gain stage's ideal output is
//            gain x sum of the column's cell currents at the event, linear between events, and
//            the neuron sees it through the first-order response of the circuit level's TIA,
//            solved exactly on each linear segment (network::detail::stage_response).
//
// At the fast level each neuron cell carries its own comparator (the same element) and the
// inhibition path is applied to their spikes in time order by the same rule: the comparators do
// not act back on the devices, so this is exact. Not built at the circuit level: learning pulses
// (docs/networks.md).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "memlab/array/array.hpp"
#include "memlab/circuit/circuit.hpp"
#include "memlab/device/model.hpp"
#include "memlab/device/mosfet.hpp"
#include "memlab/network/network.hpp"

namespace memlab::network {

enum class level { fast, circuit };
const char* level_name(level l);  // "fast", "circuit"

// How the fast level finds a synapse cell's current: `transient`, the cell on the engine under its
// row's pulses (its state evolves: read disturb); `held`, the cell's DC current at its row's level
// in its state at the start, held over the run (array::series_current: the device model's current
// behind its transistor; no read disturb, no engine run per synapse).
enum class synapse_reads { transient, held };
const char* reads_name(synapse_reads r);  // "transient", "held"

struct device_spec {
    std::size_t inputs = 0, neurons = 0;
    // Differential pairs: each neuron k has two columns, 2k (G+) and 2k + 1 (G-), every row read at
    // +read_voltage (the synapses' set polarity), and a subtracting stage after the two columns'
    // TIAs puts gain x (I(2k) - I(2k + 1)) on the neuron (fast level only). Otherwise neuron k is
    // column k and its TIA puts gain x I(k) on it.
    bool differential = false;
    std::size_t columns() const { return differential ? 2 * neurons : neurons; }
    // Synapses: 1T1R cells, inputs x columns(), row-major.
    device::model_ptr synapse;                         // the device model
    std::vector<device::model_ptr> synapse_models;     // one per cell (device-to-device draws); empty: `synapse`
    const device::model_ptr& synapse_of(std::size_t cell) const { return synapse_models.empty() ? synapse : synapse_models[cell]; }
    std::vector<std::vector<double>> synapse_state;    // one initial state per cell
    std::shared_ptr<const device::mosfet> transistor;  // every access transistor (synapses and neurons)
    double synapse_gate = 3.3;                         // V on every synapse word line
    double line_resistance = 0;                        // Ohm per segment of bit and source lines
    // Input pulses on the rows.
    double read_voltage = 0.2;  // V, height of a pulse
    double pulse_width = 1e-6;  // s, plateau
    double edge = 10e-9;        // s, rise and fall
    // Periphery per column.
    circuit::tia_params gain{1.25e5, 100e6};  // the column's TIA (V/A, Hz)
    device::model_ptr neuron;              // the neuron's device model
    std::vector<double> neuron_state;      // every neuron starts in it (empty: the model's own)
    std::vector<device::model_ptr> neuron_models;  // one per neuron (device-to-device draws); empty: `neuron`
    const device::model_ptr& neuron_of(std::size_t k) const { return neuron_models.empty() ? neuron : neuron_models[k]; }
    double neuron_gate = 0.526;            // V, the neurons' access transistors' gate above the rail
    double neuron_rail = 1.0;              // V, the neuron cells' return rail (transistor source and
                                           // bulk): between pulses the neuron sees -neuron_rail and relaxes
    double spike_current = 5e-9;           // A, the comparator's threshold on the neuron's current
    double spike_height = 1.0;             // V, the pulse shaper's output pulse (its plateau)
    double spike_width = 1e-6;             // s, the output pulse's plateau (rise and fall: edge)
    bool inhibition = false;               // the inhibition path between the comparators (winner-take-all)
    double inhibition_resistance = 100e3;  // Ohm, each resistor of the inhibition bus
    double duration = 0;                   // s
    synapse_reads reads = synapse_reads::transient;  // fast level only
    // Times (s) at which every neuron is returned to neuron_state (a global reset line): the start of
    // each presented image; each span between them is run on its own (held reads only).
    std::vector<double> resets;
    circuit::solver_options solver;
};

struct device_result {
    spikes out;                       // in time order
    std::vector<std::size_t> counts;  // spikes per neuron
    matrix g_before, g_after;         // S, each synapse device alone at array::g_probe
    std::size_t dropped = 0;          // input spikes that came while their row's pulse was still on
    long steps = 0;                   // solver steps, summed over the level's simulations
    std::size_t simulations = 0;      // 1 (circuit) or cells + neurons (fast)
    double neuron_energy = 0;         // J, fast level: taken by the neuron cells (device and transistor)
                                      // from their gain stages and rail over the run
    double read_energy = 0;           // J, held reads: dissipated in the synapse cells (device and
                                      // transistor) over every input pulse, edges included
};

// The comparator and pulse shaper of every neuron (circuit::add_comparator): threshold
// spike_current, re-armed below half of it, output pulse spike_height x spike_width with the
// inputs' edges, held while the inhibition bus (the output pulses' sum / (neurons + 1)) carries
// more than one pulse at half its height.
circuit::comparator_params comparator_of(const device_spec& s);

// Checks a spec (input_error naming the field).
void check(const device_spec& s);

// The row drivers' waveforms: each input spike starts a pulse (edge, plateau pulse_width at
// read_voltage, edge) on its row; a spike that comes before its row's previous pulse has ended is
// dropped (counted in `dropped`).
std::vector<std::shared_ptr<array::schedule>> row_pulses(const device_spec& s, const input_spikes& in, std::size_t& dropped);

// Hears the fraction of a run done (0..1): of the simulated time (circuit level), of the cells
// (fast level).
using fraction_fn = std::function<void(double fraction)>;

// Runs the network at `l` from its initial states over s.duration; `seed` is the run's seed (the
// fast level gives cell k the seed derived from (seed, k)). `progress` (may be empty) hears the
// fraction done every 1/100 of the run.
device_result simulate_device(const device_spec& s, const input_spikes& in, level l, std::uint64_t seed,
                              const fraction_fn& progress = {});

// A state of the agsn_sio2_pt model (`m`) whose conductance alone at array::g_probe is g (S), found
// by bisection: above a one-atom contact's conductance a bridged filament (h = L) and its neck
// radius, below it a one-atom tip (r = r_min) and its height (the tunnelling gap); Sn-rich
// (theta = theta_max), trained (h_s = h_s_max, cluster front h_c), armed, the rest the model's
// initial state. input_error if g is out of reach.
std::vector<double> agsn_bridged_state(const device::model& m, double g, double h_c);

// The same device relaxed: the tip back at the cluster front (h = h_c, r = r_min), disarmed;
// Sn-rich and trained as above. The state write-verify starts a synapse from.
std::vector<double> agsn_relaxed_state(const device::model& m, double h_c);

// Write-verify of every synapse (array::controller::program, the arrays' routine), each cell alone
// as a 1 x 1 1T1R array on the engine (device s.synapse_of(k), transistor s.transistor), from
// `initial` (one state for every cell, or one per cell) to `settings.target` (inputs x columns(),
// S, read at settings.verify). Cell k draws from the seed derived from (seed, k). Returns the arrays' report per cell (target, achieved, cell, pulses,
// energy, errors) and the programmed states (row-major); `progress` hears the fraction of cells.
struct programmed {
    array::program_result report;
    std::vector<std::vector<double>> states;
    long steps = 0;
};
// Each synapse cell alone on the engine at rest (its row and column at 0 V, its word line at
// s.synapse_gate) for `duration` from its state in s.synapse_state: the states it relaxes to
// (retention), row-major. Cell k draws from the seed derived from (seed, k).
std::vector<std::vector<double>> rest_synapses(const device_spec& s, double duration, std::uint64_t seed);

programmed program_synapses(const device_spec& s, const array::program_settings& settings, const std::vector<std::vector<double>>& initial,
                            std::uint64_t seed, const fraction_fn& progress = {});

}  // namespace memlab::network
