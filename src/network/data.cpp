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

namespace {

// A big-endian 32-bit integer at byte `at` of `b`.
std::uint32_t be32(const std::string& b, std::size_t at) {
    const auto u = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + k])); };
    return (u(0) << 24) | (u(1) << 16) | (u(2) << 8) | u(3);
}

}  // namespace

image_set read_idx(const std::filesystem::path& images, const std::filesystem::path& labels) {
    const std::string im = read_gzip(images), lb = read_gzip(labels);
    if (im.size() < 16 || be32(im, 0) != 0x803)
        throw input_error(fmt::format("{}: not an IDX image file (magic 0x00000803 and three sizes expected)", images.string()));
    if (lb.size() < 8 || be32(lb, 0) != 0x801)
        throw input_error(fmt::format("{}: not an IDX label file (magic 0x00000801 and a count expected)", labels.string()));
    const std::size_t n = be32(im, 4), rows = be32(im, 8), cols = be32(im, 12);
    if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096)
        throw input_error(fmt::format("{}: images of {} x {} pixels", images.string(), rows, cols));
    const std::size_t size = rows * cols;
    if (im.size() != 16 + n * size)
        throw input_error(fmt::format("{}: {} bytes of pixels, {} images of {} x {} need {}", images.string(), im.size() - 16, n, rows, cols, n * size));
    if (be32(lb, 4) != n || lb.size() != 8 + n)
        throw input_error(fmt::format("{}: {} labels for the {} images of {}", labels.string(), lb.size() - 8, n, images.string()));
    image_set s;
    s.size = size;
    s.max_value = 255;
    s.pixels.resize(n * size);
    for (std::size_t k = 0; k < n * size; ++k) s.pixels[k] = static_cast<unsigned char>(im[16 + k]);
    s.labels.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
        const int y = static_cast<unsigned char>(lb[8 + k]);
        if (y > 9) throw input_error(fmt::format("{}: label {} of image {} is not in 0..9", labels.string(), y, k));
        s.labels[k] = y;
    }
    if (n == 0) throw input_error(fmt::format("{}: no images", images.string()));
    return s;
}

image_set read_fashion_mnist(bool train, const std::filesystem::path& dir) {
    const std::string stem = train ? "train" : "t10k";
    return read_idx(dir / (stem + "-images-idx3-ubyte.gz"), dir / (stem + "-labels-idx1-ubyte.gz"));
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
