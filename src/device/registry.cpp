#include "memlab/device/registry.hpp"

#include <fmt/format.h>
#include <functional>
#include <map>

#include "memlab/device/agsn.hpp"
#include "memlab/device/vteam.hpp"
#include "memlab/error.hpp"

namespace memlab::device {
namespace {

using factory = std::function<std::unique_ptr<model>()>;

const std::map<std::string, factory, std::less<>>& factories() {
    static const std::map<std::string, factory, std::less<>> f{
        {"agsn_sio2_pt", [] { return std::make_unique<agsn_sio2_pt>(); }},
        {"vteam", [] { return std::make_unique<vteam>(); }},
    };
    return f;
}

}  // namespace

std::unique_ptr<model> make_model(std::string_view name) {
    const auto& f = factories();
    const auto it = f.find(name);
    if (it == f.end()) {
        std::string known;
        for (const auto& [k, v] : f) known += (known.empty() ? "" : ", ") + k;
        throw input_error(fmt::format("device.model: unknown model '{}' (known: {})", name, known));
    }
    return it->second();
}

std::vector<std::string> model_names() {
    std::vector<std::string> out;
    for (const auto& [k, v] : factories()) out.push_back(k);
    return out;
}

}  // namespace memlab::device
