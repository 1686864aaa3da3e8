#include "memlab/protocol/ngspice_engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <mutex>
#include <ngspice/sharedspice.h>
#include <sstream>

#include "memlab/analysis/analysis.hpp"
#include "memlab/error.hpp"
#include "memlab/spice/ngspice.hpp"

namespace memlab::protocol {
namespace {

std::string n(double x) { return device::spice_number(x); }

// A PWL node holding a waveform's value (the compliance current in amperes, as volts).
std::string pwl_node(const std::string& name, const std::string& node, const stimulus::waveform& w, double t_end) {
    return spice::pwl_source(name, node, "0", w, t_end);
}

// How each recorded probe is made from ngspice's vectors.
struct probe_plan {
    std::string name, unit;
    std::vector<std::string> vectors;                        // ngspice vector names used
    std::function<double(const std::vector<double>&)> value;  // from those vectors' values
};

std::vector<probe_plan> plan_probes(const experiment& e, const device::model& m) {
    std::vector<probe_plan> out;
    const auto node_vec = [](const std::string& node) -> std::string {
        if (node == "0" || node == "gnd") return "";
        return node;
    };
    const auto& form_scale = m.spice().scale;
    for (const auto& p : e.recording.probes) {
        probe_plan q{p, "", {}, {}};
        if (p.rfind("v(", 0) == 0 && p.back() == ')') {
            const std::string inner = p.substr(2, p.size() - 3);
            const auto comma = inner.find(',');
            const std::string a = inner.substr(0, comma), b = comma == std::string::npos ? "0" : inner.substr(comma + 1);
            q.unit = "V";
            const std::string va = node_vec(a), vb = node_vec(b);
            if (!va.empty()) q.vectors.push_back(va);
            if (!vb.empty()) q.vectors.push_back(vb);
            const bool ha = !va.empty(), hb = !vb.empty();
            q.value = [ha, hb](const std::vector<double>& x) { return (ha ? x[0] : 0.0) - (hb ? x[ha ? 1 : 0] : 0.0); };
        } else if (p == "i(DUT)") {
            q.unit = "A";
            q.vectors = {"v_dut#branch"};
            q.value = [](const std::vector<double>& x) { return x[0]; };
        } else if (p == "i(Rs)" && e.series_resistance > 0) {
            q.unit = "A";
            q.vectors = {"in", "top"};
            const double r = e.series_resistance;
            q.value = [r](const std::vector<double>& x) { return (x[0] - x[1]) / r; };
        } else if (p == "i(FET)" && e.transistor) {
            q.unit = "A";
            q.vectors = {"v_fet#branch"};
            q.value = [](const std::vector<double>& x) { return x[0]; };
        } else if (p == "i(TIA)" && e.tia) {
            q.unit = "A";
            q.vectors = {"v_tia#branch"};
            q.value = [](const std::vector<double>& x) { return x[0]; };
        } else if (p == "i(SRC)") {
            q.unit = "A";
            if (e.source == "awg") {
                q.vectors = {"v_src#branch"};
                q.value = [](const std::vector<double>& x) { return -x[0]; };  // delivered into "in"
            } else {
                q.vectors = {"smu_u", "in", "smu_icc"};
                const double vt = e.smu->transition_voltage;
                q.value = [vt](const std::vector<double>& x) {
                    const double d = (x[0] - x[1]) / vt;
                    return x[2] * (std::tanh(d) + 1e-6 * d);
                };
            }
        } else if (p == "SRC.u" && e.source == "smu") {
            q.unit = "V";
            q.vectors = {"smu_u"};
            q.value = [](const std::vector<double>& x) { return x[0]; };
        } else if (p == "events") {
            q.unit = "1";  // the SPICE form has no events
            q.value = [](const std::vector<double>&) { return 0.0; };
        } else if (p.rfind("DUT.", 0) == 0) {
            const std::string st = p.substr(4);
            const auto& states = m.states();
            const auto it = std::find_if(states.begin(), states.end(), [&](const auto& s) { return s.name == st; });
            if (it == states.end()) throw input_error(fmt::format("{}: recording.probes: '{}' is not a state of '{}'", e.file, p, m.name()));
            const double scale = form_scale[static_cast<std::size_t>(it - states.begin())];
            q.unit = it->unit;
            q.vectors = {"xdut.s_" + st};
            q.value = [scale](const std::vector<double>& x) { return x[0] * scale; };
        } else {
            throw input_error(fmt::format("{}: recording.probes: '{}' is not available with --engine ngspice", e.file, p));
        }
        out.push_back(std::move(q));
    }
    return out;
}

// libngspice keeps one simulator per process: one run at a time.
std::mutex ngspice_mutex;
std::string ngspice_log;
bool ngspice_ready = false;

int on_print(char* s, int, void*) {
    ngspice_log += s;
    ngspice_log += '\n';
    return 0;
}
int on_status(char*, int, void*) { return 0; }
int on_exit(int, NG_BOOL, NG_BOOL, int, void*) { return 0; }

std::string last_lines(const std::string& s, std::size_t count) {
    std::vector<std::string> lines;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);)
        if (l.find("rror") != std::string::npos || l.find("too small") != std::string::npos || l.find("singular") != std::string::npos)
            lines.push_back(l);
    if (lines.empty()) return "no message";
    std::string out;
    for (std::size_t k = lines.size() > count ? lines.size() - count : 0; k < lines.size(); ++k) out += (out.empty() ? "" : " | ") + lines[k];
    return out;
}

}  // namespace

