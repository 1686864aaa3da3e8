#pragma once
// The one interface between device physics and the circuit engine.
//
// A model is a parameter set plus pure functions of (voltage across the device, state):
// its current and the rates of its state variables, with derivatives (analytic where the model
// gives them, central differences otherwise). A model holds no state of its own: the state lives in
// the circuit's solution vector, so one model object can serve many devices.
//
// Stochastic behaviour stays compatible with error control: a model may declare hazards, rates
// h_k(v, s) >= 0 that the engine integrates as extra states H_k; when H_k passes -ln(U) (U uniform,
// drawn from the run's seeded generator) the engine stops exactly there (an IDA root) and calls
// on_event(k, ...), which may change the state, then restarts. Nothing random ever enters a
// derivative.
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "memlab/util/rng.hpp"

namespace memlab::device {

struct regime;

// The run's seeded generator (util::rng: splitmix64 seeding a xoshiro256**, the same numbers for a
// seed on every build and platform), under the name the device interface has always used.
using rng = util::rng;

// A parameter as generic code sees it (parameter_table()). Models declare each parameter once, as a
// row (memlab/device/descriptor.hpp), and this table is made from the rows.
struct parameter_info {
    std::string name;     // the one name used in C++, TOML, Python and docs
    std::string unit;     // SI unit of the value ("Ohm", "m/s", "1" for a number)
    double default_value; // SI
    double min;           // allowed range (inclusive), SI
    double max;
    std::string symbol;   // symbol in the equations of the docs page
    std::string meaning;
    std::string source;   // citation or stated calibration
};

// The allowed range with units, "[1 mOhm, 1 POhm]"; an end at +-numeric_limits<double>::max() is
// no bound ("[0 m/s, inf)").
std::string range_text(const parameter_info& p);

struct state_info {
    std::string name;
    std::string unit;
    double abs_tolerance;  // absolute error tolerance for the integrator, in the state's unit
    std::string meaning;   // what the state is, physically ("filament height above the Pt")
};

// A model written for a SPICE simulator (ngspice B-sources). Each state k lives on an internal
// node "s_<name>" holding state / scale[k] (a 1 F capacitor to ground integrates the current
// rates[k], so the node moves at d(state)/dt / scale[k]); expressions use V(p,n) for the device
// voltage, V(s_<name>) for the states, and may refer to helper nodes defined in `helpers` (lines
// such as "Bt s_T 0 V = ..."). Only smooth functions and min/max; no if/else (ngspice's limit()
// misbehaves in Debian's ngspice 39).
struct spice_form {
    std::vector<double> scale;       // state units per node volt
    std::string current;             // device current p -> n (A)
    std::vector<std::string> rates;  // d(node)/dt per state (node volts per second)
    std::vector<std::string> helpers;
    std::string note;                // what differs from memlab's model (e.g. stochastic parts off)
};

// Anything with a parameter table (a device model, the access transistor of a 1T1R cell): its
// parameters by name, in SI, set transactionally. Each parameter is declared once, as a row
// (memlab/device/descriptor.hpp); the table and the lowering into the owner's struct of doubles are
// made from the rows.
class parameter_set {
public:
    virtual ~parameter_set() = default;

    virtual std::string_view name() const = 0;
    virtual const std::vector<parameter_info>& parameter_table() const = 0;

    // Parameters, by name, in SI. set() is transactional: the new set is validated as a whole
    // (ranges, then the owner's own consistency check) and only then committed.
    double get(std::string_view name) const;
    void set(const std::map<std::string, double>& values);
    void set(std::string_view name, double value) { set({{std::string(name), value}}); }
    // Same, from quantities with units ("2 MOhm"); `where` prefixes error messages ("device").
    void set_text(const std::map<std::string, std::string>& values, std::string_view where = "device");
    // Resolved parameters with units, for show-config and the report.
    nlohmann::json describe() const;

protected:
    // Called by derived constructors once the table is known: commits the defaults.
    void init_parameters();
    // Lower a complete candidate set (table order, SI, each value in its range) into the owner's
    // own struct of doubles, after its consistency check (input_error); nothing may change if it
    // throws. basic_parameters (memlab/device/descriptor.hpp) does this through the rows.
    virtual void commit(std::span<const double> values) = 0;

private:
    std::size_t index_of(std::string_view name) const;

    std::vector<double> values_;  // the committed parameters, in table order, SI
};

class model : public parameter_set {
public:
    virtual std::string_view summary() const = 0;
    virtual const std::vector<state_info>& states() const = 0;
    std::size_t n_states() const { return states().size(); }
    // Initial state from the current parameters.
    virtual void initial_state(std::span<double> s) const = 0;

    // Device current (A) from the device voltage v (V, positive terminal minus negative) and state.
    virtual double current(double v, std::span<const double> s) const = 0;
    // ds/dt.
    virtual void rates(double v, std::span<const double> s, std::span<double> ds) const = 0;

