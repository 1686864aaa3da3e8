// Arrays described and built, not integrated (memlab/array/array.hpp; the runs are in
// tests/validation/test_array.cpp): the circuit's elements and nodes, the line schedules, the
// maps' comparison, and array files read with every mistake one line naming the file and key.
#include <gtest/gtest.h>

#include <cmath>

#include "memlab/array/array.hpp"
#include "memlab/array/experiment.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/error.hpp"
#include "memlab/protocol/array_file.hpp"
#include "../protocol_files.hpp"

using namespace memlab;
namespace fs = std::filesystem;

namespace {

using test::write_file;

array::spec small(array::cell_type cell, double r_line) {
    array::spec s;
    s.rows = 2, s.cols = 3;
    s.cell = cell;
    s.bit_line_resistance = s.source_line_resistance = r_line;
    if (cell == array::cell_type::t1r1) {
        s.word_line_resistance = r_line;
        s.transistor = std::make_shared<device::mosfet>();
    }
    std::shared_ptr<const device::model> m = device::make_model("vteam");
    s.devices.assign(6, m);
    s.initial_state.assign(6, {1e-9});
    return s;
}

array::drivers dc_lines(const array::spec& s) {
    array::drivers d;
    for (std::size_t r = 0; r < s.rows; ++r) {
        d.bit.push_back(stimulus::dc(0));
        if (s.cell == array::cell_type::t1r1) d.word.push_back(stimulus::dc(0));
    }
    for (std::size_t c = 0; c < s.cols; ++c) d.source.push_back(stimulus::dc(0));
    return d;
}

// Whether the circuit has an element of that name.
bool has(const circuit::circuit& c, const std::string& name) {
    try {
        (void)c.find(name);
        return true;
    } catch (const input_error&) {
        return false;
    }
}

const char* array_file = R"toml(
[experiment]
name = "a"
[device]
model = "vteam"
[device.initial_state]
w = [["1 nm", "2 nm"], ["0.5 nm", "2.5 nm"]]
[array]
rows = 2
cols = 2
cell = "1T1R"
bit_line_resistance = "2 Ohm"
source_line_resistance = "3 Ohm"
word_line_resistance = "4 Ohm"
[[operation]]
kind = "read"
voltage = "0.1 V"
[[operation]]
kind = "program"
target = "50 uS"
[[operation]]
kind = "pulse"
row = 1
col = 0
voltage = "-1 V"
width = "100 ns"
[[operation]]
kind = "rest"
duration = "1 ms"
)toml";

std::string error_of(const std::string& text, const std::vector<std::string>& sets = {}) {
    try {
        protocol::load_array(write_file("a.toml", text), sets);
    } catch (const input_error& e) {
        return e.what();
    }
    return "no error";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
}

}  // namespace

TEST(Array, BuildsEveryLineSegmentCellAndTia) {
    const auto s = small(array::cell_type::t1r1, 5.0);
    const auto c = array::build(s, dc_lines(s));
    // Drivers, one segment before each cell of a row (bit and word lines), one after each cell of
    // a column (source lines), a device and a transistor per cell, a TIA per column: 35 elements.
    EXPECT_EQ(c.elements().size(), 2u + 2u + 6u + 6u + 6u + 6u + 6u + 3u);
    for (const char* name : {"VBL1", "VWL1", "RBL1_2", "RWL1_2", "RSL1_2", "X1_2", "T1_2", "TIA2"}) EXPECT_TRUE(has(c, name)) << name;
    EXPECT_FALSE(has(c, "X2_0"));
    EXPECT_FALSE(has(c, "TIA3"));
    // Nodes: the drivers', each cell's bit-line, inner, gate and source-line node, TIA in and out.
    EXPECT_EQ(c.nodes().size(), 1u + 4u + 6u * 4u + 3u * 2u);
    for (const char* node : {"bl1", "wl1", "bl1_2", "m1_2", "wl1_2", "sl1_2", "sl2", "out2"}) EXPECT_TRUE(c.has_node(node)) << node;
    EXPECT_NO_THROW(c.check());
}

