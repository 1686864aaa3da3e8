#include "memlab/protocol/fit_file.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "memlab/error.hpp"
#include "memlab/protocol/experiment.hpp"
#include "memlab/stimulus/waveform.hpp"
#include "memlab/units/units.hpp"
#include "toml_reader.hpp"

namespace fs = std::filesystem;

namespace memlab::protocol {

using detail::reader;

const std::vector<std::string>& fit_algorithms() {
    static const std::vector<std::string> names{"LN_BOBYQA", "LN_COBYLA", "LN_NELDERMEAD", "LN_SBPLX", "LD_SLSQP", "LD_LBFGS", "LD_MMA"};
    return names;
}

namespace {

// A path in a fit file: relative to the fit file's folder.
fs::path beside(const fs::path& fit_file, const std::string& given) {
    const fs::path p(given);
    return p.is_absolute() ? p : fit_file.parent_path() / p;
}

// The SI unit of a parameter key, from the experiment it applies to; empty when unknown.
std::string unit_of(const experiment& e, const std::string& key) {
    if (key == "circuit.series_resistance") return "Ohm";
    if (key == "circuit.parasitic_capacitance") return "F";
    std::string name;
    if (key.rfind("device.d2d.", 0) == 0) name = key.substr(11);
    else if (key.rfind("device.", 0) == 0) name = key.substr(7);
    else return "";
    for (const auto& p : e.device->parameter_table())
        if (p.name == name) return p.unit;
    return "";
}

}  // namespace

fit_spec load_fit(const fs::path& path, const std::vector<std::string>& sets, const fs::path& data) {
    fit_spec s;
    s.file = path.string();
    if (!fs::exists(path)) throw input_error(fmt::format("{}: no such fit file", s.file));
    toml::table root = detail::parse_file(path);
    reader top(&root, "", s.file, s.resolved);

    reader f = top.sub("fit");
    s.name = f.string("name", path.stem().string());
    const std::string exp = f.string("experiment");
    s.experiment = beside(path, exp);
    if (!fs::exists(s.experiment)) f.fail("experiment", fmt::format("no such experiment file '{}' (paths are relative to the fit file)", s.experiment.string()));
    s.sets = f.strings("set", {});
    s.sets.insert(s.sets.end(), sets.begin(), sets.end());
    for (const auto v : f.integers("seeds", 0, std::numeric_limits<std::int32_t>::max())) s.seeds.push_back(static_cast<std::uint64_t>(v));
    s.confidence = f.quantity("confidence", "1", 0.95);
    if (!(s.confidence > 0 && s.confidence < 1)) f.fail("confidence", "must be in (0, 1), e.g. 0.95");
    s.intervals = f.string("intervals", "curvature");
    if (s.intervals != "curvature" && s.intervals != "bootstrap")
        f.fail("intervals", fmt::format("unknown interval method '{}' (curvature, bootstrap)", s.intervals));
    s.bootstrap = static_cast<int>(f.integer("bootstrap", s.intervals == "bootstrap" ? 1000 : 0, 0, 1000000));
    if (s.intervals == "bootstrap" && s.bootstrap < 100) f.fail("bootstrap", "at least 100 replicates for an interval from their quantiles");
    if (s.intervals != "bootstrap" && s.bootstrap > 0) f.fail("bootstrap", "replicates of a bootstrap: give intervals = \"bootstrap\" too");
    s.device_draws = f.string("device_draws", "matched");
    if (s.device_draws != "matched" && s.device_draws != "independent")
        f.fail("device_draws", fmt::format("unknown kind of draws '{}' (matched, independent)", s.device_draws));
    f.finish();
    for (const auto& kv : s.sets)
        if (kv.rfind("experiment.seed=", 0) == 0) throw input_error(fmt::format("{}: fit.set: {}: give the model's seeds as fit.seeds", s.file, kv));
    // The experiment, once: every mistake in it (and in the overrides) is reported here.
    const experiment e = load(s.experiment, s.sets);
    if (s.seeds.empty()) s.seeds.push_back(e.seed);
    s.resolved["fit"]["seeds"] = s.seeds;

    reader d = top.sub("data");
    if (d.has("files")) {
        // Several devices, one file each (in the order given: device 1, 2, ...).
        if (d.has("file")) d.fail("files", "give either file (one device, or a device column) or files (one file per device)");
        if (!data.empty()) d.fail("files", "--data replaces data.file; several files are given in data.files");
        for (const auto& f1 : d.strings("files", {})) s.data_files.push_back(beside(path, f1));
        if (s.data_files.size() < 2) d.fail("files", "give two or more files (one per device); one file is data.file");
        std::vector<std::string> resolved;
        for (const auto& f1 : s.data_files) {
            if (!fs::exists(f1)) d.fail("files", fmt::format("no such data file '{}'", f1.string()));
            resolved.push_back(f1.string());
        }
        s.resolved["data"]["files"] = resolved;
    } else {
        const std::string data_file = data.empty() ? d.string("file") : (d.string("file", ""), data.string());
        s.data_files.push_back(data.empty() ? beside(path, data_file) : data);
        s.resolved["data"]["file"] = s.data_files[0].string();
        if (!fs::exists(s.data_files[0])) d.fail("file", fmt::format("no such data file '{}'", s.data_files[0].string()));
    }
    s.data = s.data_files[0];
    s.device_column = d.string("device", "");
    if (!s.device_column.empty() && s.data_files.size() > 1) d.fail("device", "a device column numbers the devices of one file: give data.file");
    s.group = d.string("group", "");
    s.conductance = d.string("conductance", "G");
    s.time = d.string("time", "time");
    s.voltage = d.string("voltage", "");
    s.current = d.string("current", "i(DUT)");
    s.probe = d.string("probe", s.current);
    s.voltage_probe = d.string("voltage_probe", s.voltage.empty() ? (e.source == "smu" ? "SRC.u" : "v(in)") : s.voltage);
    s.replay_tolerance = d.quantity("replay_tolerance", "V", 10e-6);
    if (s.replay_tolerance < 0) d.fail("replay_tolerance", "must not be negative");
    d.finish();

    reader l = top.sub("loss");
    s.loss = l.string("kind", "current");
    if (s.loss == "current") {
        s.noise = l.quantity("noise", "A", 0.0);
        s.relative_noise = l.quantity("relative_noise", "1", 0.0);
        if (s.noise < 0 || s.relative_noise < 0) l.fail("noise", "noise and relative_noise must not be negative");
        if (!(s.noise > 0 || s.relative_noise > 0))
            l.fail("noise", "give the measurement's noise (noise = \"1 nA\" and/or relative_noise = 0.02): each point is weighted by it");
    } else if (s.loss == "vset") {
        const double def = e.smu ? e.smu->compliance : 0.0;
        s.compliance = def > 0 ? l.quantity("compliance", "A", def) : l.quantity("compliance", "A");
        if (!(s.compliance > 0)) l.fail("compliance", "must be positive");
        s.period = l.quantity("period", "s");
        if (!(s.period > 0)) l.fail("period", "must be positive (the length of one I(V) cycle)");
        s.start = l.quantity("start", "s", 0.0);
        s.fraction = l.quantity("fraction", "1", 0.9);
        if (!(s.fraction > 0 && s.fraction <= 1)) l.fail("fraction", "must be in (0, 1]");
    } else if (s.loss == "conductance") {
        // The read conductance at each read pulse of the experiment's own protocol (a potentiation
        // curve), point for point against one row of data each.
        if (!s.voltage.empty()) l.fail("kind", "a conductance loss runs the experiment's own protocol (its reads): give no data.voltage");
        if (!dynamic_cast<const stimulus::pulse_list*>(e.stimulus.get()))
            l.fail("kind", "a conductance loss reads the pulses of the experiment's protocol: its stimulus must be pulses (pulse, pulse_train, "
                           "packages, read_after_write, pulse_list)");
        s.read_level = l.quantity("read_level", "V");
        if (s.read_level == 0) l.fail("read_level", "must not be 0 V (G = I / V at the read)");
        s.noise = l.quantity("noise", "S", 0.0);
        s.relative_noise = l.quantity("relative_noise", "1", 0.0);
        if (s.noise < 0 || s.relative_noise < 0) l.fail("noise", "noise and relative_noise must not be negative");
        if (!(s.noise > 0 || s.relative_noise > 0))
            l.fail("noise", "give the measurement's noise (noise = \"1 uS\" and/or relative_noise = 0.02): each read is weighted by it");
    } else {
        l.fail("kind", fmt::format("unknown loss '{}' (current, vset, conductance)", s.loss));
    }
    l.finish();
    if (s.bootstrap > 0 && s.loss != "vset")
        throw input_error(fmt::format("{}: fit.intervals: a bootstrap over cycles resamples the Vsets of the cycles: it needs loss.kind = \"vset\"", s.file));

    reader o = top.sub("optimizer");
    s.algorithm = o.string("algorithm", "LN_BOBYQA");
    const auto& algos = fit_algorithms();
    if (std::find(algos.begin(), algos.end(), s.algorithm) == algos.end())
        o.fail("algorithm", fmt::format("unknown algorithm '{}' ({})", s.algorithm, fmt::join(algos, ", ")));
    s.max_evaluations = static_cast<int>(o.integer("max_evaluations", 200, 1, 1000000));
    const auto starts = o.integer("starts", -1, -1, 100000);
    s.local_searches = static_cast<int>(o.integer("local_searches", 3, 1, 1000));
    s.tolerance = o.quantity("tolerance", "1", 1e-4);
    if (!(s.tolerance > 0)) o.fail("tolerance", "must be positive");
    o.finish();

    auto params = top.tables("parameter");
    if (params.empty()) top.fail("parameter", "no [[parameter]] to fit: give at least one (key, min, max)");
    for (auto& p : params) {
        fit_parameter x;
        x.key = p.string("key");
        x.unit = unit_of(e, x.key);
        if (x.unit.empty()) {
            std::vector<std::string> names;
            for (const auto& q : e.device->parameter_table()) names.push_back(q.name);
            p.fail("key", fmt::format("unknown parameter '{}' (device.NAME or device.d2d.NAME of model {}: {}; circuit.series_resistance, "
                                      "circuit.parasitic_capacitance)",
                                      x.key, e.device->name(), fmt::join(names, ", ")));
        }
        for (const auto& q : s.parameters)
            if (q.key == x.key) p.fail("key", fmt::format("'{}' is given twice", x.key));
        x.min = p.quantity("min", x.unit);
        x.max = p.quantity("max", x.unit);
        if (!(x.max > x.min)) p.fail("max", "must be larger than min");
        const bool one_sign = (x.min > 0 && x.max > 0) || (x.min < 0 && x.max < 0);
        const std::string scale = p.string("scale", one_sign && x.max / x.min >= 10 ? "log" : "linear");
        if (scale == "log") {
            if (!one_sign) p.fail("scale", "log needs min and max of one sign, neither zero");
            x.log = true;
        } else if (scale != "linear") {
            p.fail("scale", fmt::format("unknown scale '{}' (log, linear)", scale));
        }
        const double mid = x.log ? std::copysign(std::sqrt(x.min * x.max), x.min) : 0.5 * (x.min + x.max);
        x.start = p.quantity("start", x.unit, mid);
        if (!(x.start >= x.min && x.start <= x.max)) p.fail("start", "must lie within [min, max]");
        p.finish();
        s.parameters.push_back(x);
    }
    top.finish();
    s.starts = starts >= 0 ? static_cast<int>(starts) : static_cast<int>(8 * s.parameters.size());
    s.resolved["optimizer"]["starts"] = s.starts;
    // Every value of the range must be one the experiment takes (the model's own range and checks).
    for (const auto& x : s.parameters)
        for (const double v : {x.min, x.max, x.start}) {
            auto with = s.sets;
            with.push_back(fmt::format("{}={:.17g} {}", x.key, v, x.unit));
            try {
                (void)load(s.experiment, with);
            } catch (const input_error& err) {
                throw input_error(fmt::format("{}: parameter {}: {} is not a value the experiment takes: {}", s.file, x.key,
                                              units::format(v, x.unit), err.what()));
            }
        }
    return s;
}

}  // namespace memlab::protocol
