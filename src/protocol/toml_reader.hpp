#pragma once
// Private to the loaders of experiment files (protocol/experiment.cpp, md/diffusion.cpp): a TOML
// table reader that checks every key, takes every value with its unit and records the resolved
// value, and the --set override applied to the parsed file.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "memlab/error.hpp"
#include "memlab/units/units.hpp"
#include "memlab/util/names.hpp"

namespace memlab::protocol::detail {

// Reads one table, remembering which keys were read; finish() rejects the others (typos).
class reader {
public:
    reader(const toml::table* t, std::string path, const std::string& file, nlohmann::json& resolved)
        : t_(t), path_(std::move(path)), file_(file), out_(resolved) {}

    const std::string& file() const { return file_; }
    std::string key(std::string_view k) const { return path_.empty() ? std::string(k) : path_ + "." + std::string(k); }
    [[noreturn]] void fail(std::string_view k, const std::string& problem) const {
        if (key(k).empty()) throw input_error(fmt::format("{}: {}", file_, problem));
        throw input_error(fmt::format("{}: {}: {}", file_, key(k), problem));
    }
    const toml::node* get(std::string_view k) {
        used_.insert(std::string(k));
        return t_ ? t_->get(k) : nullptr;
    }
    bool has(std::string_view k) const {
        asked_.insert(std::string(k));
        return t_ && t_->contains(k);
    }

