#pragma once
// Progress lines of long runs (memlab sweep, memlab run of a network): a bar, the elapsed time and
// an estimate of what is left.
#include <cstddef>
#include <string>

namespace memlab::lab {

// "12 s", "3 min 05 s", "2 h 04 min"; "?" for a negative or infinite time.
std::string duration_text(double seconds);
// "#####..............." of `width` characters, done / total of it filled.
std::string progress_bar(std::size_t done, std::size_t total, std::size_t width = 20);
// "[#####...............] 25 %, 3 s elapsed, ETA 9 s": the fraction done (0..1) and the elapsed time;
// the estimate assumes the rest goes at the pace so far.
std::string progress_text(double fraction, double elapsed);
// Seconds left after `done` of `total` equal tasks took `elapsed`, at the pace so far (-1 before
// the first is done).
double seconds_left(std::size_t done, std::size_t total, double elapsed);

}  // namespace memlab::lab
