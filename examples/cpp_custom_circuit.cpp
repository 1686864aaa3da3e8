// The README's C++ example: an integrate-and-fire style circuit (AWG -> 2 MOhm -> device -> TIA).
#include <fmt/format.h>

#include "memlab/circuit/simulation.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/io/hdf5_trace.hpp"
#include "memlab/units/units.hpp"
using namespace memlab;

int main(int argc, char** argv) {
    const std::string out = argc > 1 ? argv[1] : "run.h5";
    auto dev = device::make_model("vteam");
    dev->set_text({{"r_on", "2 kOhm"}, {"v_off", "0.6 V"}});
    circuit::circuit c;
    stimulus::train_spec s{.levels = {2.0}, .count = 10, .width = 4e-6, .period = 5e-6, .base = -1.0};
    c.add_voltage_source("AWG", "in", "0", stimulus::pulse_train(s));
    c.add_resistor("Rs", "in", "top", units::parse("2 MOhm", "Ohm", "Rs"));
    c.add_memristor("M1", "top", "sum", std::move(dev));
    c.add_tia("TIA", "sum", "out", {.gain = 1e6, .bandwidth = 1e6});
    circuit::simulation sim(c, {}, /*seed=*/1);
    io::hdf5_trace h5(out);
    sim.run(50e-6, {.probes = {"v(in)", "v(out)", "i(M1)", "M1.w"}, .sample_interval = 10e-9}, h5);
    h5.commit();
    fmt::print("{} rows, final w = {}\n", h5.rows_written(), units::format(sim.probe("M1.w"), "m"));
    return 0;
}
