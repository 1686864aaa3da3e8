#include "memlab/lab/fit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>

#include <Eigen/Dense>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlopt.hpp>

#include "memlab/analysis/analysis.hpp"
#include "memlab/error.hpp"
#include "memlab/io/table.hpp"
#include "memlab/io/trace.hpp"
#include "memlab/lab/figures.hpp"
#include "memlab/lab/staged_folder.hpp"
#include "memlab/protocol/experiment.hpp"
#include "memlab/units/units.hpp"
#include "memlab/util/rng.hpp"
#include "memlab/util/work_queue.hpp"
#include "memlab/version.hpp"

namespace fs = std::filesystem;

namespace memlab::lab {

namespace {

// The measurement of one device: time, the replayed (or compared) voltage, the compared current,
// in SI; and the waveform replayed: the measured voltage thinned to the points that give back every
// measured value within data.replay_tolerance (io::thinned_trace), so that the solver does not stop
// at every sample of a straight ramp. A fit reads one device or several (data.files, or a device
// column): the model replays each device's own measurement.
struct measured {
    std::vector<double> t, v, i;
    stimulus::waveform_ptr replay;
    std::string name;  // "FILE" or "FILE, device N", for messages
};

// A column of the data file in SI: its unit must be written and be one of `si` with a prefix.
std::vector<double> column(const io::table& t, const std::string& data, const protocol::fit_spec& s, const std::string& name, const std::string& si,
                           const std::string& key) {
    for (const auto& c : t.columns) {
        if (c.name != name) continue;
        if (c.unit.empty() && si != "1")
            throw input_error(fmt::format("{}: column '{}' ({}: data.{}) has no unit: write it in the header as '{} [{}]'", data, name, s.file, key,
                                          name, si));
        const double scale = c.unit.empty() || (si == "1" && c.unit == "1") ? 1.0
                                                                             : units::parse("1 " + c.unit, si, fmt::format("{}: column '{}' unit", data, name));
        std::vector<double> out(c.numbers);
        for (std::size_t k = 0; k < out.size(); ++k) {
            if (!std::isfinite(out[k])) throw input_error(fmt::format("{}: column '{}', row {}: not a finite number", data, name, k + 1));
            out[k] *= scale;
        }
        return out;
    }
    std::vector<std::string> names;
    for (const auto& c : t.columns) names.push_back(c.name);
    throw input_error(fmt::format("{}: no column '{}' ({}: data.{}; the file has: {})", data, name, s.file, key, fmt::join(names, ", ")));
}

// Checks the times of one device's rows and makes its replayed waveform.
measured one_device(const protocol::fit_spec& s, std::string name, std::vector<double> t, std::vector<double> v, std::vector<double> i,
                    const std::vector<std::size_t>& rows) {
    measured m{std::move(t), std::move(v), std::move(i), nullptr, std::move(name)};
    if (m.t.size() < 2) throw input_error(fmt::format("{}: fewer than two rows of data", m.name));
    for (std::size_t k = 1; k < m.t.size(); ++k)
        if (!(m.t[k] > m.t[k - 1]))
            throw input_error(fmt::format("{}: column '{}', row {}: times must increase strictly", m.name, s.time, rows[k] + 1));
    if (!m.v.empty()) {
        io::memory_trace kept;
        io::thinned_trace thin(kept, 0.0, [&](const io::channel&) { return s.replay_tolerance; });
        thin.begin({{"time", "s"}, {"v", "V"}});
        for (std::size_t k = 0; k < m.t.size(); ++k) {
            const double row[] = {m.t[k], m.v[k]};
            thin.append(row);
        }
        thin.finish();
        m.replay = std::make_shared<stimulus::pwl>(kept.time(), kept.column("v"));
    }
    return m;
}

// The measured devices: one per file, or per value of the device column (in the order of their
// first rows; each device's times restart).
std::vector<measured> read_measured(const protocol::fit_spec& s) {
    std::vector<measured> out;
    for (const auto& path : s.data_files) {
        const std::string data = path.string();
        const auto ext = path.extension().string();
        const io::table t = ext == ".h5" || ext == ".hdf5" ? io::read_hdf5_group(path, s.group) : io::read_csv(path);
        // A conductance loss: one row per read, in order (the row number stands for the time).
        const bool reads = s.loss == "conductance";
        const auto current = reads ? column(t, data, s, s.conductance, "S", "conductance") : column(t, data, s, s.current, "A", "current");
        std::vector<double> time(current.size());
        if (reads)
            for (std::size_t k = 0; k < time.size(); ++k) time[k] = static_cast<double>(k + 1);
        else
            time = column(t, data, s, s.time, "s", "time");
        const auto voltage = s.voltage.empty() ? std::vector<double>{} : column(t, data, s, s.voltage, "V", "voltage");
        std::vector<double> ids(time.size(), 0.0);
        if (!s.device_column.empty()) ids = column(t, data, s, s.device_column, "1", "device");
        std::vector<double> order;  // device numbers in the order of their first rows
        for (const double id : ids)
            if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
        for (const double id : order) {
            std::vector<double> tt, vv, ii;
            std::vector<std::size_t> rows;
            for (std::size_t k = 0; k < ids.size(); ++k) {
                if (ids[k] != id) continue;
                rows.push_back(k);
                tt.push_back(time[k]);
                ii.push_back(current[k]);
                if (!voltage.empty()) vv.push_back(voltage[k]);
            }
            const std::string name = s.device_column.empty() ? data : fmt::format("{}, {} {:g}", data, s.device_column, id);
            out.push_back(one_device(s, name, std::move(tt), std::move(vv), std::move(ii), rows));
        }
    }
    return out;
}

// ln|x| for a log parameter, else x; and back.
double to_scale(const protocol::fit_parameter& p, double x) { return p.log ? std::log(std::fabs(x)) : x; }
double from_scale(const protocol::fit_parameter& p, double u) { return p.log ? std::copysign(std::exp(u), p.min) : u; }
// z in [0, 1] over [min, max] in the fit scale.
double from_unit(const protocol::fit_parameter& p, double z) {
    const double a = to_scale(p, p.min), b = to_scale(p, p.max);
    return from_scale(p, a + std::clamp(z, 0.0, 1.0) * (b - a));
}
double to_unit(const protocol::fit_parameter& p, double x) {
    const double a = to_scale(p, p.min), b = to_scale(p, p.max);
    return (to_scale(p, x) - a) / (b - a);
}

// The two-sided normal quantile of a confidence level (bisection on erfc).
double normal_quantile(double confidence) {
    const double tail = 0.5 * (1 - confidence);
    double lo = 0, hi = 40;
    for (int k = 0; k < 200; ++k) {
        const double mid = 0.5 * (lo + hi);
        (0.5 * std::erfc(mid / std::sqrt(2.0)) > tail ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}
// The standard normal distribution function and its inverse.
double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double normal_inverse(double p) { return p >= 0.5 ? normal_quantile(2 * p - 1) : -normal_quantile(1 - 2 * p); }

// The experiment that runs the model at the parameters `x` (SI) and `seed`: with several measured
// devices, as many devices (device j replays measured device j).
protocol::experiment model_experiment(const protocol::fit_spec& s, const std::vector<measured>& ms, const std::vector<double>& x, std::uint64_t seed) {
    auto sets = s.sets;
    for (std::size_t j = 0; j < x.size(); ++j)
        sets.push_back(s.parameters[j].unit == "1" ? fmt::format("{}={:.17g}", s.parameters[j].key, x[j])
                                                   : fmt::format("{}={:.17g} {}", s.parameters[j].key, x[j], s.parameters[j].unit));
    sets.push_back(fmt::format("experiment.seed={}", seed));
    auto e = protocol::load(s.experiment, sets);
    if (ms.size() > 1) {
        e.devices = ms.size();
        // The model's population is every seed's devices: matched, their draws of each parameter
        // have over the whole population exactly the nominal mean and the stated spread, so that
        // the sample spread of a few fixed draws does not scale the fitted spread (common random
        // numbers would make that scale the same in every fit: a bias, not a scatter).
        if (s.device_draws == "matched" && !e.d2d.empty()) {
            const auto all = device::matched_normals(*e.device, e.d2d, s.seeds, ms.size());
            const auto k = static_cast<std::size_t>(std::find(s.seeds.begin(), s.seeds.end(), seed) - s.seeds.begin());
            e.d2d_normals.assign(all.begin() + static_cast<std::ptrdiff_t>(k * ms.size()), all.begin() + static_cast<std::ptrdiff_t>((k + 1) * ms.size()));
        }
    }
    return e;
}

// The model runs at the parameters `x` (SI) and `seed`, one per measured device (device j of the
// experiment: its device-to-device draw and cycle-to-cycle stream, replaying device j's
// measurement), concatenated: for each device the compared probe (and, for the vset loss without a
// replayed voltage, the voltage probe) interpolated onto its measured times.
std::vector<double> simulate(const protocol::fit_spec& s, const std::vector<measured>& ms, const std::vector<double>& x, std::uint64_t seed) {
    auto e = model_experiment(s, ms, x, seed);
    const bool need_v = s.loss == "vset" && ms[0].v.empty();
    auto& probes = e.recording.probes;
    for (const auto& p : {s.probe, need_v ? s.voltage_probe : s.probe})
        if (std::find(probes.begin(), probes.end(), p) == probes.end()) probes.push_back(p);
    const auto* pulses = dynamic_cast<const stimulus::pulse_list*>(e.stimulus.get());
    const std::string device_v = e.series_resistance > 0 ? "v(top)" : "v(in)";  // the device's top terminal (as report::targets)
    if (s.loss == "conductance" && std::find(probes.begin(), probes.end(), device_v) == probes.end()) probes.push_back(device_v);
    std::vector<double> out;
    const double own_duration = e.duration;
    for (std::size_t d = 0; d < ms.size(); ++d) {
        const auto& m = ms[d];
        if (!m.v.empty()) {
            e.stimulus = m.replay;
            e.duration = m.t.back();
        }
        if (s.loss == "conductance") {
            io::memory_trace mem;
            protocol::run(e, mem, d);
            const auto g = analysis::read_conductance(mem.time(), mem.column(device_v), mem.column(s.probe), *pulses, s.read_level);
            if (g.size() != m.t.size())
                throw input_error(fmt::format("{}: the experiment's protocol has {} reads at {}, the data ({}) {} rows", s.file, g.size(),
                                              units::format(s.read_level, "V"), m.name, m.t.size()));
            out.insert(out.end(), g.begin(), g.end());
            continue;
        }
        if (m.v.empty() && own_duration < m.t.back())
            throw input_error(fmt::format("{}: the experiment ends at {}, the data ({}) at {}: give experiment.duration or replay the voltage", s.file,
                                          units::format(own_duration, "s"), m.name, units::format(m.t.back(), "s")));
        io::memory_trace mem;
        protocol::run(e, mem, d);
        const auto& t = mem.time();
        const auto& y = mem.column(s.probe);
        for (const double tk : m.t) out.push_back(analysis::interpolate(t, y, tk));
        if (need_v) {
            const auto& v = mem.column(s.voltage_probe);
            for (const double tk : m.t) out.push_back(analysis::interpolate(t, v, tk));
        }
    }
    return out;
}

// Runs simulate() for every (point, seed) in child processes, `jobs` at a time (util::run_queue);
// results pass through files in `scratch`. Every rank under MPI calls it alike.
class evaluator {
public:
    evaluator(const protocol::fit_spec& s, const std::vector<measured>& ms, fs::path scratch, int jobs)
        : s_(s), ms_(ms), scratch_(std::move(scratch)), jobs_(jobs) {}

    // One entry per point: the model's outputs per seed, or the first error.
    struct result {
        std::vector<std::vector<double>> per_seed;
        std::string error;
    };
    std::vector<result> run(const std::vector<std::vector<double>>& points) {
        const std::size_t seeds = s_.seeds.size(), n = points.size() * seeds, base = count_;
        count_ += n;
        simulations_ += static_cast<int>(n);
        std::vector<std::size_t> tasks(n);
        for (std::size_t k = 0; k < n; ++k) tasks[k] = k;
        auto body = [&](std::size_t k) -> int {
            const auto file = scratch_ / fmt::format("{}", base + k);
            try {
                const auto y = simulate(s_, ms_, points[k / seeds], s_.seeds[k % seeds]);
                std::FILE* f = std::fopen((file.string() + ".tmp").c_str(), "wb");
                if (!f || std::fwrite(y.data(), sizeof(double), y.size(), f) != y.size()) throw input_error("cannot write an evaluation (disk full?)");
                std::fclose(f);
                fs::rename(file.string() + ".tmp", file.string() + ".bin");
            } catch (const std::exception& ex) {
                std::ofstream(file.string() + ".err") << ex.what() << "\n";
                return 2;
            }
            return 0;
        };
        util::run_queue(util::mpi_rank() == 0 ? tasks : std::vector<std::size_t>{}, body, jobs_, [](std::size_t, const util::process_exit&) {});
        util::mpi_barrier();
        std::vector<result> out(points.size());
        for (std::size_t k = 0; k < n; ++k) {
            auto& r = out[k / seeds];
            const auto file = scratch_ / fmt::format("{}", base + k);
            std::ifstream bin(file.string() + ".bin", std::ios::binary);
            if (bin) {
                std::vector<double> y(expected_size());
                bin.read(reinterpret_cast<char*>(y.data()), static_cast<std::streamsize>(y.size() * sizeof(double)));
                r.per_seed.push_back(std::move(y));
                continue;
            }
            std::string line;
            std::ifstream err(file.string() + ".err");
            std::getline(err, line);
            if (r.error.empty()) r.error = line.empty() ? "the evaluation ended without a result (killed?)" : line;
        }
        return out;
    }
    int simulations() const { return simulations_; }

private:
    std::size_t expected_size() const {
        std::size_t n = 0;
        for (const auto& m : ms_) n += m.t.size() * (s_.loss == "vset" && m.v.empty() ? 2 : 1);
        return n;
    }
    const protocol::fit_spec& s_;
    const std::vector<measured>& ms_;
    fs::path scratch_;
    int jobs_;
    std::size_t count_ = 0;
    int simulations_ = 0;
};

// The Vsets of the cycles (NaN: a cycle that never reached the compliance).
std::vector<double> vsets(const protocol::fit_spec& s, const measured& m, std::span<const double> v, std::span<const double> i) {
    return analysis::vset_per_cycle(m.t, v, i, s.compliance, s.period, s.start, s.fraction);
}

std::vector<double> finite(const std::vector<double>& x) {
    std::vector<double> out;
    for (const double v : x)
        if (std::isfinite(v)) out.push_back(v);
    return out;
}

// Vset statistics of a population of devices, each a list of its cycles' Vsets (NaN: no set):
// one device: the mean and standard deviation over its cycles that set; several: the mean of the
// device means, the within-device (cycle-to-cycle) standard deviation pooled over the devices,
// and the standard deviation of the device means (device to device, ddof 1).
struct population {
    double mean = 0, within = 0, between = 0;
    double within_dof = 0;       // sum over devices of (cycles that set - 1)
    std::size_t devices = 0;     // devices with a cycle that set
    std::size_t set = 0, cycles = 0;
    std::vector<double> set_fractions;  // per device (all devices, also those that never set)
};

population statistics_of(const std::vector<std::vector<double>>& devices) {
    population p;
    if (devices.size() == 1) {
        const auto x = finite(devices[0]);
        const auto st = analysis::statistics(x);
        p.mean = st.mean;
        p.within = st.std;
        p.within_dof = static_cast<double>(x.size());
        p.devices = x.empty() ? 0 : 1;
        p.set = x.size();
        p.cycles = devices[0].size();
        return p;
    }
    std::vector<double> means;
    double ss = 0;
    for (const auto& d : devices) {
        p.cycles += d.size();
        const auto x = finite(d);
        p.set += x.size();
        p.set_fractions.push_back(d.empty() ? 0.0 : static_cast<double>(x.size()) / static_cast<double>(d.size()));
        if (x.empty()) continue;
        const double m = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
        means.push_back(m);
        for (const double v : x) ss += (v - m) * (v - m);
        p.within_dof += static_cast<double>(x.size() - 1);
    }
    p.devices = means.size();
    if (means.empty()) return p;
    p.mean = std::accumulate(means.begin(), means.end(), 0.0) / static_cast<double>(means.size());
    p.within = p.within_dof > 0 ? std::sqrt(ss / p.within_dof) : 0.0;
    double sb = 0;
    for (const double m : means) sb += (m - p.mean) * (m - p.mean);
    p.between = means.size() > 1 ? std::sqrt(sb / static_cast<double>(means.size() - 1)) : 0.0;
    return p;
}

// The weighted residuals of one evaluation.
//   current: (I_model - I_measured) / (noise + relative_noise |I_measured|), the model averaged over
//            seeds, every device's points in turn
//   vset, one device: (mean_model - mean_measured) / se and (std_model - std_measured) / se of Vset
//         over the cycles that set (the model's cycles pooled over seeds; se from the measured
//         spread and both cycle counts), and (f_model - f_measured) / se of the fraction of cycles
//         that set
//   vset, several devices: the same for the mean of the device means, the within-device
//         (cycle-to-cycle) spread and the spread of the device means (device to device); the
//         model's population is every seed's draw of the measured devices, each replaying its
//         device's measurement
class residuals {
public:
    residuals(const protocol::fit_spec& s, const std::vector<measured>& ms) : s_(s), ms_(ms) {
        if (s.loss != "vset") return;
        for (const auto& m : ms) data_vsets_.push_back(vsets(s, m, m.v, m.i));
        data_ = statistics_of(data_vsets_);
        if (ms.size() == 1 && data_.set < 3)
            throw input_error(fmt::format("{}: loss.kind = \"vset\": {} of {} measured cycles reach {} of the compliance ({}); at least 3 are needed",
                                          s.file, data_.set, data_.cycles, s.fraction, units::format(s.compliance, "A")));
        if (ms.size() > 1) {
            std::size_t usable = 0;
            for (const auto& d : data_vsets_) usable += finite(d).size() >= 2 ? 1 : 0;
            if (usable < 3)
                throw input_error(fmt::format("{}: loss.kind = \"vset\" over {} devices: {} of them have two or more cycles that reach {} of the "
                                              "compliance ({}); at least 3 are needed for a device-to-device spread",
                                              s.file, ms.size(), usable, s.fraction, units::format(s.compliance, "A")));
        }
    }
    std::vector<double> operator()(const std::vector<std::vector<double>>& per_seed) const {
        return s_.loss == "vset" ? compare(data_, model_population(per_seed)) : current(per_seed);
    }

    // The residuals of a model population against a measured one (both possibly resampled: the
    // standard errors are always those of the measurement as given).
    std::vector<double> compare(const population& data, const population& model) const {
        const double cd = static_cast<double>(data.cycles), cm = static_cast<double>(model.cycles);
        const double nd = static_cast<double>(data.set), nm = static_cast<double>(model.set);
        // The fraction of cycles that set, against the measured one (binomial; the pooled fraction
        // with one success and one failure added keeps its error finite when every cycle sets).
        const double pooled = (static_cast<double>(data_.set) + nm + 1) / (static_cast<double>(data_.cycles) + cm + 2);
        double se_set = std::sqrt(pooled * (1 - pooled) * (1 / static_cast<double>(data_.cycles) + 1 / cm));
        if (ms_.size() > 1) {
            // Several devices: the cycles of one device set or fail together (a device drawn with a
            // high barrier may not set at all), so the fraction's error is over devices: the spread
            // of the devices' set fractions (measured and model pooled), at least the binomial one.
            std::vector<double> f(data_.set_fractions);
            f.insert(f.end(), model.set_fractions.begin(), model.set_fractions.end());
            const double fm = std::accumulate(f.begin(), f.end(), 0.0) / static_cast<double>(f.size());
            double var = 0;
            for (const double x : f) var += (x - fm) * (x - fm);
            var /= static_cast<double>(f.size() - 1);
            const double jd = static_cast<double>(data_.set_fractions.size()), jm = static_cast<double>(model.set_fractions.size());
            se_set = std::max(se_set, std::sqrt(var * (1 / jd + 1 / jm)));
        }
        const double r_set = (nm / cm - nd / cd) / se_set;
        if (ms_.size() == 1) {
            if (model.set < 2) return {1e3, 1e3, r_set};  // the model hardly sets: far from the data
            const double n0 = static_cast<double>(data_.set);
            const double inflate = std::sqrt(1 + n0 / nm);  // the model's moments are estimates too
            const double se_mean = data_.within / std::sqrt(n0) * inflate, se_std = data_.within / std::sqrt(2 * (n0 - 1)) * inflate;
            return {(model.mean - data.mean) / se_mean, (model.within - data.within) / se_std, r_set};
        }
        if (model.devices < 2 || !(model.within_dof > 0)) return {1e3, 1e3, 1e3, r_set};
        const double jd = static_cast<double>(data_.devices), jm = static_cast<double>(model.devices);
        const double sb2 = data_.between * data_.between, sw2 = data_.within * data_.within;
        const double se_within = data_.within / std::sqrt(2 * data_.within_dof) * std::sqrt(1 + data_.within_dof / model.within_dof);
        double se_mean = data_.between / std::sqrt(jd) * std::sqrt(1 + jd / jm);
        double se_between = data_.between / std::sqrt(2 * (jd - 1)) * std::sqrt(1 + (jd - 1) / (jm - 1));
        if (s_.device_draws == "matched" && model.set > 0) {
            // The model's devices are drawn matched (device::matched_normals): their parameters have
            // exactly the stated mean and spread, so what remains random in the model's statistics
            // is the cycle-to-cycle part of each device mean, of variance v = s_w^2 / (the model's
            // cycles per device). The mean of jm device means: v / jm. The spread of the device
            // means, s_b^2 = S + 2 C + E (S: of the devices' own means, fixed; C, E: their
            // covariance with the cycle-to-cycle parts, and those parts' variance): var(s_b^2) =
            // (4 S v + 2 v^2) / (jm - 1), so var(s_b) = var(s_b^2) / (4 s_b^2), with S = s_b^2 -
            // v_measured taken from the measurement. (Drawn independently, the devices' own spread
            // is an estimate too: the factors sqrt(1 + J / J_model) above.)
            const double v = sw2 * jm / static_cast<double>(model.set);
            const double spread = std::max(0.0, sb2 - sw2 * jd / static_cast<double>(data_.set));
            se_mean = std::sqrt(sb2 / jd + v / jm);
            se_between = std::sqrt(sb2 / (2 * (jd - 1)) + (4 * spread * v + 2 * v * v) / ((jm - 1) * 4 * sb2));
        }
        return {(model.mean - data.mean) / se_mean, (model.within - data.within) / se_within, (model.between - data.between) / se_between, r_set};
    }
    std::vector<double> current(const std::vector<std::vector<double>>& per_seed) const {
        std::vector<double> r;
        std::size_t offset = 0;
        for (const auto& m : ms_) {
            for (std::size_t k = 0; k < m.t.size(); ++k) {
                double y = 0;
                for (const auto& ys : per_seed) y += ys[offset + k];
                y /= static_cast<double>(per_seed.size());
                r.push_back((y - m.i[k]) / (s_.noise + s_.relative_noise * std::fabs(m.i[k])));
            }
            offset += m.t.size();
        }
        return r;
    }
    // The model's Vsets per device: every seed's devices in turn (seed-major).
    std::vector<std::vector<double>> model_devices(const std::vector<std::vector<double>>& per_seed) const {
        std::vector<std::vector<double>> out;
        for (const auto& ys : per_seed) {
            std::size_t offset = 0;
            for (const auto& m : ms_) {
                const std::size_t n = m.t.size();
                const std::span<const double> i(ys.data() + offset, n);
                const std::span<const double> v = m.v.empty() ? std::span<const double>(ys.data() + offset + n, n) : std::span<const double>(m.v);
                offset += m.v.empty() ? 2 * n : n;
                out.push_back(vsets(s_, m, v, i));
            }
        }
        return out;
    }
    // One device: the model's cycles pooled over the seeds, as one population.
    population model_population(const std::vector<std::vector<double>>& per_seed) const {
        auto devices = model_devices(per_seed);
        if (ms_.size() == 1) {
            std::vector<double> all;
            for (const auto& d : devices) all.insert(all.end(), d.begin(), d.end());
            devices = {all};
        }
        return statistics_of(devices);
    }
    const std::vector<std::vector<double>>& data_vsets() const { return data_vsets_; }
    const population& data() const { return data_; }

private:
    const protocol::fit_spec& s_;
    const std::vector<measured>& ms_;
    std::vector<std::vector<double>> data_vsets_;  // per measured device
    population data_;
};

double chi2(const std::vector<double>& r) {
    double sum = 0;
    for (const double x : r) sum += x * x;
    return sum;
}

nlopt::algorithm algorithm_of(const std::string& name) {
    static const std::map<std::string, nlopt::algorithm> a{
        {"LN_BOBYQA", nlopt::LN_BOBYQA}, {"LN_COBYLA", nlopt::LN_COBYLA}, {"LN_NELDERMEAD", nlopt::LN_NELDERMEAD}, {"LN_SBPLX", nlopt::LN_SBPLX},
        {"LD_SLSQP", nlopt::LD_SLSQP},   {"LD_LBFGS", nlopt::LD_LBFGS},   {"LD_MMA", nlopt::LD_MMA}};
    return a.at(name);
}

std::string toml_snippet(const protocol::fit_spec& s, const std::vector<fitted_parameter>& ps, double confidence, const std::string& stamp) {
    std::map<std::string, std::vector<std::string>> tables;  // table -> lines
    for (const auto& p : ps) {
        const auto dot = p.key.rfind('.');
        const std::string table = p.key.substr(0, dot), name = p.key.substr(dot + 1);
        tables[table].push_back(fmt::format("{} = \"{}\"   # {:.0f} % interval [{}, {}]{}", name, units::format(p.value, p.unit), 100 * confidence,
                                            units::format(p.low, p.unit), units::format(p.high, p.unit), p.at_bound ? " (at a bound of the search)" : ""));
    }
    std::string out = fmt::format("# memlab fit {} ({}): {}\n# measured data {}; paste into the [device] (or [circuit]) table of an experiment file.\n",
                                  s.name, s.file, stamp, s.data.string());
    for (const auto& [table, lines] : tables) out += fmt::format("\n[{}]\n{}\n", table, fmt::join(lines, "\n"));
    return out;
}

}  // namespace

fit_outcome fit(const protocol::fit_spec& s, const fs::path& out, const fit_options& o, const progress_fn& progress) {
    auto say = [&](const std::string& line) {
        if (progress && util::mpi_rank() == 0) progress(line);
    };
    const std::vector<measured> ms = read_measured(s);
    // The model's devices of seed k are devices 0 .. J-1 of that seed, whose cycle-to-cycle streams
    // are seed + 0 .. seed + J-1 (protocol::run): seeds closer than J would share streams.
    for (std::size_t a = 0; a < s.seeds.size(); ++a)
        for (std::size_t b = 0; b < a; ++b)
            if (ms.size() > 1 && (s.seeds[a] > s.seeds[b] ? s.seeds[a] - s.seeds[b] : s.seeds[b] - s.seeds[a]) < ms.size())
                throw input_error(fmt::format("{}: fit.seeds: {} and {} are closer than the {} measured devices: the model's devices of one seed use "
                                              "the cycle-to-cycle streams seed .. seed + {}, so they would share draws (e.g. seeds = [{}, {}])",
                                              s.file, s.seeds[b], s.seeds[a], ms.size(), ms.size() - 1, s.seeds[0], s.seeds[0] + 1000));
    const residuals res(s, ms);
    const int jobs = o.jobs > 0 ? o.jobs : util::mpi_ranks() > 1 ? 1 : 2;
    const std::size_t np = s.parameters.size();
    std::optional<staged_folder> dir;
    if (util::mpi_rank() == 0) dir.emplace(out);
    const fs::path scratch = (util::mpi_rank() == 0 ? dir->path() : fs::path(out.string() + ".partial")) / "evaluations";
    if (util::mpi_rank() == 0) fs::create_directories(scratch);
    evaluator ev(s, ms, scratch, jobs);

    // The optimiser works in z in [0, 1]^n (each parameter over its range, in its scale).
    auto to_x = [&](const std::vector<double>& z) {
        std::vector<double> x(np);
        for (std::size_t j = 0; j < np; ++j) x[j] = from_unit(s.parameters[j], z[j]);
        return x;
    };
    nlohmann::json history = nlohmann::json::array();
    std::vector<double> best_z(np);
    double best = std::numeric_limits<double>::infinity();
    int evaluations = 0;
    std::string first_error;
    // The loss at z (and, for LD_* algorithms, its gradient by forward differences: n + 1 points
    // evaluated together).
    const bool gradient = s.algorithm.rfind("LD_", 0) == 0;
    const double dz = 1e-3;
    auto loss_of = [&](const evaluator::result& r) {
        if (!r.error.empty()) return std::numeric_limits<double>::quiet_NaN();
        return chi2(res(r.per_seed));
    };
    std::function<double(const std::vector<double>&, std::vector<double>&)> objective = [&](const std::vector<double>& z, std::vector<double>& grad) {
        std::vector<std::vector<double>> points{to_x(z)};
        std::vector<double> step(np, dz);
        if (gradient && !grad.empty())
            for (std::size_t j = 0; j < np; ++j) {
                auto zj = z;
                if (zj[j] + dz > 1) step[j] = -dz;
                zj[j] += step[j];
                points.push_back(to_x(zj));
            }
        const auto rs = ev.run(points);
        const double f = loss_of(rs[0]);
        ++evaluations;
        history.push_back({{"evaluation", evaluations}, {"values", points[0]}, {"loss", std::isfinite(f) ? nlohmann::json(f) : nlohmann::json(nullptr)}});
        if (!rs[0].error.empty() && first_error.empty()) first_error = rs[0].error;
        if (std::isfinite(f) && f < best) best = f, best_z = z;
        say(fmt::format("  evaluation {}: loss {:.6g}{} ({})", evaluations, f, std::isfinite(f) ? "" : fmt::format(" (failed: {})", rs[0].error),
                        fmt::join([&] {
                            std::vector<std::string> parts;
                            for (std::size_t j = 0; j < np; ++j) parts.push_back(fmt::format("{}={}", s.parameters[j].key, units::format(points[0][j], s.parameters[j].unit)));
                            return parts;
                        }(), ", ")));
        if (gradient && !grad.empty())
            for (std::size_t j = 0; j < np; ++j) grad[j] = (loss_of(rs[j + 1]) - f) / step[j];
        return std::isfinite(f) ? f : 1e30;  // a failed run: far worse than any that ran
    };
    // The start: the stated start values and `starts` quasi-random points over the ranges (a Halton
    // sequence), evaluated together; the local search begins at the best of them.
    std::vector<double> z(np);
    std::vector<std::vector<double>> starts_z;
    for (std::size_t j = 0; j < np; ++j) z[j] = to_unit(s.parameters[j], s.parameters[j].start);
    {
        std::vector<std::vector<double>> zs{z};
        static constexpr int primes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53};
        for (int k = 1; k <= s.starts; ++k) {
            std::vector<double> zk(np);
            for (std::size_t j = 0; j < np; ++j) {
                const int b = primes[j % 16];
                double f = 1, h = 0;
                for (int i = k; i > 0; i /= b) f /= b, h += f * (i % b);
                zk[j] = h;
            }
            zs.push_back(zk);
        }
        std::vector<std::vector<double>> xs;
        for (const auto& zk : zs) xs.push_back(to_x(zk));
        const auto rs0 = ev.run(xs);
        for (std::size_t k = 0; k < zs.size(); ++k) {
            const double f = loss_of(rs0[k]);
            ++evaluations;
            history.push_back({{"evaluation", evaluations}, {"values", xs[k]}, {"loss", std::isfinite(f) ? nlohmann::json(f) : nlohmann::json(nullptr)},
                               {"phase", k == 0 ? "start" : "initial design"}});
            if (!rs0[k].error.empty() && first_error.empty()) first_error = rs0[k].error;
            if (std::isfinite(f) && f < best) best = f, best_z = zs[k];
        }
        if (!std::isfinite(loss_of(rs0[0]))) throw input_error(fmt::format("{}: the model fails at the start values: {}", s.file, rs0[0].error));
        say(fmt::format("start: the best of the start values and {} points of an initial design (loss {:.6g} at the start values): loss {:.6g}",
                        s.starts, loss_of(rs0[0]), best));
        // The local searches start at the best `local_searches` points (start values and design).
        std::vector<std::size_t> order(zs.size());
        for (std::size_t k = 0; k < zs.size(); ++k) order[k] = k;
        auto key = [&](std::size_t k) {
            const double f = loss_of(rs0[k]);
            return std::isfinite(f) ? f : std::numeric_limits<double>::infinity();
        };
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
        for (std::size_t k = 0; k < order.size() && static_cast<int>(starts_z.size()) < s.local_searches; ++k)
            if (std::isfinite(key(order[k]))) starts_z.push_back(zs[order[k]]);
    }
    std::string stop;
    for (std::size_t search = 0; search < starts_z.size(); ++search) {
    z = starts_z[search];
    nlopt::opt opt(algorithm_of(s.algorithm), static_cast<unsigned>(np));
    opt.set_lower_bounds(std::vector<double>(np, 0.0));
    opt.set_upper_bounds(std::vector<double>(np, 1.0));
    opt.set_maxeval(std::max(1, gradient ? s.max_evaluations / static_cast<int>(np + 1) : s.max_evaluations));
    opt.set_xtol_abs(s.tolerance);
    opt.set_ftol_rel(1e-10);
    if (!gradient) opt.set_initial_step(0.1);
    opt.set_min_objective(
        [](const std::vector<double>& zz, std::vector<double>& grad, void* data) {
            return (*static_cast<std::function<double(const std::vector<double>&, std::vector<double>&)>*>(data))(zz, grad);
        },
        &objective);
    try {
        double fmin = 0;
        const auto code = opt.optimize(z, fmin);
        stop = code == nlopt::MAXEVAL_REACHED ? "max_evaluations reached" : code == nlopt::XTOL_REACHED ? "parameters converged (tolerance)"
               : code == nlopt::FTOL_REACHED ? "loss converged" : code == nlopt::SUCCESS ? "converged (NLopt success)"
                                                                                  : fmt::format("NLopt result {}", static_cast<int>(code));
    } catch (const nlopt::roundoff_limited&) {
        stop = "roundoff limited (the loss is as flat as the model's numerical noise)";
    } catch (const std::runtime_error& err) {
        stop = fmt::format("NLopt stopped: {}", err.what());
    }
    say(fmt::format("local search {} of {}: {} evaluations so far, best loss {:.6g} ({})", search + 1, starts_z.size(), evaluations, best, stop));
    }
    say(fmt::format("minimum after {} evaluations: loss {:.6g}", evaluations, best));

    // The covariance at the minimum: Gauss-Newton from the Jacobian of the weighted residuals in
    // the fit scale u, by central differences (2 n points, evaluated together).
    const auto x_best = to_x(best_z);
    std::vector<double> u(np), h(np);
    std::vector<std::vector<double>> points{x_best};
    for (std::size_t j = 0; j < np; ++j) {
        const auto& p = s.parameters[j];
        u[j] = to_scale(p, x_best[j]);
        // Vset is read at the measured samples, so a statistic of it moves in steps of the sampling:
        // its differences need a step that moves Vset by several samples (2 % of the range).
        h[j] = (s.loss == "vset" ? 0.02 : 1e-3) * (to_scale(p, p.max) - to_scale(p, p.min));
        for (const double sign : {+1.0, -1.0}) {
            auto x = x_best;
            x[j] = from_scale(p, u[j] + sign * h[j]);
            points.push_back(x);
        }
    }
    const auto rs = ev.run(points);
    if (!rs[0].error.empty()) throw input_error(fmt::format("{}: the model fails at the fitted values: {}", s.file, rs[0].error));
    const auto r0 = res(rs[0].per_seed);
    const std::size_t nr = r0.size();
    Eigen::MatrixXd J(nr, np);
    for (std::size_t j = 0; j < np; ++j) {
        const auto& plus = rs[1 + 2 * j];
        const auto& minus = rs[2 + 2 * j];
        // A side that fails (outside what the model takes) leaves a one-sided difference.
        const auto rp = plus.error.empty() ? res(plus.per_seed) : r0, rm = minus.error.empty() ? res(minus.per_seed) : r0;
        const double span = (plus.error.empty() ? h[j] : 0) + (minus.error.empty() ? h[j] : 0);
        for (std::size_t k = 0; k < nr; ++k) J(k, j) = span > 0 ? (rp[k] - rm[k]) / span : 0;
    }
    const double loss = chi2(r0);
    const double dof = static_cast<double>(nr) - static_cast<double>(np);
    // The stated noise sets the scale (s^2 = 1) unless the fit is worse than it allows: then the
    // intervals widen by the reduced chi-square (s^2 = chi^2 / dof > 1; the Particle Data Group's
    // scale factor), so that a noise stated too small or a model that misses the data does not give
    // intervals narrower than the residuals support.
    const double s2 = s.loss != "vset" && dof > 0 ? std::max(1.0, loss / dof) : 1.0;
    const Eigen::MatrixXd JtJ = J.transpose() * J;
    Eigen::MatrixXd cov = JtJ.completeOrthogonalDecomposition().pseudoInverse() * s2;
    const double q = normal_quantile(s.confidence);
    // Bootstrap over cycles (intervals = "bootstrap", vset loss): each replicate draws the measured
    // cycles again with replacement (several devices: the devices, then each drawn device's
    // cycles), and the model's cycles at the minimum likewise, and is refitted by one Gauss-Newton
    // step from the minimum, u_b = u - (J^T J)^-1 J^T r_b, with r_b the residuals of the replicate
    // (over the measurement's standard errors as given). No model runs: the model's response to
    // the parameters is the Jacobian's. The interval is the (1 -+ confidence) / 2 quantiles of u_b.
    std::vector<std::vector<double>> boot(np);  // per parameter, the replicates in the fit scale
    if (s.bootstrap > 0) {
        const Eigen::MatrixXd gn = JtJ.completeOrthogonalDecomposition().pseudoInverse() * J.transpose();
        util::rng g(s.seeds[0] * 0x9E3779B97F4A7C15ULL + 0x5DEECE66DULL);
        auto draw = [&g](const std::vector<std::vector<double>>& devices, bool pick_devices) {
            std::vector<std::vector<double>> drawn;
            for (std::size_t k = 0; k < devices.size(); ++k) {
                const auto& d = devices[pick_devices ? g.below(devices.size()) : k];
                std::vector<double> c(d.size());
                for (auto& x : c) x = d[g.below(d.size())];
                drawn.push_back(std::move(c));
            }
            return drawn;
        };
        auto model_devices = res.model_devices(rs[0].per_seed);
        if (ms.size() == 1) {  // one device: the model's cycles pooled over its seeds, as in the loss
            std::vector<double> all;
            for (const auto& d : model_devices) all.insert(all.end(), d.begin(), d.end());
            model_devices = {all};
        }
        const bool several = ms.size() > 1;
        // The model's devices are drawn again only when they were drawn independently: matched
        // (device::matched_normals), their parameters are fixed, only their cycles are random.
        const bool model_devices_random = several && s.device_draws != "matched";
        for (int b = 0; b < s.bootstrap; ++b) {
            const auto data_b = statistics_of(draw(res.data_vsets(), several)), model_b = statistics_of(draw(model_devices, model_devices_random));
            const auto rb = res.compare(data_b, model_b);
            const Eigen::VectorXd d = -gn * Eigen::Map<const Eigen::VectorXd>(rb.data(), static_cast<Eigen::Index>(rb.size()));
            for (std::size_t j = 0; j < np; ++j) boot[j].push_back(u[j] + d(static_cast<Eigen::Index>(j)));
        }
    }
    fit_outcome r;
    r.loss = loss;
    r.residuals = nr;
    r.evaluations = evaluations;
    r.simulations = ev.simulations();
    nlohmann::json params = nlohmann::json::array();
    for (std::size_t j = 0; j < np; ++j) {
        const auto& p = s.parameters[j];
        fitted_parameter f;
        f.key = p.key;
        f.unit = p.unit;
        f.value = x_best[j];
        f.standard_error = std::sqrt(std::max(0.0, cov(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(j))));
        const double a = from_scale(p, u[j] - q * f.standard_error), b = from_scale(p, u[j] + q * f.standard_error);
        const double curvature_low = std::min(a, b), curvature_high = std::max(a, b);
        f.low = curvature_low;
        f.high = curvature_high;
        nlohmann::json bootstrap;
        if (s.bootstrap > 0) {
            // The bias-corrected percentile interval (Efron and Tibshirani, "An Introduction to the
            // Bootstrap", 1993, sec. 14.3, with no acceleration): the replicates of a spread from
            // few devices drawn with replacement lie below the estimate more often than not (they
            // repeat devices), z0 = Phi^-1(the fraction of replicates below the estimate) measures
            // that, and the quantiles taken are Phi(2 z0 -+ z) instead of Phi(-+ z).
            double below = 0;
            for (const double ub : boot[j]) below += ub < u[j] ? 1.0 : ub == u[j] ? 0.5 : 0.0;
            const double B = static_cast<double>(boot[j].size());
            const double z0 = normal_inverse(std::clamp(below / B, 0.5 / B, 1 - 0.5 / B));
            auto at = [&](double level) { return from_scale(p, analysis::quantile(boot[j], level)); };
            const double qa = at(normal_cdf(2 * z0 - q)), qb = at(normal_cdf(2 * z0 + q));
            const double pa = at(0.5 * (1 - s.confidence)), pb = at(0.5 * (1 + s.confidence));
            f.low = std::min(qa, qb);
            f.high = std::max(qa, qb);
            f.standard_error = analysis::statistics(boot[j]).std;
            bootstrap = {{"low", f.low}, {"high", f.high}, {"standard_error", f.standard_error}, {"replicates", s.bootstrap},
                         {"bias_correction", z0}, {"percentile", {{"low", std::min(pa, pb)}, {"high", std::max(pa, pb)}}}};
        }
        f.at_bound = best_z[j] < 1e-6 || best_z[j] > 1 - 1e-6;
        r.parameters.push_back(f);
        params.push_back({{"key", f.key}, {"unit", f.unit}, {"value", f.value}, {"low", f.low}, {"high", f.high},
                          {"text", units::format(f.value, f.unit)},
                          {"interval", fmt::format("[{}, {}]", units::format(f.low, f.unit), units::format(f.high, f.unit))},
                          {"standard_error", f.standard_error}, {"scale", p.log ? "log" : "linear"}, {"start", p.start}, {"min", p.min},
                          {"max", p.max}, {"at_bound", f.at_bound},
                          {"curvature", {{"low", curvature_low}, {"high", curvature_high},
                                         {"standard_error", std::sqrt(std::max(0.0, cov(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(j))))}}}});
        if (s.bootstrap > 0) params.back()["bootstrap"] = bootstrap;
    }
    nlohmann::json corr = nlohmann::json::array();
    for (std::size_t a = 0; a < np; ++a) {
        nlohmann::json row = nlohmann::json::array();
        for (std::size_t b = 0; b < np; ++b) {
            const auto ia = static_cast<Eigen::Index>(a), ib = static_cast<Eigen::Index>(b);
            const double d = std::sqrt(cov(ia, ia) * cov(ib, ib));
            row.push_back(d > 0 ? cov(ia, ib) / d : 0.0);
        }
        corr.push_back(row);
    }
    // The model at the start values, for curves.csv (every rank takes part in each evaluation).
    std::vector<double> x0(np);
    for (std::size_t j = 0; j < np; ++j) x0[j] = s.parameters[j].start;
    const auto start_run = ev.run({x0});
    if (util::mpi_rank() != 0) return {};

    auto& js = r.summary;
    js["memlab_version"] = std::string(version());
    js["fit"] = s.file;
    js["name"] = s.name;
    js["experiment"] = s.experiment.string();
    js["data"] = s.data.string();
    js["resolved"] = s.resolved;
    js["loss"] = {{"kind", s.loss}, {"chi_square", loss}, {"residuals", nr}, {"parameters", np}, {"reduced_chi_square", dof > 0 ? loss / dof : 0.0}};
    js["algorithm"] = s.algorithm;
    js["stop"] = stop;
    js["evaluations"] = evaluations;
    js["simulations"] = r.simulations;
    js["confidence"] = s.confidence;
    js["interval_method"] = s.bootstrap > 0
        ? fmt::format("bootstrap over cycles ({} replicates{}; the model's cycles at the minimum resampled {}), each replicate refitted by one "
                      "Gauss-Newton step from the minimum; the bias-corrected percentile interval of the replicates in the fit scale",
                      s.bootstrap, ms.size() > 1 ? ": the devices, then each drawn device's cycles, with replacement" : ": the cycles with replacement",
                      ms.size() > 1 && s.device_draws == "matched" ? "within each of its devices (matched draws: the devices are fixed)" : "alike")
        : s.loss != "vset"
        ? "Gauss-Newton covariance s^2 (J^T J)^-1 of the weighted residuals, J by central differences in the fit scale, s^2 = max(1, reduced chi-square)"
        : ms.size() > 1
        ? "Gauss-Newton covariance (J^T J)^-1 of the residuals of the mean, the within-device and the between-device spread of Vset (each over its "
          "standard error), J by central differences in the fit scale"
        : "Gauss-Newton covariance (J^T J)^-1 of the residuals of mean and std of Vset (each over its standard error), J by central differences in the fit scale";
    js["devices"] = ms.size();
    if (ms.size() > 1) {
        // The model's devices at the minimum: each drawn parameter over every seed's devices (the
        // population the loss compares with the measured one), its sample mean and spread (ddof 1).
        nlohmann::json drawn = nlohmann::json::object();
        std::map<std::string, std::vector<double>> values;
        std::map<std::string, std::string> unit;
        for (const auto seed : s.seeds) {
            const auto e = model_experiment(s, ms, x_best, seed);
            for (std::size_t j = 0; j < ms.size(); ++j) {
                const auto device = e.device_instance(j);
                for (const auto& p : device->parameter_table())
                    if (e.d2d.count(p.name)) values[p.name].push_back(device->get(p.name)), unit[p.name] = p.unit;
            }
        }
        for (const auto& [name, v] : values) {
            const auto st = analysis::statistics(v);  // its std is ddof 0
            const double n = static_cast<double>(v.size());
            drawn[name] = {{"unit", unit[name]}, {"mean", st.mean}, {"std", st.std * std::sqrt(n / (n - 1))}, {"values", v}};
        }
        js["model_devices"] = {{"draws", s.device_draws}, {"devices", ms.size() * s.seeds.size()}, {"parameters", drawn},
                               {"about", "the model's devices at the minimum, every seed's devices in turn: each drawn parameter, its mean and "
                                         "standard deviation (ddof 1)"}};
    }
    js["parameters"] = params;
    js["correlation"] = corr;
    js["seeds"] = s.seeds;
    js["history"] = history;

    // curves.csv: the measurement, the model at the start and at the minimum, the residual; every
    // measured device in turn (with a device column when there are several).
    // The current loss compares the mean over the seeds; a Vset fit's traces are the first seed's
    // (a mean of switching traces is no trace at all). `voltage`: the model's voltage probe.
    auto concat = [&](const evaluator::result& e, bool voltage) {
        std::vector<double> y;
        const std::size_t used = s.loss == "vset" ? 1 : e.per_seed.size();
        std::size_t offset = 0;
        for (const auto& m : ms) {
            const std::size_t n = m.t.size(), at = offset + (voltage ? n : 0);
            for (std::size_t k = 0; k < n; ++k) {
                double sum = 0;
                for (std::size_t seed = 0; seed < used; ++seed) sum += e.per_seed[seed][at + k];
                y.push_back(sum / static_cast<double>(used));
            }
            offset += s.loss == "vset" && m.v.empty() ? 2 * n : n;
        }
        return y;
    };
    auto measured_column = [&](auto member) {
        std::vector<double> y;
        for (const auto& m : ms) y.insert(y.end(), (m.*member).begin(), (m.*member).end());
        return y;
    };
    r.simulations = ev.simulations();
    js["simulations"] = r.simulations;
    const auto model = concat(rs[0], false), start = concat(start_run[0], false);
    const auto mi = measured_column(&measured::i);
    const std::size_t n = mi.size();
    io::table curves;
    if (ms.size() > 1) {
        std::vector<double> dev;
        for (std::size_t d = 0; d < ms.size(); ++d) dev.insert(dev.end(), ms[d].t.size(), static_cast<double>(d + 1));
        curves.columns.push_back({"device", "1", false, dev, {}});
    }
    // A conductance loss: one row per read (read number, conductances in S).
    const bool reads = s.loss == "conductance";
    const std::string yu = reads ? "S" : "A";
    curves.columns.push_back({reads ? "read" : "time", reads ? "1" : "s", false, measured_column(&measured::t), {}});
    if (!ms[0].v.empty()) curves.columns.push_back({"voltage", "V", false, measured_column(&measured::v), {}});
    else if (s.loss == "vset") curves.columns.push_back({"voltage", "V", false, concat(rs[0], true), {}});
    curves.columns.push_back({"measured", yu, false, mi, {}});
    curves.columns.push_back({"model", yu, false, model, {}});
    curves.columns.push_back({"start", yu, false, start, {}});
    std::vector<double> resid(n), weighted(n);
    for (std::size_t k = 0; k < n; ++k) {
        resid[k] = model[k] - mi[k];
        weighted[k] = s.loss != "vset" ? r0[k] : std::nan("");
    }
    curves.columns.push_back({"residual", yu, false, resid, {}});
    if (s.loss != "vset") curves.columns.push_back({"weighted_residual", "1", false, weighted, {}});
    io::write_csv(curves, dir->path() / "curves.csv");
    js["curves"] = {{"file", "curves.csv"}, {"probe", s.probe}, {"columns", {reads ? "read" : "time", "voltage", "measured", "model", "start", "residual"}}};
    if (reads) js["curves"]["read_level"] = s.read_level;
    if (s.loss == "vset") {
        // vsets.csv: Vset per cycle, measured and per model seed (device j of each seed replays
        // measured device j).
        io::table t;
        const auto per_device = res.model_devices(rs[0].per_seed);  // seed-major
        std::vector<double> dev, cyc, meas;
        std::vector<std::vector<double>> model_cols(s.seeds.size());
        for (std::size_t d = 0; d < ms.size(); ++d) {
            const auto& x = res.data_vsets()[d];
            for (std::size_t k = 0; k < x.size(); ++k) {
                dev.push_back(static_cast<double>(d + 1));
                cyc.push_back(static_cast<double>(k + 1));
                meas.push_back(x[k]);
                for (std::size_t seed = 0; seed < s.seeds.size(); ++seed) {
                    const auto& y = per_device[seed * ms.size() + d];
                    model_cols[seed].push_back(k < y.size() ? y[k] : std::nan(""));
                }
            }
        }
        if (ms.size() > 1) t.columns.push_back({"device", "1", false, dev, {}});
        t.columns.push_back({"cycle", "1", false, cyc, {}});
        t.columns.push_back({"measured", "V", false, meas, {}});
        for (std::size_t seed = 0; seed < s.seeds.size(); ++seed)
            t.columns.push_back({fmt::format("model_seed{}", s.seeds[seed]), "V", false, model_cols[seed], {}});
        io::write_csv(t, dir->path() / "vsets.csv");
        const auto md = res.data(), mm = res.model_population(rs[0].per_seed);
        auto describe = [&](const population& p) {
            nlohmann::json j = {{"mean", p.mean}, {"std", p.within}, {"cycles", p.set}, {"cycles_run", p.cycles}, {"unit", "V"}};
            if (ms.size() > 1) j["between_device_std"] = p.between, j["devices"] = p.devices;
            return j;
        };
        js["vset"] = {{"file", "vsets.csv"}, {"measured", describe(md)}, {"model", describe(mm)},
                      {"compliance", s.compliance}, {"period", s.period}, {"fraction", s.fraction}};
        if (ms.size() > 1)
            js["vset"]["about"] = "mean: of the device means; std: within a device (cycle to cycle), pooled over the devices; between_device_std: "
                                  "the standard deviation of the device means";
    }
    std::error_code ec;
    fs::remove_all(scratch, ec);
    const std::string stamp = fmt::format("loss {} = {:.6g} over {} residuals, {}, {} evaluations; intervals {}", s.loss, loss, nr, s.algorithm,
                                          evaluations, s.bootstrap > 0 ? fmt::format("from a bootstrap over cycles ({} replicates)", s.bootstrap)
                                                                       : std::string("from the loss curvature"));
    write_file(dir->path() / "fitted.toml", toml_snippet(s, r.parameters, s.confidence, stamp));
    write_file(dir->path() / "fit.json", js.dump(2) + "\n");
    if (o.figure) r.figure_drawn = run_plot({"--fit", dir->path().string(), (dir->path() / "figure.png").string()}, dir->path() / "figure.log", o.python);
    dir->commit();
    return r;
}

}  // namespace memlab::lab
