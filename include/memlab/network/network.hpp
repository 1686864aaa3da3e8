#pragma once
// A spiking network: input rows, a crossbar of synapses, a layer of neurons on its columns, lateral
// inhibition between them (docs/networks.md). A spec describes the network; simulate() runs it.
//
// LIF mode (the ideal network, for the cross-check with Brian2 and as the software baseline):
//   tau dv/dt = v_rest - v + bias, integrated exactly over each clock step dt;
//   a spike when v > v_threshold and the neuron is not refractory; then v <- v_reset, and the
//   neuron neither integrates nor fires for `refractory` (counted in whole steps, as Brian2 does),
//   and what its synapses bring in that time is lost (its potential is held). An input spike on row i adds weight(i, j) to every neuron j in the step it happens; a neuron's
//   spike adds inhibition to every other neuron in the same step. Within a step: state update,
//   threshold, synaptic propagation (inputs, rows ascending; then inhibition), reset: Brian2's
//   default schedule.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "memlab/array/array.hpp"
#include "memlab/network/data.hpp"
#include "memlab/util/rng.hpp"

namespace memlab::network {

// Ideal leaky integrate-and-fire neuron (SI: s, V).
struct lif_params {
    double tau = 20e-3;           // s, membrane time constant
    double v_rest = -65e-3;       // V, resting potential
    double v_reset = -65e-3;      // V, potential after a spike
    double v_threshold = -50e-3;  // V, a spike when v exceeds it
    double refractory = 0;        // s, held after a spike
    double bias = 0;              // V, a constant drive R I (the membrane settles at v_rest + bias)
};

// Input events: row `row[k]` spikes at `time[k]` (s), in time order.
struct input_spikes {
    std::vector<std::size_t> row;
    std::vector<double> time;
    std::size_t size() const { return row.size(); }
};

// Output events: neuron `neuron[k]` spikes at `time[k]` (s), in time order, neurons ascending
// within one step.
struct spikes {
    std::vector<std::size_t> neuron;
    std::vector<double> time;
    std::size_t size() const { return neuron.size(); }
};

// rows x cols matrix of doubles, row-major: the arrays' map (a weight matrix is the crossbar's map).
using matrix = array::map;

struct lif_spec {
    std::size_t inputs = 0, neurons = 0;
    lif_params neuron;
    matrix weight;            // inputs x neurons, V added to the neuron's potential per input spike
    double inhibition = 0;    // V added to every other neuron per spike (negative: inhibition)
    double dt = 1e-4;         // s, clock step
    double duration = 0;      // s, simulated time
    // Times (s) at which every neuron is returned to rest (v = v_rest, not refractory) before the
    // step's update: the start of each presented image (a global reset line, periphery).
    std::vector<double> resets;
};

struct lif_result {
    spikes out;
    std::vector<std::size_t> counts;  // spikes per neuron
    std::uint64_t synaptic_events = 0;  // input spikes x neurons plus spikes x (neurons - 1)
    std::uint64_t steps = 0;
};

// Checks a spec (input_error naming the field); simulate_lif calls it.
void check(const lif_spec& s);

// Input events handed over in chunks, in time order: each call replaces `chunk` with the next
// events (none in a step before the previous chunk's last) and returns false when none are left.
// A data set's inputs come image by image, so a run never holds them all.
using input_source = std::function<bool(input_spikes& chunk)>;

// Runs the LIF network from rest (every v = v_rest) over s.duration. An input spike (or a reset) at
// time t falls into step floor(t / dt + 1e-3), Brian2's timestep() (steps at 0, dt, 2 dt, ...; a
// multiple of dt never falls into the step before; t beyond the duration is ignored).
lif_result simulate_lif(const lif_spec& s, const input_source& next);
lif_result simulate_lif(const lif_spec& s, const input_spikes& in);  // all inputs in one chunk

// Rate coding of images: image n is presented from n (presentation + rest) for `presentation`;
// pixel k is row k, spiking as a Poisson (Bernoulli per step) train at rate_max * pixel / max_value;
// with bias_rate > 0 one more row (the last) spikes at bias_rate during every presentation. The
// draws come from one util::rng stream seeded with `seed`, image by image, step by step, row by row.
struct rate_coding {
    double rate_max = 0;      // Hz, a pixel at max_value
    double bias_rate = 0;     // Hz, the bias row (0: none)
    double presentation = 0;  // s
    double rest = 0;          // s, between images
    double dt = 0;            // s, the clock step
    std::uint64_t seed = 1;
};

// The coding above, one image at a time (input_error on a rate beyond 1/dt). Holds a reference
// to `images`, which must outlive it.
class rate_encoder {
public:
    rate_encoder(const image_set& images, const rate_coding& c);
    std::vector<double> starts() const;  // s, each image's start
    // The next image's spikes (false after the last).
    bool next(input_spikes& chunk);

private:
    const image_set& images_;
    rate_coding c_;
    std::int64_t per_ = 0, gap_ = 0;
    std::size_t n_ = 0;
    util::rng g_;
    std::vector<double> p_;
};

// Every image's spikes at once (the encoder's, concatenated); `starts` receives each image's start.
input_spikes encode_rates(const image_set& images, const rate_coding& c, std::vector<double>& starts);

// Per presented image: spikes per neuron in [start, start + window), and the class (the neuron
// with most spikes; a tie goes to the one that fired first; -1 if none fired).
struct classification {
    matrix counts;                 // images x neurons
    std::vector<int> predicted;
};
classification classify(const spikes& out, std::size_t neurons, const std::vector<double>& starts, double window);

// Poisson (Bernoulli per step) input: row i spikes in each step of dt with probability rate[i] dt,
// at most once per step, over [0, duration); the draws come from util::rng seeded with `seed`.
input_spikes poisson(const std::vector<double>& rate, double dt, double duration, std::uint64_t seed);

}  // namespace memlab::network
