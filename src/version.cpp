#include "memlab/version.hpp"

namespace memlab {
std::string_view version() { return MEMLAB_VERSION; }
}  // namespace memlab
