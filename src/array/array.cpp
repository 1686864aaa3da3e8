#include "memlab/array/array.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "memlab/error.hpp"
#include "memlab/spice/ngspice.hpp"
#include "memlab/units/units.hpp"

namespace memlab::array {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

std::string bl_node(std::size_t r, std::size_t c, const spec& s) {
    return s.bit_line_resistance > 0 ? fmt::format("bl{}_{}", r, c) : fmt::format("bl{}", r);
}
std::string wl_node(std::size_t r, std::size_t c, const spec& s) {
    return s.word_line_resistance > 0 ? fmt::format("wl{}_{}", r, c) : fmt::format("wl{}", s.word_line_of(r, c));
}
// The word-line segment ahead of cell (r, c)'s gate: from the driver's node for the first cell of
// its line (column 0 along a row, row 0 along a column), else from the previous cell's gate.
std::string wl_before(std::size_t r, std::size_t c, const spec& s) {
    if (s.word_lines == direction::rows) return c == 0 ? fmt::format("wl{}", r) : wl_node(r, c - 1, s);
    return r == 0 ? fmt::format("wl{}", c) : wl_node(r - 1, c, s);
}
std::string sl_node(std::size_t r, std::size_t c, const spec& s) {
    return s.source_line_resistance > 0 ? fmt::format("sl{}_{}", r, c) : fmt::format("sl{}", c);
}
std::string mid_node(std::size_t r, std::size_t c) { return fmt::format("m{}_{}", r, c); }

}  // namespace

const char* cell_name(cell_type c) { return c == cell_type::r1 ? "1R" : "1T1R"; }
const char* direction_name(direction d) { return d == direction::rows ? "rows" : "columns"; }

std::string device_name(std::size_t r, std::size_t c) { return fmt::format("X{}_{}", r, c); }
std::string transistor_name(std::size_t r, std::size_t c) { return fmt::format("T{}_{}", r, c); }
std::string tia_name(std::size_t c) { return fmt::format("TIA{}", c); }

scheme scheme_from(const std::string& text) {
    if (text == "v/2") return scheme::half;
    if (text == "v/3") return scheme::third;
    if (text == "gate") return scheme::gate;
    throw input_error(fmt::format("unknown inhibit scheme '{}' (v/2, v/3, gate)", text));
}
const char* scheme_name(scheme s) { return s == scheme::half ? "v/2" : s == scheme::third ? "v/3" : "gate"; }

void spec::check() const {
    if (rows == 0 || cols == 0) throw input_error("array: needs at least one row and one column");
    units::non_negative(word_line_resistance, "array.word_line_resistance");
    units::non_negative(bit_line_resistance, "array.bit_line_resistance");
    units::non_negative(source_line_resistance, "array.source_line_resistance");
    units::positive(rise, "array.rise");
    units::positive(fall, "array.fall");
    units::positive(gap, "array.gap");
    if (devices.size() != cells()) throw internal_error(fmt::format("array: {} devices for {} cells", devices.size(), cells()));
    if (initial_state.size() != cells()) throw internal_error("array: one initial state per cell is needed");
    if (cell == cell_type::t1r1 && !transistor) throw input_error("array: a 1T1R cell needs its transistor");
}

