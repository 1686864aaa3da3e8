#pragma once
// Arrays of 1R or 1T1R cells as one circuit: the description (`spec`), the circuit it makes
// (`build`), and a `controller` that runs operations on it (reads, write pulses, write-verify
// programming) by continuing one simulation, so every state and line voltage carries over.
//
// Geometry (rows are driven, columns are sensed; cell (r, c) counted from 0, as the maps' indices):
//
//   bit line r  (BL, along row r):      driver "VBL<r>" on node "bl<r>", then one segment of
//                                       bit_line_resistance before each cell's top "bl<r>_<c>"
//   source line c (SL, along column c): from the cell bottoms "sl<r>_<c>" (row 0 farthest) through
//                                       one segment of source_line_resistance after each cell to
//                                       the TIA "TIA<c>" on node "sl<c>" (virtual ground at its
//                                       reference, the column driver's level); output "out<c>"
//   word line r (WL, along row r; 1T1R): driver "VWL<r>" on node "wl<r>", one segment of
//                                       word_line_resistance before each gate "wl<r>_<c>"
//   or, with word_lines = columns, word line c along column c: driver "VWL<c>" on node "wl<c>",
//                                       one segment before each gate "wl<r>_<c>" from row 0 on:
//                                       each column's gate, and with it each column's current
//                                       limit (its role), set by its own driver
//   cell (r, c): 1R: device "X<r>_<c>" from bl<r>_<c> to sl<r>_<c>; 1T1R: device from bl<r>_<c> to
//                "m<r>_<c>", transistor "T<r>_<c>" (drain m, gate wl<r>_<c>, source sl<r>_<c>,
//                bulk ground)
//
// A line resistance of 0 joins the line's nodes into its driver's (or TIA's) node. A 1R crossbar
// has no word lines: its rows are the bit lines, its columns the source lines (the 1T1R names are
// kept so that one file serves both cells). The device's positive terminal is on the bit line: a
// positive cell voltage (bit line above source line) is SET for the shipped models.
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "memlab/circuit/simulation.hpp"
#include "memlab/device/model.hpp"
#include "memlab/device/mosfet.hpp"
#include "memlab/io/trace.hpp"
#include "memlab/stimulus/waveform.hpp"

namespace memlab::array {

enum class cell_type { r1, t1r1 };
const char* cell_name(cell_type c);  // "1R", "1T1R"

// Which way the word lines (the gates) run: along the rows (a row selected by its gate) or along
// the columns (a column's gate, and so its cells' current limit, set by its own driver).
enum class direction { rows, columns };
const char* direction_name(direction d);  // "rows", "columns"

// A rows x cols map of numbers, row-major.
struct map {
    std::size_t rows = 0, cols = 0;
    std::vector<double> v;
    map() = default;
    map(std::size_t r, std::size_t c, double fill = 0) : rows(r), cols(c), v(r * c, fill) {}
    double& operator()(std::size_t r, std::size_t c) { return v[r * cols + c]; }
    double operator()(std::size_t r, std::size_t c) const { return v[r * cols + c]; }
};

struct spec {
    std::size_t rows = 1, cols = 1;
    cell_type cell = cell_type::t1r1;
    double word_line_resistance = 0;    // Ohm per segment (1T1R)
    direction word_lines = direction::rows;  // 1T1R
    double bit_line_resistance = 0;     // Ohm per segment
    double source_line_resistance = 0;  // Ohm per segment
    std::vector<device::model_ptr> devices;          // one per cell, row-major (device-to-device draws)
    std::vector<std::vector<double>> initial_state;  // one per cell, row-major
    std::shared_ptr<const device::mosfet> transistor;  // 1T1R
    bool transistor_capacitances = false;
    circuit::tia_params tia{1e4, 100e6};  // every column's TIA: gain (V/A), bandwidth (Hz); its
                                          // reference is the column driver
    double rise = 10e-9, fall = 10e-9;  // s, edges of every pulse the controller schedules
    double gap = 100e-9;                // s, idle time before each pulse