namespace {

// The 1T1R cell's transistor as ngspice's level-1 MOSFET, where that is the EKV model's reduction:
// gamma = 0, and every gate level in strong inversion (at least vt0 + 0.5 V, where the two agree
// within 0.2 %: tests/validation/test_ngspice_mosfet.cpp). Otherwise one line saying why not.
std::string transistor_lines(const experiment& e, double t_end) {
    const auto& a = *e.transistor;
    const auto& p = a.model->params();
    if (p.gamma != 0)
        throw input_error(fmt::format("{}: circuit.transistor: --engine ngspice exports a level-1 MOSFET, the EKV model's reduction at gamma = 0 "
                                      "only (here gamma = {} V^0.5: set circuit.transistor.gamma = 0)",
                                      e.file, p.gamma));
    double lowest = a.gate->value(0.0);
    for (double t = a.gate->next_breakpoint(0.0); t <= std::min(t_end, a.gate->end_time()); t = a.gate->next_breakpoint(t))
        lowest = std::min(lowest, a.gate->value(t));
    if (lowest < p.vt0 + 0.5)
        throw input_error(fmt::format("{}: circuit.transistor: --engine ngspice exports a level-1 MOSFET, which passes no current below threshold: "
                                      "every gate must be in strong inversion (>= vt0 + 0.5 V = {:.3g} V; here {:.3g} V)",
                                      e.file, p.vt0 + 0.5, lowest));
    const bool rg = a.gate_resistance > 0;
    std::string d = pwl_node("V_VG", rg ? "wl" : "gate", *a.gate, t_end);
    if (rg) d += fmt::format("R_G wl gate {}\n", n(a.gate_resistance));
    d += "V_FET drain fet_d DC 0\n";  // i(FET): from the drain through the channel
    d += spice::level1_instance(*a.model, "_FET", "fet_d", "gate", "0", "0", "nlev1", a.capacitances);
    return d + spice::level1_model(*a.model, "nlev1");
}

std::string deck_for(const experiment& e, const device::model& model) {
    // With a history the deck starts at its beginning; the trace keeps t >= t_zero (run_ngspice).
    const double t_end = e.run_end();
    const auto source = e.source_waveform();
    std::string d = fmt::format("* memlab experiment '{}' for ngspice ({})\n", e.name, e.file);
    d += "* device in its deterministic form: no stochastic events\n";
    if (e.source == "awg") {
        d += pwl_node("V_SRC", "in", *source, t_end);
    } else {
        const auto& s = *e.smu;
        d += pwl_node("V_SMUSET", "smu_set", *source, t_end);
        d += fmt::format("R_SMUTAU smu_set smu_u 1\nC_SMUTAU smu_u 0 {}\n", n(s.settling_time));
        if (s.compliance_wave) d += pwl_node("V_SMUICC", "smu_icc", *s.compliance_wave, t_end);
        else d += fmt::format("V_SMUICC smu_icc 0 DC {}\n", n(s.compliance));
        d += fmt::format("B_SMU 0 in I = V(smu_icc)*(tanh((V(smu_u)-V(in))/{0}) + 1e-6*(V(smu_u)-V(in))/{0})\n", n(s.transition_voltage));
        if (s.parasitic_capacitance > 0) d += fmt::format("C_SMUP in 0 {}\n", n(s.parasitic_capacitance));
    }
    const std::string top = e.series_resistance > 0 ? "top" : "in";
    if (e.series_resistance > 0) d += fmt::format("R_S in top {}\n", n(e.series_resistance));
    if (e.parasitic_capacitance > 0) d += fmt::format("C_P {} 0 {}\n", top, n(e.parasitic_capacitance));
    const std::string bottom = e.tia ? "bottom" : e.transistor ? "drain" : "0";
    d += fmt::format("V_DUT {} dut_p DC 0\nXDUT dut_p {} memlab_dut\n", top, bottom);
    if (e.transistor) d += transistor_lines(e, t_end);
    if (e.tia) {
        d += fmt::format("V_TIA bottom 0 DC 0\nB_TIA tia_raw 0 V = {}*I(V_TIA)\nR_TIA tia_raw out 1\nC_TIA out 0 {} IC=0\n", n(e.tia->gain),
                         n(e.tia->tau()));
    }
    d += spice::subcircuit(model, "memlab_dut", e.initial_state);
    // No uic: ngspice holds the device states at their initial values during its operating point
    // and solves every other node (SMU output, helper nodes, TIA) from them, as memlab's consistent
    // initial condition does. (With uic the helper nodes started at 0 V and Newton ran away on the
    // first step of every SMU deck with the agsn model.) The SMU's internal set point starts at
    // the stimulus value like a charged settling capacitor.
    d += spice::initial_conditions(model, "xdut", e.initial_state);
    if (e.source != "awg") d += fmt::format(".ic v(smu_u)={}\n", n(source->value(0.0)));
    d += spice::options(e.solver.rtol, e.solver.atol_current, e.solver.atol_voltage);
    d += spice::tran(t_end, e.solver.max_step) + ".end\n";
    return d;
}

}  // namespace