    double quantity(std::string_view k, std::string_view unit, std::optional<double> def = std::nullopt) {
        const toml::node* n = get(k);
        double v = 0;
        if (!n) {
            if (!def) fail(k, fmt::format("missing (a quantity in {})", unit));
            v = *def;
        } else {
            v = to_quantity(*n, k, unit);
        }
        out_[std::string(k)] = units::format(v, unit);
        return v;
    }
    std::vector<double> quantities(std::string_view k, std::string_view unit) {
        const toml::node* n = get(k);
        if (!n) fail(k, "missing");
        const toml::array* a = n->as_array();
        if (!a || a->empty()) fail(k, fmt::format("expected a non-empty list of quantities in {}", unit));
        std::vector<double> out;
        nlohmann::json shown = nlohmann::json::array();
        for (std::size_t i = 0; i < a->size(); ++i) {
            out.push_back(to_quantity(*a->get(i), fmt::format("{}[{}]", k, i), unit));
            shown.push_back(units::format(out.back(), unit));
        }
        out_[std::string(k)] = shown;
        return out;
    }
    // A map of rows x cols quantities (row-major): one quantity for every cell, or a list of rows,
    // each a list of cols quantities. Absent: `def` for every cell (or missing).
    std::vector<double> quantity_grid(std::string_view k, std::string_view unit, std::size_t rows, std::size_t cols,
                                      std::optional<double> def = std::nullopt) {
        const toml::node* n = get(k);
        if (!n) {
            if (!def) fail(k, fmt::format("missing (a quantity in {}, or {} rows of {})", unit, rows, cols));
            out_[std::string(k)] = units::format(*def, unit);
            return std::vector<double>(rows * cols, *def);
        }
        const toml::array* a = n->as_array();
        if (!a) {
            const double v = to_quantity(*n, k, unit);
            out_[std::string(k)] = units::format(v, unit);
            return std::vector<double>(rows * cols, v);
        }
        if (a->size() != rows) fail(k, fmt::format("has {} rows, the array {}", a->size(), rows));
        std::vector<double> out;
        nlohmann::json shown = nlohmann::json::array();
        for (std::size_t r = 0; r < rows; ++r) {
            const toml::array* row = a->get(r)->as_array();
            if (!row || row->size() != cols)
                fail(k, fmt::format("row {} is not a list of {} quantities in {}", r, cols, unit));
            shown.push_back(nlohmann::json::array());
            for (std::size_t c = 0; c < cols; ++c) {
                out.push_back(to_quantity(*row->get(c), fmt::format("{}[{}][{}]", k, r, c), unit));
                shown.back().push_back(units::format(out.back(), unit));
            }
        }
        out_[std::string(k)] = shown;
        return out;
    }
    std::string string(std::string_view k, std::optional<std::string> def = std::nullopt) {
        const toml::node* n = get(k);
        std::string v;
        if (!n) {
            if (!def) fail(k, "missing");
            v = *def;
        } else if (auto s = n->value<std::string>()) {
            v = *s;
        } else {
            fail(k, "expected a string");
        }
        out_[std::string(k)] = v;
        return v;
    }
    bool boolean(std::string_view k, bool def) {
        const toml::node* n = get(k);
        bool v = def;
        if (n) {
            if (auto x = n->value_exact<bool>()) v = *x;
            else fail(k, "expected true or false");
        }
        out_[std::string(k)] = v;
        return v;
    }
    std::int64_t integer(std::string_view k, std::optional<std::int64_t> def, std::int64_t lo, std::int64_t hi) {
        const toml::node* n = get(k);
        std::int64_t v = 0;
        if (!n) {
            if (!def) fail(k, "missing");
            v = *def;
        } else if (auto x = n->value_exact<std::int64_t>()) {
            v = *x;
        } else {
            fail(k, "expected an integer");
        }
        if (v < lo || v > hi) fail(k, fmt::format("{} is outside [{}, {}]", v, lo, hi));
        out_[std::string(k)] = v;
        return v;
    }
    std::vector<std::int64_t> integers(std::string_view k, std::int64_t lo, std::int64_t hi) {
        const toml::node* n = get(k);
        if (!n) return {};
        const toml::array* a = n->as_array();
        if (!a) fail(k, "expected a list of integers");
        std::vector<std::int64_t> out;
        for (std::size_t i = 0; i < a->size(); ++i) {
            auto x = a->get(i)->value_exact<std::int64_t>();
            if (!x) fail(k, fmt::format("element {} is not an integer", i + 1));
            if (*x < lo || *x > hi) fail(k, fmt::format("element {} ({}) is outside [{}, {}]", i + 1, *x, lo, hi));
            out.push_back(*x);
        }
        out_[std::string(k)] = out;
        return out;
    }
    std::vector<std::string> strings(std::string_view k, std::vector<std::string> def) {
        const toml::node* n = get(k);
        if (!n) {
            out_[std::string(k)] = def;
            return def;
        }
        const toml::array* a = n->as_array();
        if (!a) fail(k, "expected a list of strings");
        std::vector<std::string> out;
        for (std::size_t i = 0; i < a->size(); ++i) {
            auto s = a->get(i)->value<std::string>();
            if (!s) fail(k, fmt::format("element {} is not a string", i + 1));
            out.push_back(*s);
        }
        out_[std::string(k)] = out;
        return out;
    }
    // An array of tables ([[key]]), each read by its own reader.
    std::vector<reader> tables(std::string_view k) {
        const toml::node* n = get(k);
        std::vector<reader> out;
        if (!n) return out;
        const toml::array* a = n->as_array();
        if (!a || !a->is_array_of_tables()) fail(k, "expected [[" + key(k) + "]] tables");
        auto& list = out_[std::string(k)];
        list = nlohmann::json::array();
        for (std::size_t i = 0; i < a->size(); ++i) list.push_back(nlohmann::json::object());
        for (std::size_t i = 0; i < a->size(); ++i)
            out.emplace_back(a->get(i)->as_table(), fmt::format("{}[{}]", key(k), i + 1), file_, list[i]);
        return out;
    }
    // A sub-table (may be absent: then every read gives its default).
    reader sub(std::string_view k) {
        const toml::node* n = get(k);
        if (n && !n->is_table()) fail(k, "expected a table");
        return reader(n ? n->as_table() : nullptr, key(k), file_, out_[std::string(k)]);
    }
    void finish() const {
        if (!t_) return;
        for (const auto& [k, v] : *t_)
            if (!used_.count(std::string(k.str()))) {
                // Known here: every key the loader read or asked for (a model's parameters and states too).
                std::set<std::string> all(asked_);
                all.insert(used_.begin(), used_.end());
                fail(k.str(), fmt::format("unknown key ({})", util::known_names(std::string(k.str()), {all.begin(), all.end()})));
            }
    }
    const toml::table* table() const { return t_; }
    nlohmann::json& resolved() { return out_; }

private:
    double to_quantity(const toml::node& n, std::string_view k, std::string_view unit) const {
        const std::string where = fmt::format("{}: {}", file_, key(k));
        if (auto s = n.value<std::string>()) return units::parse(*s, unit, where);
        if (n.is_number()) return units::bare_number(*n.value<double>(), unit, where);
        throw input_error(fmt::format("{}: expected a quantity in {}", where, unit));
    }

