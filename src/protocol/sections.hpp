#pragma once
// Private to the loaders of experiment files: the tables that circuit and array files share,
// each read in one place ([device], a transistor's parameters, [solver]).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "memlab/circuit/simulation.hpp"
#include "memlab/device/model.hpp"
#include "memlab/device/mosfet.hpp"
#include "memlab/stimulus/waveform.hpp"
#include "toml_reader.hpp"

namespace memlab::protocol::detail {

// [device]: the model by name and its parameters with units; the resolved parameters go into the
// reader's resolved table. The caller reads [device.initial_state] (one state per device, or maps
// in an array file), [device.d2d] (read_d2d) where the file takes it, and finishes `dev`.
std::unique_ptr<device::model> read_device_model(reader& dev, const std::string& file);

// [device.d2d]: the device-to-device spread (standard deviation) of any parameter of `m`.
std::map<std::string, double> read_d2d(reader& dev, const device::model& m);

// An access transistor's parameters by name with units (the rest keep the shipped set); `where`
// names the table in messages ("circuit.transistor").
std::shared_ptr<device::mosfet> read_transistor(reader& tr, const std::string& file, const std::string& where);

// A stimulus table (the keys of [stimulus]) as one waveform; sweep_blocks, which also drives a
// current limit, fails with `why_not_blocks`.
stimulus::waveform_ptr read_waveform(reader& r, const std::string& why_not_blocks);

// [solver]: tolerances, largest step, events on or off.
circuit::solver_options read_solver(reader& sol);

}  // namespace memlab::protocol::detail
