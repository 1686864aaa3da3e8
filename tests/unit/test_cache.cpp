// The result cache (keys, entries stored in one rename, the size bound), the sweep's table files
// (the same table gives the same bytes) and SHA-256 against FIPS 180-4's examples.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <thread>

#include "memlab/error.hpp"
#include "memlab/io/table.hpp"
#include "memlab/lab/cache.hpp"
#include "memlab/util/hash.hpp"

namespace fs = std::filesystem;
using namespace memlab;

namespace {

fs::path fresh(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("memlab_unit_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

std::string bytes(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

}  // namespace

TEST(Hash, Sha256OfTheStandardsExamples) {
    EXPECT_EQ(util::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(util::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const fs::path d = fresh("hash");
    std::ofstream(d / "abc") << "abc";
    EXPECT_EQ(util::sha256_file_hex(d / "abc"), util::sha256_hex("abc"));
    EXPECT_THROW(util::sha256_file_hex(d / "missing"), input_error);
    fs::remove_all(d);
}

TEST(Cache, KeyFollowsEveryInputAndNotItsOrder) {
    const nlohmann::json a = {{"resolved", {{"e_ag", "850 meV"}, {"seed", 1}}}, {"device", 0}};
    nlohmann::json b = nlohmann::json::object();
    b["device"] = 0;
    b["resolved"]["seed"] = 1;
    b["resolved"]["e_ag"] = "850 meV";
    EXPECT_EQ(lab::result_cache::key(a), lab::result_cache::key(b));
    EXPECT_EQ(lab::result_cache::key(a).size(), 64u);
    auto c = a;
    c["resolved"]["seed"] = 2;
    EXPECT_NE(lab::result_cache::key(a), lab::result_cache::key(c));
    EXPECT_EQ(lab::build_id().rfind("0.", 0), 0u) << lab::build_id();  // the version, then the code's hash
}

TEST(Cache, StoreFindCopyAndTrimTheLeastRecentlyUsed) {
    const fs::path d = fresh("cache");
    const lab::result_cache cache({.enabled = true, .dir = d / "c", .max_bytes = 2500});
    std::vector<std::string> keys;
    for (int k = 0; k < 3; ++k) {
        const nlohmann::json in = {{"k", k}};
        keys.push_back(lab::result_cache::key(in));
        EXPECT_FALSE(cache.find(keys.back()));
        const fs::path staged = cache.begin(keys.back());
        std::ofstream(staged / "data.bin") << std::string(1000, char('a' + k));
        const fs::path entry = cache.store(keys.back(), staged, in);
        EXPECT_FALSE(fs::exists(staged));
        EXPECT_TRUE(fs::is_regular_file(entry / "data.bin"));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(cache.measure().entries, 3u);
    // Storing a key again keeps the first entry (another process's, in a sweep).
    const fs::path again = cache.begin(keys[0]);
    std::ofstream(again / "data.bin") << "other";
    cache.store(keys[0], again, {{"k", 0}});
    EXPECT_FALSE(fs::exists(again));
    lab::result_cache::copy_out(*cache.find(keys[0]), d / "out");  // also marks entry 0 as used now
    EXPECT_EQ(bytes(d / "out" / "data.bin"), std::string(1000, 'a'));
    EXPECT_FALSE(fs::exists(d / "out" / ".entry.json"));
    // 3000 bytes of data over a bound of 2500: the least recently used (entry 1) goes.
    const auto removed = cache.trim();
    EXPECT_EQ(removed.entries, 1u);
    EXPECT_TRUE(cache.find(keys[0]));
    EXPECT_FALSE(cache.find(keys[1]));
    EXPECT_TRUE(cache.find(keys[2]));
    EXPECT_EQ(cache.clear().entries, 2u);
    EXPECT_EQ(cache.measure().entries, 0u);
    fs::remove_all(d);
}

TEST(Cache, SizesWithUnits) {
    EXPECT_EQ(lab::parse_bytes("500 MB", "x"), 500'000'000u);
    EXPECT_EQ(lab::parse_bytes("2GiB", "x"), 2147483648u);
    EXPECT_EQ(lab::parse_bytes("4096", "x"), 4096u);
    EXPECT_THROW(lab::parse_bytes("ten GB", "x"), input_error);
    EXPECT_THROW(lab::parse_bytes("10 GQ", "x"), input_error);
    EXPECT_THROW(lab::parse_bytes("-1 GB", "x"), input_error);
}

TEST(Table, SameTableSameBytes) {
    const fs::path d = fresh("table");
    io::table t;
    t.columns.push_back({"task", "1", false, {1, 2, 3}, {}});
    t.columns.push_back({"label", "", true, {}, {"a", "b, with a comma", "c \"quoted\""}});
    t.columns.push_back({"v", "V", false, {0.1, NAN, -2.5e-9}, {}});
    io::write_csv(t, d / "a.csv");
    io::write_hdf5(t, d / "a.h5", "sweep");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a time in the file would differ now
    io::write_csv(t, d / "b.csv");
    io::write_hdf5(t, d / "b.h5", "sweep");
    EXPECT_EQ(bytes(d / "a.h5"), bytes(d / "b.h5"));
    EXPECT_EQ(bytes(d / "a.csv"), bytes(d / "b.csv"));
    EXPECT_EQ(bytes(d / "a.csv"), "task [1],label,v [V]\n1,a,0.10000000000000001\n2,\"b, with a comma\",nan\n"
                                  "3,\"c \"\"quoted\"\"\",-2.5000000000000001e-09\n");
    EXPECT_FALSE(fs::exists(d / "a.h5.partial"));
    fs::remove_all(d);
}

TEST(Table, ReadsBackWhatItWrites) {
    // Numbers bit for bit, units from the header, NaN as NaN; an HDF5 group likewise.
    const fs::path d = fresh("table_read");
    io::table t;
    t.columns.push_back({"time", "s", false, {0, 1e-6, 2.5e-6}, {}});
    t.columns.push_back({"i(DUT)", "A", false, {0.1, NAN, -2.5e-9}, {}});
    io::write_csv(t, d / "a.csv");
    io::write_hdf5(t, d / "a.h5", "run");
    for (const auto& r : {io::read_csv(d / "a.csv"), io::read_hdf5_group(d / "a.h5", "run")}) {
        ASSERT_EQ(r.columns.size(), 2u);
        const auto& time = r.columns[0].name == "time" ? r.columns[0] : r.columns[1];
        const auto& i = r.columns[0].name == "time" ? r.columns[1] : r.columns[0];
        EXPECT_EQ(i.name, "i(DUT)");
        EXPECT_EQ(i.unit, "A");
        EXPECT_EQ(time.unit, "s");
        EXPECT_EQ(time.numbers, t.columns[0].numbers);
        EXPECT_EQ(i.numbers[2], -2.5e-9);
        EXPECT_TRUE(std::isnan(i.numbers[1]));
    }
    std::ofstream(d / "bad.csv") << "time [us],I [uA]\n0,1\n1,two\n";
    try {
        (void)io::read_csv(d / "bad.csv");
        FAIL() << "a field that is not a number was read";
    } catch (const input_error& e) {
        EXPECT_NE(std::string(e.what()).find("line 3, column 'I': 'two'"), std::string::npos) << e.what();
    }
    std::ofstream(d / "short.csv") << "time [us],I\n0,1\n1\n";
    const auto s = [&] {
        try {
            (void)io::read_csv(d / "short.csv");
        } catch (const input_error& e) {
            return std::string(e.what());
        }
        return std::string();
    }();
    EXPECT_NE(s.find("line 3: 1 fields, the header has 2"), std::string::npos) << s;
    fs::remove_all(d);
}