circuit::circuit build(const spec& s, const drivers& d) {
    s.check();
    const bool fet = s.cell == cell_type::t1r1;
    if (d.bit.size() != s.rows || d.source.size() != s.cols || (fet && d.word.size() != s.word_line_count()) ||
        (!d.source_node.empty() && d.source_node.size() != s.cols) || (!d.bit_control.empty() && d.bit_control.size() != s.rows))
        throw internal_error("array::build: one driver per line is needed");
    circuit::circuit c;
    // Word-line drivers in the order of their lines (each row's after its bit line's).
    const bool wl_rows = s.word_lines == direction::rows;
    for (std::size_t r = 0; r < s.rows; ++r) {
        if (!d.bit_control.empty() && !d.bit_control[r].first.empty()) {
            c.add_voltage_source(fmt::format("VBL{}", r), fmt::format("bla{}", r), "0", d.bit[r]);
            c.add_vcvs(fmt::format("EBL{}", r), fmt::format("bl{}", r), fmt::format("bla{}", r), d.bit_control[r].first, "0",
                       d.bit_control[r].second);
        } else {
            c.add_voltage_source(fmt::format("VBL{}", r), fmt::format("bl{}", r), "0", d.bit[r]);
        }
        if (fet && wl_rows) c.add_voltage_source(fmt::format("VWL{}", r), fmt::format("wl{}", r), "0", d.word[r]);
        for (std::size_t k = 0; k < s.cols; ++k) {
            if (s.bit_line_resistance > 0)
                c.add_resistor(fmt::format("RBL{}_{}", r, k), k == 0 ? fmt::format("bl{}", r) : bl_node(r, k - 1, s), bl_node(r, k, s),
                               s.bit_line_resistance);
            if (fet && s.word_line_resistance > 0)
                c.add_resistor(fmt::format("RWL{}_{}", r, k), wl_before(r, k, s), wl_node(r, k, s), s.word_line_resistance);
        }
    }
    if (fet && !wl_rows)
        for (std::size_t k = 0; k < s.cols; ++k) c.add_voltage_source(fmt::format("VWL{}", k), fmt::format("wl{}", k), "0", d.word[k]);
    for (std::size_t r = 0; r < s.rows; ++r)
        for (std::size_t k = 0; k < s.cols; ++k) {
            const std::size_t i = r * s.cols + k;
            const std::string bottom = fet ? mid_node(r, k) : sl_node(r, k, s);
            c.add_memristor(device_name(r, k), bl_node(r, k, s), bottom, s.devices[i], s.initial_state[i]);
            if (fet) c.add_transistor(transistor_name(r, k), bottom, wl_node(r, k, s), sl_node(r, k, s), "0", s.transistor,
                                      s.transistor_capacitances);
        }
    for (std::size_t k = 0; k < s.cols; ++k) {
        if (s.source_line_resistance > 0)
            for (std::size_t r = 0; r < s.rows; ++r)
                c.add_resistor(fmt::format("RSL{}_{}", r, k), sl_node(r, k, s), r + 1 < s.rows ? sl_node(r + 1, k, s) : fmt::format("sl{}", k),
                               s.source_line_resistance);
        if (!d.source_node.empty() && !d.source_node[k].empty())
            c.add_tia_on_node(tia_name(k), fmt::format("sl{}", k), fmt::format("out{}", k), s.tia, d.source_node[k]);
        else
            c.add_tia(tia_name(k), fmt::format("sl{}", k), fmt::format("out{}", k), s.tia, d.source[k]);
    }
    return c;
}

