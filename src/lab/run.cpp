#include "memlab/lab/run.hpp"

#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "memlab/error.hpp"
#include "memlab/io/hdf5_trace.hpp"
#include "memlab/lab/figures.hpp"
#include "memlab/lab/progress.hpp"
#include "memlab/lab/staged_folder.hpp"
#include "memlab/protocol/ngspice_engine.hpp"

namespace fs = std::filesystem;

namespace memlab::lab {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The absolute tolerance of a channel in traces.csv: the solver's own for it (what the
// integrator does not resolve anyway); 0 for anything else.
double csv_atol(const protocol::experiment& e, const io::channel& c) {
    for (const auto& s : e.device->states())
        if (c.name == "DUT." + s.name) return s.abs_tolerance * e.solver.state_atol_scale;
    if (c.unit == "V") return e.solver.atol_voltage;
    if (c.unit == "A") return e.solver.atol_current;
    return 0.0;
}

// traces.h5's group of device j: the experiment's name, with several devices NAME_deviceN.
std::string trace_group(const protocol::experiment& e, std::size_t j) {
    return e.devices == 1 ? e.name : fmt::format("{}_device{}", e.name, j + 1);
}

}  // namespace

protocol::run_result run_device_into(const protocol::experiment& e, std::size_t device, const fs::path& folder, io::memory_trace* memory) {
    if (device >= e.devices) throw internal_error(fmt::format("run_device_into: device {} of {}", device + 1, e.devices));
    io::hdf5_trace h5((folder / "traces.h5").string(), trace_group(e, device));
    io::null_trace none;
    io::tee_trace sink(h5, memory ? static_cast<io::trace_sink&>(*memory) : none);
    auto r = protocol::run(e, sink, device);
    h5.commit();
    r.metrics["experiment"] = e.name;
    write_file(folder / "metrics.json", r.metrics.dump(2) + "\n");
    write_file(folder / "config.json", e.resolved.dump(2) + "\n");
    return r;
}

protocol::run_result run_into(const protocol::experiment& e, const fs::path& folder, bool csv, std::vector<io::memory_trace>* memories,
                              bool ngspice) {
    io::hdf5_trace h5((folder / "traces.h5").string(), trace_group(e, 0));
    // traces.csv: every row (csv_tolerance 0), or those that give back every row (thinned).
    std::optional<io::csv_trace> csv_file;
    std::optional<io::thinned_trace> thinned;
    io::trace_sink* csvs = nullptr;
    if (csv) {
        csvs = &csv_file.emplace((folder / "traces.csv").string());
        if (e.csv_tolerance > 0) csvs = &thinned.emplace(*csv_file, e.csv_tolerance, [&e](const io::channel& c) { return csv_atol(e, c); });
    }
    io::null_trace none;
    if (memories) memories->assign(e.devices, {});
    protocol::run_result total;
    for (std::size_t j = 0; j < e.devices; ++j) {
        if (j > 0) h5.set_group(trace_group(e, j));
        io::tee_trace files(h5, csvs && j == 0 ? *csvs : none);
        io::tee_trace sink(files, memories ? static_cast<io::trace_sink&>((*memories)[j]) : none);
        auto r = ngspice ? protocol::run_ngspice(e, sink, j) : protocol::run(e, sink, j);
        if (e.devices == 1) {
            total = std::move(r);
        } else {
            for (auto& [k, v] : r.metrics.items()) total.metrics[fmt::format("device{}.{}", j + 1, k)] = v;
            total.stats.steps += r.stats.steps;
        }
    }
    h5.commit();
    if (ngspice) write_file(folder / "deck.cir", protocol::ngspice_deck(e) + "\n");
    total.metrics["experiment"] = e.name;
    write_file(folder / "metrics.json", total.metrics.dump(2) + "\n");
    write_file(folder / "config.json", e.resolved.dump(2) + "\n");
    return total;
}

array::result run_array_into(const array::experiment& e, const fs::path& folder, bool csv) {
    io::hdf5_trace h5((folder / "traces.h5").string(), e.name);
    std::optional<io::csv_trace> csv_file;
    io::null_trace none;
    if (csv) csv_file.emplace((folder / "traces.csv").string());
    io::tee_trace sink(h5, csv_file ? static_cast<io::trace_sink&>(*csv_file) : none);
    auto r = array::run(e, sink);
    for (const auto& m : r.maps) h5.write_matrix("maps", m.name, m.values.rows, m.values.cols, m.values.v, m.unit, {{"time", m.time}});
    h5.commit();
    r.metrics["experiment"] = e.name;
    write_file(folder / "metrics.json", r.metrics.dump(2) + "\n");
    write_file(folder / "config.json", e.resolved.dump(2) + "\n");
    return r;
}

