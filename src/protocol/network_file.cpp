#include "memlab/protocol/network_file.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "memlab/error.hpp"
#include "memlab/device/mosfet.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/network/data.hpp"
#include "memlab/units/units.hpp"
#include "memlab/util/rng.hpp"
#include "sections.hpp"
#include "toml_reader.hpp"

namespace fs = std::filesystem;

namespace memlab::protocol {

using detail::reader;

bool is_network_file(const fs::path& file) { return detail::file_has_table(file, "network"); }

namespace {

// The numbers of one CSV line (commas, optional spaces); false if any field is not a number.
bool csv_numbers(const std::string& line, std::vector<double>& out) {
    out.clear();
    std::size_t pos = 0;
    while (pos <= line.size()) {
        std::size_t end = line.find(',', pos);
        if (end == std::string::npos) end = line.size();
        std::size_t a = pos, b = end;
        while (a < b && (line[a] == ' ' || line[a] == '\t')) ++a;
        while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t' || line[b - 1] == '\r')) --b;
        double x = 0;
        const auto [p, ec] = std::from_chars(line.data() + a, line.data() + b, x);
        if (ec != std::errc() || p != line.data() + b) return false;
        out.push_back(x);
        pos = end + 1;
    }
    return true;
}

fs::path beside(const reader& r, const std::string& name) {
    fs::path p(name);
    return p.is_absolute() ? p : fs::path(r.file()).parent_path() / p;
}

// A matrix file (`name`, relative to the network file: weights_file, conductance_files): `rows`
// lines of `cols` numbers, each times `scale`; errors name `key`.
network::matrix read_matrix_file(reader& r, const std::string& key, const std::string& name, std::size_t rows, std::size_t cols,
                                      double scale) {
    const fs::path path = beside(r, name);
    std::ifstream in(path);
    if (!in) r.fail(key, fmt::format("cannot open {}", path.string()));
    network::matrix g(rows, cols);
    std::string line;
    std::vector<double> x;
    std::size_t row = 0, n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty() || line == "\r") continue;
        if (row >= rows) r.fail(key, fmt::format("{}: more than {} rows", path.string(), rows));
        if (!csv_numbers(line, x) || x.size() != cols)
            r.fail(key, fmt::format("{}: line {}: expected {} comma-separated numbers", path.string(), n, cols));
        for (std::size_t j = 0; j < cols; ++j) g(row, j) = x[j] * scale;
        ++row;
    }
    if (row != rows) r.fail(key, fmt::format("{}: {} rows, the network has {} inputs", path.string(), row, rows));
    return g;
}

// weights_file: `rows` lines of `cols` numbers, in `unit`.
network::matrix read_weights_file(reader& r, const std::string& key, std::size_t rows, std::size_t cols, double scale) {
    return read_matrix_file(r, key, r.string(key), rows, cols, scale);
}

// A spikes file: the header "row,time (UNIT)", then one "row,time" line per spike.
network::input_spikes read_spikes_file(reader& r, std::size_t rows) {
    const fs::path path = beside(r, r.string("file"));
    std::ifstream in(path);
    if (!in) r.fail("file", fmt::format("cannot open {}", path.string()));
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string head = "row,time (";
    if (line.rfind(head, 0) != 0 || line.back() != ')')
        r.fail("file", fmt::format("{}: line 1: expected the header \"row,time (UNIT)\", e.g. \"row,time (ms)\"", path.string()));
    const double scale = units::parse("1 " + line.substr(head.size(), line.size() - head.size() - 1), "s", path.string() + ": line 1");
    network::input_spikes s;
    std::vector<double> x;
    std::size_t n = 1;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty() || line == "\r") continue;
        if (!csv_numbers(line, x) || x.size() != 2 || x[0] < 0 || x[0] != static_cast<double>(static_cast<std::size_t>(x[0])) ||
            x[0] >= static_cast<double>(rows) || !(x[1] >= 0))
            r.fail("file", fmt::format("{}: line {}: expected a row in 0..{} and a time >= 0", path.string(), n, rows - 1));
        if (!s.time.empty() && x[1] * scale < s.time.back())
            r.fail("file", fmt::format("{}: line {}: spikes must be in time order", path.string(), n));
        s.row.push_back(static_cast<std::size_t>(x[0]));
        s.time.push_back(x[1] * scale);
    }
    return s;
}