std::string spice_deck(const spec& s, const drivers& d, double t_end, double reltol, double tmax, const std::vector<std::string>& vectors) {
    s.check();
    const bool fet = s.cell == cell_type::t1r1;
    if (!d.source_node.empty() || !d.bit_control.empty())
        throw input_error("array deck: lines set by other elements (source_node, bit_control) have no SPICE form here");
    std::string deck = fmt::format("memlab array deck: {} x {} {}\n", s.rows, s.cols, cell_name(s.cell));
    // One subcircuit per distinct device model (device-to-device draws give one per cell).
    std::vector<const device::model*> models;
    std::vector<std::size_t> model_of(s.cells());
    for (std::size_t i = 0; i < s.cells(); ++i) {
        const auto it = std::find(models.begin(), models.end(), s.devices[i].get());
        model_of[i] = static_cast<std::size_t>(it - models.begin());
        if (it == models.end()) {
            if (!s.devices[i]->has_spice()) throw input_error(fmt::format("array deck: model '{}' has no SPICE form", s.devices[i]->name()));
            models.push_back(s.devices[i].get());
            deck += spice::subcircuit(*models.back(), fmt::format("rram{}", model_of[i]));
        }
    }
    if (fet)
        for (std::size_t w = 0; w < s.word_line_count(); ++w)
            deck += spice::pwl_source(fmt::format("VWL{}", w), fmt::format("wl{}", w), "0", *d.word[w], t_end);
    for (std::size_t r = 0; r < s.rows; ++r) {
        deck += spice::pwl_source(fmt::format("VBL{}", r), fmt::format("bl{}", r), "0", *d.bit[r], t_end);
        for (std::size_t k = 0; k < s.cols; ++k) {
            if (s.bit_line_resistance > 0)
                deck += fmt::format("RBL{}_{} {} {} {:.17g}\n", r, k, k == 0 ? fmt::format("bl{}", r) : bl_node(r, k - 1, s), bl_node(r, k, s),
                                    s.bit_line_resistance);
            if (fet && s.word_line_resistance > 0)
                deck += fmt::format("RWL{}_{} {} {} {:.17g}\n", r, k, wl_before(r, k, s), wl_node(r, k, s), s.word_line_resistance);
        }
    }
    std::string ics;
    for (std::size_t r = 0; r < s.rows; ++r)
        for (std::size_t k = 0; k < s.cols; ++k) {
            const std::size_t i = r * s.cols + k;
            const std::string bottom = fet ? mid_node(r, k) : sl_node(r, k, s);
            deck += fmt::format("{} {} {} rram{}\n", device_name(r, k), bl_node(r, k, s), bottom, model_of[i]);
            ics += spice::initial_conditions(*s.devices[i], device_name(r, k), s.initial_state[i]);
            if (fet) {
                const std::string g = wl_node(r, k, s), src = sl_node(r, k, s);
                deck += spice::level1_instance(*s.transistor, fmt::format("{}_{}", r, k), bottom, g, src, "0", "nlev1", s.transistor_capacitances);
            }
        }
    for (std::size_t k = 0; k < s.cols; ++k) {
        if (s.source_line_resistance > 0)
            for (std::size_t r = 0; r < s.rows; ++r)
                deck += fmt::format("RSL{}_{} {} {} {:.17g}\n", r, k, sl_node(r, k, s), r + 1 < s.rows ? sl_node(r + 1, k, s) : fmt::format("sl{}", k),
                                    s.source_line_resistance);
        deck += spice::pwl_source(fmt::format("VSL{}", k), fmt::format("sl{}", k), "0", *d.source[k], t_end);
    }
    if (fet) deck += spice::level1_model(*s.transistor, "nlev1");
    deck += ics;
    std::string wr;
    for (const auto& v : vectors) wr += " " + v;
    deck += spice::options(reltol, 1e-15, 1e-9);
    deck += fmt::format(".control\nset wr_singlescale\nset wr_vecnames\noption numdgt=15\n"
                        "tran {:.6g} {:.17g} 0 {:.6g}\nwrdata out.txt{}\n.endc\n.end\n",
                        tmax / 10, t_end, tmax, wr);
    return deck;
}

// ---- schedule ----
double schedule::value(double t) const {
    const auto it = std::upper_bound(t_.begin(), t_.end(), t);
    if (it == t_.begin()) return v_.front();
    if (it == t_.end()) return v_.back();
    const auto k = static_cast<std::size_t>(it - t_.begin());
    const double a = t_[k - 1], b = t_[k];
    return v_[k - 1] + (v_[k] - v_[k - 1]) * (t - a) / (b - a);
}
double schedule::next_breakpoint(double t) const {
    const auto it = std::upper_bound(t_.begin(), t_.end(), t);
    return it == t_.end() ? inf : *it;
}
nlohmann::json schedule::describe() const {
    return {{"kind", "schedule"}, {"points", t_.size()}, {"end", units::format(t_.back(), "s")}};
}
void schedule::to(double t, double level) {
    if (!(t >= t_.back())) throw internal_error("schedule: a point before the last one");
    if (t == t_.back() && level == v_.back()) return;
    t_.push_back(t);
    v_.push_back(level);
}
void schedule::ramp(double t0, double level, double ramp) {
    if (!(t0 >= t_.back())) throw internal_error("schedule: a point before the last one");
    if (level == v_.back()) return;  // nothing changes: no breakpoints
    if (!(ramp > 0)) throw internal_error("schedule: a ramp needs a positive duration");
    if (t0 > t_.back()) {
        t_.push_back(t0);
        v_.push_back(v_.back());
    }
    t_.push_back(t0 + ramp);
    v_.push_back(level);
}