    // dI/dv and dI/ds. Default: central differences on current().
    virtual void current_jacobian(double v, std::span<const double> s, double& di_dv, std::span<double> di_ds) const;
    // d(rate_i)/dv (size n) and d(rate_i)/d(s_j) (n x n, row-major). Default: central differences.
    virtual void rates_jacobian(double v, std::span<const double> s, std::span<double> dr_dv,
                                std::span<double> dr_ds) const;

    // Stochastic events (see the header comment). Defaults: none.
    virtual std::size_t n_hazards() const { return 0; }
    virtual void hazards(double v, std::span<const double> s, std::span<double> h) const;
    virtual void on_event(std::size_t k, double v, std::span<double> s, rng& r) const;
    // The random stream hazard k draws from (its thresholds and its on_event). Stream 0 is the
    // run's generator; a hazard on a stream of its own (1, 2, ...) leaves every draw of stream 0
    // where it was, so adding it does not redraw the model's other statistics.
    virtual std::size_t hazard_stream(std::size_t k) const { (void)k; return 0; }
    // The amount the integrated hazard k must reach to fire: -ln U (a Poisson event) by default; a
    // fixed amount makes it a counter (it fires each time its integral passes that amount).
    virtual double hazard_threshold(std::size_t k, rng& r) const { (void)k; return r.exponential(); }
    // Further draws at event k, each from a random stream of its own (draw_streams(k), streams
    // >= 1; none by default; a view of storage the model keeps, so that an event allocates
    // nothing): the engine calls on_event_draw(k, v, s, d, r) for each stream d in
    // order, before on_event, with that stream's generator and the state the event found. A random
    // element added to an existing event this way leaves the draws of the hazard's stream, and of
    // every other stream, where they were.
    virtual std::span<const std::size_t> draw_streams(std::size_t k) const { (void)k; return {}; }
    virtual void on_event_draw(std::size_t k, double v, std::span<double> s, std::size_t stream, rng& r) const;
    // A counter (settles(k) true) may settle what it has counted short of its threshold wherever
    // the integrator restarts anyway, at the breakpoints of the circuit's sources: the engine calls
    // on_settle(k, count, v, s, r) there with the integrated hazard (0 < count < threshold) and the
    // hazard's stream, then starts the counter again from 0. It returns true if the state jumped.
    // So a count that ends with a segment (a pulse, a read) is drawn before the next one begins,
    // without an event (a restart of the integrator) of its own.
    virtual bool settles(std::size_t k) const { (void)k; return false; }
    virtual bool on_settle(std::size_t k, double count, double v, std::span<double> s, rng& r) const {
        (void)k, (void)count, (void)v, (void)s, (void)r;
        return false;
    }

    // The circuit and drives in which the model shows what it does (memlab/device/regime.hpp), for
    // the checks that run every registered model; nullptr if the model states none.
    virtual const regime* typical_regime() const { return nullptr; }

    virtual std::unique_ptr<model> clone() const = 0;

    // The same equations for ngspice, or nothing if the model has no export.
    virtual bool has_spice() const { return false; }
    virtual spice_form spice() const;
};

using model_ptr = std::shared_ptr<const model>;

// Device-to-device variability: a copy of `nominal` with each parameter named in `spread` drawn as
// N(value, spread[name]) (clipped to the parameter's range), from a generator seeded by (seed,
// index) alone, so device `index` gets the same parameters whatever else runs. input_error if the
// drawn set is inconsistent (the model's own check).
std::unique_ptr<model> draw_device(const model& nominal, const std::map<std::string, double>& spread, std::uint64_t seed,
                                   std::size_t index);

// The standard normals that draw_device(nominal, spread, seed, index) draws: one per parameter
// named in `spread`, by name.
std::map<std::string, double> d2d_normals(const model& nominal, const std::map<std::string, double>& spread, std::uint64_t seed,
                                          std::size_t index);

// A copy of `nominal` with each parameter named in `spread` at value + spread[name] x normals[name]
// (clipped to the parameter's range); input_error as draw_device above.
std::unique_ptr<model> draw_device(const model& nominal, const std::map<std::string, double>& spread,
                                   const std::map<std::string, double>& normals);

// A moment-matched population of device draws (memlab fit's model devices): the normals of
// d2d_normals for devices 0 .. devices-1 of each seed in turn (seed-major), then per parameter
// shifted and scaled to a sample mean of 0 and a sample standard deviation (ddof 1) of 1 over the
// whole population, so that the population's parameters have exactly the nominal mean and the
// spread's standard deviation (before clipping): moment matching, a variance reduction for
// simulated moments (Glasserman, "Monte Carlo Methods in Financial Engineering", Springer 2003,
// sec. 4.5.1). Deterministic in (seeds, devices, the names in spread).
std::vector<std::map<std::string, double>> matched_normals(const model& nominal, const std::map<std::string, double>& spread,
                                                           const std::vector<std::uint64_t>& seeds, std::size_t devices);

// A number for a netlist expression: 17 significant digits, parenthesised when negative.
std::string spice_number(double x);

}  // namespace memlab::device