TEST(Array, IdealLinesJoinTheirNodesAnd1RHasNoTransistors) {
    const auto s = small(array::cell_type::r1, 0.0);
    const auto c = array::build(s, dc_lines(s));
    EXPECT_EQ(c.elements().size(), 2u + 6u + 3u);  // bit-line drivers, devices, TIAs
    EXPECT_FALSE(has(c, "T0_0"));
    EXPECT_FALSE(has(c, "VWL0"));
    EXPECT_EQ(c.nodes().size(), 1u + 2u + 3u + 3u);  // ground, bit lines, source lines, TIA outputs
    EXPECT_FALSE(c.has_node("bl1_2"));
}

TEST(Array, ScheduleHoldsRampsAndReportsItsBreakpoints) {
    array::schedule w(0.0);
    EXPECT_EQ(w.next_breakpoint(0.0), INFINITY);
    w.ramp(1.0, 2.0, 0.5);
    w.ramp(3.0, 0.0, 1.0);
    w.ramp(5.0, 0.0, 1.0);  // no change: no breakpoints
    EXPECT_EQ(w.times().size(), 5u);
    EXPECT_DOUBLE_EQ(w.value(0.5), 0.0);
    EXPECT_DOUBLE_EQ(w.value(1.25), 1.0);
    EXPECT_DOUBLE_EQ(w.value(2.0), 2.0);
    EXPECT_DOUBLE_EQ(w.value(3.5), 1.0);
    EXPECT_DOUBLE_EQ(w.value(9.0), 0.0);
    EXPECT_DOUBLE_EQ(w.next_breakpoint(0.0), 1.0);
    EXPECT_DOUBLE_EQ(w.next_breakpoint(1.0), 1.5);
    EXPECT_DOUBLE_EQ(w.next_breakpoint(3.2), 4.0);
    EXPECT_EQ(w.next_breakpoint(4.0), INFINITY);
    EXPECT_THROW(w.ramp(2.0, 1.0, 0.1), internal_error) << "a point before the last one";
}

TEST(Array, CompareGivesRelativeErrors) {
    array::map want(1, 2), got(1, 2);
    want.v = {1.0, 2.0};
    got.v = {1.1, 1.6};
    const auto e = array::compare(got, want);
    EXPECT_NEAR(e.relative(0, 0), 0.1, 1e-12);
    EXPECT_NEAR(e.relative(0, 1), -0.2, 1e-12);
    EXPECT_NEAR(e.worst, 0.2, 1e-12);
    EXPECT_NEAR(e.rms, std::sqrt((0.01 + 0.04) / 2), 1e-12);
}

TEST(ArrayFile, LoadsCellsMapsAndOperations) {
    const auto p = write_file("a.toml", array_file);
    EXPECT_TRUE(protocol::is_array_file(p));
    const auto e = protocol::load_array(p);
    EXPECT_EQ(e.array.rows, 2u);
    EXPECT_EQ(e.array.cell, array::cell_type::t1r1);
    EXPECT_DOUBLE_EQ(e.array.source_line_resistance, 3.0);
    EXPECT_DOUBLE_EQ(e.array.word_line_resistance, 4.0);
    ASSERT_EQ(e.array.initial_state.size(), 4u);
    EXPECT_DOUBLE_EQ(e.array.initial_state[1][0], 2e-9);  // row 0, column 1
    EXPECT_DOUBLE_EQ(e.array.initial_state[2][0], 0.5e-9);
    ASSERT_EQ(e.operations.size(), 4u);
    EXPECT_EQ(e.operations[0].label, "read1");
    EXPECT_DOUBLE_EQ(e.operations[0].read.voltage, 0.1);
    EXPECT_EQ(e.operations[1].label, "program1");
    EXPECT_DOUBLE_EQ(e.operations[1].program.target(1, 1), 50e-6);
    EXPECT_EQ(e.operations[1].program.inhibit, array::scheme::gate) << "1T1R default";
    EXPECT_EQ(e.operations[2].row, 1u);
    EXPECT_DOUBLE_EQ(e.operations[2].pulse.voltage, -1.0);
    EXPECT_DOUBLE_EQ(e.operations[3].duration, 1e-3);
    EXPECT_EQ(e.probes.size(), 4u) << "every TIA current and bit-line driver by default";
    EXPECT_EQ(e.resolved["array"]["cell"], "1T1R");
    // Overrides reach the array: 1R drops the transistor; the map stays a map.
    // One file serves both cells: a 1R crossbar has no word lines and no transistor (their keys
    // are read, and have no effect).
    const auto r = protocol::load_array(p, {"array.cell=1R"});
    EXPECT_EQ(r.array.cell, array::cell_type::r1);
    EXPECT_EQ(r.array.word_line_resistance, 0.0);
    EXPECT_EQ(r.array.transistor, nullptr);
    EXPECT_EQ(r.operations[1].program.inhibit, array::scheme::half) << "1R default";
    EXPECT_FALSE(protocol::is_array_file(write_file("c.toml", test::base)));
}