    const toml::table* t_;
    std::string path_;
    const std::string& file_;
    nlohmann::json& out_;
    std::set<std::string> used_;
    mutable std::set<std::string> asked_;  // keys looked for with has()
};

// key=value: the value is read as TOML if it parses ("3", "[1, 2]", "\"x\""), else as a string
// ("10 MOhm", "vteam").
inline void apply_override(toml::table& root, const std::string& spec, const std::string& file) {
    // Text from a command line may be any bytes; a file's text is checked by the TOML parser.
    try {
        (void)nlohmann::json(spec).dump();
    } catch (const nlohmann::json::type_error&) {
        throw input_error(fmt::format("{}: --set: not valid UTF-8 text", file));
    }
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
        throw input_error(fmt::format("{}: --set '{}': expected key=value", file, spec));
    const std::string key = spec.substr(0, eq), value = spec.substr(eq + 1);
    toml::table* t = &root;
    std::size_t start = 0;
    for (auto dot = key.find('.'); dot != std::string::npos; start = dot + 1, dot = key.find('.', start)) {
        const std::string part = key.substr(start, dot - start);
        if (!t->contains(part)) t->insert(part, toml::table{});
        t = t->get(part)->as_table();
        if (!t) throw input_error(fmt::format("{}: --set {}: '{}' is not a table", file, key, part));
    }
    const std::string leaf = key.substr(start);
    try {
        toml::table parsed = toml::parse("v = " + value);
        t->insert_or_assign(leaf, *parsed.get("v"));
    } catch (const toml::parse_error&) {
        t->insert_or_assign(leaf, value);
    }
}

// A JSON value as the TOML it stands for (objects are tables, arrays arrays; integers stay
// integers), so that a table built in code is read by the same reader as a file.
inline toml::table json_table(const nlohmann::json& o);
inline toml::array json_array(const nlohmann::json& a);
inline void json_insert(toml::table& t, const std::string& key, const nlohmann::json& v) {
    if (v.is_object()) t.insert_or_assign(key, json_table(v));
    else if (v.is_array()) t.insert_or_assign(key, json_array(v));
    else if (v.is_boolean()) t.insert_or_assign(key, v.get<bool>());
    else if (v.is_number_integer()) t.insert_or_assign(key, v.get<std::int64_t>());
    else if (v.is_number()) t.insert_or_assign(key, v.get<double>());
    else if (v.is_string()) t.insert_or_assign(key, v.get<std::string>());
    else throw input_error(fmt::format("{}: a value of type {} has no TOML form", key, v.type_name()));
}
inline toml::array json_array(const nlohmann::json& a) {
    toml::array out;
    for (const auto& v : a) {
        if (v.is_object()) out.push_back(json_table(v));
        else if (v.is_array()) out.push_back(json_array(v));
        else if (v.is_boolean()) out.push_back(v.get<bool>());
        else if (v.is_number_integer()) out.push_back(v.get<std::int64_t>());
        else if (v.is_number()) out.push_back(v.get<double>());
        else if (v.is_string()) out.push_back(v.get<std::string>());
        else throw input_error(fmt::format("a list element of type {} has no TOML form", v.type_name()));
    }
    return out;
}
inline toml::table json_table(const nlohmann::json& o) {
    toml::table t;
    for (const auto& [k, v] : o.items()) json_insert(t, k, v);
    return t;
}

// Whether a file parses as TOML and holds a top-level table `name` ([md], [array]): how a loader
// recognises its kind of file. A file that does not parse is none of them (its loader says why).
inline bool file_has_table(const std::filesystem::path& file, std::string_view name) {
    try {
        return toml::parse_file(file.string()).contains(name);
    } catch (const std::exception&) {
        return false;
    }
}

// Parses a TOML file; input_error "FILE: no such file" / "FILE:LINE:COL: not valid TOML: ...".
inline toml::table parse_file(const std::filesystem::path& path) {
    const std::string file = path.string();
    if (!std::filesystem::exists(path)) throw input_error(fmt::format("{}: no such file", file));
    if (!std::filesystem::is_regular_file(path)) throw input_error(fmt::format("{}: not a regular file", file));
    try {
        return toml::parse_file(file);
    } catch (const toml::parse_error& err) {
        throw input_error(fmt::format("{}:{}:{}: not valid TOML: {}", file, err.source().begin.line, err.source().begin.column,
                                      err.description()));
    }
}

// The file parsed, then every `--set` key=value applied to it (apply_override), in order.
inline toml::table parse_file(const std::filesystem::path& path, const std::vector<std::string>& overrides) {
    toml::table root = parse_file(path);
    for (const auto& o : overrides) apply_override(root, o, path.string());
    return root;
}

// The [experiment] table's common keys. Every kind of file takes name (default: the file's stem),
// description and seed; `figure` and `targets` only where `keys` says so. The loader reads its own
// keys from `ex` afterwards and calls ex.finish().
struct experiment_header {
    std::string name, description, figure;
    std::uint64_t seed = 1;
    std::vector<std::string> targets;
};
enum header_keys : unsigned { header_figure = 1u, header_targets = 2u };
inline experiment_header read_header(reader& ex, const std::filesystem::path& path, unsigned keys,
                                     std::int64_t max_seed = std::numeric_limits<std::int64_t>::max()) {
    experiment_header h;
    h.name = ex.string("name", path.stem().string());
    h.description = ex.string("description", "");
    if (keys & header_figure) h.figure = ex.string("figure", "");
    h.seed = static_cast<std::uint64_t>(ex.integer("seed", 1, 0, max_seed));
    if (keys & header_targets) h.targets = ex.strings("targets", {});
    return h;
}

}  // namespace memlab::protocol::detail
