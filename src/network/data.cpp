#include "memlab/network/data.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <numeric>
#include <string>

#include <fmt/format.h>
#include <zlib.h>

#include "memlab/error.hpp"
#include "memlab/util/rng.hpp"

namespace memlab::network {

namespace {

// The whole of a gzip file, decompressed.
std::string read_gzip(const std::filesystem::path& file) {
    gzFile f = gzopen(file.c_str(), "rb");
    if (!f) throw input_error(fmt::format("{}: cannot open ({})", file.string(), std::strerror(errno)));
    std::string out;
    char buf[1 << 16];
    int got = 0;
    while ((got = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(got));
    int err = 0;
    const char* msg = gzerror(f, &err);
    const std::string problem = got < 0 || err < 0 ? std::string(msg) : std::string();
    gzclose(f);
    if (!problem.empty()) throw input_error(fmt::format("{}: not a readable gzip file ({})", file.string(), problem));
    return out;
}

}  // namespace

image_set read_digits(const std::filesystem::path& file) {
    constexpr std::size_t pixels = 64;
    const std::string text = read_gzip(file);
    image_set s;
    s.size = pixels;
    s.max_value = 16;
    std::size_t line = 0, pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        ++line;
        const char* p = text.data() + pos;
        const char* e = text.data() + end;
        pos = end + 1;
        if (p == e) continue;
        for (std::size_t k = 0; k <= pixels; ++k) {
            double x = 0;
            const auto [q, ec] = std::from_chars(p, e, x);
            if (ec != std::errc() || (k < pixels && (q == e || *q != ',')) || (k == pixels && q != e && *q != '\r'))
                throw input_error(fmt::format("{}: line {}: expected 64 pixels and a label, comma-separated", file.string(), line));
            if (k < pixels) {
                if (!(x >= 0 && x <= s.max_value)) throw input_error(fmt::format("{}: line {}: pixel {} is {:g}, not in 0..16", file.string(), line, k, x));
                s.pixels.push_back(x);
            } else {
                if (!(x >= 0 && x <= 9 && x == static_cast<int>(x))) throw input_error(fmt::format("{}: line {}: label {:g} is not a digit", file.string(), line, x));
                s.labels.push_back(static_cast<int>(x));
            }
            p = q + 1;
        }
    }
    if (s.labels.empty()) throw input_error(fmt::format("{}: no images", file.string()));
    return s;
}

split split_indices(std::size_t count, std::size_t train, std::uint64_t seed) {
    if (train > count) throw input_error(fmt::format("data.train: {} images asked for training, the set has {}", train, count));
    std::vector<std::size_t> all(count);
    std::iota(all.begin(), all.end(), std::size_t{0});
    util::rng r(seed);
    util::shuffle(std::span<std::size_t>(all), r);
    split out;
    out.train.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(train));
    out.test.assign(all.begin() + static_cast<std::ptrdiff_t>(train), all.end());
    return out;
}

image_set subset(const image_set& all, const std::vector<std::size_t>& index) {
    image_set s;
    s.size = all.size;
    s.max_value = all.max_value;
    s.pixels.reserve(index.size() * all.size);
    for (std::size_t n : index) {
        if (n >= all.count()) throw internal_error(fmt::format("network::subset: image {} of {}", n, all.count()));
        s.pixels.insert(s.pixels.end(), all.pixels.begin() + static_cast<std::ptrdiff_t>(n * all.size),
                        all.pixels.begin() + static_cast<std::ptrdiff_t>((n + 1) * all.size));
        s.labels.push_back(all.labels[n]);
    }
    return s;
}

}  // namespace memlab::network
