#pragma once
// memlab's one random generator: splitmix64 to seed, xoshiro256** to draw (Blackman and Vigna,
// "Scrambled linear pseudorandom number generators", ACM TOMS 47, 2021). Every draw, and every
// derived draw below (uniform, normal, exponential, Poisson, an integer in a range, a shuffle), is written
// out here from next(), never with the standard library's engines or distributions, whose output
// the C++ standard leaves to each implementation: a seed gives the same numbers on every build and
// platform. (The one thing not fixed here is the last bit of libm's log, cos and sqrt in normal()
// and exponential().)
//
// It sits below every other layer (it knows nothing of memlab), so that device (its hazards and
// events) and md (the random start of a sample) draw from the same generator.
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace memlab::util {

class rng {
public:
    explicit rng(std::uint64_t seed);
    std::uint64_t next();        // 64 random bits
    double uniform();            // in (0, 1), never 0 or 1: (k + 1/2) / 2^53 for 53 random bits k
    double normal();             // standard normal (Box-Muller, one value per call)
    double exponential();        // -ln(U), mean 1
    std::uint64_t below(std::uint64_t n);  // uniform in 0 .. n-1 without bias (n >= 1)
    // Poisson with mean mu >= 0: Knuth's product of uniforms below mu = 10, Hormann's transformed
    // rejection (PTRS, Insurance Math. Econom. 12, 39 (1993)) above.
    std::uint64_t poisson(double mu);

private:
    std::uint64_t s_[4];
};

// Fisher-Yates: the last element swaps with one below or at it, then the one before, and so on;
// every order is equally likely.
template <class T>
void shuffle(std::span<T> v, rng& r) {
    for (std::size_t k = v.size(); k > 1; --k) {
        using std::swap;
        swap(v[k - 1], v[static_cast<std::size_t>(r.below(k))]);
    }
}

}  // namespace memlab::util
