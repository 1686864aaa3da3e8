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