TEST(ArrayFile, PatternsGiveTargetMaps) {
    const std::string f = replaced(array_file, "target = \"50 uS\"",
                                   "target_pattern = \"checkerboard\"\ntarget_low = \"10 uS\"\ntarget_high = \"40 uS\"");
    const auto e = protocol::load_array(write_file("p.toml", f));
    const auto& t = e.operations[1].program.target;
    EXPECT_DOUBLE_EQ(t(0, 0), 10e-6);
    EXPECT_DOUBLE_EQ(t(0, 1), 40e-6);
    EXPECT_DOUBLE_EQ(t(1, 0), 40e-6);
    const auto rnd = protocol::load_array(write_file("q.toml", replaced(f, "checkerboard", "random")));
    const auto rnd2 = protocol::load_array(write_file("q.toml", replaced(f, "checkerboard", "random")), {"experiment.seed=2"});
    for (double g : rnd.operations[1].program.target.v) EXPECT_TRUE(g >= 10e-6 && g <= 40e-6);
    EXPECT_NE(rnd.operations[1].program.target.v, rnd2.operations[1].program.target.v) << "seeded";
}

TEST(ArrayFile, MistakesNameTheFileAndTheKey) {
    const auto has = [](const std::string& err, const std::string& what) {
        EXPECT_NE(err.find(what), std::string::npos) << err;
        EXPECT_NE(err.find("a.toml"), std::string::npos) << err;
    };
    has(error_of(replaced(array_file, "cell = \"1T1R\"", "cell = \"2T2R\"")), "array.cell: unknown cell '2T2R'");
    has(error_of(replaced(array_file, "target = \"50 uS\"", "target = \"50 uS\"\nscheme = \"gate\""), {"array.cell=1R"}),
        "operation[2].scheme: \"gate\" needs 1T1R cells");
    has(error_of(array_file, {"array.transistor.w=-1 um"}), "array.transistor");
    has(error_of(array_file, {"array.colz=3"}), "array.colz: unknown key");
    has(error_of(replaced(array_file, "[\"0.5 nm\", \"2.5 nm\"]", "[\"0.5 nm\"]")), "device.initial_state.w: row 1 is not a list of 2");
    has(error_of(replaced(array_file, "target = \"50 uS\"", "target = [[\"50 uS\", \"50 uS\"]]")), "operation[2].target: has 1 rows");
    has(error_of(replaced(array_file, "target = \"50 uS\"", "target = \"50 uS\"\nscheme = \"v/4\"")), "operation[2].scheme: unknown inhibit");
    has(error_of(replaced(array_file, "kind = \"rest\"", "kind = \"nap\"")), "operation[4].kind: unknown operation 'nap'");
    has(error_of(replaced(array_file, "row = 1", "row = 2")), "operation[3].row: 2 is outside [0, 1]");
    has(error_of(replaced(array_file, "bit_line_resistance = \"2 Ohm\"", "bit_line_resistance = \"-2 Ohm\"")), "array.bit_line_resistance: must not be negative");
    has(error_of(replaced(array_file, "voltage = \"0.1 V\"", "voltage = \"0 V\"")), "operation[1].voltage: must be positive");
    const std::string no_ops = std::string(array_file).substr(0, std::string(array_file).find("[[operation]]"));
    has(error_of(no_ops), "operation: needs at least one [[operation]]");
}