error_summary compare(const map& got, const map& want) {
    if (got.rows != want.rows || got.cols != want.cols) throw internal_error("array::compare: maps of different sizes");
    error_summary e{map(got.rows, got.cols), 0, 0};
    double sum = 0;
    for (std::size_t i = 0; i < got.v.size(); ++i) {
        const double rel = (got.v[i] - want.v[i]) / want.v[i];
        e.relative.v[i] = rel;
        sum += rel * rel;
        e.worst = std::max(e.worst, std::fabs(rel));
    }
    e.rms = got.v.empty() ? 0 : std::sqrt(sum / static_cast<double>(got.v.size()));
    return e;
}

// ---- controller ----
struct controller::impl {
    spec s;
    std::vector<std::shared_ptr<schedule>> bl, wl, sl;
    drivers d;
    circuit::circuit c;
    std::unique_ptr<circuit::simulation> sim;
    circuit::recording rec;
    io::trace_sink* trace = nullptr;
    io::null_trace none;
    // Unknown indices of each cell's terminals (-1: ground) and of its device's first state.
    struct cell_index {
        int top, mid, bottom, gate, state;
    };
    std::vector<cell_index> idx;
    std::vector<double> energy, power;
    std::vector<double> rest_gate;  // V, each word line's level between operations
    // Called at every solver step after the powers (drive's per-pulse bookkeeping).
    std::function<void(double)> observer;
    double t_last = 0;
    bool fet() const { return s.cell == cell_type::t1r1; }

    // Power of every cell's device and transistor at the present solution.
    void powers() {
        const auto y = sim->unknowns();
        auto v = [&](int k) { return k < 0 ? 0.0 : y[static_cast<std::size_t>(k)]; };
        for (std::size_t i = 0; i < idx.size(); ++i) {
            const auto& x = idx[i];
            const auto& m = *s.devices[i];
            const double vd = v(x.top) - v(x.mid);
            double p = vd * m.current(vd, y.subspan(static_cast<std::size_t>(x.state), m.n_states()));
            if (fet()) p += (v(x.mid) - v(x.bottom)) * s.transistor->current(v(x.mid), v(x.gate), v(x.bottom), 0.0).id;
            power[i] = p;
        }
    }

    // Passes the rows on and integrates every cell's power over the solver's steps (trapezoid).
    struct tap final : io::trace_sink {
        impl& a;
        explicit tap(impl& owner) : a(owner) {}
        void begin(const std::vector<io::channel>& ch) override { (a.trace ? *a.trace : a.none).begin(ch); }
        void append(std::span<const double> row) override {
            const double t = row[0];
            const std::vector<double> before = a.power;
            a.powers();
            const double dt = t - a.t_last;
            if (dt > 0)
                for (std::size_t i = 0; i < a.power.size(); ++i) a.energy[i] += 0.5 * (before[i] + a.power[i]) * dt;
            a.t_last = t;
            if (a.observer) a.observer(t);
            (a.trace ? *a.trace : a.none).append(row);
        }
        void finish() override { (a.trace ? *a.trace : a.none).finish(); }
    };

    void run_to(double t) {
        tap tp(*this);
        sim->run(t, rec, tp);
    }

    // Sets every line for one pulse window [t0, t0 + rise + width + fall]: `level` gives each
    // line's plateau; every line starts and ends at 0 V.
    struct levels {
        std::vector<double> bit, word, source;
    };
    // Every line returns to its level between operations: 0 V, or a word line's rest_gate.
    double schedule_pulse(const levels& L, double width) {
        const double t0 = sim->time() + s.gap;
        const double top = t0 + s.rise, down = top + width;
        auto set = [&](std::vector<std::shared_ptr<schedule>>& lines, const std::vector<double>& lv, const std::vector<double>* rest) {
            for (std::size_t k = 0; k < lines.size(); ++k) {
                const double base = rest ? (*rest)[k] : 0.0;
                if (lv[k] == base) continue;
                lines[k]->ramp(t0, lv[k], s.rise);
                lines[k]->ramp(down, base, s.fall);
            }
        };
        set(bl, L.bit, nullptr);
        set(sl, L.source, nullptr);
        if (fet()) set(wl, L.word, &rest_gate);
        return top;
    }

