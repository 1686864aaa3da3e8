#!/usr/bin/env python3
"""Writes the fuzz harnesses' seed corpora (tests/fuzz/corpus/NAME) from what users and the
docs write: the shipped experiment files, the experiment files inside the tests, one small file
per stimulus kind of docs/experiment-files.md, the --set overrides of the README and docs, the
quantities the experiment files hold. Run again after adding experiments or docs examples:
    /usr/bin/python3 tests/fuzz/make_corpus.py"""
import hashlib
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fuzz" / "corpus"

# One minimal file per stimulus kind and circuit option (docs/experiment-files.md).
HEAD = '[experiment]\nname = "k"\n[device]\nmodel = "{model}"\n[circuit]\n{circuit}\n'
KINDS = {
    "pulse": 'kind = "pulse"\namplitude = "1 V"\nwidth = "1 us"\nrise = "10 ns"\nfall = "10 ns"\nbase = "0 V"\ndelay = "1 us"',
    "pulse_train": 'kind = "pulse_train"\namplitudes = ["1 V", "-1 V"]\nrepeat = 2\nwidth = "1 us"\nduty = 0.5',
    "pulse_train_count": 'kind = "pulse_train"\namplitude = "2 V"\ncount = 5\nwidth = "4 us"\nperiod = "5 us"\nbase = "-1 V"',
    "packages": 'kind = "packages"\namplitude = "1 V"\npackages = 3\nwidth = "1 us"\nperiod = "2 us"\ngap = "10 us"',
    "read_after_write": 'kind = "read_after_write"\nwrite_amplitudes = ["1 V", "-1 V"]\nwrite_counts = [2, 2]\ncycles = 2\n'
                        'write_width = "1 us"\nread_amplitude = "0.1 V"\nread_width = "1 us"\ngap = "1 us"',
    "sweep": 'kind = "sweep"\nvertices = ["0 V", "1 V", "-1 V", "0 V"]\nrate = "1 V/ms"\ncycles = 2',
    "pulse_list": 'kind = "pulse_list"\nrise = "10 ns"\nfall = "10 ns"\nbase = "0 V"\n'
                  '[[stimulus.pulse]]\nstart = "1 us"\namplitude = "1 V"\nwidth = "1 us"\n'
                  '[[stimulus.pulse]]\nstart = "5 us"\namplitude = "2 V"\nwidth = "2 us"',
    "pwl": 'kind = "pwl"\ntimes = ["0 s", "1 us", "2 us"]\nvalues = ["0 V", "1 V", "0 V"]',
}
CIRCUITS = {
    "awg": 'series_resistance = "1 kOhm"\nparasitic_capacitance = "1 pF"',
    "tia": 'series_resistance = "1 kOhm"\n[circuit.tia]\ngain = "1 MOhm"\nbandwidth = "1 MHz"',
    "smu": 'source = "smu"\n[circuit.smu]\ncompliance = "1 uA"\nsettling_time = "1 us"',
}
SWEEP_BLOCKS = ('kind = "sweep_blocks"\nrate = "1 V/ms"\ncompliance_edge = "1 us"\n'
                '[[stimulus.block]]\ncycles = 2\ncompliance = "1 uA"\nvertices = ["0 V", "1 V", "0 V"]\n'
                '[[stimulus.block]]\ncycles = 1\ncompliance = "10 uA"\nvertices = ["0 V", "-1 V", "0 V"]')
TAIL = ('[recording]\nprobes = ["v(in)", "i(DUT)"]\nsample_interval = "10 ns"\n'
        '[solver]\nrtol = 1e-6\natol_voltage = "1 nV"\nevents = true\n')


def put(name, data):
    d = OUT / name
    d.mkdir(parents=True, exist_ok=True)
    data = data.encode() if isinstance(data, str) else data
    (d / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    texts = [p.read_text() for p in sorted((ROOT / "experiments").glob("*.toml"))]
    for src in sorted((ROOT / "tests").rglob("*.[ch]pp")):
        texts += re.findall(r'R"toml\((.*?)\)toml"', src.read_text(), re.S)
    for kind, body in KINDS.items():
        for circuit, ctext in CIRCUITS.items():
            texts.append(HEAD.format(model="vteam", circuit=ctext) + "[stimulus]\n" + body + "\n" + TAIL)
    texts.append(HEAD.format(model="agsn_sio2_pt", circuit=CIRCUITS["smu"].replace('compliance = "1 uA"\n', ""))
                 + "[stimulus]\n" + SWEEP_BLOCKS + "\n" + TAIL)
    texts.append((HEAD.format(model="agsn_sio2_pt", circuit=CIRCUITS["awg"]) + '[device.initial_state]\nh = "1 nm"\n'
                  '[device.d2d]\ne_ag = "0.05 eV"\n' + "[stimulus]\n" + KINDS["pulse"] + "\n" + TAIL)
                 .replace('name = "k"', 'name = "k"\ndevices = 3'))
    # A history ([history]: a stimulus table and a rest) before each stimulus kind.
    for kind, body in KINDS.items():
        hist = KINDS["pulse_train_count" if kind != "pulse_train_count" else "sweep"].replace("[[stimulus.", "[[history.")
        texts.append(HEAD.format(model="vteam", circuit=CIRCUITS["awg"]) + "[history]\n" + hist + '\nrest = "2 us"\n'
                     + "[stimulus]\n" + body + "\n" + TAIL)
    # A device-mode network with drawn synapses and its own solver table (docs/networks.md, File keys).
    net = (ROOT / "experiments" / "snn_device_8x4.toml").read_text()
    texts.append(net + '\n[network.synapse.d2d]\ne_ag = "0.14 eV"\nkappa = "0.5e9 1/m"\n[solver]\nrtol = 1e-7\n')
    for t in texts:
        put("experiment", t)

    # --set: byte 0 picks the shipped file (sorted), the overrides one a line.
    docs = "\n".join(p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))])
    sets = sorted(set(m.strip() for m in re.findall(r'--set[ =]"([a-z_]+\.[a-z_0-9.]+=[^"]+)"', docs)) |
                  set(re.findall(r'--set[ =]([a-z_]+\.[a-z_0-9.]+=[A-Za-z0-9_.]+)', docs)))
    files = sorted((ROOT / "experiments").glob("*.toml"))
    for k in range(len(files)):
        for j in range(0, len(sets), 4):
            put("set", bytes([k]) + "\n".join(sets[j:j + 4]).encode())

    # Quantities: byte 0 picks the unit (the table in fuzz_units.cpp), the rest is the text.
    units = ["1", "s", "V", "A", "Ohm", "F", "S", "m", "V/s", "A/s", "Hz", "K", "eV", "m/s", "m^2/s",
             "g/cm^3", "J", "W", "C", "V/m", "1/s", "m^2", "kg", "H", "m^-3", ""]
    for q in sorted(set(re.findall(r'"(-?[0-9][0-9.eE+-]* ?[a-zA-Zµ/^0-9]*)"', "\n".join(texts)))):
        unit = q.split(" ", 1)[1] if " " in q else "1"
        for u, name in enumerate(units):
            if unit.endswith(name) and name:
                put("units", bytes([u]) + q.encode())
                break

    # SPICE export: byte 0 picks the model, two bytes a parameter (0 0: the default).
    for k in range(12):
        put("spice", bytes([k]) + bytes(40))
        put("spice", bytes([k]) + bytes([0x80, 0x00]) * 20)
        put("spice", bytes([k]) + bytes([0xff, 0xff, 0x00, 0x01]) * 10)


if __name__ == "__main__":
    main()
