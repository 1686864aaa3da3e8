#include <gtest/gtest.h>

#include <limits>

#include "memlab/error.hpp"
#include "memlab/units/units.hpp"

using memlab::input_error;
namespace u = memlab::units;

TEST(Units, ParsesPrefixesAndSpellings) {
    EXPECT_DOUBLE_EQ(u::parse("2 MOhm", "Ohm", "k"), 2e6);
    EXPECT_DOUBLE_EQ(u::parse("2 Mohm", "Ohm", "k"), 2e6);
    EXPECT_DOUBLE_EQ(u::parse("2 m\xE2\x84\xA6", "Ohm", "k"), 2e-3);
    EXPECT_DOUBLE_EQ(u::parse("1 kOhm", "ohm", "k"), 1e3);
    EXPECT_DOUBLE_EQ(u::parse("10 us", "s", "k"), 10e-6);
    EXPECT_DOUBLE_EQ(u::parse("10 \xC2\xB5s", "s", "k"), 10e-6);
    EXPECT_DOUBLE_EQ(u::parse("1 mA", "A", "k"), 1e-3);
    EXPECT_DOUBLE_EQ(u::parse("10nA", "A", "k"), 10e-9);
    EXPECT_DOUBLE_EQ(u::parse("1 V/s", "V/s", "k"), 1.0);
    EXPECT_DOUBLE_EQ(u::parse("5 mV/s", "V/s", "k"), 5e-3);
    EXPECT_DOUBLE_EQ(u::parse("0.1 V/us", "V/s", "k"), 1e5);  // prefixes in the denominator too
    EXPECT_DOUBLE_EQ(u::parse("10 kV/A", "V/A", "k"), 1e4);
    EXPECT_DOUBLE_EQ(u::parse("1 mV/ms", "V/s", "k"), 1.0);
    EXPECT_THROW(u::parse("1 V/m", "V/s", "k"), memlab::input_error);
    EXPECT_DOUBLE_EQ(u::parse("3 fF", "F", "k"), 3e-15);
    EXPECT_DOUBLE_EQ(u::parse("0.5 pF", "F", "k"), 0.5e-12);
    EXPECT_DOUBLE_EQ(u::parse("1.5 GHz", "Hz", "k"), 1.5e9);
    EXPECT_DOUBLE_EQ(u::parse("-0.8 V", "V", "k"), -0.8);
    EXPECT_DOUBLE_EQ(u::parse("2.5e-3 S", "S", "k"), 2.5e-3);
    EXPECT_DOUBLE_EQ(u::parse("3 nm", "m", "k"), 3e-9);
    EXPECT_DOUBLE_EQ(u::parse("3 mm", "m", "k"), 3e-3);
    EXPECT_DOUBLE_EQ(u::parse("7", "1", "k"), 7.0);
}

TEST(Units, UnitsAreCaseSensitiveWhereItMatters) {
    EXPECT_DOUBLE_EQ(u::parse("1 mS", "S", "k"), 1e-3);  // millisiemens
    EXPECT_THROW(u::parse("1 mS", "s", "k"), input_error);  // not milliseconds
    EXPECT_THROW(u::parse("1 MS", "s", "k"), input_error);
}

TEST(Units, BadInputNamesTheKey) {
    auto message = [](const char* text, const char* unit) {
        try {
            u::parse(text, unit, "circuit.series_resistance");
        } catch (const input_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    for (auto [text, unit] : {std::pair{"2 MV", "Ohm"}, {"2", "Ohm"}, {"abc", "s"}, {"inf V", "V"}, {"nan A", "A"},
                              {"1 xs", "s"}, {"1 V", "1"}, {"", "V"}, {"0.r0\n1V", "V"}, {"1 \x01V", "V"}}) {
        const std::string m = message(text, unit);
        EXPECT_NE(m, "no error") << text;
        EXPECT_NE(m.find("circuit.series_resistance"), std::string::npos) << m;
        EXPECT_EQ(m.find('\n'), std::string::npos) << m;  // one line
    }
}

TEST(Units, ControlCharactersOfTheInputAreQuotedInTheErrorLine) {
    // Found by fuzz_units (tests/fuzz/regressions/units/newline-in-unit): the error echoed the
    // unit with its newline, a message of two lines.
    try {
        u::parse("0.r0\n1V", "V", "k");
        FAIL() << "accepted";
    } catch (const input_error& e) {
        EXPECT_NE(std::string(e.what()).find("r0\\n1V"), std::string::npos) << e.what();
    }
    EXPECT_EQ(memlab::one_line("a\tb\x01\x7f\r"), "a\\tb\\x01\\x7f\\r");
}

TEST(Units, CheckedValues) {
    EXPECT_THROW(u::positive(0.0, "k"), input_error);
    EXPECT_THROW(u::positive(-1.0, "k"), input_error);
    EXPECT_THROW(u::finite(std::numeric_limits<double>::quiet_NaN(), "k"), input_error);
    EXPECT_THROW(u::non_negative(-1e-30, "k"), input_error);
    EXPECT_EQ(u::non_negative(0.0, "k"), 0.0);
}

TEST(Units, FormatsWithEngineeringPrefix) {
    EXPECT_EQ(u::format(2e6, "Ohm"), "2 MOhm");
    EXPECT_EQ(u::format(1e-5, "s"), "10 us");
    EXPECT_EQ(u::format(-0.8, "V"), "-800 mV");
    EXPECT_EQ(u::format(1e-8, "A"), "10 nA");
    EXPECT_EQ(u::format(0.0, "V"), "0 V");
    // Round trip.
    for (double x : {1.234e-13, 5e-9, 0.77, 12.0, 3.3e4, 2e9})
        EXPECT_NEAR(u::parse(u::format(x, "V"), "V", "k"), x, 1e-9 * x);
}