    levels blank() const {
        return {std::vector<double>(s.rows, 0.0), std::vector<double>(fet() ? s.word_line_count() : 0, 0.0), std::vector<double>(s.cols, 0.0)};
    }

    levels read_levels(std::size_t r, const read_settings& rs) const {
        levels L = blank();
        L.bit[r] = rs.voltage;
        if (fet()) {
            if (s.word_lines == direction::rows) L.word[r] = rs.gate;
            else std::fill(L.word.begin(), L.word.end(), rs.gate);  // only row r is biased
        }
        return L;
    }

    // One row read: the column conductances at the plateau's end (TIA output / gain / voltage)
    // and each cell alone at that moment.
    void read_row(std::size_t r, const read_settings& rs, map* apparent, map* cell, double& t_end);

    double cell_current(std::size_t r, std::size_t c, double v, double gate) const;
};

double controller::impl::cell_current(std::size_t r, std::size_t k, double v, double gate) const {
    const std::size_t i = r * s.cols + k;
    const auto y = sim->unknowns();
    const auto st = y.subspan(static_cast<std::size_t>(idx[i].state), s.devices[i]->n_states());
    return series_current(*s.devices[i], st, fet() ? s.transistor.get() : nullptr, v, gate);
}

double series_current(const device::model& m, std::span<const double> state, const device::mosfet* t, double v, double gate) {
    if (!t) return m.current(v, state);
    // Device and transistor in series from v to ground: the middle node where both carry the same
    // current. The excess of the device's current over the transistor's falls as the middle node
    // rises, whatever the sign of v (at 0 it is the device's, at v minus the transistor's):
    // bisection.
    double lo = std::min(0.0, v), hi = std::max(0.0, v);
    for (int it = 0; it < 200 && hi - lo > 1e-15 * (1 + std::fabs(v)); ++it) {
        const double mid = 0.5 * (lo + hi);
        const double f = m.current(v - mid, state) - t->current(mid, gate, 0.0, 0.0).id;
        (f > 0 ? lo : hi) = mid;
    }
    const double mid = 0.5 * (lo + hi);
    return t->current(mid, gate, 0.0, 0.0).id;
}

void controller::impl::read_row(std::size_t r, const read_settings& rs, map* apparent, map* cell, double& t_end) {
    units::positive(rs.voltage, "read.voltage");
    units::positive(rs.width, "read.width");
    const double top = schedule_pulse(read_levels(r, rs), rs.width);
    const double sample = top + rs.width;
    run_to(sample);
    for (std::size_t k = 0; k < s.cols; ++k) {
        if (apparent) (*apparent)(r, k) = sim->probe(fmt::format("v(out{})", k)) / s.tia.gain / rs.voltage;
        if (cell) (*cell)(r, k) = cell_current(r, k, rs.voltage, rs.gate) / rs.voltage;
    }
    t_end = sample;
    run_to(sample + s.fall);
}