// Device mode, [network.learning] (docs/networks.md, Learning): the STDP pulses, the winner-take-all
// and the synapses' initial conductances, each cell's drawn log-uniformly in the given range.
void load_learning(reader& nw, network::experiment& e, double h_c) {
    auto& d = e.device;
    reader l = nw.sub("learning");
    e.learning = true;
    auto& L = e.stdp;
    L.pre = l.quantity("pre", "V", L.pre);
    L.potentiate = l.quantity("potentiate", "V", L.potentiate);
    L.potentiate_width = l.quantity("potentiate_width", "s", L.potentiate_width);
    L.depress = l.quantity("depress", "V", L.depress);
    L.depress_width = l.quantity("depress_width", "s", L.depress_width);
    // Counts of slots (or images for `refresh`), at least `least`.
    auto count = [&](const char* key, std::size_t def, std::int64_t least) {
        return static_cast<std::size_t>(l.integer(key, static_cast<std::int64_t>(def), least, 1 << 20));
    };
    L.pre_window = count("pre_window", L.pre_window, 1);
    L.inhibition = count("inhibition", L.inhibition, 0);
    L.refractory = count("refractory", L.refractory, 0);
    L.test_inhibition = count("test_inhibition", L.inhibition, 0);
    L.test_refractory = count("test_refractory", L.refractory, 0);
    L.refresh = count("refresh", L.refresh, 1);
    L.hold = count("hold", L.hold, 0);
    L.potentiate_probability = l.quantity("potentiate_probability", "1", L.potentiate_probability);
    L.depress_probability = l.quantity("depress_probability", "1", L.depress_probability);
    try {
        network::check(L);
    } catch (const input_error& err) {
        const std::string m = err.what();
        const std::string prefix = "network.learning.";
        const auto dot = m.find(':');
        l.fail(m.substr(prefix.size(), dot - prefix.size()), m.substr(dot + 2));
    }
    const auto range = l.has("initial_conductance") ? l.quantities("initial_conductance", "S") : std::vector<double>{3e-6, 30e-6};
    if (range.size() != 2 || !(range[0] > 0 && range[1] >= range[0]))
        l.fail("initial_conductance", "expected [low, high], 0 < low <= high, e.g. [\"3 uS\", \"30 uS\"]");
    e.learning_images = static_cast<std::size_t>(l.integer("images", 0, 0, 1 << 30));  // 0: the whole training set
    l.finish();
    if (d.differential) nw.sub("synapse").fail("differential", "learning is built for one column per neuron");
    if (nw.has("program")) nw.fail("program", "a learning network writes its synapses by its own pulses");
    if (e.rest > 0) nw.sub("synapse").fail("rest", "a learning network's synapses rest between its pulses on their own");
    // Each cell's initial conductance, log-uniform in the range (its own stream, apart from the inputs').
    util::rng g(e.seed ^ 0x6c6561726e696e67ULL);
    const double a = std::log(range[0]), b = std::log(range[1]);
    d.synapse_state.clear();
    try {
        for (std::size_t c = 0; c < d.inputs * d.neurons; ++c)
            d.synapse_state.push_back(network::agsn_bridged_state(*d.synapse_of(c), std::exp(a + (b - a) * g.uniform()), h_c));
    } catch (const input_error& err) {
        l.fail("initial_conductance", err.what());
    }
}

