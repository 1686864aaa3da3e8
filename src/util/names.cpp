#include "memlab/util/names.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace memlab::util {

namespace {

// Optimal string alignment distance (Levenshtein plus a swap of neighbours), case-insensitive.
std::size_t distance(const std::string& a, const std::string& b) {
    auto low = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); };
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i)
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = low(a[i - 1]) == low(b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && low(a[i - 1]) == low(b[j - 2]) && low(a[i - 2]) == low(b[j - 1]))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[n][m];
}

}  // namespace

std::optional<std::string> closest(const std::string& name, const std::vector<std::string>& known) {
    const std::size_t limit = std::max<std::size_t>(1, name.size() / 3);
    std::optional<std::string> best;
    std::size_t best_d = limit + 1;
    for (const auto& k : known) {
        const auto d = distance(name, k);
        if (d < best_d) best_d = d, best = k;
    }
    return best;
}

std::string known_names(const std::string& name, const std::vector<std::string>& known) {
    if (known.empty()) return "none known";
    const auto c = closest(name, known);
    return fmt::format("{}known: {}", c ? fmt::format("did you mean '{}'? ", *c) : "", fmt::join(known, ", "));
}

}  // namespace memlab::util
