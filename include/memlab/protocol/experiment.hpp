#pragma once
// An experiment: the paper's lab around one device (a source, a series resistor, the device, and
// optionally a parasitic capacitance and a transimpedance amplifier), a stimulus, what to record,
// and solver settings, read from a TOML file. Every value carries its unit ("2 MOhm"); every key
// is checked (an unknown key is an error naming the file and the key, as in NEST).
//
//   source --[series_resistance]-- top --[device]-- bottom --(TIA input | ground)
//                                   |
//                          parasitic_capacitance to ground
//
// Nodes: "in" (source output), "top" (device, positive terminal), "bottom" (device, negative
// terminal; the TIA's virtual ground when there is a TIA, else ground), "out" (TIA output).
// Elements: "SRC" (the AWG voltage source or the SMU), "Rs", "Cp", "DUT" (the device), "TIA".
//
// A 1T1R cell ([circuit.transistor]): the access transistor "FET" in series below the device in
// place of an SMU's compliance, drain on node "drain" (the device's negative terminal), source and
// bulk at ground, gate on node "gate" driven by "VG" on node "wl" (a DC value, or per sweep block)
// through the driver's resistance "RG" (with capacitances on it is needed: see elements.cpp).
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlab/circuit/simulation.hpp"
#include "memlab/device/model.hpp"
#include "memlab/device/mosfet.hpp"
#include "memlab/stimulus/waveform.hpp"

namespace memlab::protocol {

// One block of an SMU sweep protocol (training, regime switching): `cycles` equal cycles of
// length `period` from `start`, at current limit `compliance`.
// With an access transistor the block gives a gate voltage, and `compliance` is the current the
// transistor passes at that gate with the sweep's largest voltage on its drain (its limit).
struct sweep_block {
    double start, period, compliance;
    std::size_t cycles;
    double gate = 0;  // V, with an access transistor
};

// The access transistor of a 1T1R cell (see the header comment).
struct access_transistor {
    std::shared_ptr<device::mosfet> model;
    stimulus::waveform_ptr gate;  // V
    bool capacitances = false;    // the model's gate and junction capacitances
    double gate_resistance = 0;   // Ohm, of the gate driver ("RG" from "wl" to "gate"); 0: none
};

struct experiment {
    std::string file;  // where it was read from (for messages)
    std::string name, description, figure;
    std::uint64_t seed = 1;
    std::vector<std::string> targets;  // the paper's targets this file serves (ids of docs/targets.md)
    double duration = 0;  // s; 0: end of the stimulus
    std::shared_ptr<device::model> device;
    std::vector<double> initial_state;  // the device's state at t = 0 (model default or the file's)
    std::string source = "awg";  // "awg" or "smu"
    double series_resistance = 0;      // Ohm; 0: none
    double parasitic_capacitance = 0;  // F; 0: none
    std::optional<circuit::smu_params> smu;
    std::optional<circuit::tia_params> tia;
    std::optional<access_transistor> transistor;
    stimulus::waveform_ptr stimulus;
    // The device's history ([history]): a stimulus applied to the same circuit before the
    // experiment, from t = -t_zero to 0, and not recorded; the experiment's random streams run on
    // through it. Null: none (the device starts at initial_state at t = 0).
    stimulus::waveform_ptr history;
    double t_zero = 0;  // s, the history's duration (0 without one)
    // What the source applies, from the start of the history: the history, then the stimulus.
    stimulus::waveform_ptr source_waveform() const;
    // The end of a run from the start of the history: t_zero + duration.
    double run_end() const { return t_zero + duration; }
    // "40.07 ms simulated" (" after 8.016 ms of history" with one), for progress lines.
    std::string simulated_text() const;
    std::vector<sweep_block> blocks;  // for kind = "sweep_blocks"; empty otherwise
    circuit::recording recording;
    double csv_tolerance = 0;  // traces.csv: relative tolerance of its rows (io::thinned_trace); 0: every row
    circuit::solver_options solver;
    nlohmann::json resolved;  // the whole experiment, defaults filled in, with units
    std::vector<std::string> notes;  // what loading changed that the user should hear about
                                     // (e.g. settings dropped when --set device.model swaps it)

    // Device-to-device variability: `devices` devices, each with its parameters drawn as
    // N(value, d2d[name]) (clipped to the parameter's range) from a generator seeded by (seed,
    // device index); device 0 with devices == 1 is the nominal device itself.
    std::size_t devices = 1;
    std::map<std::string, double> d2d;
    // The standard normals of each device's draw (device index -> parameter -> value), replacing
    // those of the generator seeded by (seed, index): memlab fit's moment-matched model population
    // (device::matched_normals). Empty (always, for files run by memlab run, sweep or reproduce):
    // drawn from (seed, index).
    std::vector<std::map<std::string, double>> d2d_normals;
    std::shared_ptr<device::model> device_instance(std::size_t index) const;

    // A study (a [study] table): a population run by `memlab sweep FILE`, one task per device and
    // seed, each device's targets evaluated on its own. `memlab reproduce` and `sensitivity` leave
    // it out and `memlab run` refuses it (it would evaluate the targets on device 1 only).
    bool study = false;
    std::vector<std::string> study_metrics;  // table columns the sweep draws and summarises first

    circuit::circuit build_circuit(std::size_t device_index = 0) const;
};

// Which experiment serves which target: target id -> experiment name, from the `experiment.targets`
// of each file (circuit or molecular-dynamics alike; nothing else of a file is read or checked).
// Study files (a [study] table) serve none: they evaluate the targets per device of a population.
std::map<std::string, std::string> served_targets(const std::vector<std::filesystem::path>& files);

// Whether a file is a study (has a [study] table); read without loading it.
bool is_study_file(const std::filesystem::path& file);

// Reads an experiment file. `overrides` are "key=value" pairs applied before reading
// ("circuit.series_resistance=10 MOhm", "device.model=vteam"). Throws input_error with
// "FILE: key: problem" on any mistake.
experiment load(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});

// One device as the [device] table of an experiment file gives it, for the tools that take a
// device without a file (memlab export-spice): the model `model` with `overrides` in the form
// --set takes for `memlab run` ("device.r_on=2 kOhm", "device.initial_state.w=1 nm"), or the same
// keys without "device.". Errors start with `where` ("export-spice").
struct device_setup {
    std::shared_ptr<device::model> model;
    std::vector<double> initial_state;  // the model's own, or the overrides'
};
device_setup load_device(const std::string& model, const std::vector<std::string>& overrides, const std::string& where);

// A stimulus from the keys of an experiment file's [stimulus] table (kind, amplitude, width, ...),
// given as JSON with the values TOML would hold (quantities as strings with units, counts as
// integers), read by the same reader as a file: the same defaults, checks and one-line errors,
// which begin with `where` (e.g. "pulse_train()"). sweep_blocks (an SMU's stimulus) is not one.
stimulus::waveform_ptr make_stimulus(const nlohmann::json& table, const std::string& where);

struct run_result {
    nlohmann::json metrics;
    circuit::run_stats stats;
};

// Runs an experiment (for device `device_index`), writing its traces to `sink`.
run_result run(const experiment& e, io::trace_sink& sink, std::size_t device_index = 0);

}  // namespace memlab::protocol
