#pragma once
// Where a model shows what it does: a source drives the device through a series resistor, with
// a sweep and a pulse train on the model's own time scale. Every model states its regime in its
// own .cpp, so the checks that run every registered model (published behaviour, the ngspice
// cross-check, the benches) pick a new model up from the registry.
#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace memlab::device {

struct regime {
    // Triangular sweep 0 -> v_max -> v_min -> 0 (V) at `rate` (V/s), `cycles` times.
    struct sweep {
        double v_max, v_min, rate;
        std::size_t cycles = 1;
    };
    // n pulses of +high, then n of -low (V), each `width` long (edges width / 100), one per period (s).
    struct pulses {
        double high, low, width, period;
        std::size_t n;
    };
    // One pulse of `amplitude` (V) for `width` (s), then `hold` (s) at 0 V: a volatile model
    // returns toward its fresh conductance, a nonvolatile one keeps what the pulse wrote.
    struct set_and_hold {
        double amplitude, width, hold;
        bool relaxes;  // volatile
    };

    std::map<std::string, double> set{};  // parameter overrides (SI) for these runs: random events off, a start that switches
    double series_resistance;           // Ohm
    sweep slow;                         // the state follows it: a clear pinched loop, which collapses 1e6 times faster
    sweep cross_check;                  // the sweep memlab and ngspice are compared on
    pulses train;                       // the pulse train memlab and ngspice are compared on (and the benches time)
    std::optional<set_and_hold> retention{};  // none: the model relaxes only by random events (its own tests)
    // Overrides under which the first state does not move at any voltage (ion transport off);
    // empty: the model has no such switch.
    std::map<std::string, double> transport_off{};
    // The tolerances at which memlab (relative, and the scale of its state tolerances) and ngspice
    // (reltol) are compared: switching that speeds itself up is ill-conditioned and needs both
    // tighter.
    double rtol = 1e-9;
    double atol_scale = 1e-4;
    double spice_rtol = 1e-6;
};

}  // namespace memlab::device
