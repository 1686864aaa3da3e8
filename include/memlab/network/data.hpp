#pragma once
// Data sets for the networks, read from the files Debian packages install (nothing is downloaded).
#include <cstdint>
#include <filesystem>
#include <vector>

namespace memlab::network {

// Images of equal size with their labels: pixel k of image n is pixels[n * size + k].
struct image_set {
    std::size_t size = 0;          // pixels per image
    double max_value = 0;          // the largest pixel value the format allows
    std::vector<double> pixels;
    std::vector<int> labels;
    std::size_t count() const { return labels.size(); }
};

// The sklearn digits (8 x 8 images, pixels 0..16, 1797 images): the file Debian's python3-sklearn
// installs.
inline const std::filesystem::path digits_file = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

// Reads digits.csv.gz (gzip-compressed CSV: 64 pixels then the label, one image a line);
// input_error naming the file and line on anything else.
image_set read_digits(const std::filesystem::path& file = digits_file);

// Fashion-MNIST (28 x 28 images, pixels 0..255, 60000 training and 10000 test images, labels
// 0..9): the files Debian's dataset-fashion-mnist installs, in the IDX format of LeCun's MNIST
// (big-endian: magic 0x00000803 for images, 0x00000801 for labels, then the sizes), gzipped.
inline const std::filesystem::path fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";

// Reads an IDX image file and its label file (both gzipped); input_error naming the file on a
// wrong magic number, a short file or counts that differ.
image_set read_idx(const std::filesystem::path& images, const std::filesystem::path& labels);

// The training (train = true) or test set of Fashion-MNIST in `dir`.
image_set read_fashion_mnist(bool train, const std::filesystem::path& dir = fashion_mnist_dir);

// The stated split: a permutation of 0..count-1 by util::rng seeded with `seed` (Fisher-Yates,
// util::shuffle); the first `train` indices are the training set, the rest the test set.
struct split {
    std::vector<std::size_t> train, test;
};
split split_indices(std::size_t count, std::size_t train, std::uint64_t seed);

// The images `index` of `all`, in that order.
image_set subset(const image_set& all, const std::vector<std::size_t>& index);

}  // namespace memlab::network
