#include "memlab/device/registry.hpp"

#include <fmt/format.h>
#include <functional>
#include <map>

#include "memlab/device/agsn.hpp"
#include "memlab/device/biolek.hpp"
#include "memlab/device/diffusive.hpp"
#include "memlab/device/ielmini_ag.hpp"
#include "memlab/device/jart_ecm.hpp"
#include "memlab/device/memdiode.hpp"
#include "memlab/device/stanford_pku.hpp"
#include "memlab/device/vteam.hpp"
#include "memlab/device/yakopcic.hpp"
#include "memlab/error.hpp"

namespace memlab::device {
namespace {

using factory = std::function<std::unique_ptr<model>()>;

const std::map<std::string, factory, std::less<>>& factories() {
    static const std::map<std::string, factory, std::less<>> f{
        {"agsn_sio2_pt", [] { return std::make_unique<agsn_sio2_pt>(); }},
        {"biolek", [] { return std::make_unique<biolek>(); }},
        {"diffusive", [] { return std::make_unique<diffusive>(); }},
        {"ielmini_ag", [] { return std::make_unique<ielmini_ag>(); }},
        {"jart_ecm", [] { return std::make_unique<jart_ecm>(); }},
        {"memdiode", [] { return std::make_unique<memdiode>(); }},
        {"stanford_pku", [] { return std::make_unique<stanford_pku>(); }},
        {"vteam", [] { return std::make_unique<vteam>(); }},
        {"yakopcic", [] { return std::make_unique<yakopcic>(); }},
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
