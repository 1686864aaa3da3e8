#include "memlab/circuit/circuit.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <numeric>
#include <set>

#include "elements.hpp"
#include "memlab/error.hpp"

namespace memlab::circuit {

circuit::circuit() : nodes_{"0"}, node_index_{{"0", 0}} {}
circuit::~circuit() = default;
circuit::circuit(circuit&&) noexcept = default;
circuit& circuit::operator=(circuit&&) noexcept = default;

int circuit::node(std::string name) {
    if (name == "gnd" || name == "GND" || name == "0") return 0;
    if (name.empty()) throw input_error("circuit: empty node name");
    const auto [it, added] = node_index_.try_emplace(name, nodes_.size());
    if (added) nodes_.push_back(std::move(name));
    return static_cast<int>(it->second);
}

bool circuit::has_node(std::string_view name) const {
    return name == "gnd" || name == "GND" || node_index_.count(std::string(name));
}

std::size_t circuit::node_index(std::string_view name) const {
    if (name == "gnd" || name == "GND" || name == "0") return 0;
    const auto it = node_index_.find(std::string(name));
    if (it == node_index_.end()) throw input_error(fmt::format("circuit: unknown node '{}'", name));
    return it->second;
}

const element& circuit::find(std::string_view name) const {
    const auto it = element_index_.find(std::string(name));
    if (it == element_index_.end()) throw input_error(fmt::format("circuit: unknown element '{}'", name));
    return *elements_[it->second];
}

void circuit::add(std::unique_ptr<element> e) {
    if (e->name().empty()) throw input_error("circuit: element without a name");
    if (element_index_.count(e->name()))
        throw input_error(fmt::format("circuit: element name '{}' is used twice", e->name()));
    for (const auto& t : e->terminal_names()) e->nodes.push_back(node(t));
    element_index_.emplace(e->name(), elements_.size());
    elements_.push_back(std::move(e));
}

void circuit::add_resistor(std::string name, std::string a, std::string b, double r) {
    add(std::make_unique<resistor>(std::move(name), std::move(a), std::move(b), r));
}
void circuit::add_capacitor(std::string name, std::string a, std::string b, double c) {
    add(std::make_unique<capacitor>(std::move(name), std::move(a), std::move(b), c));
}
void circuit::add_voltage_source(std::string name, std::string p, std::string n, stimulus::waveform_ptr w) {
    add(std::make_unique<voltage_source>(std::move(name), std::move(p), std::move(n), std::move(w)));
}
void circuit::add_smu(std::string name, std::string p, std::string n, stimulus::waveform_ptr w, smu_params params) {
    add(std::make_unique<smu>(std::move(name), std::move(p), std::move(n), std::move(w), params));
}
void circuit::add_tia(std::string name, std::string in, std::string out, tia_params params, stimulus::waveform_ptr reference) {
    add(std::make_unique<tia>(std::move(name), std::move(in), std::move(out), params, std::move(reference)));
}
void circuit::add_tia_on_node(std::string name, std::string in, std::string out, tia_params params, std::string reference) {
    add(std::make_unique<tia>(std::move(name), std::move(in), std::move(out), params, std::move(reference)));
}
void circuit::add_vcvs(std::string name, std::string p, std::string n, std::string cp, std::string cn, double gain) {
    add(std::make_unique<vcvs>(std::move(name), std::move(p), std::move(n), std::move(cp), std::move(cn), gain));
}
void circuit::add_comparator(std::string name, std::string_view sensed, std::string out, std::string inhibit, comparator_params params) {
    const element* s = nullptr;
    try {
        s = &find(sensed);
    } catch (const input_error&) {
        throw input_error(fmt::format("{}: senses '{}', which is not an element added before it", name, sensed));
    }
    add(std::make_unique<comparator>(std::move(name), *s, std::move(out), std::move(inhibit), params));
}
void circuit::add_memristor(std::string name, std::string p, std::string n, device::model_ptr model,
                            std::vector<double> s0) {
    add(std::make_unique<memristor>(std::move(name), std::move(p), std::move(n), std::move(model), std::move(s0)));
}

void circuit::add_transistor(std::string name, std::string d, std::string g, std::string s, std::string b,
                             std::shared_ptr<const device::mosfet> model, bool capacitances) {
    add(std::make_unique<transistor>(std::move(name), std::move(d), std::move(g), std::move(s), std::move(b), std::move(model), capacitances));
}

void circuit::check() const {
    if (elements_.empty()) throw input_error("circuit: no elements");
    const std::size_t n = nodes_.size();
    // Union-find over the element connections: every node must reach ground.
    std::vector<std::size_t> parent(n);
    std::iota(parent.begin(), parent.end(), 0);
    auto root = [&](std::size_t x) {
        while (parent[x] != x) x = parent[x] = parent[parent[x]];
        return x;
    };
    std::vector<std::vector<std::string>> touched(n);
    std::vector<bool> may_dangle(n, false);
    for (const auto& e : elements_) {
        for (auto [a, b] : e->connections()) parent[root(static_cast<std::size_t>(a))] = root(static_cast<std::size_t>(b));
        for (std::size_t k = 0; k < e->nodes.size(); ++k) {
            touched[static_cast<std::size_t>(e->nodes[k])].push_back(e->name());
            if (e->terminal_may_dangle(k)) may_dangle[static_cast<std::size_t>(e->nodes[k])] = true;
        }
    }
    for (std::size_t k = 1; k < n; ++k) {
        if (root(k) != root(0))
            throw input_error(fmt::format("circuit: node '{}' is floating (no path to ground through {})", nodes_[k],
                                          fmt::join(touched[k], ", ")));
        if (touched[k].size() == 1 && !may_dangle[k])
            throw input_error(fmt::format("circuit: node '{}' is connected only to {} (a misspelt node name?)",
                                          nodes_[k], touched[k][0]));
    }
}

}  // namespace memlab::circuit
