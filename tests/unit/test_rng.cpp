// memlab's generator (util::rng) and the draws built on it: fixed numbers for a seed, whatever the
// compiler or standard library, and no bias in the integers and shuffles.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numeric>
#include <type_traits>
#include <vector>

#include "memlab/device/model.hpp"
#include "memlab/util/rng.hpp"

using namespace memlab;

TEST(Rng, DrawsTheReferenceXoshiro256StarStarSequence) {
    // Known answers from a Python transcription of the reference C code (Blackman and Vigna,
    // prng.di.unimi.it: splitmix64.c fills the state from the seed, xoshiro256starstar.c draws).
    // A failure means the generator no longer is xoshiro256** seeded by splitmix64, and every
    // seeded run of memlab (device events, MD starts) changes.
    util::rng a(42);
    EXPECT_EQ(a.next(), 0x15780b2e0c2ec716ULL);
    EXPECT_EQ(a.next(), 0x6104d9866d113a7eULL);
    EXPECT_EQ(a.next(), 0xae17533239e499a1ULL);
    EXPECT_EQ(a.next(), 0xecb8ad4703b360a1ULL);
    util::rng z(0);  // seed 0 is a seed like any other (splitmix64 never leaves the state zero)
    EXPECT_EQ(z.next(), 0x99ec5f36cb75f2b4ULL);
    EXPECT_EQ(z.next(), 0xbf6e1f784956452aULL);
    // uniform() is the top 53 bits, centred in their interval.
    util::rng b(42);
    EXPECT_EQ(b.uniform(), (static_cast<double>(0x15780b2e0c2ec716ULL >> 11) + 0.5) * 0x1.0p-53);
    // The device layer's name is the same class.
    static_assert(std::is_same_v<device::rng, util::rng>);
}

TEST(Rng, BelowIsInRangeAndUnbiased) {
    util::rng r(7);
    EXPECT_EQ(r.below(1), 0u);
    // Where the rejection matters: n = 2/3 of 2^64. A plain next() % n would give the lower half
    // of the range with probability 2/3 (the top third of next() folds onto it), not 1/2.
    const std::uint64_t big = 0xAAAAAAAAAAAAAAAAULL;
    int low = 0;
    const int n = 20000;
    for (int k = 0; k < n; ++k) {
        const std::uint64_t x = r.below(big);
        ASSERT_LT(x, big);
        low += x < big / 2;
    }
    EXPECT_NEAR(low / double(n), 0.5, 4 * std::sqrt(0.25 / n));
    std::array<int, 6> counts{};
    for (int k = 0; k < 60000; ++k) ++counts[r.below(6)];
    for (int c : counts) EXPECT_NEAR(c, 10000, 4 * std::sqrt(10000 * 5.0 / 6));
}

TEST(Rng, ShuffleIsAPermutationAndEveryOrderIsEquallyLikely) {
    util::rng r(11);
    std::vector<int> v(50);
    std::iota(v.begin(), v.end(), 0);
    util::shuffle(std::span<int>(v), r);
    std::vector<int> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (int k = 0; k < 50; ++k) EXPECT_EQ(sorted[k], k);
    EXPECT_FALSE(std::is_sorted(v.begin(), v.end()));
    std::map<std::array<int, 3>, int> orders;
    const int n = 60000;
    for (int k = 0; k < n; ++k) {
        std::array<int, 3> a{0, 1, 2};
        util::shuffle(std::span<int>(a), r);
        ++orders[a];
    }
    EXPECT_EQ(orders.size(), 6u);
    for (const auto& [order, c] : orders) EXPECT_NEAR(c, n / 6.0, 4 * std::sqrt(n / 6.0 * 5.0 / 6));
    std::vector<int> empty;
    util::shuffle(std::span<int>(empty), r);  // nothing to do, no draw
}

TEST(Rng, PoissonFollowsItsLawOnBothSidesOfTheSwitch) {
    // Knuth below mu = 10, PTRS above: each mean's frequencies against the Poisson law
    // exp(-mu) mu^k / k!, bin by bin within 5 standard deviations of a multinomial count, and the
    // mean and variance both mu.
    util::rng r(11);
    EXPECT_EQ(r.poisson(0.0), 0u);
    for (const double mu : {0.3, 2.0, 9.5, 10.0, 37.0, 400.0}) {
        const int n = 40000;
        std::map<std::uint64_t, int> counts;
        double sum = 0, sum2 = 0;
        for (int k = 0; k < n; ++k) {
            const auto x = r.poisson(mu);
            ++counts[x];
            sum += static_cast<double>(x), sum2 += static_cast<double>(x) * static_cast<double>(x);
        }
        const double mean = sum / n, var = sum2 / n - mean * mean;
        EXPECT_NEAR(mean, mu, 5 * std::sqrt(mu / n)) << "mu " << mu;
        EXPECT_NEAR(var, mu, 5 * mu * std::sqrt(2.0 / n) + 5 * std::sqrt(mu / n)) << "mu " << mu;
        for (const auto& [k, c] : counts) {
            const double p = std::exp(-mu + static_cast<double>(k) * std::log(mu) - std::lgamma(static_cast<double>(k) + 1.0));
            EXPECT_NEAR(c, n * p, 5 * std::sqrt(n * p * (1 - p)) + 3) << "mu " << mu << ", k " << k;
        }
    }
}
