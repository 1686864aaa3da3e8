#include "memlab/units/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <fmt/format.h>

#include "memlab/error.hpp"

namespace memlab::units {
namespace {

// Prefixes as powers of ten, so that a value is scaled in decimal ("10 us" is exactly the double
// nearest 1e-5, as if written "10e-6"), not by a product with an inexact factor.
struct prefix {
    std::string_view symbol;
    int exponent;
};

constexpr std::array<prefix, 11> prefixes{{{"f", -15},
                                           {"p", -12},
                                           {"n", -9},
                                           {"u", -6},
                                           {"\xC2\xB5", -6},  // micro sign
                                           {"\xCE\xBC", -6},  // Greek mu
                                           {"m", -3},
                                           {"k", 3},
                                           {"M", 6},
                                           {"G", 9},
                                           {"T", 12}}};

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

// Power of ten of `given` against `expected` for one unit symbol: 0 if equal, the prefix's if
// `given` is a prefixed form of it.
std::optional<int> symbol_exponent(std::string_view given, std::string_view expected) {
    if (given == expected) return 0;
    if (given.size() > expected.size() && given.ends_with(expected)) {
        const std::string_view pre(given.data(), given.size() - expected.size());
        for (const auto& p : prefixes)
            if (pre == p.symbol) return p.exponent;
    }
    return std::nullopt;
}

// A unit may be a quotient ("V/s", "V/A"): numerator and denominator each take a prefix, so
// "V/us" is 1e6 V/s and "kV/A" is 1e3 V/A.
std::optional<int> unit_exponent(std::string_view given, std::string_view expected) {
    if (const auto f = symbol_exponent(given, expected)) return f;
    const auto gs = given.find('/'), es = expected.find('/');
    if (gs == std::string_view::npos || es == std::string_view::npos) return std::nullopt;
    const auto num = symbol_exponent(given.substr(0, gs), expected.substr(0, es));
    const auto den = symbol_exponent(given.substr(gs + 1), expected.substr(es + 1));
    if (!num || !den) return std::nullopt;
    return *num - *den;
}

// The number written as `digits` times 10^`exponent`, read as one decimal (correctly rounded).
double scaled(std::string_view digits, int exponent) {
    std::string text(digits);
    int e0 = 0;
    if (const auto e = text.find_first_of("eE"); e != std::string::npos) {
        std::from_chars(text.data() + e + 1 + (text[e + 1] == '+' ? 1 : 0), text.data() + text.size(), e0);
        text.erase(e);
    }
    text += "e" + std::to_string(e0 + exponent);
    double v = 0;
    std::from_chars(text.data(), text.data() + text.size(), v);
    return v;
}

}  // namespace

double finite(double value, std::string_view key) {
    if (!std::isfinite(value)) throw input_error(fmt::format("{}: value must be finite, got {}", key, value));
    return value;
}

double bare_number(double value, std::string_view unit, std::string_view key) {
    if (unit == "1" || unit.empty()) return finite(value, key);
    throw input_error(fmt::format("{}: a bare number needs a unit; write \"{} {}\"", key, value, unit));
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
    if (const auto x = unit_exponent(suffix, expected)) {
        const double v = *x == 0 ? number : scaled(std::string_view(s.data(), static_cast<std::size_t>(end - s.data())), *x);
        if (!std::isfinite(v)) throw input_error(fmt::format("{}: value must be finite, got '{}'", key, text));
        return v;
    }
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
    struct shown_prefix {
        std::string_view symbol;
        double factor;
    };
    static constexpr std::array<shown_prefix, 10> shown{{{"f", 1e-15},
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
    const shown_prefix* best = &shown.front();
    for (const auto& p : shown)
        if (mag >= p.factor * (1 - 1e-12)) best = &p;
    return fmt::format("{:.{}g} {}{}", value / best->factor, significant_digits, best->symbol, unit);
}

}  // namespace memlab::units
