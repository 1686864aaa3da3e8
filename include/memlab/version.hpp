#pragma once
#include <string_view>

namespace memlab {
// The library version ("0.1.0").
std::string_view version();
}  // namespace memlab
