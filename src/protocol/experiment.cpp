#include "memlab/protocol/experiment.hpp"

#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <limits>
#include <set>
#include <toml++/toml.h>

#include "memlab/device/registry.hpp"
#include "memlab/error.hpp"
#include "memlab/units/units.hpp"
#include "sections.hpp"
#include "toml_reader.hpp"

namespace memlab::protocol {
namespace {

using detail::apply_override;
using detail::reader;

// `--set device.model=X` on a file written for another model: the file's settings for its own
// model (parameters, [device.initial_state], [device.d2d]) do not apply to X and are dropped,
// except keys also given with --set; recorded states of the old model are replaced by X's. Each
// drop is a note, so the user sees what the file no longer says.
void swap_device_model(toml::table& root, const std::string& file_model, const std::vector<std::string>& overrides, experiment& e) {
    auto* dev = root["device"].as_table();
    if (!dev || file_model.empty()) return;
    const auto now = (*dev)["model"].value<std::string>();
    if (!now || *now == file_model) return;
    std::set<std::string> kept;
    for (const auto& o : overrides) {
        const auto eq = o.find('=');
        const std::string key = o.substr(0, eq);
        if (key.rfind("device.", 0) == 0) kept.insert(key.substr(7));
    }
    std::vector<std::string> dropped;
    std::vector<std::string> keys;
    for (const auto& [k, v] : *dev) keys.emplace_back(k.str());
    for (const auto& k : keys) {
        if (k == "model") continue;
        if (auto* sub = (*dev)[k].as_table()) {
            std::vector<std::string> subkeys;
            for (const auto& [k2, v2] : *sub) subkeys.emplace_back(k2.str());
            for (const auto& k2 : subkeys)
                if (!kept.count(k + "." + k2)) {
                    sub->erase(k2);
                    dropped.push_back(k + "." + k2);
                }
            if (sub->empty()) dev->erase(k);
        } else if (!kept.count(k)) {
            dev->erase(k);
            dropped.push_back(k);
        }
    }
    if (!dropped.empty())
        e.notes.push_back(fmt::format("{}: device.model is now '{}', not '{}': the file's device.{} no longer apply", e.file, *now,
                                      file_model, fmt::join(dropped, ", device.")));
    // Recorded device states: keep the probes that are not states of the old model.
    if (auto* rec = root["recording"].as_table())
        if (auto* probes = (*rec)["probes"].as_array()) {
            std::unique_ptr<device::model> old_model, new_model;
            try {
                old_model = device::make_model(file_model);
                new_model = device::make_model(*now);
            } catch (const input_error&) {
                return;  // an unknown model is reported, with its key, where the device is read
            }
            toml::array kept_probes;
            std::vector<std::string> gone;
            for (const auto& p : *probes) {
                const auto text = p.value<std::string>();
                bool old_state = false;
                if (text)
                    for (const auto& st : old_model->states())
                        if (*text == "DUT." + st.name) old_state = true;
                if (old_state) gone.push_back(*text);
                else kept_probes.push_back(p);
            }
            if (!gone.empty()) {
                for (const auto& st : new_model->states()) kept_probes.push_back("DUT." + st.name);
                (*rec).insert_or_assign("probes", std::move(kept_probes));
                e.notes.push_back(fmt::format("{}: recording.probes: {} replaced by the states of '{}'", e.file, fmt::join(gone, ", "), *now));
            }
        }
}

// `limiter`: with sweep_blocks, the per-block control of the current limit: the SMU's compliance
// (A), or the access transistor's gate (V) when `fet` is given.
stimulus::waveform_ptr read_stimulus(reader& r, std::vector<sweep_block>& blocks, stimulus::waveform_ptr& limiter, const device::mosfet* fet) {
    const std::string kind = r.string("kind");
    auto train = [&](bool single_level) {
        stimulus::train_spec s;
        if (single_level || r.has("amplitude")) {
            s.levels = {r.quantity("amplitude", "V")};
            if (!single_level) s.count = static_cast<std::size_t>(r.integer("count", 1, 1, 100000000));
        } else {
            // repeat: the list of amplitudes applied this many times in a row (a measurement
            // repeated to average over the cycle-to-cycle spread).
            const auto once = r.quantities("amplitudes", "V");
            const auto repeat = static_cast<std::size_t>(r.integer("repeat", 1, 1, 100000));
            for (std::size_t k = 0; k < repeat; ++k) s.levels.insert(s.levels.end(), once.begin(), once.end());
        }
        s.width = r.quantity("width", "s");
        if (r.has("period")) {
            s.period = r.quantity("period", "s");
        } else {
            s.duty = r.quantity("duty", "1", 0.5);
            if (!(s.duty > 0 && s.duty <= 1)) r.fail("duty", "must be in (0, 1]");
        }
        s.rise = r.quantity("rise", "s", 10e-9);
        s.fall = r.quantity("fall", "s", 10e-9);
        s.base = r.quantity("base", "V", 0.0);
        s.delay = r.quantity("delay", "s", 0.0);
        return s;
    };
    try {
        if (kind == "pulse") {
            const double level = r.quantity("amplitude", "V"), width = r.quantity("width", "s");
            const double rise = r.quantity("rise", "s", 10e-9), fall = r.quantity("fall", "s", 10e-9);
            const double base = r.quantity("base", "V", 0.0), delay = r.quantity("delay", "s", 0.0);
            return stimulus::single_pulse(delay, level, width, rise, fall, base);
        }
        if (kind == "pulse_train") return stimulus::pulse_train(train(false));
        if (kind == "packages") {
            auto s = train(true);
            std::vector<std::size_t> counts;
            const auto n = r.integer("packages", std::nullopt, 1, 100000);
            for (std::int64_t k = 1; k <= n; ++k) counts.push_back(static_cast<std::size_t>(k));
            return stimulus::packages(s, counts, r.quantity("gap", "s"));
        }
        if (kind == "read_after_write") {
            stimulus::read_after_write_spec s;
            const auto amps = r.quantities("write_amplitudes", "V");
            const auto counts = r.integers("write_counts", 1, 10000000);
            const auto cycles = r.integer("cycles", 1, 1, 100000);
            if (!counts.empty() && counts.size() != amps.size())
                r.fail("write_counts", "needs one count per write amplitude");
            for (std::int64_t c = 0; c < cycles; ++c)
                for (std::size_t k = 0; k < amps.size(); ++k) {
                    const auto n = static_cast<std::size_t>(counts.empty() ? 1 : counts[k]);
                    s.write_levels.insert(s.write_levels.end(), n, amps[k]);
                }
            s.write_width = r.quantity("write_width", "s");
            s.read_level = r.quantity("read_amplitude", "V");
            s.read_width = r.quantity("read_width", "s");
            s.gap = r.quantity("gap", "s");
            s.rise = r.quantity("rise", "s", 10e-9);
            s.fall = r.quantity("fall", "s", 10e-9);
            s.base = r.quantity("base", "V", 0.0);
            s.delay = r.quantity("delay", "s", 0.0);
            return stimulus::read_after_write(s);
        }
        if (kind == "sweep") {
            const auto v = r.quantities("vertices", "V");
            const double rate = r.quantity("rate", "V/s");
            const auto cycles = r.integer("cycles", 1, 1, 1000000);
            return stimulus::triangle_sweep(v, rate, static_cast<std::size_t>(cycles), r.quantity("delay", "s", 0.0));
        }
        if (kind == "pulse_list") {
            // Explicit pulses: [[stimulus.pulse]] start, amplitude, width.
            std::vector<stimulus::pulse> ps;
            for (auto& q : r.tables("pulse")) {
                ps.push_back({q.quantity("start", "s"), q.quantity("amplitude", "V"), q.quantity("width", "s")});
                q.finish();
            }
            if (ps.empty()) r.fail("pulse", "needs at least one [[stimulus.pulse]]");
            return std::make_shared<stimulus::pulse_list>(std::move(ps), r.quantity("base", "V", 0.0),
                                                          r.quantity("rise", "s", 10e-9), r.quantity("fall", "s", 10e-9));
        }
        if (kind == "pwl") return std::make_shared<stimulus::pwl>(r.quantities("times", "s"), r.quantities("values", "V"));
        if (kind == "sweep_blocks") {
            // Consecutive blocks of triangular sweeps at one rate, each with its own vertices and
            // current limit (a compliance, or a transistor's gate); the limit changes at block
            // boundaries (where the voltage is back at the start vertex) over `compliance_edge`.
            const double rate = r.quantity("rate", "V/s");
            const double edge = r.quantity("compliance_edge", "s", 1e-6);
            if (!(rate > 0)) r.fail("rate", "must be positive");
            std::vector<double> tv{0.0}, vv, tc, ic;
            for (auto& b : r.tables("block")) {
                const auto v = b.quantities("vertices", "V");
                const auto cycles = static_cast<std::size_t>(b.integer("cycles", std::nullopt, 1, 1000000));
                if (v.size() < 2 || v.front() != v.back()) b.fail("vertices", "a cycle must end where it starts");
                // The limit: an SMU's compliance, or the transistor's current at the block's gate
                // with the sweep's largest voltage on its drain.
                double icc = 0, control = 0;
                if (fet) {
                    if (b.has("compliance")) b.fail("compliance", "with circuit.transistor the gate sets the limit: give gate");
                    control = b.quantity("gate", "V");
                    icc = fet->limit(control, *std::max_element(v.begin(), v.end()));
                    if (!(icc > 0)) b.fail("gate", "the transistor passes no current at this gate");
                    // The resolved block states the limit the gate gives (the figures read it).
                    b.resolved()["compliance"] = units::format(icc, "A");
                } else {
                    icc = control = b.quantity("compliance", "A");
                    if (!(icc > 0)) b.fail("compliance", "must be positive");
                }
                b.finish();
                const auto w = stimulus::triangle_sweep(v, rate, cycles);
                const auto& p = dynamic_cast<const stimulus::pwl&>(*w);
                const double t0 = tv.back();
                if (vv.empty()) vv.push_back(p.values().front());
                else if (vv.back() != p.values().front()) b.fail("vertices", "must start where the previous block ended");
                for (std::size_t k = 1; k < p.times().size(); ++k) {
                    tv.push_back(t0 + p.times()[k]);
                    vv.push_back(p.values()[k]);
                }
                blocks.push_back({t0, p.end_time() / static_cast<double>(cycles), icc, cycles, fet ? control : 0.0});
                if (tc.empty()) {
                    tc.push_back(0.0);
                    ic.push_back(control);
                } else if (control != ic.back()) {
                    tc.push_back(t0);
                    ic.push_back(ic.back());
                    tc.push_back(t0 + edge);
                    ic.push_back(control);
                }
            }
            if (blocks.empty()) r.fail("block", "needs at least one [[stimulus.block]]");
            limiter = std::make_shared<stimulus::pwl>(tc, ic);
            return std::make_shared<stimulus::pwl>(tv, vv);
        }
    } catch (const input_error& e) {
        const std::string m = e.what();
        if (m.rfind(r.file() + ":", 0) == 0) throw;  // the reader's own message, already placed
        r.fail("", m);  // a builder's message, placed in the stimulus table
    }
    r.fail("kind", fmt::format("unknown stimulus kind '{}' (pulse, pulse_train, packages, read_after_write, sweep, sweep_blocks, pulse_list, pwl)", kind));
}

// The [device] table's model, parameters and initial state (not its d2d spreads, not finish()).
device_setup read_device(reader& dev, const std::string& file) {
    auto m = detail::read_device_model(dev, file);
    // Device history: [device.initial_state] gives any of the model's states (the rest keep the
    // model's own initial values), e.g. a device trained before the experiment.
    device_setup out;
    out.initial_state.resize(m->n_states());
    m->initial_state(out.initial_state);
    if (dev.has("initial_state")) {
        reader is = dev.sub("initial_state");
        const auto& st = m->states();
        for (std::size_t k = 0; k < st.size(); ++k)
            if (is.has(st[k].name)) out.initial_state[k] = is.quantity(st[k].name, st[k].unit);
        is.finish();
    }
    out.model = std::move(m);
    return out;
}

}  // namespace

device_setup load_device(const std::string& model, const std::vector<std::string>& overrides, const std::string& where) {
    toml::table root;
    root.insert("device", toml::table{{"model", model}});
    for (const auto& o : overrides) {
        const std::string key = o.substr(0, o.find('='));
        // The key as `memlab run` takes it, or without its table (the form export-spice took first).
        const bool full = key.rfind("device.", 0) == 0;
        if (key == "model" || key == "device.model")
            throw input_error(fmt::format("{}: --set {}: the model is the first argument", where, key));
        if (!full && key.find('.') != std::string::npos && key.rfind("initial_state.", 0) != 0)
            throw input_error(fmt::format("{}: --set {}: only device keys apply here (device.NAME=VALUE)", where, key));
        apply_override(root, full ? o : "device." + o, where);
    }
    nlohmann::json resolved;
    reader top(&root, "", where, resolved);
    reader dev = top.sub("device");
    auto out = read_device(dev, where);
    dev.finish();
    return out;
}

std::map<std::string, std::string> served_targets(const std::vector<std::filesystem::path>& files) {
    std::map<std::string, std::string> out;
    for (const auto& f : files) {
        toml::table root;
        try {
            root = toml::parse_file(f.string());
        } catch (const toml::parse_error& err) {
            throw input_error(fmt::format("{}: {}", f.string(), err.description()));
        }
        const auto* ex = root["experiment"].as_table();
        if (!ex || root["study"].as_table()) continue;
        const std::string name = (*ex)["name"].value_or(f.stem().string());
        if (const auto* ids = (*ex)["targets"].as_array())
            for (const auto& id : *ids)
                if (const auto s = id.value<std::string>()) out[*s] = name;
    }
    return out;
}

bool is_study_file(const std::filesystem::path& file) { return detail::file_has_table(file, "study"); }

stimulus::waveform_ptr make_stimulus(const nlohmann::json& table, const std::string& where) {
    if (!table.is_object()) throw input_error(fmt::format("{}: expected a table of stimulus keys", where));
    toml::table t;
    try {
        t = detail::json_table(table);
    } catch (const input_error& err) {
        throw input_error(fmt::format("{}: {}", where, err.what()));
    }
    nlohmann::json resolved;
    reader r(&t, "", where, resolved);
    auto w = detail::read_waveform(r, "sweep_blocks changes an SMU's compliance block by block: write it in an experiment file");
    r.finish();
    return w;
}

stimulus::waveform_ptr detail::read_waveform(reader& r, const std::string& why_not_blocks) {
    if (r.has("kind") && r.string("kind") == "sweep_blocks") r.fail("kind", why_not_blocks);
    std::vector<sweep_block> blocks;
    stimulus::waveform_ptr compliance;
    return read_stimulus(r, blocks, compliance, nullptr);
}

experiment load(const std::filesystem::path& path, const std::vector<std::string>& overrides) {
    experiment e;
    e.file = path.string();
    toml::table root = detail::parse_file(path);
    // The file's own device model, before any override.
    std::string file_model;
    if (const auto* d = root["device"].as_table())
        if (const auto m0 = (*d)["model"].value<std::string>()) file_model = *m0;
    for (const auto& o : overrides) apply_override(root, o, e.file);
    swap_device_model(root, file_model, overrides, e);

    nlohmann::json& res = e.resolved;
    reader top(&root, "", e.file, res);

    reader ex = top.sub("experiment");
    auto h = detail::read_header(ex, path, detail::header_figure | detail::header_targets);
    e.name = std::move(h.name), e.description = std::move(h.description), e.figure = std::move(h.figure);
    e.seed = h.seed, e.targets = std::move(h.targets);
    e.duration = ex.quantity("duration", "s", 0.0);
    if (e.duration < 0) ex.fail("duration", "must not be negative");
    e.devices = static_cast<std::size_t>(ex.integer("devices", 1, 1, 10000));
    ex.finish();

    reader dev = top.sub("device");
    auto ds = read_device(dev, e.file);
    e.initial_state = std::move(ds.initial_state);
    auto& m = ds.model;
    e.d2d = detail::read_d2d(dev, *m);
    dev.finish();
    e.device = std::move(m);

    reader circ = top.sub("circuit");
    e.source = circ.string("source", "awg");
    if (e.source != "awg" && e.source != "smu") circ.fail("source", "must be \"awg\" or \"smu\"");
    e.series_resistance = circ.quantity("series_resistance", "Ohm", 0.0);
    if (e.series_resistance < 0) circ.fail("series_resistance", "must not be negative");
    e.parasitic_capacitance = circ.quantity("parasitic_capacitance", "F", 0.0);
    if (e.parasitic_capacitance < 0) circ.fail("parasitic_capacitance", "must not be negative");
    {
        reader s = circ.sub("smu");
        if (e.source == "smu") {
            circuit::smu_params sp;
            // With sweep_blocks the compliance comes from the blocks.
            const bool blocks = root["stimulus"]["kind"].value_or(std::string()) == "sweep_blocks";
            sp.compliance = blocks ? s.quantity("compliance", "A", 1.0) : s.quantity("compliance", "A");
            sp.settling_time = s.quantity("settling_time", "s", sp.settling_time);
            sp.transition_voltage = s.quantity("transition_voltage", "V", sp.transition_voltage);
            if (!(sp.compliance > 0)) s.fail("compliance", "must be positive");
            if (!(sp.settling_time > 0)) s.fail("settling_time", "must be positive");
            if (!(sp.transition_voltage > 0)) s.fail("transition_voltage", "must be positive");
            e.smu = sp;
        } else if (s.table()) {
            circ.fail("smu", "given, but circuit.source is not \"smu\"");
        }
        s.finish();
    }
    if (circ.has("transistor")) {
        // The access transistor of a 1T1R cell: its parameters by name, the gate (DC, or per
        // sweep block) and the capacitances switch.
        reader tr = circ.sub("transistor");
        access_transistor a;
        a.model = detail::read_transistor(tr, e.file, "circuit.transistor");
        const bool blocks = root["stimulus"]["kind"].value_or(std::string()) == "sweep_blocks";
        if (blocks) {
            if (tr.has("gate")) tr.fail("gate", "with sweep_blocks each [[stimulus.block]] gives its gate");
        } else {
            a.gate = stimulus::dc(tr.quantity("gate", "V"));
        }
        a.capacitances = tr.boolean("capacitances", false);
        a.gate_resistance = tr.quantity("gate_resistance", "Ohm", 1e3);
        if (a.gate_resistance < 0) tr.fail("gate_resistance", "must not be negative");
        if (a.capacitances && a.gate_resistance == 0)
            tr.fail("gate_resistance", "with capacitances the gate needs a driver resistance (an ideal source on a capacitive node)");
        tr.finish();
        if (e.source != "awg") circ.fail("transistor", "the transistor limits the current: use circuit.source = \"awg\"");
        if (circ.has("tia")) circ.fail("transistor", "a TIA and a transistor below the device together are not supported");
        e.transistor = std::move(a);
    }
    if (circ.has("tia")) {
        reader t = circ.sub("tia");
        circuit::tia_params tp;
        tp.gain = t.quantity("gain", "V/A");
        tp.bandwidth = t.quantity("bandwidth", "Hz");
        if (!(tp.gain > 0)) t.fail("gain", "must be positive");
        if (!(tp.bandwidth > 0)) t.fail("bandwidth", "must be positive");
        t.finish();
        e.tia = tp;
    }
    circ.finish();

    reader st = top.sub("stimulus");
    stimulus::waveform_ptr limiter;
    e.stimulus = read_stimulus(st, e.blocks, limiter, e.transistor ? e.transistor->model.get() : nullptr);
    st.finish();
    if (limiter) {
        if (e.transistor) e.transistor->gate = limiter;
        else if (!e.smu) st.fail("kind", "sweep_blocks needs circuit.source = \"smu\" or a circuit.transistor");
        else e.smu->compliance_wave = limiter;
    }
    if (top.has("history")) {
        // A stimulus table like [stimulus], applied before it (not recorded), and a rest after it.
        reader hs = top.sub("history");
        std::vector<sweep_block> hblocks;
        stimulus::waveform_ptr hlimiter;
        if (hs.string("kind") == "sweep_blocks" || limiter)
            hs.fail("kind", "a history cannot be sweep_blocks, nor precede them (their blocks set the current limit from t = 0)");
        e.history = read_stimulus(hs, hblocks, hlimiter, e.transistor ? e.transistor->model.get() : nullptr);
        // `rest`: at the history's last level between its end and the experiment's t = 0.
        const double rest = hs.quantity("rest", "s", 0.0);
        if (!(rest >= 0)) hs.fail("rest", "must not be negative");
        e.t_zero = e.history->end_time() + rest;
        if (!(e.t_zero > 0)) hs.fail("rest", "the history has no length: give history.rest");
        res["history"]["t_zero"] = units::format(e.t_zero, "s");
        hs.finish();
    }
    if (e.duration == 0) e.duration = e.stimulus->end_time();
    if (!(e.duration > 0)) ex.fail("duration", "the stimulus has no length: give experiment.duration");
    res["experiment"]["duration"] = units::format(e.duration, "s");

    reader rec = top.sub("recording");
    std::vector<std::string> def{"v(in)", "v(top)", "i(DUT)"};
    if (e.smu) def.push_back("SRC.u");  // the SMU's set-point: what it was programmed to source
    if (e.tia) def.push_back("v(out)");
    if (e.transistor) def.insert(def.end(), {"v(drain)", "v(gate)"});
    for (const auto& s : e.device->states()) def.push_back("DUT." + s.name);
    e.recording.probes = rec.strings("probes", def);
    e.recording.sample_interval = rec.quantity("sample_interval", "s", 0.0);
    if (e.recording.sample_interval < 0) rec.fail("sample_interval", "must not be negative");
    // traces.csv: the rows that reproduce every solver step to 0.01 % (plus the solver's absolute
    // tolerance) by linear interpolation; a sampled recording keeps every sample by default.
    e.csv_tolerance = rec.quantity("csv_tolerance", "1", e.recording.sample_interval > 0 ? 0.0 : 1e-4);
    if (!(e.csv_tolerance >= 0 && e.csv_tolerance < 1)) rec.fail("csv_tolerance", "must be in [0, 1)");
    rec.finish();

    reader sol = top.sub("solver");
    e.solver = detail::read_solver(sol);
    sol.finish();

    if (top.has("study")) {
        reader sd = top.sub("study");
        e.study = true;
        e.study_metrics = sd.strings("metrics", {});
        sd.finish();
    }

    top.finish();
    // Build once here, so a structural mistake is reported at load time with the file name.
    try {
        (void)e.build_circuit();
    } catch (const input_error& err) {
        throw input_error(fmt::format("{}: circuit: {}", e.file, err.what()));
    }
    return e;
}

std::shared_ptr<device::model> experiment::device_instance(std::size_t index) const {
    if (devices == 1 || d2d.empty()) return device;
    if (!d2d_normals.empty() && index >= d2d_normals.size())
        throw internal_error(fmt::format("{}: device {}: experiment::d2d_normals holds {} devices", file, index + 1, d2d_normals.size()));
    try {
        if (d2d_normals.empty()) return device::draw_device(*device, d2d, seed, index);
        return device::draw_device(*device, d2d, d2d_normals[index]);
    } catch (const input_error& err) {
        throw input_error(fmt::format("{}: device {}: drawn parameters are inconsistent: {}", file, index + 1, err.what()));
    }
}

stimulus::waveform_ptr experiment::source_waveform() const { return history ? stimulus::preceded(history, t_zero, stimulus) : stimulus; }

std::string experiment::simulated_text() const {
    return units::format(duration, "s") + " simulated" + (history ? " after " + units::format(t_zero, "s") + " of history" : "");
}

circuit::circuit experiment::build_circuit(std::size_t device_index) const {
    circuit::circuit c;
    if (source == "smu") c.add_smu("SRC", "in", "0", source_waveform(), *smu);
    else c.add_voltage_source("SRC", "in", "0", source_waveform());
    const std::string top = series_resistance > 0 ? "top" : "in";
    if (series_resistance > 0) c.add_resistor("Rs", "in", "top", series_resistance);
    if (parasitic_capacitance > 0) c.add_capacitor("Cp", top, "0", parasitic_capacitance);
    c.add_memristor("DUT", top, tia ? "bottom" : transistor ? "drain" : "0", device_instance(device_index), initial_state);
    if (tia) c.add_tia("TIA", "bottom", "out", *tia);
    if (transistor) {
        const bool rg = transistor->gate_resistance > 0;
        c.add_voltage_source("VG", rg ? "wl" : "gate", "0", transistor->gate);
        if (rg) c.add_resistor("RG", "wl", "gate", transistor->gate_resistance);
        c.add_transistor("FET", "drain", "gate", "0", "0", transistor->model, transistor->capacitances);
    }
    return c;
}

run_result run(const experiment& e, io::trace_sink& sink, std::size_t device_index) {
    const circuit::circuit c = e.build_circuit(device_index);
    circuit::simulation sim(c, e.solver, e.seed + device_index);
    // Keep a few summary numbers while streaming.
    struct tap final : io::trace_sink {
        io::trace_sink& next;
        std::vector<io::channel> ch;
        std::vector<double> maxabs;
        explicit tap(io::trace_sink& n) : next(n) {}
        void begin(const std::vector<io::channel>& c2) override {
            ch = c2;
            maxabs.assign(c2.size(), 0.0);
            next.begin(c2);
        }
        double t_zero = 0;  // the history's end: the trace's time 0
        std::vector<double> shifted;
        void append(std::span<const double> row) override {
            for (std::size_t k = 0; k < row.size(); ++k) maxabs[k] = std::max(maxabs[k], std::fabs(row[k]));
            if (t_zero == 0) return next.append(row);
            shifted.assign(row.begin(), row.end());
            shifted[0] = row[0] - t_zero;
            next.append(shifted);
        }
        void finish() override { next.finish(); }
    } t(sink);
    t.t_zero = e.t_zero;
    run_result r;
    try {
        if (e.history) {
            // The history: the same probes (the same steps as one run through both), not kept.
            io::null_trace before;
            sim.run(e.t_zero, e.recording, before);
        }
        sim.run(e.run_end(), e.recording, t);
    } catch (const solver_error& err) {
        throw solver_error(fmt::format("{}: {}", e.file, err.what()), err.time(), err.kind());
    }
    r.stats = sim.stats();
    for (std::size_t k = 1; k < t.ch.size(); ++k) {
        r.metrics[fmt::format("final.{}", t.ch[k].name)] = {{"value", sim.probe(t.ch[k].name)}, {"unit", t.ch[k].unit}};
        r.metrics[fmt::format("max_abs.{}", t.ch[k].name)] = {{"value", t.maxabs[k]}, {"unit", t.ch[k].unit}};
    }
    r.metrics["solver.steps"] = {{"value", r.stats.steps}, {"unit", "1"}};
    r.metrics["solver.events"] = {{"value", r.stats.events}, {"unit", "1"}};
    r.metrics["solver.retries"] = {{"value", r.stats.retries}, {"unit", "1"}};
    r.metrics["solver.event_homotopies"] = {{"value", r.stats.event_homotopies}, {"unit", "1"}};
    r.metrics["solver.restart_fallbacks"] = {{"value", r.stats.restart_fallbacks}, {"unit", "1"}};
    r.metrics["solver.settled_draws"] = {{"value", r.stats.settled_draws}, {"unit", "1"}};
    r.metrics["seed"] = {{"value", e.seed}, {"unit", "1"}};
    return r;
}

}  // namespace memlab::protocol
