#pragma once
// SHA-256 (FIPS 180-4, by OpenSSL's libcrypto) of bytes and of files, as lower-case hex: the
// content addresses of the result cache. It sits below every other layer (it knows nothing of
// memlab).
#include <filesystem>
#include <string>
#include <string_view>

namespace memlab::util {

// SHA-256 of `bytes`, 64 hex digits.
std::string sha256_hex(std::string_view bytes);

// SHA-256 of a file's content, 64 hex digits; input_error naming the file if it cannot be read.
std::string sha256_file_hex(const std::filesystem::path& file);

}  // namespace memlab::util
