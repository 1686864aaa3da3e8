#include "memlab/protocol/array_file.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "memlab/error.hpp"
#include "memlab/units/units.hpp"
#include "sections.hpp"
#include "toml_reader.hpp"

namespace fs = std::filesystem;

namespace memlab::protocol {

using detail::reader;

bool is_array_file(const fs::path& file) { return detail::file_has_table(file, "array"); }

namespace {

array::read_settings read_read(reader& r, const array::read_settings& def) {
    array::read_settings s;
    s.voltage = r.quantity("voltage", "V", def.voltage);
    s.width = r.quantity("width", "s", def.width);
    s.gate = r.quantity("gate", "V", def.gate);
    if (!(s.voltage > 0)) r.fail("voltage", "must be positive");
    if (!(s.width > 0)) r.fail("width", "must be positive");
    return s;
}

array::scheme read_scheme(reader& r, const array::spec& a) {
    const std::string text = r.string("scheme", a.cell == array::cell_type::t1r1 ? "gate" : "v/2");
    array::scheme s{};
    try {
        s = array::scheme_from(text);
    } catch (const input_error& err) {
        r.fail("scheme", err.what());
    }
    if (s == array::scheme::gate && a.cell != array::cell_type::t1r1) r.fail("scheme", "\"gate\" needs 1T1R cells (a 1R crossbar: \"v/2\" or \"v/3\")");
    return s;
}

// The target map of a program operation: `target` (one conductance, or rows of them), or a
// pattern between target_low and target_high.
array::map read_target(reader& op, const array::spec& a, std::uint64_t seed, std::size_t index) {
    array::map t(a.rows, a.cols);
    if (op.has("target")) {
        t.v = op.quantity_grid("target", "S", a.rows, a.cols);
        for (double g : t.v)
            if (!(g > 0)) op.fail("target", "every conductance must be positive");
        return t;
    }
    const std::string pattern = op.string("target_pattern", "");
    if (pattern.empty()) op.fail("target", "missing (a conductance, rows of them, or target_pattern with target_low and target_high)");
    const double lo = op.quantity("target_low", "S"), hi = op.quantity("target_high", "S");
    if (!(lo > 0 && hi >= lo)) op.fail("target_high", "needs 0 < target_low <= target_high");
    util::rng r(seed * 0x9E3779B97F4A7C15ULL + 0xD1B54A32D192ED03ULL * (index + 1));
    for (std::size_t i = 0; i < a.rows; ++i)
        for (std::size_t j = 0; j < a.cols; ++j) {
            double x = 0;  // 0..1, then geometric between lo and hi
            if (pattern == "checkerboard") x = (i + j) % 2 ? 1.0 : 0.0;
            else if (pattern == "ramp") x = a.cells() > 1 ? static_cast<double>(i * a.cols + j) / static_cast<double>(a.cells() - 1) : 0.0;
            else if (pattern == "random") x = r.uniform();
            else op.fail("target_pattern", fmt::format("unknown pattern '{}' (checkerboard, ramp, random)", pattern));
            t(i, j) = lo * std::pow(hi / lo, x);
        }
    return t;
}

}  // namespace

array::experiment load_array(const fs::path& path, const std::vector<std::string>& overrides) {
    array::experiment e;
    e.file = path.string();
    toml::table root = detail::parse_file(path, overrides);
    reader top(&root, "", e.file, e.resolved);

    reader ex = top.sub("experiment");
    auto h = detail::read_header(ex, path, detail::header_figure | detail::header_targets);
    e.name = std::move(h.name), e.description = std::move(h.description), e.figure = std::move(h.figure);
    e.seed = h.seed, e.targets = std::move(h.targets);
    ex.finish();

    reader ar = top.sub("array");
    auto& a = e.array;
    a.rows = static_cast<std::size_t>(ar.integer("rows", std::nullopt, 1, 4096));
    a.cols = static_cast<std::size_t>(ar.integer("cols", std::nullopt, 1, 4096));
    const std::string cell = ar.string("cell");
    if (cell == "1R") a.cell = array::cell_type::r1;
    else if (cell == "1T1R") a.cell = array::cell_type::t1r1;
    else ar.fail("cell", fmt::format("unknown cell '{}' (1R or 1T1R)", cell));
    const bool fet = a.cell == array::cell_type::t1r1;
    auto line = [&](const char* key) {
        const double r = ar.quantity(key, "Ohm", 0.0);
        if (r < 0) ar.fail(key, "must not be negative");
        return r;
    };
    // A 1R crossbar has no word lines and no transistors: their keys are read (and checked) but
    // have no effect, so that one file serves both cells (--set array.cell=1R).
    a.word_line_resistance = line("word_line_resistance");
    if (!fet) a.word_line_resistance = 0;
    {
        const std::string wl = ar.string("word_lines", "rows");
        if (wl == "columns") a.word_lines = array::direction::columns;
        else if (wl != "rows") ar.fail("word_lines", fmt::format("unknown direction '{}' (rows or columns)", wl));
        if (!fet) a.word_lines = array::direction::rows;
    }
    a.bit_line_resistance = line("bit_line_resistance");
    a.source_line_resistance = line("source_line_resistance");
    a.rise = ar.quantity("rise", "s", a.rise);
    a.fall = ar.quantity("fall", "s", a.fall);
    a.gap = ar.quantity("gap", "s", a.gap);
    if (!(a.rise > 0)) ar.fail("rise", "must be positive");
    if (!(a.fall > 0)) ar.fail("fall", "must be positive");
    if (!(a.gap > 0)) ar.fail("gap", "must be positive");
    {
        reader tr = ar.sub("transistor");
        a.transistor = detail::read_transistor(tr, e.file, "array.transistor");
        a.transistor_capacitances = tr.boolean("capacitances", false);
        tr.finish();
        if (!fet) a.transistor = nullptr, a.transistor_capacitances = false;
    }
    {
        reader t = ar.sub("tia");
        a.tia.gain = t.quantity("gain", "V/A", a.tia.gain);
        a.tia.bandwidth = t.quantity("bandwidth", "Hz", a.tia.bandwidth);
        if (!(a.tia.gain > 0)) t.fail("gain", "must be positive");
        if (!(a.tia.bandwidth > 0)) t.fail("bandwidth", "must be positive");
        t.finish();
    }
    ar.finish();

    reader dev = top.sub("device");
    struct {
        std::shared_ptr<device::model> model;
        std::map<std::string, double> d2d;
    } ds;
    ds.model = detail::read_device_model(dev, e.file);
    ds.d2d = detail::read_d2d(dev, *ds.model);
    // Per cell: the parameters drawn from [device.d2d] (cell index r * cols + c), the initial
    // state from [device.initial_state] (one value for every cell, or a map).
    a.devices.reserve(a.cells());
    for (std::size_t i = 0; i < a.cells(); ++i) {
        if (ds.d2d.empty()) {
            a.devices.push_back(ds.model);
            continue;
        }
        try {
            a.devices.push_back(device::draw_device(*ds.model, ds.d2d, e.seed, i));
        } catch (const input_error& err) {
            throw input_error(fmt::format("{}: device.d2d: the parameters drawn for cell ({}, {}) are inconsistent: {}", e.file, i / a.cols,
                                          i % a.cols, err.what()));
        }
    }
    const auto& st = ds.model->states();
    a.initial_state.assign(a.cells(), std::vector<double>(st.size()));
    for (std::size_t i = 0; i < a.cells(); ++i) a.devices[i]->initial_state(a.initial_state[i]);
    if (dev.has("initial_state")) {
        reader is = dev.sub("initial_state");
        for (std::size_t k = 0; k < st.size(); ++k)
            if (is.has(st[k].name)) {
                const auto grid = is.quantity_grid(st[k].name, st[k].unit, a.rows, a.cols);
                for (std::size_t i = 0; i < a.cells(); ++i) a.initial_state[i][k] = grid[i];
            }
        is.finish();
    }
    dev.finish();

    std::size_t n_read = 0, n_program = 0, n_pulse = 0, n_rest = 0, n_gate = 0, n_drive = 0;
    const bool by_column = a.word_lines == array::direction::columns;
    for (auto& op : top.tables("operation")) {
        array::operation o;
        const std::string kind = op.string("kind");
        if (kind == "read") {
            o.k = array::operation::kind::read;
            o.label = fmt::format("read{}", ++n_read);
            o.read = read_read(op, {});
        } else if (kind == "program") {
            o.k = array::operation::kind::program;
            o.label = fmt::format("program{}", ++n_program);
            auto& p = o.program;
            p.target = read_target(op, a, e.seed, n_program);
            p.tolerance = op.quantity("tolerance", "1", p.tolerance);
            if (!(p.tolerance > 0 && p.tolerance < 1)) op.fail("tolerance", "must be in (0, 1)");
            p.max_pulses = static_cast<std::size_t>(op.integer("max_pulses", 50, 0, 100000));
            p.inhibit = read_scheme(op, a);
            {
                reader v = op.sub("verify");
                p.verify = read_read(v, {});
                v.finish();
            }
            {
                reader s = op.sub("set");
                if (fet) p.set_voltage = s.quantity("voltage", "V", p.set_voltage);
                p.set_width = s.quantity("width", "s", p.set_width);
                const char* what = fet ? "gate" : "pulse";
                p.set_start = s.quantity("start", "V", fet ? 0.9 : 1.2);
                p.set_step = s.quantity("step", "V", 0.02);
                p.set_max = s.quantity("max", "V", fet ? 3.3 : 3.0);
                if (!(p.set_width > 0)) s.fail("width", "must be positive");
                if (!(p.set_start > 0 && p.set_max >= p.set_start)) s.fail("max", fmt::format("needs 0 < start <= max (the {} levels)", what));
                if (!(p.set_step >= 0)) s.fail("step", "must not be negative");
                s.finish();
            }
            {
                reader r = op.sub("reset");
                p.reset_start = r.quantity("start", "V", p.reset_start);
                p.reset_step = r.quantity("step", "V", p.reset_step);
                p.reset_max = r.quantity("max", "V", p.reset_max);
                p.reset_width = r.quantity("width", "s", p.reset_width);
                if (fet) p.reset_gate = r.quantity("gate", "V", p.reset_gate);
                if (!(p.reset_width > 0)) r.fail("width", "must be positive");
                if (!(p.reset_start > 0 && p.reset_max >= p.reset_start)) r.fail("max", "needs 0 < start <= max (the RESET pulse's magnitude)");
                if (!(p.reset_step >= 0)) r.fail("step", "must not be negative");
                r.finish();
            }
        } else if (kind == "pulse") {
            o.k = array::operation::kind::pulse;
            o.label = fmt::format("pulse{}", ++n_pulse);
            o.row = static_cast<std::size_t>(op.integer("row", std::nullopt, 0, static_cast<std::int64_t>(a.rows) - 1));
            o.col = static_cast<std::size_t>(op.integer("col", std::nullopt, 0, static_cast<std::int64_t>(a.cols) - 1));
            o.pulse.voltage = op.quantity("voltage", "V");
            if (o.pulse.voltage == 0) op.fail("voltage", "must not be 0 (> 0 SET on the bit line, < 0 RESET on the source line)");
            o.pulse.width = op.quantity("width", "s");
            if (!(o.pulse.width > 0)) op.fail("width", "must be positive");
            // Along the columns each word line has its own level (kind = "gate"): a pulse without
            // a gate takes its column's.
            if (fet) o.pulse.gate = by_column && !op.has("gate") ? NAN : op.quantity("gate", "V", o.pulse.gate);
            o.pulse.inhibit = read_scheme(op, a);
        } else if (kind == "rest") {
            o.k = array::operation::kind::rest;
            o.label = fmt::format("rest{}", ++n_rest);
            o.duration = op.quantity("duration", "s");
            if (!(o.duration > 0)) op.fail("duration", "must be positive");
        } else if (kind == "gate") {
            o.k = array::operation::kind::gate;
            o.label = fmt::format("gate{}", ++n_gate);
            if (!fet) op.fail("kind", "\"gate\" sets word lines: it needs 1T1R cells");
            o.gates = op.quantities("levels", "V");
            if (o.gates.size() != a.word_line_count())
                op.fail("levels", fmt::format("{} levels for {} word lines (one per {}; array.word_lines = \"{}\")", o.gates.size(),
                                              a.word_line_count(), by_column ? "column" : "row", array::direction_name(a.word_lines)));
            for (double g : o.gates)
                if (!(g >= 0)) op.fail("levels", "a gate level must not be negative");
        } else if (kind == "drive") {
            o.k = array::operation::kind::drive;
            o.label = fmt::format("drive{}", ++n_drive);
            for (const auto c : op.integers("columns", 0, static_cast<std::int64_t>(a.cols) - 1)) o.columns.push_back(static_cast<std::size_t>(c));
            reader sti = op.sub("stimulus");
            o.waveform = detail::read_waveform(sti, "sweep_blocks changes a limit block by block: an array's limits are its gates (kind = \"gate\")");
            sti.finish();
        } else {
            op.fail("kind", fmt::format("unknown operation '{}' (read, program, pulse, rest, gate, drive)", kind));
        }
        op.finish();
        e.operations.push_back(std::move(o));
    }
    if (e.operations.empty()) top.fail("operation", "needs at least one [[operation]] (read, program, pulse, rest, gate, drive)");

    reader rec = top.sub("recording");
    std::vector<std::string> def;
    for (std::size_t c = 0; c < a.cols; ++c) def.push_back(fmt::format("i({})", array::tia_name(c)));
    for (std::size_t r = 0; r < a.rows; ++r) def.push_back(fmt::format("v(bl{})", r));
    e.probes = rec.strings("probes", def);
    if (e.probes.empty()) rec.fail("probes", "needs at least one probe");
    rec.finish();

    reader sol = top.sub("solver");
    e.solver = detail::read_solver(sol);
    sol.finish();
    top.finish();
    // Build once here, so a structural mistake (or a probe of a cell that is not there) is
    // reported at load time with the file name.
    try {
        array::drivers d;
        for (std::size_t r = 0; r < a.rows; ++r) d.bit.push_back(stimulus::dc(0));
        if (fet)
            for (std::size_t w = 0; w < a.word_line_count(); ++w) d.word.push_back(stimulus::dc(0));
        for (std::size_t c = 0; c < a.cols; ++c) d.source.push_back(stimulus::dc(0));
        const auto c = array::build(a, d);
        c.check();
    } catch (const input_error& err) {
        throw input_error(fmt::format("{}: array: {}", e.file, err.what()));
    }
    return e;
}

}  // namespace memlab::protocol