std::string ngspice_deck(const experiment& e, std::size_t device_index) { return deck_for(e, *e.device_instance(device_index)); }

run_result run_ngspice(const experiment& e, io::trace_sink& sink, std::size_t device_index) {
    const auto model = e.device_instance(device_index);
    const auto plans = plan_probes(e, *model);
    const std::string deck = deck_for(e, *model);
    std::lock_guard<std::mutex> lock(ngspice_mutex);
    ngspice_log.clear();
    if (!ngspice_ready) {
        ngSpice_Init(on_print, on_status, on_exit, nullptr, nullptr, nullptr, nullptr);
        ngspice_ready = true;
    }
    ngSpice_Command(const_cast<char*>("destroy all"));
    ngSpice_Command(const_cast<char*>("remcirc"));
    std::vector<std::string> lines;
    {
        std::istringstream in(deck);
        for (std::string l; std::getline(in, l);) lines.push_back(l);
    }
    std::vector<char*> ptrs;
    for (auto& l : lines) ptrs.push_back(l.data());
    ptrs.push_back(nullptr);
    if (ngSpice_Circ(ptrs.data()) != 0 || ngspice_log.find("rror") != std::string::npos)
        throw input_error(fmt::format("{}: ngspice rejected the deck: {}", e.file, last_lines(ngspice_log, 3)));
    ngSpice_Command(const_cast<char*>("run"));
    const pvector_info tv = ngGet_Vec_Info(const_cast<char*>("time"));
    const double t_end = e.run_end();
    if (!tv || tv->v_length < 2 || tv->v_realdata[tv->v_length - 1] < t_end * (1 - 1e-9))
        throw solver_error(fmt::format("{}: ngspice stopped at t = {}: {}", e.file,
                                       tv && tv->v_length > 0 ? fmt::format("{:.6g} s", tv->v_realdata[tv->v_length - 1]) : "0 s",
                                       last_lines(ngspice_log, 3)),
                           tv && tv->v_length > 0 ? tv->v_realdata[tv->v_length - 1] : 0.0);
    const std::vector<double> time(tv->v_realdata, tv->v_realdata + tv->v_length);
    // Each vector once.
    std::map<std::string, std::vector<double>> vec;
    for (const auto& q : plans)
        for (const auto& name : q.vectors) {
            if (vec.count(name)) continue;
            const pvector_info v = ngGet_Vec_Info(const_cast<char*>(name.c_str()));
            if (!v || v->v_length != tv->v_length) throw input_error(fmt::format("{}: ngspice has no vector '{}'", e.file, name));
            vec[name].assign(v->v_realdata, v->v_realdata + v->v_length);
        }
    std::vector<io::channel> ch{{"time", "s"}};
    for (const auto& q : plans) ch.push_back({q.name, q.unit});
    sink.begin(ch);
    std::vector<double> row(ch.size()), args;
    const auto emit = [&](double t, const std::function<double(const std::string&)>& get) {
        row[0] = t - e.t_zero;
        for (std::size_t k = 0; k < plans.size(); ++k) {
            args.clear();
            for (const auto& name : plans[k].vectors) args.push_back(get(name));
            row[k + 1] = plans[k].value(args);
        }
        sink.append(row);
    };
    if (e.recording.sample_interval > 0) {
        for (std::size_t k = 0;; ++k) {
            const double t = e.t_zero + static_cast<double>(k) * e.recording.sample_interval;
            if (t > t_end * (1 + 1e-12)) break;
            emit(t, [&](const std::string& name) { return analysis::interpolate(time, vec[name], t); });
        }
    } else {
        // The history's points are not part of the trace; the first kept point is at t_zero.
        std::size_t first = 0;
        while (first + 1 < time.size() && time[first + 1] <= e.t_zero * (1 + 1e-12)) ++first;
        if (e.t_zero > 0 && time[first] < e.t_zero) {
            emit(e.t_zero, [&](const std::string& name) { return analysis::interpolate(time, vec[name], e.t_zero); });
            ++first;
        }
        for (std::size_t k = first; k < time.size(); ++k) emit(time[k], [&](const std::string& name) { return vec[name][k]; });
    }
    sink.finish();
    run_result r;
    r.metrics["engine"] = "ngspice";
    r.metrics["ngspice.time_points"] = {{"value", time.size()}, {"unit", "1"}};
    r.metrics["seed"] = {{"value", e.seed}, {"unit", "1"}};
    r.stats.steps = static_cast<long>(time.size());
    return r;
}

}  // namespace memlab::protocol