// Device mode: [network] line_resistance, [network.synapse], [network.neuron], [network.gain]
// (docs/networks.md, File keys).
void load_device(reader& nw, network::experiment& e) {
    auto& d = e.device;
    d.inputs = e.lif.inputs;
    d.neurons = e.lif.neurons;
    d.line_resistance = nw.quantity("line_resistance", "Ohm", 0.0);
    if (!(d.line_resistance >= 0)) nw.fail("line_resistance", "must not be negative");
    if (d.line_resistance > 0 && e.lvl == network::level::fast)
        nw.fail("line_resistance", "the fast level holds every line at its driver's level (0 Ohm only); level = \"circuit\" has line resistances");
    d.transistor = std::make_shared<device::mosfet>();
    double h_c = 3.35e-9;
    {
        reader y = nw.sub("synapse");
        const std::string model = y.string("model", "agsn_sio2_pt");
        if (model != "agsn_sio2_pt") y.fail("model", fmt::format("'{}': device mode is built for agsn_sio2_pt", model));
        d.synapse = std::shared_ptr<const device::model>(device::make_model(model));
        d.differential = y.boolean("differential", false);
        const std::string reads = y.string("read", "transient");
        if (reads != "transient" && reads != "held") y.fail("read", fmt::format("unknown '{}' (transient or held)", reads));
        d.reads = reads == "held" ? network::synapse_reads::held : network::synapse_reads::transient;
        if (d.reads == network::synapse_reads::held && e.lvl != network::level::fast)
            y.fail("read", "\"held\" is a fast-level shortcut; the circuit level runs every cell");
        // The conductances: `conductance` (inputs x columns(), or one for all), or with differential
        // pairs `conductance_files` = [G+ file, G- file] (inputs lines of neurons numbers each, in
        // `conductance_unit`), G+ on column 2k and G- on column 2k + 1.
        std::vector<double> g;
        if (y.has("conductance_files")) {
            if (y.has("conductance")) y.fail("conductance", "give conductance or conductance_files, not both");
            if (!d.differential) y.fail("conductance_files", "two files (G+ and G-) need differential = true");
            const auto files = y.strings("conductance_files", {});
            if (files.size() != 2) y.fail("conductance_files", "expected two file names, [G+ file, G- file]");
            const double scale = units::parse("1 " + y.string("conductance_unit"), "S", e.file + ": network.synapse.conductance_unit");
            const network::matrix plus = read_matrix_file(y, "conductance_files", files[0], d.inputs, d.neurons, scale);
            const network::matrix minus = read_matrix_file(y, "conductance_files", files[1], d.inputs, d.neurons, scale);
            for (std::size_t i = 0; i < d.inputs; ++i)
                for (std::size_t k = 0; k < d.neurons; ++k) {
                    g.push_back(plus(i, k));
                    g.push_back(minus(i, k));
                }
        } else if (nw.has("learning")) {
            // A learning network starts from drawn conductances (network.learning.initial_conductance).
            if (y.has("conductance")) y.fail("conductance", "a learning network starts from network.learning.initial_conductance; leave it out");
        } else {
            g = y.quantity_grid("conductance", "S", d.inputs, d.columns());
        }
        h_c = y.quantity("cluster_front", "m", h_c);
        e.rest = y.quantity("rest", "s", 0.0);
        if (!(e.rest >= 0)) y.fail("rest", "must not be negative");
        d.synapse_gate = y.quantity("gate", "V", d.synapse_gate);
        // [network.synapse.d2d]: each cell's parameters drawn once (device::draw_device, the run's
        // seed, cell c (row-major) as index neurons + c, after the neurons' indices), as
        // [device.d2d] draws an array's cells. The states below are each cell's own device's.
        const auto d2d = detail::read_d2d(y, *d.synapse);
        for (std::size_t c = 0; c < d.inputs * d.columns() && !d2d.empty(); ++c) {
            try {
                d.synapse_models.push_back(device::draw_device(*d.synapse, d2d, e.seed, d.neurons + c));
            } catch (const input_error& err) {
                y.fail("d2d", fmt::format("the parameters drawn for synapse {} are inconsistent: {}", c, err.what()));
            }
        }
        try {
            for (std::size_t c = 0; c < g.size(); ++c) d.synapse_state.push_back(network::agsn_bridged_state(*d.synapse_of(c), g[c], h_c));
        } catch (const input_error& err) {
            y.fail(y.has("conductance_files") ? "conductance_files" : "conductance", err.what());
        }
        y.finish();
    }
    {
        reader n = nw.sub("neuron");
        const std::string model = n.string("model", "agsn_sio2_pt");
        d.neuron = std::shared_ptr<const device::model>(device::make_model(model));
        // [network.neuron.d2d]: each neuron's parameters drawn once (device::draw_device, the run's
        // seed, neuron k as index k), as [device.d2d] draws an array's cells.
        const auto d2d = detail::read_d2d(n, *d.neuron);
        for (std::size_t k = 0; k < d.neurons && !d2d.empty(); ++k) {
            try {
                d.neuron_models.push_back(device::draw_device(*d.neuron, d2d, e.seed, k));
            } catch (const input_error& err) {
                n.fail("d2d", fmt::format("the parameters drawn for neuron {} are inconsistent: {}", k, err.what()));
            }
        }
        // [network.neuron.initial_state]: states by name (the rest the model's own), every neuron.
        if (n.has("initial_state")) {
            reader is = n.sub("initial_state");
            const auto& st = d.neuron->states();
            d.neuron_state.assign(st.size(), 0.0);
            d.neuron->initial_state(d.neuron_state);
            for (std::size_t k = 0; k < st.size(); ++k)
                if (is.has(st[k].name)) d.neuron_state[k] = is.quantity(st[k].name, st[k].unit);
            is.finish();
        }
        d.neuron_gate = n.quantity("gate", "V", d.neuron_gate);
        d.neuron_rail = n.quantity("rail", "V", d.neuron_rail);
        d.spike_current = n.quantity("spike_current", "A", d.spike_current);
        if (!(d.spike_current > 0)) n.fail("spike_current", "must be positive");
        d.spike_height = n.quantity("spike_height", "V", d.spike_height);
        if (!(d.spike_height > 0)) n.fail("spike_height", "must be positive");
        d.spike_width = n.quantity("spike_width", "s", d.spike_width);
        if (!(d.spike_width > 0)) n.fail("spike_width", "must be positive");
        n.finish();
    }
    {
        reader g = nw.sub("gain");
        d.gain.gain = g.quantity("gain", "V/A", d.gain.gain);
        d.gain.bandwidth = g.quantity("bandwidth", "Hz", d.gain.bandwidth);
        g.finish();
    }
    if (nw.has("inhibition")) {
        // The inhibition path between the comparators (winner-take-all while a spike's pulse is on).
        if (nw.has("learning")) nw.fail("inhibition", "with [network.learning] the winner-take-all is network.learning.inhibition");
        reader h = nw.sub("inhibition");
        d.inhibition = h.boolean("enabled", true);
        d.inhibition_resistance = h.quantity("resistance", "Ohm", d.inhibition_resistance);
        if (!(d.inhibition_resistance > 0)) h.fail("resistance", "must be positive");
        h.finish();
    }
    if (nw.has("learning")) load_learning(nw, e, h_c);
    if (nw.has("program")) {
        // Write-verify of every synapse before the run (array::controller::program on each cell
        // alone), from the relaxed trained state to the verify read of the state `conductance` gives.
        reader p = nw.sub("program");
        e.program = p.boolean("enabled", true);
        auto& s = e.programming;
        s.tolerance = p.quantity("tolerance", "1", 0.05);
        if (!(s.tolerance > 0 && s.tolerance < 1)) p.fail("tolerance", "must be in (0, 1)");
        s.max_pulses = static_cast<std::size_t>(p.integer("max_pulses", 100, 1, 100000));
        s.set_voltage = p.quantity("set_voltage", "V", 2.0);
        s.set_width = p.quantity("set_width", "s", 100e-9);
        s.set_start = p.quantity("set_gate_start", "V", 0.5);
        s.set_step = p.quantity("set_gate_step", "V", 0.01);
        s.set_max = p.quantity("set_gate_max", "V", 3.3);
        s.reset_start = p.quantity("reset_start", "V", 0.3);
        s.reset_step = p.quantity("reset_step", "V", 0.02);
        s.reset_max = p.quantity("reset_max", "V", 2.0);
        s.reset_width = p.quantity("reset_width", "s", 100e-9);
        s.reset_gate = p.quantity("reset_gate", "V", 3.3);
        s.verify.voltage = p.quantity("verify_voltage", "V", d.read_voltage);
        s.verify.width = p.quantity("verify_width", "s", 1e-6);
        s.verify.gate = d.synapse_gate;
        s.inhibit = array::scheme::gate;
        auto positive = [&](const char* k, double v) {
            if (!(v > 0)) p.fail(k, "must be positive");
        };
        positive("set_voltage", s.set_voltage), positive("set_width", s.set_width), positive("set_gate_start", s.set_start);
        positive("set_gate_step", s.set_step), positive("reset_start", s.reset_start), positive("reset_step", s.reset_step);
        positive("reset_width", s.reset_width), positive("reset_gate", s.reset_gate), positive("verify_voltage", s.verify.voltage);
        positive("verify_width", s.verify.width);
        if (!(s.set_max >= s.set_start)) p.fail("set_gate_max", "must not be below set_gate_start");
        if (!(s.reset_max >= s.reset_start)) p.fail("reset_max", "must not be below reset_start");
        p.finish();
        // Targets: the verify read of each exact state (the file's conductance, each device alone
        // at 0.1 V), through its transistor at the word line's level.
        s.target = network::matrix(d.inputs, d.columns());
        for (std::size_t c = 0; c < s.target.v.size(); ++c)
            s.target.v[c] = array::series_current(*d.synapse_of(c), d.synapse_state[c], d.transistor.get(), s.verify.voltage, s.verify.gate) / s.verify.voltage;
        e.program_initial.clear();
        for (std::size_t c = 0; c < (d.synapse_models.empty() ? 1 : d.synapse_models.size()); ++c)
            e.program_initial.push_back(network::agsn_relaxed_state(*d.synapse_of(c), h_c));
    }
}

