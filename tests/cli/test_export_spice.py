"""memlab export-spice as a circuit designer uses it: the header's instructions, followed to the
letter. For every model with a SPICE export: the output saved as MODEL.sub, the sed line of the
header cutting out its example deck, ngspice -b on that deck: exit 0 and the sweep printed, with
every state of the model among the columns. The header names the pins and an instance, gives the
.ic line of every state and the .options line, and advises no uic. (tests/validation/
test_spice_export.cpp checks what the deck computes against memlab's own run.)"""
import re
import shutil
import subprocess

import pytest

import outputs

NGSPICE = shutil.which("ngspice")


@pytest.mark.parametrize("model", outputs.model_names())
def test_the_headers_example_deck_runs_in_ngspice(memlab, model):
    if "SPICE export: no" in memlab("describe", model).stdout:
        return  # test_models.py checks the error
    out = memlab("export-spice", model).stdout
    (memlab.folder / f"{model}.sub").write_text(out)
    header = out[: out.index(f"\n.subckt {model} p n\n")]
    assert f"* instance: X1 top 0 {model} " in header
    assert re.search(r"^\* pins: p n ", header, re.M)
    ic = re.search(r"^\* (\.ic .*)$", header, re.M).group(1)
    states = outputs.states(model)
    assert sorted(re.findall(r"v\(x1\.s_(\w+)\)=[-+0-9.e]+", ic)) == sorted(states), ic
    options = re.search(r"^\* (\.options .*)$", header, re.M).group(1)
    assert "method=gear" in options and "rshunt=" in options, options
    assert not re.search(r"^\* *\.?tran\s.*\buic\b", header, re.M | re.I), "the header advises uic"
    sed = re.search(r"^\*   (sed .*> deck\.cir)$", header, re.M)
    assert sed, header[-1500:]
    subprocess.run(sed.group(1), shell=True, cwd=memlab.folder, check=True)
    deck = (memlab.folder / "deck.cir").read_text()
    assert deck.startswith(f"memlab example: {model} ") and deck.endswith(".end\n"), deck
    assert f"\n.include {model}.sub\n" in deck and f"\n{options}\n" in deck and "\n.ic v(x1.s_" in deck
    res = subprocess.run([NGSPICE, "-b", "deck.cir"], cwd=memlab.folder, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    rows = re.findall(r"^(\d+)\t", res.stdout, re.M)
    assert len(set(rows)) > 100, res.stdout[-2000:]
    printed = set(re.findall(r"v\(x1\.s_(\w+)\)", res.stdout))
    assert printed == {s.lower() for s in states}, printed


def test_dc_sweep_runs_and_holds_the_state(memlab):
    # .dc was "singular matrix", then ngspice crashed (exit 139): the state nodes had no DC path.
    out = memlab("export-spice", "agsn_sio2_pt").stdout
    (memlab.folder / "agsn_sio2_pt.sub").write_text(out)
    (memlab.folder / "dc.cir").write_text("dc sweep\n.include agsn_sio2_pt.sub\nV1 top 0 DC 0\nX1 top 0 agsn_sio2_pt\n"
                                          ".dc V1 -2 2 0.1\n.print dc i(V1) v(x1.s_h)\n.end\n")
    res = subprocess.run([NGSPICE, "-b", "dc.cir"], cwd=memlab.folder, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert "singular" not in res.stdout + res.stderr
    h = re.findall(r"^\d+\t\S+\t\S+\t(\S+)\s*$", res.stdout, re.M)
    h0 = float(re.search(r"v\(x1\.s_h\)=([-+0-9.e]+)", out).group(1))
    assert len(h) == 41 and all(float(x) == pytest.approx(h0, rel=1e-6) for x in h), h


def read_raw(path):
    """An ngspice binary raw file (one real transient) as {vector name: numpy array}."""
    import numpy as np

    data = path.read_bytes()
    head, _, body = data.partition(b"Binary:\n")
    text = head.decode()
    n_vars = int(re.search(r"^No\. Variables:\s*(\d+)", text, re.M).group(1))
    n_points = int(re.search(r"^No\. Points:\s*(\d+)", text, re.M).group(1))
    names = re.findall(r"^\s+\d+\s+(\S+)\s+\S+", text[text.index("Variables:\n"):], re.M)[:n_vars]
    values = np.frombuffer(body[: 8 * n_vars * n_points], dtype="<f8").reshape(n_points, n_vars)
    return {name.lower(): values[:, k] for k, name in enumerate(names)}


def test_an_experiments_deck_runs_in_ngspice_as_memlab_runs_it(memlab):
    # export-spice --experiment: the whole circuit's deck, run as its header says, gives what
    # `memlab run --engine ngspice` records from the same deck.
    deck = memlab("export-spice", "--experiment", "all_or_none").stdout
    assert deck.startswith("* memlab experiment 'all_or_none'") and deck.rstrip().endswith(".end"), deck[:300]
    line = re.search(r"^\* .*?(ngspice -b -r all_or_none\.raw all_or_none\.cir)", deck, re.M)
    assert line, deck[:600]
    assert "\nXDUT " in deck and "\n.tran " in deck and "\n.subckt memlab_dut p n\n" in deck
    (memlab.folder / "all_or_none.cir").write_text(deck)
    res = subprocess.run(line.group(1).split(), cwd=memlab.folder, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    raw = read_raw(memlab.folder / "all_or_none.raw")
    memlab("run", "all_or_none", "--engine", "ngspice", "--no-figure", "--out", "ng")
    tr = outputs.traces(memlab.folder / "ng" / "traces.h5")
    t, h = tr["time"][0], tr["DUT.h"][0]
    assert len(raw["time"]) == len(t) > 1000
    assert abs(raw["time"] - t).max() <= 1e-9 * t[-1]
    scale = float(re.search(r"^\*   s_h = h / (\S+) m", deck, re.M).group(1))
    assert abs(raw["v(xdut.s_h)"] * scale - h).max() <= 1e-6 * h.max()
    assert h.max() > 2 * h[0], "the device never set: the comparison would be empty"
    # With an override, and the errors.
    assert "R_S in top 5000" in memlab("export-spice", "--experiment", "all_or_none", "--set", "circuit.series_resistance=5 kOhm").stdout
    memlab.fails("export-spice", "--experiment", "array_reconfigurable", names=("array_reconfigurable.toml", "single-device"))
    memlab.fails("export-spice", "--experiment", "all_or_none", "--set", "circuit.series_resistance=5", names=("all_or_none.toml", "circuit.series_resistance"))
    memlab.fails("export-spice", names=("--experiment",))
