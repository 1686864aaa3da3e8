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