controller::controller(const spec& sp, circuit::solver_options opts, std::uint64_t seed, std::vector<std::string> probes,
                 io::trace_sink* trace)
    : impl_(std::make_unique<impl>()) {
    auto& a = *impl_;
    a.s = sp;
    sp.check();
    auto lines = [](std::size_t n, std::vector<std::shared_ptr<schedule>>& own, std::vector<stimulus::waveform_ptr>& used) {
        for (std::size_t k = 0; k < n; ++k) {
            own.push_back(std::make_shared<schedule>(0.0));
            used.push_back(own.back());
        }
    };
    lines(sp.rows, a.bl, a.d.bit);
    lines(sp.cols, a.sl, a.d.source);
    if (a.fet()) lines(sp.word_line_count(), a.wl, a.d.word);
    a.rest_gate.assign(a.fet() ? sp.word_line_count() : 0, 0.0);
    a.c = build(sp, a.d);
    // Arrays are sparse: KLU whatever their size, unless the caller asked for a solver.
    if (opts.linsol == circuit::linear_solver::automatic) opts.linsol = circuit::linear_solver::klu;
    a.sim = std::make_unique<circuit::simulation>(a.c, opts, seed);
    // Every step reaches the tap (it integrates the power): record at least one probe.
    a.trace = probes.empty() ? nullptr : trace;
    a.rec.probes = probes.empty() ? std::vector<std::string>{fmt::format("i({})", tia_name(0))} : std::move(probes);
    std::unordered_map<std::string, int> where;
    const auto& names = a.sim->unknown_names();
    for (std::size_t k = 0; k < names.size(); ++k) where.emplace(names[k], static_cast<int>(k));
    auto node = [&](const std::string& n) { return static_cast<int>(a.c.node_index(n)) - 1; };
    for (std::size_t r = 0; r < sp.rows; ++r)
        for (std::size_t k = 0; k < sp.cols; ++k) {
            const std::size_t i = r * sp.cols + k;
            impl::cell_index x{};
            x.top = node(bl_node(r, k, sp));
            x.bottom = node(sl_node(r, k, sp));
            x.mid = a.fet() ? node(mid_node(r, k)) : x.bottom;
            x.gate = a.fet() ? node(wl_node(r, k, sp)) : -1;
            x.state = where.at(fmt::format("{}.{}", device_name(r, k), sp.devices[i]->states()[0].name));
            a.idx.push_back(x);
        }
    a.energy.assign(sp.cells(), 0.0);
    a.power.assign(sp.cells(), 0.0);
    a.powers();
}

controller::~controller() = default;

double controller::time() const { return impl_->sim->time(); }
const circuit::simulation& controller::simulation() const { return *impl_->sim; }
const circuit::circuit& controller::circuit() const { return impl_->c; }
const drivers& controller::lines() const { return impl_->d; }
const schedule& controller::bit_line(std::size_t r) const { return *impl_->bl.at(r); }
const schedule& controller::word_line(std::size_t w) const { return *impl_->wl.at(w); }
const std::vector<double>& controller::gates() const { return impl_->rest_gate; }
const schedule& controller::source_line(std::size_t c) const { return *impl_->sl.at(c); }
double controller::energy(std::size_t r, std::size_t c) const { return impl_->energy.at(r * impl_->s.cols + c); }
double controller::cell_current(std::size_t r, std::size_t c, double v, double gate) const { return impl_->cell_current(r, c, v, gate); }

read_result controller::read(const read_settings& rs) {
    auto& a = *impl_;
    read_result out{map(a.s.rows, a.s.cols), map(a.s.rows, a.s.cols), 0};
    for (std::size_t r = 0; r < a.s.rows; ++r) a.read_row(r, rs, &out.apparent, &out.cell, out.time);
    return out;
}

double controller::read_cell(std::size_t r, std::size_t c, const read_settings& rs) {
    auto& a = *impl_;
    map row(a.s.rows, a.s.cols);
    double t = 0;
    a.read_row(r, rs, &row, nullptr, t);
    return row(r, c);
}

