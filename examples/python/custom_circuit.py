"""A circuit built in code: a pulse train through 2 MOhm into the AgSn device, read by a TIA."""
import memlab
from memlab import plot
from _common import out

dev = memlab.Device("agsn_sio2_pt", e_ag="0.85 eV")
pulses = memlab.stimulus.pulse_train(amplitude="2 V", count=20, width="4 us", period="5 us", base="-1 V")
c = memlab.Circuit()
c.source("AWG", "in", "0", pulses)
c.resistor("Rs", "in", "top", "2 MOhm")
c.memristor("M1", "top", "sum", dev)
c.tia("TIA", "sum", "out", gain="1 MV/A", bandwidth="1 MHz")
r = memlab.Simulation(c, seed=1).run("100 us", ["v(in)", "v(out)", "i(M1)", "M1.h"], sample_interval="10 ns")
print(f"{len(r['traces']['time'])} samples; TIA output up to {r['traces']['v(out)'].max():.3f} V")

# The one-call path for the same device and source, without the TIA:
s = memlab.simulate(dev, pulses, series_resistance="2 MOhm", sample_interval="10 ns")
plot.result_figure(s, out("custom_circuit.png"))