    std::size_t cells() const { return rows * cols; }
    // Word lines (1T1R): one per row, or one per column; the word line of cell (r, c).
    std::size_t word_line_count() const { return word_lines == direction::rows ? rows : cols; }
    std::size_t word_line_of(std::size_t r, std::size_t c) const { return word_lines == direction::rows ? r : c; }
    void check() const;  // input_error naming what is inconsistent
};

// Element and node names (see the header comment).
std::string device_name(std::size_t r, std::size_t c);      // "X<r>_<c>"
std::string transistor_name(std::size_t r, std::size_t c);  // "T<r>_<c>"
std::string tia_name(std::size_t c);                        // "TIA<c>"

// One waveform per line: bit lines per row, word lines per row or column (spec::word_lines), the
// TIAs' references per column. Optionally (empty: none) lines set by other elements of the
// circuit: `source_node[k]` non-empty holds column k's TIA input at that node's level instead of
// source[k] (circuit::add_tia_on_node); `bit_control[r]` = {node, gain} adds gain x v(node) to bit
// line r's waveform (a voltage-controlled source "EBL<r>" in series with "VBL<r>").
struct drivers {
    std::vector<stimulus::waveform_ptr> bit, word, source;
    std::vector<std::string> source_node;
    std::vector<std::pair<std::string, double>> bit_control;
};

// The array as one circuit, its lines driven by `d` (word lines only for 1T1R).
circuit::circuit build(const spec& s, const drivers& d);

// A waveform that the controller extends as it goes: piecewise linear through its points, constant
// after the last. Points may be added only after the last one.
class schedule final : public stimulus::waveform {
public:
    explicit schedule(double level = 0) : t_{0.0}, v_{level} {}
    double value(double t) const override;
    double next_breakpoint(double t) const override;
    double end_time() const override { return t_.back(); }
    nlohmann::json describe() const override;
    // Holds the last level until t0, then ramps to `level` over `ramp` (0: holds only).
    void ramp(double t0, double level, double ramp);
    // A point at t (not before the last one; at the same time: a step).
    void to(double t, double level);
    double level() const { return v_.back(); }
    const std::vector<double>& times() const { return t_; }
    const std::vector<double>& values() const { return v_; }

private:
    std::vector<double> t_, v_;
};

// The inhibit scheme of a write pulse on one cell (V the cell voltage: > 0 SET on the bit line,
// < 0 RESET on the source line): the unselected bit and source lines are at
//   half ("v/2"):  |V|/2 each (half-selected cells see V/2, the rest 0);
//   third ("v/3"): unselected bit lines V/3 and source lines 2V/3 in SET (mirrored in RESET): every
//                  unselected cell sees V/3 in magnitude;
//   gate (1T1R):   the unselected word lines off, the unselected source lines at the selected bit
//                  line's level: the selected row sees 0 V, the other rows are gated off.
enum class scheme { half, third, gate };
scheme scheme_from(const std::string& text);  // "v/2", "v/3", "gate"; input_error otherwise
const char* scheme_name(scheme s);

struct read_settings {
    double voltage = 0.2;  // V on the read row's bit line (the others and the columns at 0 V)
    double width = 1e-6;   // s, plateau; the TIAs' outputs are sampled at its end
    double gate = 3.3;     // V on the read row's word line (1T1R; the others at 0 V); with word
                           // lines along the columns, on every word line
};

struct pulse_settings {
    double voltage = 0;  // V across the cell: > 0 SET (bit line), < 0 RESET (source line)
    double width = 100e-9;
    double gate = 3.3;   // V on the selected word line (1T1R); NaN: the line's own level (controller::gate)
    scheme inhibit = scheme::half;
};

// A waveform on every bit line at once (controller::drive): the cells of `columns` (empty: every
// column) see it across cell and transistor, the other columns' source lines follow it (their
// cells see 0 V). The word lines stay at their levels (controller::gate): each cell's limit, and
// so its role, is its gate's. For a waveform of pulses, per pulse and per cell:
//   peak: the largest magnitude of the device's current from the pulse's start to its end (A);
//   g_on: the device's largest conductance over the same window, g_off its smallest from the
//         pulse's end to the next pulse's start (or to the end of the waveform): the device alone
//         at `g_probe` in its state at every solver step (S);
// and per cell its limit: the transistor's current at its gate with the pulse level on its drain
// (A; infinity for 1R cells).
struct drive_result {
    std::vector<double> start;        // s, each pulse's start on the array's clock
    std::vector<map> peak, g_on, g_off;  // one map per pulse
    map limit;
    double end = 0;                   // s, end of the waveform (every line back at its level)
};
constexpr double g_probe = 0.1;  // V, the device voltage at which drive_result's conductances are taken

// Write-verify: per cell in row-major order, read; while the read conductance is outside
// target (1 +- tolerance), a SET pulse if it is below, a RESET pulse if above, then read again.
// SET steps the gate (1T1R; the bit line at set.voltage) or the pulse (1R) by `step` from `start`
// on every SET in a row, and steps back one after a RESET; RESET steps its voltage from
// reset_start, back to reset_start after a SET.
struct program_settings {
    map target;                // S, read conductance wanted per cell
    double tolerance = 0.05;   // relative
    std::size_t max_pulses = 50;
    read_settings verify;
    double set_voltage = 2.0, set_width = 100e-9;       // 1T1R: the bit line's level in SET
    double set_start = 0.9, set_step = 0.02, set_max = 3.3;  // 1T1R: gate (V); 1R: pulse (V)
    double reset_start = 1.0, reset_step = 0.05, reset_max = 3.0, reset_width = 100e-9;  // V (magnitude)
    double reset_gate = 3.3;   // 1T1R
    scheme inhibit = scheme::half;
};

struct read_result {
    map apparent;  // S: each column's TIA output / gain / read voltage, row by row
    map cell;      // S: each cell alone at the read voltage (device, and transistor at the read gate)
    double time = 0;  // s, end of the last row's plateau
};

struct program_result {
    map target, achieved, cell;  // S: wanted, last verify read, the cell alone at the verify voltage
    map pulses;                  // write pulses per cell
    map energy;                  // J per cell: the integral of v i over its device and transistor
                                 // during its own write and verify pulses
    std::size_t converged = 0;   // cells within tolerance at the end
    double rms_error = 0, worst_error = 0;  // relative, achieved against target
};

// A cell alone at voltage v on its bit line, its source line at 0 V: the device (model `m` in
// `state`) alone (t null: 1R) or in series with its transistor at gate `gate`, bulk at 0 V (1T1R):
// the current through it (A), the middle node solved by bisection.
double series_current(const device::model& m, std::span<const double> state, const device::mosfet* t, double v, double gate);

// Runs operations on one array, continuing one simulation. `trace` (may be null) receives the
// recorded probes at every solver step of every operation.
class controller {
public:
    controller(const spec& s, circuit::solver_options opts, std::uint64_t seed, std::vector<std::string> probes,
            io::trace_sink* trace);
    ~controller();
    controller(const controller&) = delete;
    controller& operator=(const controller&) = delete;

