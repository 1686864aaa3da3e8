#pragma once
// Analysis: pure functions on traces, measured or simulated alike (they never call the solver).
// Times in s, voltages in V, currents in A, conductances in S. Missing results are NaN, never an
// exception: a cycle that never sets has no Vset.
#include <cstddef>
#include <span>
#include <vector>

#include "memlab/stimulus/waveform.hpp"

namespace memlab::analysis {

// y(t) at x by linear interpolation (t increasing; the end values beyond the ends).
double interpolate(std::span<const double> t, std::span<const double> y, double x);

// Vset: the voltage at the first sample where the current reaches `fraction` of the compliance
// (the paper's definition, Methods: 90 %). NaN if it never does.
double vset(std::span<const double> v, std::span<const double> i, double compliance, double fraction = 0.9);

// The same per cycle, for cycles of equal length `period` starting at t = t0.
std::vector<double> vset_per_cycle(std::span<const double> t, std::span<const double> v, std::span<const double> i,
                                   double compliance, double period, double t0 = 0, double fraction = 0.9);

// Median of the non-NaN entries (NaN when there are none).
double median(std::span<const double> values);

// The q-quantile (0 <= q <= 1) of the finite entries, linear between order statistics (numpy's
// default, Hyndman and Fan's type 7); NaN when there are none.
double quantile(std::span<const double> values, double q);

// Equal-width histogram of the finite entries over [their min, their max]: `bins` + 1 edges and
// `bins` counts, the last bin closed (it holds the max). No bins when no entry is finite; with
// every entry equal, one bin of zero width.
struct histogram_bins {
    std::vector<double> edges;
    std::vector<std::size_t> counts;
};
histogram_bins histogram(std::span<const double> values, std::size_t bins);
// The same over given edges (increasing; the last bin closed): finite entries outside them are
// not counted.
histogram_bins histogram(std::span<const double> values, std::span<const double> edges);

// The one rule by which a pulse "responds" (all-or-none, integrate-and-fire, set delay): its device
// current reaches half of what the series resistor alone would pass, |amplitude| / (2 R_s). The
// device is then a small part of the total resistance: it has switched.
double response_threshold(double amplitude, double series_resistance);

// The reset of one I(V) branch: it starts where |i| peaks at v < 0 (v_start, i_start), and
// v_from / v_to are the voltages (interpolated) where |i| then first falls below `from` and below
// `to` of i_start. A reset is gradual when |v_to - v_from| is wide (docs/targets.md: >= 50 mV for
// 90 % -> 10 %). NaN where a level is never crossed.
struct reset_curve {
    double v_start, i_start, v_from, v_to;
};
reset_curve reset_width(std::span<const double> v, std::span<const double> i, double from = 0.9, double to = 0.1);

struct summary {
    double mean, std;  // population standard deviation (as numpy's default); NaN entries ignored
    std::size_t n;     // finite entries
    std::size_t missing;
};
summary statistics(std::span<const double> values);
// Standard error of the mean from a population standard deviation: std / sqrt(n - 1); NaN for n < 2.
double standard_error(const summary& s);

struct spike {
    double t_onset;  // first sample at or above the threshold
    double t_peak;
    double peak;     // value at the peak
    long pulse;      // index of the stimulus pulse the onset falls on (-1 before the first)
};
// Spikes in a current (or conductance) trace: an onset where the trace rises to `threshold`, the
// spike ending where it falls below `threshold * release` (hysteresis against noise).
std::vector<spike> find_spikes(std::span<const double> t, std::span<const double> y, double threshold,
                               double release = 0.5, const stimulus::pulse_list* pulses = nullptr);

// Conductance at each read pulse: the mean of i/v over the central `window` fraction of every
// pulse of `pulses` whose level equals `read_level` (within 1e-9 V). A window without samples (the
// solver stepped across it): i/v at its middle, linear between the samples either side if both are
// on the plateau; NaN otherwise.
std::vector<double> read_conductance(std::span<const double> t, std::span<const double> v, std::span<const double> i,
                                     const stimulus::pulse_list& pulses, double read_level, double window = 0.5);

// The same for a trace without its pulse list (a measured one): one conductance per run of
// consecutive samples where the source voltage v_source is at `read_level` (within 1e-9 V +
// 1e-6 of the level) and the device voltage v is not zero, the mean of i/v over the run.
std::vector<double> read_conductance(std::span<const double> v_source, std::span<const double> v, std::span<const double> i,
                                     double read_level);

// Median I(V) cycle: each cycle (length `period` from t0) is resampled at n_points equally spaced
// phases (linear interpolation in time); returns the median voltage and current at each phase.
struct cycle_curve {
    std::vector<double> v, i;
};
cycle_curve median_cycle(std::span<const double> t, std::span<const double> v, std::span<const double> i,
                         double period, double t0 = 0, std::size_t n_points = 400);

// Time after t_start at which y first falls below `fraction` of y(t_start). NaN if it never does.
double relaxation_time(std::span<const double> t, std::span<const double> y, double t_start, double fraction = 0.1);

// Least-squares line log10(delay) = a + b V with its coefficient of determination R^2, and the
// number of decades the delays span. Non-positive or non-finite delays are skipped.
struct exp_fit {
    double intercept, slope, r2, decades;
    std::size_t n;
};
exp_fit exponential_delay_fit(std::span<const double> voltage, std::span<const double> delay);

// Mean-squared displacement of one particle against lag time, averaged over every time origin
// of an equally spaced trajectory (positions in m, unwrapped: periodic jumps already undone).
// lags[k] is a number of samples (>= 1, < number of samples); msd[k] in m^2.
std::vector<double> mean_squared_displacement(std::span<const double> x, std::span<const double> y,
                                              std::span<const double> z, std::span<const std::size_t> lags);

// Lags for mean_squared_displacement: about `count` lags spaced evenly in log between 1 and
// max_lag samples, without repeats.
std::vector<std::size_t> log_spaced_lags(std::size_t max_lag, std::size_t count);

// Einstein relation in 3D: D = slope / 6 of a least-squares line MSD = a + 6 D tau over the lags
// tau in [tau_from, tau_to] (s). NaN (with n < 2) when fewer than two lags fall in the window.
struct diffusion_fit {
    double coefficient;  // m^2/s
    double intercept;    // m^2 (the cage: vibration and rattling before the first hop)
    double r2;
    std::size_t n;
};
diffusion_fit diffusion_coefficient(std::span<const double> tau, std::span<const double> msd, double tau_from, double tau_to);

// Arrhenius law D = D0 exp(-E_a / (k_B T)): a line ln D = ln D0 - E_a x with x = 1/(k_B T) (E_a in
// eV, T in K). With d_se (one standard error per D) the points are weighted by (D/se)^2 and the
// error of E_a follows from those errors; without it, from the residuals (needs 3 points).
// Points with a non-positive or non-finite D are left out; NaN with fewer than two left.
struct arrhenius_fit {
    double activation_energy;     // eV
    double activation_energy_se;  // eV
    double prefactor;             // D0, in D's unit
    std::size_t n;
};
arrhenius_fit arrhenius(std::span<const double> temperature, std::span<const double> d, std::span<const double> d_se = {});

}  // namespace memlab::analysis