// A drive's responses per cell from synthetic pulses: a response is a peak of at least half the
// limit; the refractory ratio is the smallest conductance between two responses over the first's
// largest; held is the fraction of pulses after the first response that respond.
TEST(Array, ResponsesCountSpikesAndTheReturnBetweenThem) {
    array::drive_result d;
    const std::vector<double> peak{1e-9, 6e-9, 1e-9, 1e-9, 9e-9, 8e-9};       // A; limit 10 nA
    const std::vector<double> on{1e-12, 1e-6, 1e-12, 1e-12, 2e-6, 2e-6};     // S during each pulse
    const std::vector<double> off{1e-12, 3e-8, 1e-12, 1e-12, 1.5e-6, 1e-12};  // S after each pulse
    for (std::size_t k = 0; k < peak.size(); ++k) {
        d.start.push_back(static_cast<double>(k));
        d.peak.push_back(array::map(1, 1, peak[k]));
        d.g_on.push_back(array::map(1, 1, on[k]));
        d.g_off.push_back(array::map(1, 1, off[k]));
    }
    d.limit = array::map(1, 1, 10e-9);
    const auto x = array::responses(d, 0, 0);
    EXPECT_EQ(x.pulses, (std::vector<std::size_t>{2, 5, 6}));
    EXPECT_EQ(x.consecutive, 1u);
    // 2 -> 5: the smallest after pulse 2 is 1 pS against 1 uS; 5 -> 6: 1.5 uS against 2 uS.
    EXPECT_DOUBLE_EQ(x.refractory, 0.75);
    EXPECT_DOUBLE_EQ(x.held, 2.0 / 4.0);
    d.limit = array::map(1, 1, 1e-3);  // a synapse's limit: none of these is a response
    const auto y = array::responses(d, 0, 0);
    EXPECT_TRUE(y.pulses.empty());
    EXPECT_TRUE(std::isnan(y.refractory));
    EXPECT_TRUE(std::isnan(y.held));
}

// Word lines along the columns: one driver per column, the gate levels stay between operations,
// a read drives every word line to its gate and returns them to their levels.
TEST(Array, ColumnWordLinesKeepTheirLevelsBetweenOperations) {
    const auto f = write_file("columns.toml", R"toml(
[experiment]
name = "columns"
[device]
model = "stanford_pku"
[array]
rows = 2
cols = 3
cell = "1T1R"
word_lines = "columns"
word_line_resistance = "2 Ohm"
[[operation]]
kind = "gate"
levels = ["0.5 V", "1 V", "2 V"]
[[operation]]
kind = "read"
)toml");
    const auto e = protocol::load_array(f);
    ASSERT_EQ(e.array.word_line_count(), 3u);
    array::controller s(e.array, e.solver, 1, {"v(wl1_2)"}, nullptr);
    s.gate(e.operations[0].gates);
    EXPECT_EQ(s.gates(), (std::vector<double>{0.5, 1.0, 2.0}));
    EXPECT_NEAR(s.simulation().probe("v(wl1_2)"), 2.0, 1e-9);  // column 2's gate, row 1: along its column
    EXPECT_NEAR(s.simulation().probe("v(wl1_0)"), 0.5, 1e-9);
    s.read(e.operations[1].read);
    EXPECT_NEAR(s.word_line(1).level(), 1.0, 0);
    EXPECT_NEAR(s.simulation().probe("v(wl0_1)"), 1.0, 1e-9);
    EXPECT_THROW(s.gate({1.0, 2.0}), input_error);  // one level per column
    const auto bad = write_file("bad.toml", R"toml(
[experiment]
name = "bad"
[device]
model = "stanford_pku"
[array]
rows = 2
cols = 3
cell = "1T1R"
word_lines = "columns"
[[operation]]
kind = "gate"
levels = ["0.5 V", "1 V"]
)toml");
    try {
        protocol::load_array(bad);
        FAIL() << "two levels for three word lines were accepted";
    } catch (const input_error& err) {
        EXPECT_NE(std::string(err.what()).find("levels: 2 levels for 3 word lines (one per column"), std::string::npos) << err.what();
    }
}