    read_result read(const read_settings& r);
    // One cell's read conductance (S): its row read, its column sensed.
    double read_cell(std::size_t r, std::size_t c, const read_settings& rs);
    void pulse(std::size_t r, std::size_t c, const pulse_settings& p);
    program_result program(const program_settings& p);
    void rest(double duration);
    // Sets every word line's level between operations (1T1R; one level per word line, in V): the
    // lines ramp there (spec::rise) and stay; every later operation returns them to it. Reads and
    // pulses still drive the lines they select to their own gate for their duration.
    void gate(const std::vector<double>& levels);
    const std::vector<double>& gates() const;
    // `w` on every bit line from now on (its time 0 one spec::gap from now), then every line back
    // at its level. See drive_result.
    drive_result drive(const stimulus::waveform& w, const std::vector<std::size_t>& columns);

    // The cell alone at voltage v (and word line `gate` for 1T1R), in its present state: the
    // current through device and transistor in series.
    double cell_current(std::size_t r, std::size_t c, double v, double gate) const;
    // Energy dissipated in cell (r, c)'s device and transistor so far (J).
    double energy(std::size_t r, std::size_t c) const;

    double time() const;
    const circuit::simulation& simulation() const;
    const circuit::circuit& circuit() const;
    const drivers& lines() const;
    // The driver waveforms as scheduled so far (the whole stimulus, for a replay in ngspice).
    const schedule& bit_line(std::size_t r) const;
    const schedule& word_line(std::size_t w) const;  // w: row or column (spec::word_lines)
    const schedule& source_line(std::size_t c) const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// The array as an ngspice deck, for the cross-checks: the same elements and node names as build(),
// every driver as a PWL source through its breakpoints up to t_end (a controller's schedules), the
// devices as their exported subcircuits (one per distinct model, the initial states by .ic), the
// transistors as level-1 MOSFETs with the EKV set's VTO, KP, GAMMA, PHI and LAMBDA = lambda_l / L
// (the two agree in strong inversion at gamma = 0: memlab/device/mosfet.hpp), each TIA as a PWL
// source at its reference (its current i(VSL<c>) is the TIA's input current; no output filter), the
// transistor capacitances (when on) as the four constant capacitors circuit::transistor stamps.
// A transient to t_end (Gear, `reltol`, largest step `tmax`) writes time and `vectors` to out.txt
// (spice::run_batch). input_error for a model without a SPICE form.
std::string spice_deck(const spec& s, const drivers& d, double t_end, double reltol, double tmax, const std::vector<std::string>& vectors);

// The relative error of `got` against `want`: (got - want) / want per cell, its RMS and largest
// magnitude.
struct error_summary {
    map relative;
    double rms = 0, worst = 0;
};
error_summary compare(const map& got, const map& want);

}  // namespace memlab::array
