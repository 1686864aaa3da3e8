// --set overrides on the shipped experiment files: the first byte picks a file of experiments/,
// each further line is one "key=value" override, applied as `memlab run FILE --set ...` and
// `memlab reproduce --set ...` apply them (protocol::load, protocol::load_md).
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "memlab/protocol/experiment.hpp"
#include "memlab/protocol/md_file.hpp"

using namespace memlab;
namespace fs = std::filesystem;

namespace {

const std::vector<fs::path>& shipped() {
    static const std::vector<fs::path> files = [] {
        std::vector<fs::path> out;
        for (const auto& f : fs::directory_iterator(fs::path(MEMLAB_SOURCE_DIR) / "experiments"))
            if (f.path().extension() == ".toml") out.push_back(f.path());
        std::sort(out.begin(), out.end());
        return out;
    }();
    return files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || shipped().empty()) return 0;
    const fs::path& file = shipped()[data[0] % shipped().size()];
    std::vector<std::string> sets;
    std::string line;
    for (std::size_t k = 1; k <= size; ++k) {
        if (k == size || data[k] == '\n') {
            if (!line.empty()) sets.push_back(line);
            line.clear();
        } else {
            line.push_back(static_cast<char>(data[k]));
        }
    }
    if (sets.size() > 16) return 0;
    if (protocol::is_md_file(file)) {
        fuzz::accepts([&] { (void)protocol::load_md(file, sets).resolved.dump(2); });
        return 0;
    }
    fuzz::accepts([&] {
        const auto e = protocol::load(file, sets);
        (void)e.resolved.dump(2);
        (void)e.build_circuit();
    });
    return 0;
}
