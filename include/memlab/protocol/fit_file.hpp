#pragma once
// A fit file: which measurement is fitted, by which experiment, with which free parameters and
// which loss (memlab fit, docs/fitting.md). Every value carries its unit; every key is checked.
//
//   [fit]        experiment = "setup.toml" (the lab that replays the measurement: device model,
//                source, compliance, series resistor, solver), set = [overrides of it], seeds,
//                confidence, intervals ("curvature" or "bootstrap" over cycles), bootstrap (replicates),
//                device_draws ("matched" or "independent": the model's device-to-device draws)
//   [data]       file = "measured.csv" (CSV with a "name [unit]" header, or HDF5: group, one
//                dataset per column with a "unit" attribute), or files = [one per device], or a
//                device column (several devices in one file), time, voltage (the column replayed
//                as the source's waveform; absent: the experiment's own stimulus), current (the
//                column compared), probe (the model's probe it is compared with), replay_tolerance
//   [loss]       kind = "current" (weighted least squares point by point, noise + relative_noise
//                |I|), "vset" (the mean and standard deviation of Vset over the cycles:
//                compliance, period, start, fraction) or "conductance" (the read conductance at
//                each read pulse of the experiment's protocol, point for point: read_level, noise)
//   [optimizer]  starts (points of an initial design over the ranges, run in parallel; the local
//                searches start at the best local_searches of them), algorithm (an NLopt name), max_evaluations, tolerance
//   [[parameter]] key ("device.NAME", "device.d2d.NAME", "circuit.series_resistance",
//                "circuit.parasitic_capacitance"), min, max, start, scale ("log" or "linear")
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace memlab::protocol {

struct fit_parameter {
    std::string key;   // as --set takes it: "device.k_off"
    std::string unit;  // SI unit of its value
    double min = 0, max = 0, start = 0;  // SI
    bool log = false;  // fitted in log |x| (min and max of one sign): its interval is then asymmetric
};

struct fit_spec {
    std::string file;                      // the fit file (for messages)
    std::string name;
    std::filesystem::path experiment;      // the experiment file (relative paths: to the fit file's folder)
    std::vector<std::string> sets;         // overrides of the experiment ([fit] set, then --set)
    std::vector<std::uint64_t> seeds;      // the model's seeds (common random numbers); default {experiment.seed}
    double confidence = 0.95;              // of the intervals
    std::string intervals = "curvature";   // "curvature" (Gauss-Newton) or "bootstrap" (over cycles; vset loss)
    int bootstrap = 0;                     // bootstrap replicates (intervals = "bootstrap")
    // Several devices: the model's device-to-device draws over all its devices (every seed's),
    // "matched" (default: shifted and scaled to the nominal mean and the stated spread exactly,
    // device::matched_normals) or "independent" (each device's own draw, as memlab run draws it).
    std::string device_draws = "matched";
    // [data]
    std::filesystem::path data;            // the (first) data file, for messages
    std::vector<std::filesystem::path> data_files;  // one per device (data.files), or the one file
    std::string device_column;             // a column numbering the devices of one file (empty: one device a file)
    std::string group;                     // HDF5 only
    std::string time = "time", voltage, current = "i(DUT)", probe, voltage_probe;
    double replay_tolerance = 10e-6;       // V: the replayed waveform gives back every measured voltage within it
    std::string conductance = "G";         // conductance loss: the column of read conductances (one row per read)
    // [loss]
    std::string loss = "current";          // "current", "vset" or "conductance"
    double noise = 0, relative_noise = 0;  // A (current) or S (conductance), 1
    double read_level = 0;                 // V: conductance loss, the level of the protocol's read pulses
    double compliance = 0, period = 0, start = 0, fraction = 0.9;  // vset: A, s, s, 1
    // [optimizer]
    std::string algorithm = "LN_BOBYQA";
    int max_evaluations = 200;           // of the local search
    int starts = 0;                      // points of the initial design (default 8 per parameter)
    int local_searches = 3;              // local searches, from the best points of the design (each up to max_evaluations)
    double tolerance = 1e-4;               // relative change of the parameters (in their scale) that ends the search
    std::vector<fit_parameter> parameters;
    nlohmann::json resolved;               // the whole fit file, defaults filled in, with units
};

// Reads a fit file; `sets` are experiment overrides appended to [fit] set; `data`, when not empty,
// replaces [data] file. input_error "FILE: key: problem" on any mistake (an unknown parameter
// included: the experiment is loaded once here).
fit_spec load_fit(const std::filesystem::path& file, const std::vector<std::string>& sets = {}, const std::filesystem::path& data = {});

// The NLopt algorithms memlab fit accepts: LN_* (derivative-free: one evaluation at a time) and
// LD_* (gradient by forward differences: n + 1 evaluations at a time, in parallel).
const std::vector<std::string>& fit_algorithms();

}  // namespace memlab::protocol