void controller::pulse(std::size_t r, std::size_t c, const pulse_settings& p) {
    auto& a = *impl_;
    const auto& s = a.s;
    if (r >= s.rows || c >= s.cols) throw input_error(fmt::format("array: no cell ({}, {}) in {} x {}", r, c, s.rows, s.cols));
    units::positive(p.width, "pulse.width");
    if (p.inhibit == scheme::gate && !a.fet()) throw input_error("array: the gate scheme needs 1T1R cells");
    const double V = std::fabs(p.voltage);
    const bool set = p.voltage > 0;
    impl::levels L = a.blank();
    const bool by_row = s.word_lines == direction::rows;
    double other_bit = 0, other_source = 0;
    switch (p.inhibit) {
        case scheme::half: other_bit = other_source = V / 2; break;
        case scheme::third:
            other_bit = set ? V / 3 : 2 * V / 3;
            other_source = set ? 2 * V / 3 : V / 3;
            break;
        case scheme::gate:
            // The selected word line's other cells see 0 V: with the gates along the rows the
            // other source lines follow the selected bit line, along the columns the other bit
            // lines follow the selected source line. The rest are gated off.
            if (by_row) other_source = set ? V : 0.0;
            else other_bit = set ? 0.0 : V;
            break;
    }
    std::fill(L.bit.begin(), L.bit.end(), other_bit);
    std::fill(L.source.begin(), L.source.end(), other_source);
    L.bit[r] = set ? V : 0.0;
    L.source[c] = set ? 0.0 : V;
    if (a.fet()) {
        const std::size_t w = s.word_line_of(r, c);
        L.word[w] = std::isnan(p.gate) ? a.rest_gate[w] : p.gate;
    }
    const double top = a.schedule_pulse(L, p.width);
    a.run_to(top + p.width + s.fall);
}

void controller::rest(double duration) {
    units::non_negative(duration, "rest.duration");
    impl_->run_to(time() + duration);
}

void controller::gate(const std::vector<double>& levels) {
    auto& a = *impl_;
    if (!a.fet()) throw input_error("array: gate levels need 1T1R cells");
    if (levels.size() != a.s.word_line_count())
        throw input_error(fmt::format("array: {} gate levels for {} word lines (one per {})", levels.size(), a.s.word_line_count(),
                                      a.s.word_lines == direction::rows ? "row" : "column"));
    const double t0 = time() + a.s.gap;
    for (std::size_t w = 0; w < levels.size(); ++w) {
        a.wl[w]->ramp(t0, levels[w], a.s.rise);
        a.rest_gate[w] = levels[w];
    }
    a.run_to(t0 + a.s.rise);
}

drive_result controller::drive(const stimulus::waveform& w, const std::vector<std::size_t>& columns) {
    auto& a = *impl_;
    const auto& s = a.s;
    std::vector<bool> driven(s.cols, columns.empty());
    for (const auto c : columns) {
        if (c >= s.cols) throw input_error(fmt::format("array: no column {} in {} x {}", c, s.rows, s.cols));
        driven[c] = true;
    }
    const double end = w.end_time();
    if (!std::isfinite(end)) throw input_error("array: a drive needs a waveform that ends");
    // Time 0 of the waveform: one gap and one rise from now (the lines ramp to its first level).
    const double t0 = time() + s.gap + s.rise;
    std::vector<double> when{0.0};
    for (double t = w.next_breakpoint(0.0); t <= end; t = w.next_breakpoint(t)) when.push_back(t);
    auto follow = [&](schedule& line) {
        line.ramp(t0 - s.rise, w.value(0.0), s.rise);
        for (const double t : when) line.to(t0 + t, w.value(t));
        line.ramp(t0 + end, 0.0, s.fall);
    };
    for (auto& line : a.bl) follow(*line);
    for (std::size_t k = 0; k < s.cols; ++k)
        if (!driven[k]) follow(*a.sl[k]);

    drive_result out;
    out.limit = map(s.rows, s.cols, inf);
    const auto* pl = dynamic_cast<const stimulus::pulse_list*>(&w);
    std::vector<double> on_end;  // end of each pulse's fall
    const double t_stop = t0 + end + s.fall;
    std::size_t n = 0, k = 0;  // pulses; the pulse whose window (its start to the next start) holds t
    if (pl) {
        double top = 0;
        for (const auto& p : pl->pulses()) {
            out.start.push_back(t0 + p.start);
            on_end.push_back(t0 + p.start + pl->rise() + p.width + pl->fall());
            top = std::max(top, std::fabs(p.level));
        }
        if (a.fet())
            for (std::size_t r = 0; r < s.rows; ++r)
                for (std::size_t c = 0; c < s.cols; ++c) out.limit(r, c) = s.transistor->limit(a.rest_gate[s.word_line_of(r, c)], top);
        n = out.start.size();
        out.peak.assign(n, map(s.rows, s.cols, 0.0));
        out.g_on.assign(n, map(s.rows, s.cols, 0.0));
        out.g_off.assign(n, map(s.rows, s.cols, inf));
        a.observer = [&](double t) {
            while (k + 1 < n && t >= out.start[k + 1]) ++k;
            if (n == 0 || t < out.start[0] || t > t_stop) return;
            const bool on = t <= on_end[k];
            const auto y = a.sim->unknowns();
            for (std::size_t i = 0; i < s.cells(); ++i) {
                const auto& x = a.idx[i];
                const auto& m = *s.devices[i];
                const auto st = y.subspan(static_cast<std::size_t>(x.state), m.n_states());
                auto v = [&](int j) { return j < 0 ? 0.0 : y[static_cast<std::size_t>(j)]; };
                const double g = m.current(g_probe, st) / g_probe;
                if (on) {
                    out.peak[k].v[i] = std::max(out.peak[k].v[i], std::fabs(m.current(v(x.top) - v(x.mid), st)));
                    out.g_on[k].v[i] = std::max(out.g_on[k].v[i], g);
                }
                if (t >= on_end[k]) out.g_off[k].v[i] = std::min(out.g_off[k].v[i], g);
            }
        };
    }
    try {
        a.run_to(t_stop);
    } catch (...) {
        a.observer = nullptr;
        throw;
    }
    a.observer = nullptr;
    out.end = time();
    return out;
}

