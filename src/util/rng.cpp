#include "memlab/util/rng.hpp"

#include <cmath>
#include <numbers>

namespace memlab::util {

rng::rng(std::uint64_t seed) {
    // splitmix64 fills the state: any seed, 0 included, gives a well-mixed non-zero state.
    std::uint64_t z = seed;
    for (auto& s : s_) {
        z += 0x9E3779B97F4A7C15ULL;
        std::uint64_t x = z;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
        s = x ^ (x >> 31);
    }
}

std::uint64_t rng::next() {
    const auto rotl = [](std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double rng::uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }

double rng::normal() {
    const double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double rng::exponential() { return -std::log(uniform()); }

std::uint64_t rng::below(std::uint64_t n) {
    // Rejection: of the 2^64 values of next(), the top (2^64 mod n) would make the low residues
    // more likely; they are drawn again (on average fewer than two draws for any n).
    const std::uint64_t reject_from = -(-n % n);  // 2^64 - (2^64 mod n), as 0 when n divides 2^64
    for (;;) {
        const std::uint64_t x = next();
        if (reject_from == 0 || x < reject_from) return x % n;
    }
}

std::uint64_t rng::poisson(double mu) {
    if (!(mu > 0)) return 0;
    if (mu < 10) {
        // Knuth: the number of uniforms whose running product stays above exp(-mu).
        const double limit = std::exp(-mu);
        std::uint64_t k = 0;
        for (double prod = uniform(); prod > limit; prod *= uniform()) ++k;
        return k;
    }
    // PTRS: a transformed-rejection hat around the Poisson law, exact (the acceptance test is the
    // law's own log-probability); about 1.1 pairs of uniforms per draw.
    const double smu = std::sqrt(mu), log_mu = std::log(mu);
    const double b = 0.931 + 2.53 * smu, a = -0.059 + 0.02483 * b;
    const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), v_r = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        const double u = uniform() - 0.5, v = uniform();
        const double us = 0.5 - std::fabs(u);
        const double k = std::floor((2.0 * a / us + b) * u + mu + 0.43);
        if (us >= 0.07 && v <= v_r) return static_cast<std::uint64_t>(k);
        if (k < 0 || (us < 0.013 && v > us)) continue;
        if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <= -mu + k * log_mu - std::lgamma(k + 1.0))
            return static_cast<std::uint64_t>(k);
    }
}

}  // namespace memlab::util
