#include "sections.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "memlab/device/registry.hpp"
#include "memlab/error.hpp"
#include "memlab/util/names.hpp"

namespace memlab::protocol::detail {

std::unique_ptr<device::model> read_device_model(reader& dev, const std::string& file) {
    const std::string model = dev.string("model");
    std::unique_ptr<device::model> m;
    try {
        m = device::make_model(model);
    } catch (const input_error&) {
        dev.fail("model", fmt::format("unknown model '{}' ({})", model, util::known_names(model, device::model_names())));
    }
    std::map<std::string, double> params;
    for (const auto& p : m->parameter_table())
        if (dev.has(p.name)) params[p.name] = dev.quantity(p.name, p.unit);
    try {
        m->set(params);
    } catch (const input_error& err) {
        throw input_error(fmt::format("{}: device: {}", file, err.what()));
    }
    dev.resolved()["parameters"] = m->describe()["parameters"];
    return m;
}

std::map<std::string, double> read_d2d(reader& dev, const device::model& m) {
    std::map<std::string, double> out;
    if (!dev.has("d2d")) return out;
    reader dd = dev.sub("d2d");
    for (const auto& p : m.parameter_table())
        if (dd.has(p.name)) {
            const double sd = dd.quantity(p.name, p.unit);
            if (sd < 0) dd.fail(p.name, "a spread must not be negative");
            out[p.name] = sd;
        }
    dd.finish();
    return out;
}

std::shared_ptr<device::mosfet> read_transistor(reader& tr, const std::string& file, const std::string& where) {
    auto m = std::make_shared<device::mosfet>();
    std::map<std::string, double> values;
    for (const auto& p : m->parameter_table())
        if (tr.has(p.name)) values[p.name] = tr.quantity(p.name, p.unit);
    try {
        m->set(values);
    } catch (const input_error& err) {
        throw input_error(fmt::format("{}: {}: {}", file, where, err.what()));
    }
    tr.resolved()["parameters"] = m->describe()["parameters"];
    return m;
}

circuit::solver_options read_solver(reader& sol) {
    circuit::solver_options o;
    o.rtol = sol.quantity("rtol", "1", o.rtol);
    o.atol_voltage = sol.quantity("atol_voltage", "V", o.atol_voltage);
    o.atol_current = sol.quantity("atol_current", "A", o.atol_current);
    o.max_step = sol.quantity("max_step", "s", 0.0);
    o.hazards = sol.boolean("events", true);  // false: the device's deterministic form
    o.state_atol_scale = sol.quantity("state_atol_scale", "1", 1.0);
    if (!(o.state_atol_scale > 0)) sol.fail("state_atol_scale", "must be positive");
    if (!(o.rtol > 0 && o.rtol < 1)) sol.fail("rtol", "must be in (0, 1)");
    if (!(o.atol_voltage > 0)) sol.fail("atol_voltage", "must be positive");
    if (!(o.atol_current > 0)) sol.fail("atol_current", "must be positive");
    if (o.max_step < 0) sol.fail("max_step", "must not be negative");
    return o;
}

}  // namespace memlab::protocol::detail
