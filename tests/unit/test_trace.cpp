#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "memlab/error.hpp"
#include "memlab/io/hdf5_trace.hpp"

using namespace memlab;
namespace fs = std::filesystem;

TEST(Trace, Hdf5StreamsInChunksAndReadsBack) {
    const fs::path dir = fs::temp_directory_path() / "memlab_trace_test";
    fs::create_directories(dir);
    const std::string path = (dir / "t.h5").string();
    {
        io::hdf5_trace h(path, "run", 16);
        h.begin({{"time", "s"}, {"v(out)", "V"}});
        for (int k = 0; k < 1000; ++k) {
            const double row[2] = {k * 1e-6, 0.5 * k};
            h.append(row);
        }
        h.finish();
        EXPECT_FALSE(fs::exists(path));  // still under its temporary name
        h.commit();
    }
    ASSERT_TRUE(fs::exists(path));
    const auto t = io::read_hdf5_channel(path, "run", "time");
    const auto v = io::read_hdf5_channel(path, "run", "v(out)");
    ASSERT_EQ(t.size(), 1000u);
    EXPECT_DOUBLE_EQ(t[999], 999e-6);
    EXPECT_DOUBLE_EQ(v[10], 5.0);
    fs::remove_all(dir);
}

TEST(Trace, UncommittedFileLeavesNothing) {
    const fs::path dir = fs::temp_directory_path() / "memlab_trace_test2";
    fs::create_directories(dir);
    const std::string path = (dir / "t.h5").string();
    {
        io::hdf5_trace h(path, "run");
        h.begin({{"time", "s"}});
        const double row[1] = {0.0};
        h.append(row);
    }  // destroyed without commit: a failed run
    EXPECT_TRUE(fs::is_empty(dir));
    fs::remove_all(dir);
}

namespace {

// Rows through a thinned_trace into memory, with one absolute tolerance for every channel.
io::memory_trace thinned(const std::vector<std::vector<double>>& rows, double rtol, double atol) {
    io::memory_trace out;
    io::thinned_trace thin(out, rtol, [atol](const io::channel&) { return atol; });
    thin.begin({{"time", "s"}, {"v", "V"}});
    for (const auto& r : rows) thin.append(r);
    thin.finish();
    return out;
}

}  // namespace

TEST(Trace, ThinnedKeepsTheCornersOfAPiecewiseLinearTrace) {
    // A ramp up to t = 3, flat to t = 6, a jump from 3 to 2 (an event: two rows at t = 6), down
    // to -1 at t = 9.
    std::vector<std::vector<double>> rows;
    for (int k = 0; k <= 90; ++k) {
        const double t = 0.1 * k;
        if (k == 60) rows.push_back({t, 3.0});  // before the event
        rows.push_back({t, k <= 30 ? t : k < 60 ? 3.0 : 8 - t});
    }
    const auto out = thinned(rows, 1e-9, 1e-12);
    const auto& t = out.time();
    const auto& v = out.column("v");
    ASSERT_EQ(t.size(), 5u);  // start, the end of the ramp, both rows of the jump, the end
    EXPECT_DOUBLE_EQ(t[0], 0.0);
    EXPECT_NEAR(t[1], 3.0, 1e-12);
    EXPECT_NEAR(t[2], 6.0, 1e-12);
    EXPECT_NEAR(t[3], 6.0, 1e-12);
    EXPECT_DOUBLE_EQ(v[2], 3.0);
    EXPECT_NEAR(v[3], 2.0, 1e-12);
    EXPECT_NEAR(t[4], 9.0, 1e-12);
    EXPECT_NEAR(v[4], -1.0, 1e-12);
    // A tolerance of 0 still drops the rows exactly on a line (floating point allowing).
    EXPECT_LT(thinned(rows, 0, 0).size(), rows.size() / 2);
}

TEST(Trace, ThinnedGivesBackEveryRowWithinTheTolerance) {
    // A decaying oscillation: the kept rows, read by linear interpolation, give back each row
    // within rtol |v| + atol, and the rows kept are fewer the larger the tolerance.
    std::vector<std::vector<double>> rows;
    for (int k = 0; k < 20000; ++k) {
        const double t = 1e-4 * k;
        rows.push_back({t, std::exp(-t) * std::sin(20 * t) + 1e-3 * t});
    }
    std::size_t last = rows.size() + 1;
    for (const double rtol : {1e-6, 1e-4, 1e-2}) {
        const double atol = 1e-9;
        const auto out = thinned(rows, rtol, atol);
        const auto& t = out.time();
        const auto& v = out.column("v");
        EXPECT_LT(t.size(), last);
        last = t.size();
        std::size_t j = 0;
        for (const auto& r : rows) {
            while (j + 1 < t.size() && t[j + 1] < r[0]) ++j;
            const double f = (r[0] - t[j]) / (t[j + 1] - t[j]);
            const double line = v[j] + f * (v[j + 1] - v[j]);
            EXPECT_LE(std::fabs(line - r[1]), rtol * std::fabs(r[1]) + atol) << "t = " << r[0] << ", rtol = " << rtol;
        }
    }
}
