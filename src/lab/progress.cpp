#include "memlab/lab/progress.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace memlab::lab {

std::string duration_text(double s) {
    if (!std::isfinite(s) || s < 0) return "?";
    const auto t = static_cast<long>(std::lround(s));
    if (t < 60) return fmt::format("{} s", t);
    if (t < 3600) return fmt::format("{} min {:02d} s", t / 60, t % 60);
    return fmt::format("{} h {:02d} min", t / 3600, (t % 3600) / 60);
}

std::string progress_bar(std::size_t done, std::size_t total, std::size_t width) {
    const std::size_t full = total ? std::min(done, total) * width / total : width;
    return std::string(full, '#') + std::string(width - full, '.');
}

std::string progress_text(double fraction, double elapsed) {
    fraction = std::clamp(fraction, 0.0, 1.0);
    const double left = fraction > 0 ? elapsed / fraction * (1 - fraction) : -1;
    return fmt::format("[{}] {:.0f} %, {} elapsed, ETA {}", progress_bar(static_cast<std::size_t>(std::lround(fraction * 1000)), 1000),
                       100 * fraction, duration_text(elapsed), duration_text(left));
}

double seconds_left(std::size_t done, std::size_t total, double elapsed) {
    if (done == 0) return -1;
    return elapsed / static_cast<double>(done) * static_cast<double>(total > done ? total - done : 0);
}

}  // namespace memlab::lab
