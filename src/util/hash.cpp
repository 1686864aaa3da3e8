#include "memlab/util/hash.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "memlab/error.hpp"

namespace memlab::util {

namespace {

struct digest {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
    digest() {
        if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw internal_error("sha256: cannot start a digest");
    }
    void update(const void* data, std::size_t n) {
        if (EVP_DigestUpdate(ctx.get(), data, n) != 1) throw internal_error("sha256: digest update failed");
    }
    std::string hex() {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (EVP_DigestFinal_ex(ctx.get(), md, &n) != 1) throw internal_error("sha256: digest final failed");
        std::string out;
        out.reserve(2 * n);
        for (unsigned int k = 0; k < n; ++k) out += fmt::format("{:02x}", md[k]);
        return out;
    }
};

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    digest d;
    d.update(bytes.data(), bytes.size());
    return d.hex();
}

std::string sha256_file_hex(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw input_error(fmt::format("{}: cannot read", file.string()));
    digest d;
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        d.update(buf.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) throw input_error(fmt::format("{}: cannot read", file.string()));
    return d.hex();
}

}  // namespace memlab::util
