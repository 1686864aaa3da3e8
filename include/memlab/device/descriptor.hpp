#pragma once
// A model's parameters and states, each declared once, as a row.
//
// A parameter row holds everything memlab knows about the parameter: the member of the model's
// struct of doubles it lowers to, its name (the one name in C++, TOML, Python and the docs), SI
// unit, default, allowed range, symbol in the equations, meaning and source. A state row holds the
// state's index, name, unit, absolute tolerance and meaning. parameter_table() and states(), the lowering
// into the struct, `memlab describe`, memlab.devices in Python and the docs tables are all made
// from these rows (as NEST's and arbor's parameter descriptions are).
//
// A model declares its rows in its .cpp, checks them at compile time, and derives from
// basic_model (basic_parameters for something without states, such as the access transistor), which lowers a candidate set through the rows, runs the model's consistency check
// on the lowered struct and commits it only if that passes:
//
//     constexpr parameter<vteam_params> parameter_rows[]{
//         {&vteam_params::r_on, "r_on", "Ohm", 1e3, {1e-3, 1e15}, "R_on", "resistance at w = w_on", calib},
//         ...};
//     static_assert(each_member_once(parameter_rows));
//     constexpr state<vteam_state::index> state_rows[]{{vteam_state::w, "w", "m", 1e-14, "width of the doped region"}};
//     static_assert(in_index_order(state_rows));
//     void check(const vteam_params& c) { if (!(c.r_off > c.r_on)) throw input_error("..."); }
//     vteam::vteam() : basic_model(parameter_rows, state_rows, check) {}
//
// and reads its states through named indices (s[vteam_state::w]), never s[0].
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "memlab/device/model.hpp"

namespace memlab::device {

// An allowed range, inclusive, SI. No bound: std::numeric_limits<double>::max() (or its negative).
struct range {
    double min, max;
};

template <class P>
struct parameter {
    double P::*member;
    std::string_view name;
    std::string_view unit;  // SI ("Ohm", "m/s", "1" for a number)
    double default_value;   // SI
    range allowed;
    std::string_view symbol;
    std::string_view meaning;
    std::string_view source;  // citation, or how the value was chosen
};

template <class E>
struct state {
    E index;
    std::string_view name;
    std::string_view unit;
    double abs_tolerance;  // for the integrator, in the state's unit
    std::string_view meaning;
};

// Every member of P (a struct of doubles and nothing else) has exactly one row, no name is used
// twice, and every default lies in its range: for a static_assert beside the rows.
template <class P, std::size_t N>
constexpr bool each_member_once(const parameter<P> (&rows)[N]) {
    if (N * sizeof(double) != sizeof(P)) return false;
    for (std::size_t i = 0; i < N; ++i) {
        if (!(rows[i].default_value >= rows[i].allowed.min && rows[i].default_value <= rows[i].allowed.max)) return false;
        if (rows[i].name.empty() || rows[i].unit.empty() || rows[i].meaning.empty() || rows[i].source.empty()) return false;
        for (std::size_t j = i + 1; j < N; ++j)
            if (rows[i].member == rows[j].member || rows[i].name == rows[j].name) return false;
    }
    return true;
}

// Row k is the state with index k (the order of the state vector), no name twice.
template <class E, std::size_t N>
constexpr bool in_index_order(const state<E> (&rows)[N]) {
    for (std::size_t i = 0; i < N; ++i) {
        if (static_cast<std::size_t>(rows[i].index) != i || rows[i].name.empty() || rows[i].unit.empty() || rows[i].meaning.empty())
            return false;
        for (std::size_t j = i + 1; j < N; ++j)
            if (rows[i].name == rows[j].name) return false;
    }
    return true;
}

// Anything whose parameters lower into P (Base: parameter_set, or model for a device model). Derived
// classes pass their rows (an array with static storage) and a consistency check of a lowered
// candidate (it throws input_error naming the parameter; nullptr: none); the rows' defaults are
// lowered and checked on construction.
template <class P, class Base = parameter_set>
class basic_parameters : public Base {
public:
    using check_fn = void (*)(const P& candidate);

    const std::vector<parameter_info>& parameter_table() const final { return *table_; }
    // The committed parameters, lowered.
    const P& params() const { return p_; }

protected:
    template <std::size_t N>
    basic_parameters(const parameter<P> (&rows)[N], check_fn check) : rows_(rows), check_(check), table_(&table_of(rows_)) {
        this->init_parameters();
    }

private:
    void commit(std::span<const double> values) final {
        P candidate{};
        for (std::size_t k = 0; k < rows_.size(); ++k) candidate.*(rows_[k].member) = values[k];
        if (check_) check_(candidate);
        p_ = candidate;
    }

    // One table per parameter struct, made on first use.
    static const std::vector<parameter_info>& table_of(std::span<const parameter<P>> rows) {
        static const std::vector<parameter_info> table = [&] {
            std::vector<parameter_info> t;
            for (const auto& r : rows)
                t.push_back({std::string(r.name), std::string(r.unit), r.default_value, r.allowed.min, r.allowed.max,
                             std::string(r.symbol), std::string(r.meaning), std::string(r.source)});
            return t;
        }();
        return table;
    }

    std::span<const parameter<P>> rows_;
    check_fn check_;
    const std::vector<parameter_info>* table_;

protected:
    P p_{};  // the committed parameters (the physics reads them; only commit() writes them)
};

// A device model whose parameters lower into P, with its states as rows.
template <class P>
class basic_model : public basic_parameters<P, model> {
public:
    const std::vector<state_info>& states() const final { return *states_; }

protected:
    template <std::size_t N, class E, std::size_t M>
    basic_model(const parameter<P> (&rows)[N], const state<E> (&states)[M], typename basic_parameters<P, model>::check_fn check = nullptr)
        : basic_parameters<P, model>(rows, check), states_(&states_of(std::span<const state<E>>(states))) {}

private:
    template <class E>
    static const std::vector<state_info>& states_of(std::span<const state<E>> rows) {
        static const std::vector<state_info> table = [&] {
            std::vector<state_info> t;
            for (const auto& r : rows) t.push_back({std::string(r.name), std::string(r.unit), r.abs_tolerance, std::string(r.meaning)});
            return t;
        }();
        return table;
    }

    const std::vector<state_info>* states_;
};

}  // namespace memlab::device
