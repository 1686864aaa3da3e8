// What `memlab export-spice MODEL` promises in its header, done as a user would: the example deck
// between its marks, taken verbatim (less the "* " of each line) and run by Debian's ngspice in
// batch mode beside the export saved as MODEL.sub. For every model of the registry with a SPICE
// form: ngspice exits 0 and prints the whole sweep, every value finite, every state within the
// span memlab's own run of the same circuit covers, and the device switches where memlab says it
// does (its conductance crosses the middle of memlab's range, on a log scale, within 2 % of the
// sweep of memlab's crossing, and ends up as many decades from where it started). A DC sweep
// (.dc) of the same subcircuit gives the I-V of the device frozen in its initial state. And the
// deck that failed a user (AgSn, 1 kOhm, a 1 V triangle at 1 V/s) sets the device with the
// header's .ic and .options lines.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <sstream>

#include "memlab/analysis/analysis.hpp"
#include "memlab/device/regime.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/spice/ngspice.hpp"
#include "memlab/stimulus/waveform.hpp"

#include "device_circuit.hpp"

using namespace memlab;

namespace {

// The lines of `text` between the marks "* ---- deck.cir ----" and "* ---- end of deck.cir ----",
// each without its leading "* ".
std::string example_deck(const std::string& text) {
    std::istringstream in(text);
    std::string deck;
    bool inside = false, closed = false;
    for (std::string l; std::getline(in, l);) {
        if (l == "* ---- deck.cir ----") inside = true;
        else if (l == "* ---- end of deck.cir ----") inside = false, closed = true;
        else if (inside) deck += (l.rfind("* ", 0) == 0 ? l.substr(2) : l) + "\n";
    }
    return closed ? deck : "";
}

// The header line that starts with `start` ("* .ic ", "* .options "), without its "* ".
std::string header_line(const std::string& text, const std::string& start) {
    const auto a = text.find("\n" + start);
    if (a == std::string::npos) return "";
    return text.substr(a + 3, text.find('\n', a + 1) - a - 2);
}

// The value of option `name` in the header's .options line (NaN if it has none).
double option(const std::string& text, const std::string& name) {
    const std::string line = header_line(text, "* .options ");
    const auto a = line.find(" " + name + "=");
    return a == std::string::npos ? NAN : std::strtod(line.c_str() + a + name.size() + 2, nullptr);
}

// The tables ngspice -b prints for .print lines: one or more per analysis (a table holds as many
// columns as fit the page), each "Index <sweep> <vectors...>" then rows "k x y ...". Columns by
// their lower-case names, rows in index order.
std::map<std::string, std::vector<double>> print_tables(const std::string& log) {
    std::map<std::string, std::map<long, double>> cells;
    std::vector<std::string> cols;
    std::istringstream in(log);
    for (std::string l; std::getline(in, l);) {
        std::istringstream ls(l);
        std::vector<std::string> tok;
        for (std::string t; ls >> t;) tok.push_back(t);
        if (tok.empty()) continue;
        if (tok[0] == "Index") {
            cols.assign(tok.begin() + 1, tok.end());
            for (auto& c : cols) std::transform(c.begin(), c.end(), c.begin(), [](unsigned char ch) { return std::tolower(ch); });
            continue;
        }
        if (cols.empty() || tok.size() != cols.size() + 1 || !std::all_of(tok[0].begin(), tok[0].end(), ::isdigit)) continue;
        const long k = std::stol(tok[0]);
        for (std::size_t j = 0; j < cols.size(); ++j) cells[cols[j]][k] = std::strtod(tok[j + 1].c_str(), nullptr);
    }
    std::map<std::string, std::vector<double>> out;
    for (const auto& [name, rows] : cells)
        for (const auto& [k, x] : rows) out[name].push_back(x);
    return out;
}

struct run_out {
    std::vector<double> t, v, i;           // time (or the DC sweep), device voltage, device current
    std::vector<std::vector<double>> s;    // states, in their units
};

// ngspice on `deck` with the export beside it as <name>.sub; the device is X1 from node top to
// ground, fed by V1. Fails the test (and returns nothing) if ngspice does not exit 0 or a column
// is missing.
std::optional<run_out> ngspice(const device::model& m, const std::string& name, const std::string& exported, const std::string& deck,
                               const std::string& sweep) {
    const auto r = spice::run_batch(deck, "", NGSPICE_EXECUTABLE, {{name + ".sub", exported}});
    EXPECT_EQ(r.exit_status, 0) << r.log.substr(0, 3000);
    const auto tab = print_tables(r.log);
    const auto col = [&](std::string c) -> const std::vector<double>* {
        std::transform(c.begin(), c.end(), c.begin(), [](unsigned char ch) { return std::tolower(ch); });
        const auto it = tab.find(c);
        if (it == tab.end()) ADD_FAILURE() << "ngspice printed no column " << c << "\n" << r.log.substr(0, 2000);
        return it == tab.end() ? nullptr : &it->second;
    };
    if (r.exit_status != 0) return std::nullopt;
    run_out o;
    const auto* t = col(sweep);
    const auto* v = col("v(top)");
    const auto* i = col("v1#branch");
    if (!t || !v || !i) return std::nullopt;
    o.t = *t, o.v = *v;
    for (double x : *i) o.i.push_back(-x);  // a source's branch current flows into its + node
    const auto f = m.spice();
    for (std::size_t k = 0; k < m.n_states(); ++k) {
        const auto* x = col(fmt::format("v(x1.s_{})", m.states()[k].name));
        if (!x) return std::nullopt;
        o.s.emplace_back();
        for (double y : *x) o.s.back().push_back(y * f.scale[k]);
    }
    for (const auto* c : {&o.v, &o.i})
        if (c->size() != o.t.size()) ADD_FAILURE() << "columns of unequal length";
    return o;
}

// memlab's own run of the circuit: `wave` -> `rs` -> device -> ground, deterministic (as exported).
run_out memlab_run(std::shared_ptr<device::model> m, const device::regime& g, const stimulus::waveform_ptr& wave, double rs, double t_end) {
    const auto tr = test::run_device_circuit(m, wave, rs, t_end, g.rtol, g.atol_scale);
    run_out r{tr.time(), tr.column("v(a)"), tr.column("i(R1)"), {}};
    for (const auto& s : m->states()) r.s.push_back(tr.column("M1." + s.name));
    return r;
}

// log10 of the device's conductance where its voltage is at least 5 % of the largest (elsewhere
// the ratio of two small numbers), NaN elsewhere.
std::vector<double> log_conductance(const run_out& r) {
    double vmax = 0;
    for (double v : r.v) vmax = std::max(vmax, std::fabs(v));
    std::vector<double> g;
    for (std::size_t k = 0; k < r.t.size(); ++k)
        g.push_back(std::fabs(r.v[k]) > 0.05 * vmax && r.i[k] != 0 ? std::log10(std::fabs(r.i[k] / r.v[k])) : NAN);
    return g;
}

// The first time log10 G crosses `level` from its start, or NaN.
double first_crossing(const run_out& r, const std::vector<double>& lg, double level) {
    double start = NAN;
    for (std::size_t k = 0; k < lg.size(); ++k) {
        if (std::isnan(lg[k])) continue;
        if (std::isnan(start)) start = lg[k];
        if ((lg[k] - level) * (start - level) <= 0) return r.t[k];
    }
    return NAN;
}

// The ngspice run `ng` against memlab's `ref` of the same circuit over [0, t_end].
void expect_same_switching(const device::model& m, const run_out& ng, const run_out& ref, double t_end) {
    ASSERT_GT(ng.t.size(), 100u);
    EXPECT_NEAR(ng.t.back(), t_end, 1e-9 * t_end) << "ngspice stopped early";
    for (std::size_t k = 0; k < ng.t.size(); ++k) {
        ASSERT_TRUE(std::isfinite(ng.v[k]) && std::isfinite(ng.i[k])) << "at t = " << ng.t[k];
        for (const auto& s : ng.s) ASSERT_TRUE(std::isfinite(s[k])) << "a state at t = " << ng.t[k];
    }
    bool moved = false;
    for (std::size_t j = 0; j < m.n_states(); ++j) {
        const auto& st = m.states()[j];
        const auto [lo, hi] = std::minmax_element(ref.s[j].begin(), ref.s[j].end());
        const double margin = 0.05 * (*hi - *lo) + 1e3 * st.abs_tolerance;
        const auto [nlo, nhi] = std::minmax_element(ng.s[j].begin(), ng.s[j].end());
        EXPECT_GE(*nlo, *lo - margin) << st.name << ": memlab's span [" << *lo << ", " << *hi << "] " << st.unit;
        EXPECT_LE(*nhi, *hi + margin) << st.name << ": memlab's span [" << *lo << ", " << *hi << "] " << st.unit;
        moved |= *nhi - *nlo > 100 * st.abs_tolerance;
    }
    EXPECT_TRUE(moved) << "no state moved in ngspice";
    // Switching: memlab's conductance spans at least a factor 2; ngspice's crosses the middle of
    // that span (on a log scale) within 2 % of the sweep of memlab's crossing.
    const auto lr = log_conductance(ref), ln = log_conductance(ng);
    double lo = INFINITY, hi = -INFINITY;
    for (double x : lr)
        if (!std::isnan(x)) lo = std::min(lo, x), hi = std::max(hi, x);
    ASSERT_GT(hi - lo, std::log10(2.0)) << "memlab's run does not switch the device: the regime is wrong";
    const double mid = 0.5 * (lo + hi);
    const double tr = first_crossing(ref, lr, mid), tn = first_crossing(ng, ln, mid);
    EXPECT_NEAR(tn, tr, 0.02 * t_end) << "conductance 10^" << mid << " S: memlab at " << tr << " s, ngspice at " << tn << " s";
    double nlo = INFINITY, nhi = -INFINITY;
    for (double x : ln)
        if (!std::isnan(x)) nlo = std::min(nlo, x), nhi = std::max(nhi, x);
    EXPECT_NEAR(nhi - nlo, hi - lo, 0.1 * (hi - lo) + 0.05) << "decades the conductance spans: memlab " << hi - lo << ", ngspice " << nhi - nlo;
    std::printf("[export-spice] %s: ngspice %zu points, log10 G %.2f..%.2f (memlab %.2f..%.2f), crosses 10^%.2f S at %.6g s (memlab %.6g s)\n",
                std::string(m.name()).c_str(), ng.t.size(), nlo, nhi, lo, hi, mid, tn, tr);
}

std::vector<std::string> exported_models() {
    std::vector<std::string> out;
    for (const auto& name : device::model_names())
        if (device::make_model(name)->has_spice()) out.push_back(name);
    return out;
}

class ExportSpice : public ::testing::TestWithParam<std::string> {};

TEST_P(ExportSpice, HeaderExampleDeckSwitchesTheDeviceAsMemlabDoes) {
    const std::string name = GetParam();
    std::shared_ptr<device::model> m = device::make_model(name);
    const std::string text = spice::export_file(*m, name);
    const std::string deck = example_deck(text);
    ASSERT_FALSE(deck.empty()) << "no example deck in the header:\n" << text.substr(0, 3000);
    const auto* g = m->typical_regime();
    ASSERT_NE(g, nullptr);
    // memlab's run of the regime: its overrides (random events off, where it starts) applied.
    std::shared_ptr<device::model> mr = m->clone();
    mr->set(g->set);
    std::vector<double> start(m->n_states());
    mr->initial_state(start);
    // The deck's .options line is the header's (and the engine's: one function), its .ic line the
    // regime's start (the header's, the model's own, for all but the models whose regime moves it).
    EXPECT_NE(deck.find(header_line(text, "* .options ")), std::string::npos);
    EXPECT_NE(deck.find(spice::initial_conditions(*m, "x1", start)), std::string::npos);
    EXPECT_EQ(deck.find("uic"), std::string::npos);
    const double t_end = 2.0 * (g->slow.v_max - g->slow.v_min) / g->slow.rate;
    const auto ng = ngspice(*m, name, text, deck, "time");
    ASSERT_TRUE(ng);
    const auto ref = memlab_run(mr, *g, stimulus::triangle_sweep({0.0, g->slow.v_max, g->slow.v_min, 0.0}, g->slow.rate, 1),
                                g->series_resistance, t_end);
    expect_same_switching(*m, *ng, ref, t_end);
}

// .dc on the subcircuit (with the header's .options): no singular matrix, no crash; every state
// stays at its initial value and the current is the model's at that state.
TEST_P(ExportSpice, DcSweepGivesTheFrozenDevice) {
    const std::string name = GetParam();
    const auto m = device::make_model(name);
    const std::string text = spice::export_file(*m, name);
    const auto* g = m->typical_regime();
    ASSERT_NE(g, nullptr);
    const double step = (g->slow.v_max - g->slow.v_min) / 40;
    const std::string deck = fmt::format("dc sweep\n.include {0}.sub\nV1 top 0 DC 0\nX1 top 0 {0}\n{5}\n.dc V1 {1} {2} {3}\n.print dc v(top) i(V1){4}\n.end\n",
                                         name, device::spice_number(g->slow.v_min), device::spice_number(g->slow.v_max + 0.5 * step),
                                         device::spice_number(step), [&] {
                                             std::string p;
                                             for (const auto& s : m->states()) p += fmt::format(" v(x1.s_{})", s.name);
                                             return p;
                                         }(),
                                         header_line(text, "* .options "));
    const auto ng = ngspice(*m, name, text, deck, "v-sweep");
    ASSERT_TRUE(ng);
    EXPECT_EQ(ng->t.size(), 41u);
    std::vector<double> s0(m->n_states());
    m->initial_state(s0);
    const double rshunt = option(text, "rshunt"), abstol = option(text, "abstol");
    for (std::size_t k = 0; k < ng->t.size(); ++k) {
        for (std::size_t j = 0; j < s0.size(); ++j)
            EXPECT_NEAR(ng->s[j][k], s0[j], 1e-6 * std::fabs(s0[j]) + 10 * m->states()[j].abs_tolerance) << m->states()[j].name << " at " << ng->v[k] << " V";
        // The model's current, and rshunt's from node top to ground; within ngspice's abstol.
        const double i = m->current(ng->v[k], s0) + ng->v[k] / rshunt;
        EXPECT_NEAR(ng->i[k], i, 1e-5 * std::fabs(i) + abstol) << "at " << ng->v[k] << " V";
    }
}

INSTANTIATE_TEST_SUITE_P(Models, ExportSpice, ::testing::ValuesIn(exported_models()), [](const auto& p) { return p.param; });

// The deck a user wrote for the paper's device: a 1 V triangle at 1 V/s through 1 kOhm, `.tran 1m
// 4`, with the header's .ic and .options lines (the header's advice before gave v(x1.s_h) =
// -1.6e91 with uic, "timestep too small" without). The device sets near 1 V as in memlab: its
// conductance rises from the 1 pS leak by orders of magnitude.
TEST(ExportSpiceAgSn, UserTriangleThroughOneKiloOhmSets) {
    std::shared_ptr<device::model> m = device::make_model("agsn_sio2_pt");
    const std::string text = spice::export_file(*m, "agsn_sio2_pt");
    const std::string ic = header_line(text, "* .ic "), opts = header_line(text, "* .options ");
    ASSERT_FALSE(ic.empty() || opts.empty());
    const auto wave = stimulus::triangle_sweep({0.0, 1.0, -1.0, 0.0}, 1.0, 1);
    const std::string deck = fmt::format("user deck\n.include agsn_sio2_pt.sub\nV1 in 0 PWL(0 0 1 1 3 -1 4 0)\nR1 in top 1k\n"
                                         "X1 top 0 agsn_sio2_pt\n{}\n{}\n.tran 1m 4\n.print tran v(top) i(V1){}\n.end\n",
                                         ic, opts, [&] {
                                             std::string p;
                                             for (const auto& s : m->states()) p += fmt::format(" v(x1.s_{})", s.name);
                                             return p;
                                         }());
    const auto ng = ngspice(*m, "agsn_sio2_pt", text, deck, "time");
    ASSERT_TRUE(ng);
    const auto ref = memlab_run(m, *m->typical_regime(), wave, 1e3, 4.0);
    expect_same_switching(*m, *ng, ref, 4.0);
    double g0 = NAN, gmax = -INFINITY;
    for (double x : log_conductance(*ng))
        if (!std::isnan(x)) {
            if (std::isnan(g0)) g0 = x;
            gmax = std::max(gmax, x);
        }
    EXPECT_LT(g0, -11.5);        // the 1 pS leak
    EXPECT_GT(gmax - g0, 6.0);   // set: six decades and more
}

}  // namespace
