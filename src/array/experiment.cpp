#include "memlab/array/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include <fmt/format.h>

#include "memlab/error.hpp"

namespace memlab::array {

namespace {

nlohmann::json number(double v, const char* unit) { return {{"value", v}, {"unit", unit}}; }

double mean(const std::vector<double>& v) { return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }

}  // namespace

cell_responses responses(const drive_result& d, std::size_t r, std::size_t c) {
    cell_responses out;
    const std::size_t n = d.start.size();
    const double limit = d.limit(r, c);
    for (std::size_t k = 0; k < n; ++k)
        if (d.peak[k](r, c) >= 0.5 * limit) out.pulses.push_back(k + 1);
    for (std::size_t j = 0; j + 1 < out.pulses.size(); ++j) {
        const std::size_t a = out.pulses[j] - 1, b = out.pulses[j + 1] - 1;
        if (b == a + 1) ++out.consecutive;
        double g_min = INFINITY;
        for (std::size_t k = a; k < b; ++k) g_min = std::min(g_min, d.g_off[k](r, c));
        const double ratio = g_min / d.g_on[a](r, c);
        out.refractory = std::isnan(out.refractory) ? ratio : std::max(out.refractory, ratio);
    }
    if (!out.pulses.empty() && out.pulses.front() < n)
        out.held = static_cast<double>(out.pulses.size() - 1) / static_cast<double>(n - out.pulses.front());
    return out;
}

result run(const experiment& e, io::trace_sink& trace) {
    result out;
    auto& m = out.metrics;
    std::unique_ptr<controller> sp;
    try {
        sp = std::make_unique<controller>(e.array, e.solver, e.seed, e.probes, &trace);
    } catch (const input_error& err) {
        throw input_error(fmt::format("{}: {}", e.file, err.what()));
    }
    controller& s = *sp;
    auto add_map = [&](std::string name, std::string unit, map values) {
        out.maps.push_back({std::move(name), std::move(unit), std::move(values), s.time()});
    };
    try {
        for (const auto& op : e.operations) {
            const std::string& L = op.label;
            switch (op.k) {
                case operation::kind::read: {
                    auto r = s.read(op.read);
                    const auto err = compare(r.apparent, r.cell);
                    m[L + ".time"] = number(r.time, "s");
                    m[L + ".conductance_mean"] = number(mean(r.apparent.v), "S");
                    m[L + ".error_rms"] = number(err.rms, "1");
                    m[L + ".error_worst"] = number(err.worst, "1");
                    add_map(L, "S", std::move(r.apparent));
                    add_map(L + "_cell", "S", std::move(r.cell));
                    add_map(L + "_error", "1", err.relative);
                    break;
                }
                case operation::kind::program: {
                    auto p = s.program(op.program);
                    const auto cell_err = compare(p.cell, p.target);
                    const std::size_t n = p.target.v.size();
                    m[L + ".cells"] = number(static_cast<double>(n), "1");
                    m[L + ".converged"] = number(static_cast<double>(p.converged), "1");
                    m[L + ".tolerance"] = number(op.program.tolerance, "1");
                    m[L + ".rms_error"] = number(p.rms_error, "1");
                    m[L + ".worst_error"] = number(p.worst_error, "1");
                    m[L + ".cell_rms_error"] = number(cell_err.rms, "1");
                    m[L + ".cell_worst_error"] = number(cell_err.worst, "1");
                    m[L + ".pulses_mean"] = number(mean(p.pulses.v), "1");
                    m[L + ".pulses_max"] = number(*std::max_element(p.pulses.v.begin(), p.pulses.v.end()), "1");
                    m[L + ".energy_mean"] = number(mean(p.energy.v), "J");
                    m[L + ".energy_max"] = number(*std::max_element(p.energy.v.begin(), p.energy.v.end()), "J");
                    m[L + ".end"] = number(s.time(), "s");
                    add_map(L + "_target", "S", std::move(p.target));
                    add_map(L + "_achieved", "S", std::move(p.achieved));
                    add_map(L + "_cell", "S", std::move(p.cell));
                    add_map(L + "_pulses", "1", std::move(p.pulses));
                    add_map(L + "_energy", "J", std::move(p.energy));
                    break;
                }
                case operation::kind::pulse: {
                    const double e0 = s.energy(op.row, op.col);
                    s.pulse(op.row, op.col, op.pulse);
                    m[L + ".energy"] = number(s.energy(op.row, op.col) - e0, "J");
                    break;
                }
                case operation::kind::rest: s.rest(op.duration); break;
                case operation::kind::gate: {
                    s.gate(op.gates);
                    nlohmann::json levels = nlohmann::json::array();
                    for (const double g : op.gates) levels.push_back(number(g, "V"));
                    m[L + ".levels"] = levels;
                    break;
                }
                case operation::kind::drive: {
                    const auto d = s.drive(*op.waveform, op.columns);
                    const std::size_t R = e.array.rows, C = e.array.cols;
                    map spikes(R, C), first(R, C), refractory(R, C, NAN), consecutive(R, C), held(R, C, NAN), after(R, C, NAN);
                    nlohmann::json cells = nlohmann::json::object();
                    for (std::size_t r = 0; r < R; ++r)
                        for (std::size_t c = 0; c < C; ++c) {
                            const auto x = responses(d, r, c);
                            spikes(r, c) = static_cast<double>(x.pulses.size());
                            first(r, c) = x.pulses.empty() ? 0.0 : static_cast<double>(x.pulses.front());
                            refractory(r, c) = x.refractory;
                            consecutive(r, c) = static_cast<double>(x.consecutive);
                            held(r, c) = x.held;
                            if (!d.g_off.empty()) after(r, c) = d.g_off.back()(r, c);
                            cells[fmt::format("{}_{}", r, c)] = x.pulses;
                        }
                    m[L + ".pulses"] = number(static_cast<double>(d.start.size()), "1");
                    m[L + ".end"] = number(d.end, "s");
                    m[L + ".responses"] = cells;  // per cell "r_c": the responding pulses
                    add_map(L + "_limit", "A", d.limit);
                    add_map(L + "_responses", "1", std::move(spikes));
                    add_map(L + "_first", "1", std::move(first));
                    add_map(L + "_refractory", "1", std::move(refractory));
                    add_map(L + "_consecutive", "1", std::move(consecutive));
                    add_map(L + "_held", "1", std::move(held));
                    add_map(L + "_g_after", "S", std::move(after));
                    break;
                }
            }
        }
    } catch (const solver_error& err) {
        throw solver_error(fmt::format("{}: {}", e.file, err.what()), err.time());
    } catch (const input_error& err) {
        throw input_error(fmt::format("{}: {}", e.file, err.what()));
    }
    out.stats = s.simulation().stats();
    m["solver.steps"] = number(static_cast<double>(out.stats.steps), "1");
    m["solver.events"] = number(static_cast<double>(out.stats.events), "1");
    m["solver.retries"] = number(static_cast<double>(out.stats.retries), "1");
    m["solver.unknowns"] = number(static_cast<double>(out.stats.unknowns), "1");
    m["solver.linear_solver"] = out.stats.linear_solver;
    m["duration"] = number(s.time(), "s");
    m["seed"] = number(static_cast<double>(e.seed), "1");
    return out;
}

}  // namespace memlab::array
