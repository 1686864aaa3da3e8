#pragma once
// Unsupervised on-device learning in the device mode (docs/networks.md, "Learning"): a layer of
// agsn neurons behind a crossbar of 1T1R agsn synapses learns images by STDP-like overlap pulses
// and winner-take-all, and is then labelled and tested. No weight arithmetic: a synapse changes
// only by the pulses its cell sees, run on the engine by the device model from the cell's own state.
//
// The input code is the device mode's slots (network.dt): in each slot a row's driver sends a read
// pulse with probability pixel / max x rate x dt. Per slot:
//   reads   each synapse's current at the read voltage from its state (held reads), summed per column;
//   neurons each neuron's answer to its column's drive (gain x current, a pulse of the slot's
//           shape over the return rail), from a fresh device: the neuron relaxes on its rail between
//           pulses (NeuronRelaxesOnItsRail). The answer is tabulated per neuron model on the engine
//           (neuron_table; its error against the engine is a test);
//   WTA     the first neuron to fire spikes; its comparator's output pulse holds every other
//           neuron off for `inhibition` slots (the inhibition path) and itself for `refractory` slots
//           (the pulse shaper's dead time);
//   learning (training pass only) the spike's post pulse on its column, two phases: the column at
//           -(potentiate - pre) for potentiate_width, then at +depress for depress_width. A row that
//           spiked in the last `pre_window` slots is armed: its driver holds `pre` over the post
//           pulse; the other rows stay at 0 V. A cell of an armed row sees +potentiate (a set), then
//           pre - depress (a partial reset, which sets the level it keeps); a cell of a quiet row
//           potentiate - pre (below its set), then -depress (a deeper reset). Each cell of the
//           column runs this on the engine, after its rest (0 V) since its last run.
// Every `refresh` images all synapses are advanced at rest to the present (retention between
// pulses), and their read currents taken again. Three passes: training (with learning), labelling
// (the training images again, no learning: each neuron labelled by the class it answers most, per
// image of the class) and the test (each image's class: the class whose neurons spiked most per
// neuron; a tie or no spike: the first spike's label, or no answer).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "memlab/network/data.hpp"
#include "memlab/network/device.hpp"
#include "memlab/network/network.hpp"

