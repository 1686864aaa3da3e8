"""memlab list, describe and export-spice: the device registry as a user sees it. Every model of
the registry is checked (`memlab list`), none is named here except in the override examples."""
import re

import pytest

import outputs


def test_list_names_the_models_the_experiments_and_the_probes(memlab):
    out = memlab("list").stdout
    models = outputs.model_names()
    assert "agsn_sio2_pt" in models and "vteam" in models
    assert len(set(models)) == len(models)
    for m in models:  # a summary beside every name
        assert re.search(rf"^  {m} +\S", out, re.M), m
    listed = re.findall(r"^  (\S+\.toml)$", out, re.M)
    assert sorted(p.rsplit("/", 1)[-1][:-5] for p in listed) == outputs.shipped_experiments()
    assert "element.state" in out and "v(node)" in out and "i(element)" in out


def test_describe_gives_every_model_its_tables(memlab):
    for m in outputs.model_names():
        out = memlab("describe", m).stdout
        assert out.startswith(f"## `{m}`: "), out[:80]
        assert "| parameter | default | range | symbol | meaning | source |" in out
        params = re.findall(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) \| ([^|]*) \| ([^|]+) \| ([^|]+) \|$", out, re.M)
        assert params, f"{m}: no parameter rows"
        for name, default, allowed, _symbol, meaning, source in params:
            assert default.strip() and meaning.strip() and source.strip(), f"{m}.{name}"
            # Inclusive bounds with units, an open end as inf: "[1 mOhm, 1000 TOhm]", "[0 m/s, inf)".
            assert re.fullmatch(r"(\[[^,]+|\(-inf), ([^,]+\]|inf\))", allowed.strip()), f"{m}.{name}: range {allowed!r}"
        st = outputs.states(m)
        assert st and all(tol > 0 for _, tol in st.values()), f"{m}: states {st}"
        assert re.search(r"^Stochastic events: (none|\d+ hazard\(s\))\. SPICE export: (yes|no)", out, re.M), out[-200:]
    bad = memlab.fails("describe", "vtaem", names=["describe", "unknown model 'vtaem'", "vteam"])
    assert "agsn_sio2_pt" in bad  # lists the known ones


def test_export_spice_with_an_override(memlab):
    # The keys `memlab run` takes (device.NAME), or the same without "device.".
    out = memlab("export-spice", "vteam", "--set", "device.r_on=2 kOhm").stdout
    assert re.search(r"\.subckt vteam p n.*Bi p n I = V\(p,n\)/\(2000 ", out, re.S), out
    assert memlab("export-spice", "vteam", "--set", "r_on=2 kOhm").stdout == out
    # The default r_on is not 2 kOhm: the override is what moved the number.
    assert "/(2000 " not in memlab("export-spice", "vteam").stdout
    # The initial state, as in an experiment file ([device.initial_state]); w on its node in nm.
    start = memlab("export-spice", "vteam", "--set", "device.initial_state.w=0.5 nm").stdout
    assert re.search(r"^\* \.ic v\(x1\.s_w\)=0\.5$", start, re.M), start[:1500]
    assert re.search(r"^B_w 0 s_w I = .*\(0\.5 - V\(s_w\)\)$", start, re.M)
    memlab.fails("export-spice", "vteam", "--set", "r_onn=2 kOhm", names=["r_onn"])
    memlab.fails("export-spice", "vteam", "--set", "device.r_onn=2 kOhm", names=["device.r_onn"])
    memlab.fails("export-spice", "vteam", "--set", "r_on=2 kV", names=["r_on", "kV"])
    memlab.fails("export-spice", "vteam", "--set", "device.initial_state.x=1 nm", names=["device.initial_state.x"])
    memlab.fails("export-spice", "vteam", "--set", "circuit.series_resistance=1 kOhm", names=["circuit.series_resistance", "device"])
    memlab.fails("export-spice", "vteam", "--set", "device.model=biolek", names=["device.model", "first argument"])


def test_export_spice_unknown_model(memlab):
    memlab.fails("export-spice", "vtaem", names=["unknown model 'vtaem'", "vteam"])


@pytest.mark.parametrize("model", outputs.model_names())
def test_export_spice_every_model(memlab, model):
    # One subcircuit from .subckt to .ends with a state node s_NAME for each of the model's states
    # (the nodes the ngspice engine reads back), and a behavioural current from p.
    if "SPICE export: no" in memlab("describe", model).stdout:
        memlab.fails("export-spice", model, names=[model, "no SPICE export"])
        return
    out = memlab("export-spice", model).stdout
    assert out.startswith("* exported by memlab ")
    body = re.search(rf"^\.subckt {model} p n\b(.*?)^\.ends {model}$", out, re.S | re.M)
    assert body, out[:400]
    assert out.count(".subckt") == 1
    for s in outputs.states(model):
        assert re.search(rf"\bs_{s}\b", body.group(1)), f"{model}: no node s_{s} in the export"
    assert re.search(r"^B\w* p \w+ I *=", body.group(1), re.M), f"{model}: no current source from p"
