#pragma once
// One experiment file run into a folder: the files `memlab run` and every experiment of a reproduce
// write (traces.h5, traces.csv on request, metrics.json, config.json; the MD's LAMMPS folders).
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "memlab/array/experiment.hpp"
#include "memlab/io/trace.hpp"
#include "memlab/md/diffusion.hpp"
#include "memlab/network/experiment.hpp"
#include "memlab/protocol/experiment.hpp"

namespace memlab::lab {

// Hears one line of progress at a time (no newline).
using progress_fn = std::function<void(const std::string& line)>;

// Runs a circuit experiment into `folder` (which must exist): traces.h5 (and traces.csv),
// metrics.json, config.json; with `ngspice`, the circuit runs in ngspice and deck.cir is kept.
// With several devices (experiment.devices) each device is a group of its own in traces.h5
// ("NAME_device1", ...), metrics carry a "deviceN." prefix, and traces.csv holds device 1.
// `memories`, when given, receives every device's recorded trace (for the report's evaluation).
protocol::run_result run_into(const protocol::experiment& e, const std::filesystem::path& folder, bool csv,
                              std::vector<io::memory_trace>* memories = nullptr, bool ngspice = false);

// Runs one device (0-based `device` of experiment.devices) of a circuit experiment into `folder`:
// traces.h5 (its group named as by run_into), metrics.json (no device prefix), config.json.
// `memory`, when given, receives the recorded trace. A sweep's task.
protocol::run_result run_device_into(const protocol::experiment& e, std::size_t device, const std::filesystem::path& folder,
                                     io::memory_trace* memory = nullptr);

// Runs an MD experiment into `folder`: the LAMMPS inputs, logs and trajectories (sampleN/...),
// traces.h5 (one group per ion and sample: the ion's displacement and the glass's MSD),
// metrics.json and config.json; up to `jobs` LAMMPS processes at a time.
md::diffusion_result run_md_into(const md::diffusion_experiment& e, const std::filesystem::path& folder, int jobs,
                                 const progress_fn& progress = {});

// Runs an array experiment into `folder`: traces.h5 (the probes at every solver step in group NAME,
// every map of the run as a rows x cols dataset in group "maps", with its unit and time), traces.csv
// on request (the probes), metrics.json and config.json.
array::result run_array_into(const array::experiment& e, const std::filesystem::path& folder, bool csv);

// Runs a network experiment into `folder`: traces.h5 (group "spikes": neuron and time of every
// output spike; group "input_spikes": row and time; group "weights": one inputs x neurons dataset
// per epoch, "epoch0" the initial weights), metrics.json and config.json. `progress` (device mode)
// hears a line with a bar, the elapsed time and an ETA at every 5 % of the simulation.
network::run_result run_network_into(const network::experiment& e, const std::filesystem::path& folder, const progress_fn& progress = {});

struct run_options {
    bool csv = false;
    bool ngspice = false;             // circuit files: run the circuit in ngspice
    bool figure = true;               // draw figure.png (the Python layer)
    int jobs = 2;                     // MD files: LAMMPS processes at a time
    std::filesystem::path python;     // the memlab Python package's folder (empty: python_dir())
};

template <class Result>
struct run_outcome {
    Result result;
    bool figure_drawn = false;  // false with options.figure: figure.log in `out` says why
    double seconds = 0;         // wall time of the run, the figure left out
};

// memlab run: the experiment into `out`, staged (a failure leaves no `out` behind), with its figure.
run_outcome<protocol::run_result> run(const protocol::experiment& e, const std::filesystem::path& out, const run_options& o);
run_outcome<array::result> run(const array::experiment& e, const std::filesystem::path& out, const run_options& o);
run_outcome<network::run_result> run(const network::experiment& e, const std::filesystem::path& out, const run_options& o,
                                     const progress_fn& progress = {});
run_outcome<md::diffusion_result> run(const md::diffusion_experiment& e, const std::filesystem::path& out, const run_options& o,
                                      const progress_fn& progress = {});

}  // namespace memlab::lab
