#include "memlab/units/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <fmt/format.h>

#include "memlab/error.hpp"

namespace memlab::units {
namespace {

struct prefix {
    std::string_view symbol;
    double factor;
};

constexpr std::array<prefix, 11> prefixes{{{"f", 1e-15},
                                           {"p", 1e-12},
                                           {"n", 1e-9},
                                           {"u", 1e-6},
                                           {"\xC2\xB5", 1e-6},  // micro sign
                                           {"\xCE\xBC", 1e-6},  // Greek mu
                                           {"m", 1e-3},
                                           {"k", 1e3},
                                           {"M", 1e6},
                                           {"G", 1e9},
                                           {"T", 1e12}}};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The ohm has three spellings; everything else is matched exactly (units are case sensitive:
// "mS" is millisiemens, "ms" milliseconds).
std::string canonical_unit(std::string_view u) {
    std::string out(u);
    for (std::string_view alias : {"ohm", "\xCE\xA9", "\xE2\x84\xA6"}) {  // ohm, Omega, Ohm sign
        for (auto pos = out.find(alias); pos != std::string::npos; pos = out.find(alias, pos + 3))
            out.replace(pos, alias.size(), "Ohm");
    }
    return out;
}

// Factor of `given` against `expected` for one unit symbol: 1 if equal, the prefix's factor if
// `given` is a prefixed form of it.
std::optional<double> symbol_factor(std::string_view given, std::string_view expected) {
    if (given == expected) return 1.0;
    if (given.size() > expected.size() && given.ends_with(expected)) {
        const std::string_view pre(given.data(), given.size() - expected.size());
        for (const auto& p : prefixes)
            if (pre == p.symbol) return p.factor;
    }
    return std::nullopt;
}

// A unit may be a quotient ("V/s", "V/A"): numerator and denominator each take a prefix, so
// "V/us" is 1e6 V/s and "kV/A" is 1e3 V/A.
std::optional<double> unit_factor(std::string_view given, std::string_view expected) {
    if (const auto f = symbol_factor(given, expected)) return f;
    const auto gs = given.find('/'), es = expected.find('/');
    if (gs == std::string_view::npos || es == std::string_view::npos) return std::nullopt;
    const auto num = symbol_factor(given.substr(0, gs), expected.substr(0, es));
    const auto den = symbol_factor(given.substr(gs + 1), expected.substr(es + 1));
    if (!num || !den) return std::nullopt;
    return *num / *den;
}

}  // namespace

double finite(double value, std::string_view key) {
    if (!std::isfinite(value)) throw input_error(fmt::format("{}: value must be finite, got {}", key, value));
    return value;
}

double positive(double value, std::string_view key) {
    finite(value, key);
    if (!(value > 0)) throw input_error(fmt::format("{}: must be positive, got {}", key, value));
    return value;
}

double non_negative(double value, std::string_view key) {
    finite(value, key);
    if (value < 0) throw input_error(fmt::format("{}: must not be negative, got {}", key, value));
    return value;
}

double parse(std::string_view text, std::string_view unit, std::string_view key) {
    const std::string_view s = trim(text);
    double number = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), number);
    if (ec != std::errc() || end == s.data())
        throw input_error(fmt::format("{}: '{}' is not a number with a unit (expected e.g. '1 {}')", key,
                                      text, unit == "1" ? "" : unit));
    if (!std::isfinite(number))
        throw input_error(fmt::format("{}: value must be finite, got '{}'", key, text));
    const std::string suffix = canonical_unit(trim(std::string_view(end, s.data() + s.size() - end)));
    const std::string expected = canonical_unit(unit);
    if (expected == "1" || expected.empty()) {
        if (!suffix.empty())
            throw input_error(fmt::format("{}: expected a plain number, got unit '{}'", key, suffix));
        return number;
    }
    if (suffix.empty())
        throw input_error(fmt::format("{}: '{}' has no unit; write e.g. '{} {}'", key, text, s, unit));
    if (const auto f = unit_factor(suffix, expected)) return number * *f;
    throw input_error(fmt::format("{}: unit '{}' is not a form of '{}' (prefixes f p n u m k M G T)", key,
                                  suffix, unit));
}

std::string format(double value, std::string_view unit, int significant_digits) {
    // Prefixes only on simple units ("2 MOhm", "10 us"); a compound unit ("1/V", "m^4/s",
    // "Ohm m") takes the number as it is, since "50 m1/V" or "3 am^4/s" would misread.
    const bool compound = unit.find_first_of("/^ (") != std::string_view::npos;
    if (!std::isfinite(value) || value == 0 || unit == "1" || unit.empty() || compound)
        return unit == "1" || unit.empty() ? fmt::format("{:.{}g}", value, significant_digits)
                                           : fmt::format("{:.{}g} {}", value, significant_digits, unit);
    static constexpr std::array<prefix, 10> shown{{{"f", 1e-15},
                                                  {"p", 1e-12},
                                                  {"n", 1e-9},
                                                  {"u", 1e-6},
                                                  {"m", 1e-3},
                                                  {"", 1.0},
                                                  {"k", 1e3},
                                                  {"M", 1e6},
                                                  {"G", 1e9},
                                           {"T", 1e12}}};
    const double mag = std::fabs(value);
    const prefix* best = &shown.front();
    for (const auto& p : shown)
        if (mag >= p.factor * (1 - 1e-12)) best = &p;
    return fmt::format("{:.{}g} {}{}", value / best->factor, significant_digits, best->symbol, unit);
}

}  // namespace memlab::units
