// Quantities as a user writes them: units::parse against every unit the experiment files and the
// device tables use, and format() of what it returned. Input: the first byte picks the unit, the
// rest is the text.
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "memlab/units/units.hpp"

namespace {
const char* const units_used[] = {"1", "s", "V", "A", "Ohm", "F", "S", "m", "V/s", "A/s", "Hz", "K", "eV", "m/s", "m^2/s",
                                  "g/cm^3", "J", "W", "C", "V/m", "1/s", "m^2", "kg", "H", "m^-3", ""};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const char* unit = units_used[data[0] % (sizeof units_used / sizeof units_used[0])];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    double v = 0;
    if (!memlab::fuzz::accepts([&] { v = memlab::units::parse(text, unit, "fuzz.key"); })) return 0;
    if (!std::isfinite(v)) memlab::fuzz::finding("parse returned a value that is not finite", std::string(text).c_str());
    // What memlab writes back must read again as the same quantity (to its 6 digits).
    const std::string shown = memlab::units::format(v, unit);
    double again = 0;
    if (!memlab::fuzz::accepts([&] { again = memlab::units::parse(shown, unit, "fuzz.key"); }))
        memlab::fuzz::finding("format() wrote what parse() rejects", shown.c_str());
    if (std::fabs(again - v) > 1e-5 * std::fabs(v)) memlab::fuzz::finding("format() does not read back", shown.c_str());
    return 0;
}
