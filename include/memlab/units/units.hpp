#pragma once
// Quantities with units at the edges, SI doubles inside.
//
// A quantity is written as a number followed by an optional SI prefix and a unit: "2 MOhm",
// "10 us", "1 mA", "1 V/s", "0.5 pF", "4.2e-3 S". Prefixes f p n u (or the micro sign) m k M G.
// "Ohm", "ohm" and the sign for ohm are the same unit. Each user-facing value has one expected unit;
// anything else (a different unit, a missing unit, a non-finite number) is an input_error that
// names the key.
#include <string>
#include <string_view>

namespace memlab::units {

// Parses `text` as a quantity in `unit` (for example "Ohm", "s", "V/s", "m", "1" for a pure number)
// and returns its value in SI. `key` names the value in error messages ("device.r_on").
double parse(std::string_view text, std::string_view unit, std::string_view key);

// A number given without its unit (a TOML or Python number): accepted only for a pure number
// (`unit` "1"); anything else is an input_error asking for the unit, as "4 s" would be meant.
double bare_number(double value, std::string_view unit, std::string_view key);

// Checks that an SI value is finite (and, for the checked variants, positive / non-negative);
// returns it. The message names the key.
double finite(double value, std::string_view key);
double positive(double value, std::string_view key);
double non_negative(double value, std::string_view key);

// Writes an SI value with an engineering prefix: format(2e6, "Ohm") == "2 MOhm".
std::string format(double value, std::string_view unit, int significant_digits = 6);

}  // namespace memlab::units
