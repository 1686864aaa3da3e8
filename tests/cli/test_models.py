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
    # The shipped experiments by the names `memlab run NAME` takes, after the folder they are in.
    shipped = out[out.index("Experiments shipped"):out.index("Probes")]
    assert re.search(r"^Experiments shipped \(/\S+/experiments; ", shipped, re.M), shipped[:200]
    assert re.findall(r"^  (\w+)$", shipped, re.M) == outputs.shipped_experiments()
    assert "element.state" in out and "v(node)" in out and "i(element)" in out


def test_describe_gives_every_model_its_tables(memlab):
    for m in outputs.model_names():
        out = memlab("describe", m, "--markdown").stdout
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
        meanings = re.findall(r"^\| `\w+` \| [^|]+ \| [^|]+ \| ([^|]+) \|$", out, re.M)
        assert len(meanings) == len(st) and all(len(x.strip()) > 3 for x in meanings), f"{m}: state meanings {meanings}"
        assert re.search(r"^Stochastic events: (none|\d+ hazard\(s\))\. SPICE export: (yes|no)", out, re.M), out[-200:]
    bad = memlab.fails("describe", "vtaem", names=["describe", "unknown model 'vtaem'", "did you mean 'vteam'"])
    assert "agsn_sio2_pt" in bad  # lists the known ones


def test_describe_short_form_fits_a_terminal(memlab):
    # The default is for reading in a terminal: every state with its meaning and every parameter
    # with default, range and meaning, no line over 100 characters, and much shorter than the tables.
    for m in outputs.model_names():
        out = memlab("describe", m).stdout
        full = memlab("describe", m, "--markdown").stdout
        assert max(len(line) for line in out.splitlines()) <= 100, m
        assert len(out) < len(full), m
        for name, _ in outputs.states(m).items():
            assert re.search(rf"^  {name} +\S+ +\S", out, re.M), f"{m}: state {name} missing in\n{out}"
        for p in re.findall(r"^\| `(\w+)` \| [^|]+ \| [^|]+ \| [^|]* \| [^|]+ \| [^|]+ \|$", full, re.M):
            assert re.search(rf"^  {p} +\S+.*[\[(].*[\])]", out, re.M), f"{m}: parameter {p} has no default and range"
    agsn = memlab("describe", "agsn_sio2_pt").stdout
    assert re.search(r"^  h +m +filament", agsn, re.M), agsn[:600]  # which state is the filament


def test_describe_gives_the_access_transistor_its_table(memlab):
    # nmos_ekv is no memristor model (not in `memlab list`'s models) but is described like one:
    # every parameter row with a default, a range, a meaning and a source; no states.
    full = memlab("describe", "nmos_ekv", "--markdown").stdout
    assert full.startswith("## `nmos_ekv`: "), full[:80]
    params = re.findall(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) \| ([^|]*) \| ([^|]+) \| ([^|]+) \|$", full, re.M)
    assert {"vt0", "kp", "gamma", "phi", "lambda_l", "w", "l"} <= {p[0] for p in params}, params
    for name, default, allowed, _symbol, meaning, source in params:
        assert default.strip() and meaning.strip() and source.strip(), name
        assert re.fullmatch(r"(\[[^,]+|\(-inf), ([^,]+\]|inf\))", allowed.strip()), f"{name}: range {allowed!r}"
    assert "No states" in full and "level-1" in full
    short = memlab("describe", "nmos_ekv").stdout
    assert max(len(line) for line in short.splitlines()) <= 100
    assert re.search(r"^  vt0 +700 mV +\[", short, re.M), short[:400]
    assert "nmos_ekv" in memlab.fails("describe", "nmos", names=["describe", "unknown model 'nmos'"])


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
    if "SPICE export: no" in memlab("describe", model, "--markdown").stdout:
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