// Input kinds that present images from a data set (their duration is the images').
bool image_kind(const std::optional<std::string>& kind) { return kind == "digits" || kind == "fashion_mnist"; }

}  // namespace

network::experiment load_network(const fs::path& path, const std::vector<std::string>& overrides) {
    network::experiment e;
    e.file = path.string();
    toml::table root = detail::parse_file(path, overrides);
    reader top(&root, "", e.file, e.resolved);

    reader ex = top.sub("experiment");
    auto head = detail::read_header(ex, path, detail::header_targets);
    e.name = std::move(head.name), e.description = std::move(head.description), e.seed = head.seed, e.targets = std::move(head.targets);
    ex.finish();

    reader nw = top.sub("network");
    const std::string mode = nw.string("mode", "lif");
    if (mode != "lif" && mode != "device") nw.fail("mode", fmt::format("unknown mode '{}' (lif or device)", mode));
    e.m = mode == "lif" ? network::mode::lif : network::mode::device;
    const bool device = e.m == network::mode::device;
    if (device) {
        const std::string level = nw.string("level", "fast");
        if (level != "fast" && level != "circuit") nw.fail("level", fmt::format("unknown level '{}' (fast or circuit)", level));
        e.lvl = level == "fast" ? network::level::fast : network::level::circuit;
    }
    auto& s = e.lif;
    s.inputs = static_cast<std::size_t>(nw.integer("inputs", std::nullopt, 1, 1 << 20));
    s.neurons = static_cast<std::size_t>(nw.integer("neurons", std::nullopt, 1, 1 << 20));
    s.dt = nw.quantity("dt", "s", 1e-4);
    if (!(s.dt > 0)) nw.fail("dt", "must be positive");
    // Images set the duration (every presentation and rest); otherwise it is required.
    const bool image_input = nw.has("input") && image_kind(root["network"]["input"]["kind"].value<std::string>());
    if (!image_input) {
        s.duration = nw.quantity("duration", "s");
        if (!(s.duration > 0)) nw.fail("duration", "must be positive");
    }
    if (device) {
        load_device(nw, e);
    } else {
        {
            reader n = nw.sub("neuron");
            auto& p = s.neuron;
            p.tau = n.quantity("tau", "s", p.tau);
            p.v_rest = n.quantity("v_rest", "V", p.v_rest);
            p.v_reset = n.quantity("v_reset", "V", p.v_reset);
            p.v_threshold = n.quantity("v_threshold", "V", p.v_threshold);
            p.refractory = n.quantity("refractory", "s", p.refractory);
            p.bias = n.quantity("bias", "V", p.bias);
            if (!(p.tau > 0)) n.fail("tau", "must be positive");
            if (!(p.refractory >= 0)) n.fail("refractory", "must not be negative");
            n.finish();
        }
        {
            reader y = nw.sub("synapse");
            if (y.has("weights_file")) {
                if (y.has("weight")) y.fail("weight", "give weight or weights_file, not both");
                const double scale = units::parse("1 " + y.string("weights_unit"), "V", e.file + ": network.synapse.weights_unit");
                s.weight = read_weights_file(y, "weights_file", s.inputs, s.neurons, scale);
            } else {
                s.weight = network::matrix(s.inputs, s.neurons);
                s.weight.v = y.quantity_grid("weight", "V", s.inputs, s.neurons);
            }
            y.finish();
        }
        {
            reader h = nw.sub("inhibition");
            s.inhibition = h.quantity("weight", "V", 0.0);
            h.finish();
        }
    }
    {
        reader in = nw.sub("input");
        const std::string kind = in.string("kind");
        if (kind == "spikes_file") {
            e.inputs = read_spikes_file(in, s.inputs);
        } else if (kind == "poisson") {
            const double rate = in.quantity("rate", "Hz");
            if (!(rate >= 0 && rate * s.dt <= 1)) in.fail("rate", "must be in [0, 1/dt]");
            e.inputs = network::poisson(std::vector<double>(s.inputs, rate), s.dt, s.duration, e.seed);
        } else if (image_kind(kind)) {
            if (device && e.device.reads != network::synapse_reads::held)
                in.fail("kind", fmt::format("{} in device mode need network.synapse.read = \"held\" (docs/networks.md)", kind));
            const bool digits = kind == "digits";
            const std::string set = in.string("set", "test");
            if (set != "train" && set != "test" && set != "validation")
                in.fail("set", fmt::format("unknown set '{}' (train, test or validation)", set));
            if (set == "validation" && !(e.learning && digits))
                in.fail("set", "\"validation\" (the training split's last images, held out of learning) is for learning networks on the digits");
            // set = "validation": the last `validation` images of the training split are presented
            // and held out of learning and labelling, for choosing a learning network's settings.
            const auto held_out = set == "validation" ? static_cast<std::size_t>(in.integer("validation", 300, 1, 100000)) : 0;
            network::image_set all, all_train;
            std::vector<std::size_t> index, train_index;
            if (digits) {
                // The sklearn digits have no split of their own: the stated one, by its seed.
                const auto seed = static_cast<std::uint64_t>(in.integer("split_seed", 1, 0, std::numeric_limits<std::int64_t>::max()));
                all = network::read_digits();
                const auto train = static_cast<std::size_t>(in.integer("train", 1200, 0, static_cast<std::int64_t>(all.count())));
                const auto split = network::split_indices(all.count(), train, seed);
                index = set == "train" ? split.train : split.test;
                train_index = split.train;
                if (held_out > 0) {
                    if (held_out >= split.train.size()) in.fail("validation", fmt::format("must be below the {} training images", split.train.size()));
                    index.assign(split.train.end() - static_cast<std::ptrdiff_t>(held_out), split.train.end());
                    train_index.resize(split.train.size() - held_out);
                }
            } else {
                // Fashion-MNIST's own split (60000 / 10000); `images` takes the first of the set.
                all = network::read_fashion_mnist(set == "train");
                index.resize(all.count());
                std::iota(index.begin(), index.end(), std::size_t{0});
                if (e.learning) {
                    // Learning trains on the training set whatever `set` presents.
                    if (set == "test") all_train = network::read_fashion_mnist(true);
                    train_index.resize(set == "test" ? all_train.count() : all.count());
                    std::iota(train_index.begin(), train_index.end(), std::size_t{0});
                }
            }
            const auto images = static_cast<std::size_t>(in.integer("images", static_cast<std::int64_t>(index.size()), 1,
                                                                    static_cast<std::int64_t>(index.size())));
            index.resize(images);
            const double rate = in.quantity("rate", "Hz");
            const double bias_rate = in.quantity("bias_rate", "Hz", 0.0);
            if (e.learning && bias_rate > 0) in.fail("bias_rate", "a learning network has no bias row");
            e.presentation = in.quantity("presentation", "s");
            const double rest = in.quantity("rest", "s", 0.0);
            const std::size_t rows = all.size + (bias_rate > 0 ? 1 : 0);
            if (s.inputs != rows)
                nw.fail("inputs", fmt::format("{} rows, {} need {} ({} pixels{})", s.inputs, kind, rows, all.size, bias_rate > 0 ? " and the bias row" : ""));
            e.presented = network::subset(all, index);
            if (e.learning) {
                if (train_index.empty()) in.fail("train", "a learning network needs training images");
                const auto slots = std::llround(e.presentation / s.dt);
                if (slots < 1) in.fail("presentation", "shorter than one slot (network.dt)");
                if (static_cast<std::int64_t>(e.stdp.hold) >= slots)
                    nw.sub("learning").fail("hold", fmt::format("{} slots hold the neurons for the whole presentation ({} slots)", e.stdp.hold, slots));
                if (e.learning_images > train_index.size())
                    nw.sub("learning").fail("images", fmt::format("{} training images, the set has {}", e.learning_images, train_index.size()));
                if (e.learning_images > 0) train_index.resize(e.learning_images);
                e.train = network::subset(all_train.count() > 0 ? all_train : all, train_index);
                e.train_index = train_index;
            }
            e.coding = {.rate_max = rate, .bias_rate = bias_rate, .presentation = e.presentation, .rest = rest, .dt = s.dt, .seed = e.seed};
            try {
                e.image_start = network::rate_encoder(e.presented, e.coding).starts();  // checks the rates
            } catch (const input_error& err) {
                in.fail("rate", err.what());
            }
            for (std::size_t n : index) e.labels.push_back(all.labels[n]);
            e.image_index = index;
            s.resets = e.image_start;
            e.device.resets = e.image_start;
            s.duration = static_cast<double>(images) * (e.presentation + rest);
            if (nw.has("duration")) nw.fail("duration", "set by the images (images x (presentation + rest)); leave it out");
        } else {
            in.fail("kind", fmt::format("unknown input '{}' (spikes_file, poisson, digits or fashion_mnist)", kind));
        }
        if (e.learning && !image_kind(kind)) in.fail("kind", "a learning network learns images (digits or fashion_mnist)");
        if (device) {
            auto& d = e.device;
            d.read_voltage = in.quantity("read_voltage", "V", d.read_voltage);
            d.pulse_width = in.quantity("pulse_width", "s", d.pulse_width);
            d.edge = in.quantity("edge", "s", d.edge);
        }
        in.finish();
    }
    nw.finish();
    // The engine's tolerances for every device-mode simulation (cells, neurons, whole circuits).
    if (top.has("solver")) {
        if (!device) top.fail("solver", "the LIF mode does not run on the engine; [solver] applies to mode = \"device\"");
        reader sol = top.sub("solver");
        e.device.solver = detail::read_solver(sol);
        sol.finish();
    }
    top.finish();
    try {
        if (device) {
            e.device.duration = s.duration;
            network::check(e.device);
        } else {
            network::check(s);
        }
    } catch (const input_error& err) {
        throw input_error(fmt::format("{}: {}", e.file, err.what()));
    }
    return e;
}

}  // namespace memlab::protocol