namespace memlab::network {

// A fresh neuron's answer to one slot: the time from the start of a pulse of gain-stage output v
// (0 to v over `edge`, v for pulse_width, back over `edge`; the neuron's cell over its rail as in
// the device mode) to its spike (the comparator's threshold crossed), tabulated on the engine.
class neuron_table {
public:
    // Neuron k of `s` (its model s.neuron_of(k), from s.neuron_state); `seed` its engine runs' seed.
    neuron_table(const device_spec& s, std::size_t k, std::uint64_t seed);
    // s from the pulse's start; +inf when it does not fire within the pulse and its falling edge.
    double fire_time(double v) const;
    double threshold() const { return v_.front(); }  // V, the lowest tabulated drive that fires
    std::size_t runs() const { return runs_; }
    // J the neuron cell (device and transistor) takes from its drive and rail over the pulse and its
    // edges: `whole`, or only before its spike (up to the comparator's crossing; the whole pulse
    // when it does not fire).
    double energy(double v, bool whole) const;
    // The answers straight from the engine (what the table interpolates).
    struct slot {
        double fire_time = 0;  // s, as fire_time()
        double to_spike = 0;   // J, up to the spike (the whole pulse without one)
        double whole = 0;      // J, the whole pulse
    };
    static slot engine_slot(const device_spec& s, std::size_t k, double v, std::uint64_t seed);
    static double engine_fire_time(const device_spec& s, std::size_t k, double v, std::uint64_t seed) {
        return engine_slot(s, k, v, seed).fire_time;
    }

private:
    std::vector<double> v_, t_;              // drives that fire, and when
    std::vector<double> ev_, e_spike_, e_;   // every tabulated drive (below the threshold too), ln energies
    double rail_ = 0;
    std::size_t runs_ = 0;
};

struct stdp_settings {
    double pre = 0.1;                  // V, an armed row's level during a post pulse
    double potentiate = 0.35;          // V across an armed row's cell in the first phase
    double potentiate_width = 100e-9;  // s
    double depress = 0.3;              // V (reset polarity) across a quiet row's cell in the second phase
    double depress_width = 100e-9;     // s
    std::size_t pre_window = 4;        // slots a row's spike keeps it armed (this slot included)
    std::size_t inhibition = 64;       // slots a spike holds the other neurons off
    std::size_t refractory = 64;       // slots a spike holds its own neuron off
    std::size_t refresh = 50;          // images between two relaxations of every synapse at rest
    std::size_t test_inhibition = 64;  // the two in the labelling and test passes (no learning)
    std::size_t test_refractory = 64;
    std::size_t hold = 0;              // slots the reset line holds every neuron off at the start of an image
    // Stochastic STDP with binary synapses (Suri et al., IEEE Trans. Electron Devices 60, 2402
    // (2013)): for each post pulse, each row's word line is on with this probability, drawn for an
    // armed row (potentiation) or a quiet one (depression); a row that is off leaves its cell at
    // rest. 1: every cell of the winner's column takes the pulse (no draw is made).
    double potentiate_probability = 1.0;
    double depress_probability = 1.0;
};

struct learning_data {
    const image_set* train = nullptr;  // training (and labelling) images
    const image_set* test = nullptr;
    rate_coding coding;                // slot (dt), rate, presentation, rest; the seed is the run's
};

struct learning_result {
    matrix g_initial, g_trained;  // S, each synapse device alone at array::g_probe
    std::vector<int> labels;      // per neuron: its class from the labelling pass, else from the training
                                  // images it won (-1: neither)
    classification test;          // test images x neurons counts and the predicted classes
    spikes train_out, label_out, test_out;     // times from each pass's start
    std::vector<std::size_t> train_winner;     // per training image: the first neuron to fire (or npos)
    std::size_t correct = 0, silent = 0;
    double accuracy = 0;
    std::size_t post_pulses = 0, cell_runs = 0;  // learning pulses and the cells' engine runs
    std::size_t post_cells = 0;                  // cells that took a post pulse (rows x post_pulses at probability 1)
    long steps = 0;                               // the cells' and neuron tables' solver steps
    double learning_energy = 0;                   // J, in the synapse cells (device and transistor) over the post pulses
    double read_energy = 0;                       // J, in the synapse cells over every read pulse (all passes)
    double neuron_energy = 0;                     // J, in the neuron cells (tabulated per slot, all passes)
    std::size_t neuron_runs = 0;                  // engine runs of the neuron tables
    std::uint64_t synaptic_events = 0;            // input pulses x neurons, all passes
    std::uint64_t neuron_slots = 0;               // neurons x slots with an input pulse, all passes
    double trained_at = 0;                        // s, the run's clock at the end of training
};

// The cell voltage of one post pulse (0 V until t0, then the two phases with s.edge edges) on a
// cell of an armed or a quiet row.
std::shared_ptr<array::schedule> post_waveform(const device_spec& s, const stdp_settings& L, bool armed, double t0);

// Synapse cell `cell` alone (s.synapse_of(cell) behind s.transistor at s.synapse_gate) at rest for
// `rest`, then under the post pulse of an armed or a quiet row, on the engine from `state`, which it
// updates.
struct post_result {
    double energy = 0;  // J, delivered to the cell (device and transistor) by its driver
    long steps = 0;
    double end = 0;     // s, the run's length: the rest (at least two edges) and the pulse
};
post_result post_pulse(const device_spec& s, const stdp_settings& L, std::vector<double>& state, bool armed, double rest,
                       std::uint64_t seed, std::size_t cell = 0);

// Checks the settings (input_error naming the key under network.learning).
void check(const stdp_settings& L);

// Trains s's synapses (from s.synapse_state) on d.train, labels the neurons on d.train and tests on
// d.test. `seed` seeds the input draws (one stream per pass) and the cells' engine runs.
learning_result learn(const device_spec& s, const stdp_settings& L, const learning_data& d, std::uint64_t seed,
                      const fraction_fn& progress = {});

}  // namespace memlab::network