program_result controller::program(const program_settings& p) {
    auto& a = *impl_;
    const auto& s = a.s;
    if (p.target.rows != s.rows || p.target.cols != s.cols)
        throw input_error(fmt::format("program: the target map is {} x {}, the array {} x {}", p.target.rows, p.target.cols, s.rows, s.cols));
    for (double g : p.target.v) units::positive(g, "program.target");
    units::positive(p.tolerance, "program.tolerance");
    program_result out{p.target, map(s.rows, s.cols), map(s.rows, s.cols), map(s.rows, s.cols), map(s.rows, s.cols), 0, 0, 0};
    const std::vector<double> e0 = a.energy;
    for (std::size_t r = 0; r < s.rows; ++r)
        for (std::size_t c = 0; c < s.cols; ++c) {
            const double want = p.target(r, c);
            double g = read_cell(r, c, p.verify);
            double set_level = p.set_start, reset_level = p.reset_start;
            std::size_t n = 0;
            while (std::fabs(g - want) > p.tolerance * want && n < p.max_pulses) {
                pulse_settings ps;
                ps.inhibit = p.inhibit;
                if (g < want) {
                    ps.width = p.set_width;
                    if (a.fet()) ps.voltage = p.set_voltage, ps.gate = set_level;
                    else ps.voltage = set_level;
                    set_level = std::min(set_level + p.set_step, p.set_max);
                    reset_level = p.reset_start;
                } else {
                    ps.width = p.reset_width;
                    ps.voltage = -reset_level;
                    ps.gate = p.reset_gate;
                    reset_level = std::min(reset_level + p.reset_step, p.reset_max);
                    set_level = std::max(set_level - p.set_step, p.set_start);
                }
                pulse(r, c, ps);
                ++n;
                g = read_cell(r, c, p.verify);
            }
            out.achieved(r, c) = g;
            out.cell(r, c) = a.cell_current(r, c, p.verify.voltage, p.verify.gate) / p.verify.voltage;
            out.pulses(r, c) = static_cast<double>(n);
            if (std::fabs(g - want) <= p.tolerance * want) ++out.converged;
        }
    // Disturb: later cells' pulses reach the cells programmed before them; the map is read again
    // by the caller if it wants the final state. Here `achieved` is each cell's own last verify.
    for (std::size_t i = 0; i < a.energy.size(); ++i) out.energy.v[i] = a.energy[i] - e0[i];
    const auto e = compare(out.achieved, out.target);
    out.rms_error = e.rms;
    out.worst_error = e.worst;
    return out;
}

}  // namespace memlab::array