network::run_result run_network_into(const network::experiment& e, const fs::path& folder, const progress_fn& progress) {
    network::fraction_fn tell;
    if (progress) {
        const auto t0 = std::chrono::steady_clock::now();
        tell = [progress, t0, last = -1](double f) mutable {
            const int step = static_cast<int>(f * 20 + 1e-9);  // every 5 %
            if (step == last) return;
            last = step;
            progress(progress_text(f, seconds_since(t0)));
        };
    }
    // The input spikes go to the file as the network takes them (a data set's would not fit in
    // memory at once), then the output spikes.
    io::hdf5_trace h5((folder / "traces.h5").string(), "input_spikes");
    h5.begin({{"time", "s"}, {"row", "1"}});
    auto r = network::run(e, tell, [&h5](const network::input_spikes& in) {
        for (std::size_t k = 0; k < in.size(); ++k) {
            const double row[] = {in.time[k], static_cast<double>(in.row[k])};
            h5.append(row);
        }
    });
    h5.finish();
    h5.set_group("spikes");
    h5.begin({{"time", "s"}, {"neuron", "1"}});
    for (std::size_t k = 0; k < r.out.size(); ++k) {
        const double row[] = {r.out.time[k], static_cast<double>(r.out.neuron[k])};
        h5.append(row);
    }
    h5.finish();
    for (std::size_t k = 0; k < r.weights.size(); ++k)
        h5.write_matrix("weights", r.weight_names[k], r.weights[k].rows, r.weights[k].cols, r.weights[k].v, r.weights_unit);
    if (!e.image_start.empty()) {
        const std::size_t n = e.image_start.size();
        std::vector<double> label(e.labels.begin(), e.labels.end()), predicted(r.images.predicted.begin(), r.images.predicted.end()),
            index(e.image_index.begin(), e.image_index.end());
        h5.write_matrix("images", "start", n, 1, e.image_start, "s");
        h5.write_matrix("images", "label", n, 1, label, "1");
        h5.write_matrix("images", "predicted", n, 1, predicted, "1", {{"no_answer", -1}});
        h5.write_matrix("images", "index", n, 1, index, "1");
        h5.write_matrix("images", "counts", n, e.lif.neurons, r.images.counts.v, "1");
    }
    if (e.learning) {
        // Each neuron's label and each training image's winner (-1: none), and the training pass's spikes.
        const auto& l = r.learning;
        std::vector<double> labels(l.labels.begin(), l.labels.end()), winner, index(e.train_index.begin(), e.train_index.end());
        for (std::size_t w : l.train_winner) winner.push_back(w < l.labels.size() ? static_cast<double>(w) : -1.0);
        h5.write_matrix("learning", "labels", labels.size(), 1, labels, "1", {{"unlabelled", -1}});
        h5.write_matrix("learning", "train_winner", winner.size(), 1, winner, "1", {{"no_spike", -1}});
        h5.write_matrix("learning", "train_index", index.size(), 1, index, "1");
        std::vector<double> t(l.train_out.time), n(l.train_out.neuron.begin(), l.train_out.neuron.end());
        h5.write_matrix("learning", "train_spike_time", t.size(), 1, t, "s");
        h5.write_matrix("learning", "train_spike_neuron", n.size(), 1, n, "1");
    }
    h5.commit();
    r.metrics["experiment"] = e.name;
    write_file(folder / "metrics.json", r.metrics.dump(2) + "\n");
    write_file(folder / "config.json", e.resolved.dump(2) + "\n");
    return r;
}

md::diffusion_result run_md_into(const md::diffusion_experiment& e, const fs::path& folder, int jobs, const progress_fn& progress) {
    auto r = md::run(e, folder, jobs, progress);
    io::hdf5_trace h5((folder / "traces.h5").string(), "none");
    for (const auto& x : r.runs) {
        h5.set_group(fmt::format("{}_{}_sample{}", e.name, e.run_name(x.ion, x.temperature), x.sample));
        h5.begin({{"time", "s"}, {"x", "m"}, {"y", "m"}, {"z", "m"}, {"msd_Si", "m^2"}, {"msd_O", "m^2"}});
        for (std::size_t k = 0; k < x.t.size(); ++k) {
            const double row[] = {x.t[k], x.x[k], x.y[k], x.z[k], x.msd_si[k], x.msd_o[k]};
            h5.append(row);
        }
        h5.finish();
    }
    h5.commit();
    r.metrics["experiment"] = e.name;
    write_file(folder / "metrics.json", r.metrics.dump(2) + "\n");
    write_file(folder / "config.json", e.resolved.dump(2) + "\n");
    return r;
}

run_outcome<protocol::run_result> run(const protocol::experiment& e, const fs::path& out, const run_options& o) {
    if (e.study)
        throw input_error(fmt::format("{}: study: a study runs with memlab sweep {} (one task per device, its targets evaluated on each)", e.file, e.file));
    staged_folder dir(out);
    const auto t0 = std::chrono::steady_clock::now();
    run_outcome<protocol::run_result> r{run_into(e, dir.path(), o.csv, nullptr, o.ngspice)};
    r.seconds = seconds_since(t0);
    r.figure_drawn = o.figure && draw_run_figure(dir.path(), o.python);
    dir.commit();
    return r;
}

run_outcome<array::result> run(const array::experiment& e, const fs::path& out, const run_options& o) {
    staged_folder dir(out);
    const auto t0 = std::chrono::steady_clock::now();
    run_outcome<array::result> r{run_array_into(e, dir.path(), o.csv)};
    r.seconds = seconds_since(t0);
    r.figure_drawn = o.figure && draw_run_figure(dir.path(), o.python);
    dir.commit();
    return r;
}

run_outcome<network::run_result> run(const network::experiment& e, const fs::path& out, const run_options& o, const progress_fn& progress) {
    staged_folder dir(out);
    const auto t0 = std::chrono::steady_clock::now();
    run_outcome<network::run_result> r{run_network_into(e, dir.path(), progress)};
    r.seconds = seconds_since(t0);
    r.figure_drawn = o.figure && draw_run_figure(dir.path(), o.python);
    dir.commit();
    return r;
}

run_outcome<md::diffusion_result> run(const md::diffusion_experiment& e, const fs::path& out, const run_options& o, const progress_fn& progress) {
    staged_folder dir(out);
    const auto t0 = std::chrono::steady_clock::now();
    run_outcome<md::diffusion_result> r{run_md_into(e, dir.path(), o.jobs, progress)};
    r.seconds = seconds_since(t0);
    r.figure_drawn = o.figure && draw_run_figure(dir.path(), o.python);
    dir.commit();
    return r;
}

}  // namespace memlab::lab
