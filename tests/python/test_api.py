"""The Python layer: API, numpy conversion, error translation, and equality with the CLI."""
import csv
import os
import subprocess
import tempfile

import numpy as np
import pytest

import memlab

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("MEMLAB_CLI", os.path.join(ROOT, "build", "release", "bin", "memlab"))
EXP = os.path.join(ROOT, "experiments")


def test_units_round_trip_and_errors():
    assert memlab.units.parse("2 MOhm", "Ohm") == 2e6
    assert memlab.units.parse("10 us", "s") == pytest.approx(1e-5)
    assert memlab.units.format(1e-8, "A") == "10 nA"
    with pytest.raises(memlab.InputError, match="circuit.series_resistance: unit 'MV'"):
        memlab.units.parse("2 MV", "Ohm", "circuit.series_resistance")
    with pytest.raises(ValueError):  # InputError is a ValueError
        memlab.units.parse("inf V", "V")


def test_devices_have_parameter_tables_with_units():
    assert "agsn_sio2_pt" in memlab.devices.names()
    params = {p["name"]: p for p in memlab.devices.parameters("agsn_sio2_pt")}
    assert params["L"]["unit"] == "m" and params["L"]["default"] == pytest.approx(5e-9)
    assert all(p["source"] for p in params.values())
    assert [s["name"] for s in memlab.devices.states("vteam")] == ["w"]
    assert memlab.devices.states("vteam")[0]["abs_tolerance"] > 0
    # Every registered model's table gives each parameter a range holding its default.
    for name in memlab.devices.names():
        for p in memlab.devices.parameters(name):
            assert p["min"] <= p["default"] <= p["max"], (name, p["name"])
    with pytest.raises(memlab.InputError, match="unknown model 'nope'"):
        memlab.devices.parameters("nope")


def test_run_returns_numpy_arrays_with_units():
    r = memlab.run(os.path.join(EXP, "all_or_none.toml"), seed=1)
    assert r.name == "all_or_none"
    t, i = r.traces["time"], r.traces["i(DUT)"]
    assert isinstance(i, np.ndarray) and i.dtype == np.float64 and i.shape == t.shape
    assert r.units["i(DUT)"] == "A" and r.units["time"] == "s"
    # Time never goes back; it repeats only at a stochastic event (a row before and one after).
    assert np.all(np.diff(t) >= 0)
    assert np.count_nonzero(np.diff(t) == 0) <= r.metrics["solver.events"]["value"]
    assert r.config["circuit"]["series_resistance"] == "10 MOhm"


def test_overrides_and_errors_reach_python():
    r = memlab.run(os.path.join(EXP, "all_or_none.toml"), set=["circuit.series_resistance=2 MOhm"])
    assert r.config["circuit"]["series_resistance"] == "2 MOhm"
    with pytest.raises(memlab.InputError, match="circuit.seires_resistance: unknown key"):
        memlab.run(os.path.join(EXP, "all_or_none.toml"), set=["circuit.seires_resistance=1 kOhm"])
    with pytest.raises(memlab.InputError, match="no such file"):
        memlab.run("/nonexistent.toml")


def test_python_run_equals_cli_run():
    f = os.path.join(EXP, "integrate.toml")
    py = memlab.run(f, seed=3)
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "run")
        # csv_tolerance 0: every solver step in the CSV (by default it keeps those that give back the rest)
        subprocess.run([CLI, "run", f, "--out", out, "--seed", "3", "--csv", "--set", "recording.csv_tolerance=0"], check=True,
                       capture_output=True)
        rows = list(csv.reader(open(os.path.join(out, "traces.csv"))))
    names = [h.rsplit(" [", 1)[0] for h in rows[0]]
    data = np.array(rows[1:], dtype=float)
    assert set(names) == set(py.traces)
    for k, name in enumerate(names):
        np.testing.assert_array_equal(data[:, k], py.traces[name])  # bit for bit (17 digits in the CSV)


def test_stimuli_built_in_code():
    p = memlab.stimulus.packages("2 V", 3, width="4 us", period="5 us", gap="100 us", base="-1 V")
    assert p(1e-6) == 2.0 and p(4.5e-6) == -1.0
    # packages of 1, 2, 3 pulses: the last pulse starts at 5+100+10+100+10 us and lasts 4 us + edges
    assert p.end_time == pytest.approx(225e-6 + 4.02e-6, rel=1e-9)
    raw = memlab.stimulus.read_after_write(["1 V", "-0.8 V"], "10 us", "0.1 V", "10 us", "10 us")
    # write 0..10.02 us, 10 us gap, read 20.02..30.04 us
    assert raw(15e-6) == 0.0 and raw(25e-6) == pytest.approx(0.1)
    with pytest.raises(memlab.InputError, match="width"):
        memlab.stimulus.pulse_train("1 V", width="-1 us", period="5 us")


def test_simulate_one_call_and_a_circuit_in_code():
    dev = memlab.Device("vteam", r_on="2 kOhm")
    assert dev["r_on"] == 2e3
    w = memlab.stimulus.pulse_train(amplitudes=["1 V", "-1 V"], width="1 us", period="2 us")
    s = memlab.simulate(dev, w, series_resistance="1 kOhm", sample_interval="10 ns")
    assert s.units["DUT.w"] == "m" and len(s.traces["time"]) == len(s.traces["DUT.w"])
    # Up by 0.27 nm with +1 V, back down with -1 V: the pair's net change is -2e-15 m (rtol 1e-10),
    # below the state's absolute tolerance (1e-14 m), so its sign is not the solver's to keep.
    assert s.traces["DUT.w"].max() > 1.75e-9 and abs(s.traces["DUT.w"][-1] - 1.5e-9) < 1e-12
    c = memlab.Circuit()
    c.source("V1", "a", "0", memlab.stimulus.pwl(([0, 1], "us"), ["0 V", "1 V"]))
    c.resistor("R1", "a", "b", "1 kOhm")
    c.capacitor("C1", "b", "0", "1 nF")
    r = memlab.Simulation(c, rtol=1e-8).run("5 us", ["v(b)"], sample_interval="1 us")
    assert len(r["traces"]["v(b)"]) == 6
    with pytest.raises(memlab.InputError, match="floating|connected only"):
        bad = memlab.Circuit()
        bad.resistor("R1", "x", "y", "1 kOhm")
        memlab.Simulation(bad)


def test_bare_numbers_are_refused_as_in_a_file():
    # A number without its unit is ambiguous (width=4 would be four seconds): refused with the key
    # and the form to write, in every place a quantity is taken; a pure number (duty) is a number.
    with pytest.raises(memlab.InputError, match=r'pulse_train\(\): width: a bare number needs a unit; write "4 s"'):
        memlab.stimulus.pulse_train(amplitude="1 V", width=4, period="5 us")
    with pytest.raises(memlab.InputError, match=r"Rs.resistance: a bare number needs a unit"):
        memlab.simulate(memlab.Device("vteam"), memlab.stimulus.pulse(amplitude="1 V", width="1 us"), series_resistance=2)
    with pytest.raises(memlab.InputError, match=r"device.e_ag: a bare number needs a unit"):
        memlab.Device("agsn_sio2_pt", e_ag=0.85)
    c = memlab.Circuit()
    c.source("V1", "a", "0", memlab.stimulus.pulse(amplitude="1 V", width="1 us"))
    c.resistor("R1", "a", "0", "1 kOhm")
    with pytest.raises(memlab.InputError, match=r"t_end: a bare number needs a unit"):
        memlab.Simulation(c).run(1e-3, ["v(a)"])
    w = memlab.stimulus.pulse_train(amplitude="1 V", count=3, width="1 us", duty=0.5)  # duty: a pure number
    # period = (rise + width + fall) / duty = 2.04 us; the last pulse ends 2 periods + 1.02 us in
    assert w.end_time == pytest.approx(2 * 2.04e-6 + 1.02e-6, rel=1e-9)
    assert w.duration == f"{w.end_time!r} s"


def test_stimuli_take_the_keys_and_checks_of_a_file():
    # The names of the [stimulus] table: count with one amplitude, repeat with a list.
    one = memlab.stimulus.pulse_train(amplitude="2 V", count=4, width="1 us", period="2 us")
    listed = memlab.stimulus.pulse_train(amplitudes=["2 V", "2 V"], repeat=2, width="1 us", period="2 us")
    t = np.linspace(0, one.end_time, 997)
    assert one.end_time == listed.end_time and all(one(x) == listed(x) for x in t)
    assert sum(1 for k in range(4) if one(k * 2e-6 + 0.5e-6) == 2.0) == 4
    with pytest.raises(memlab.InputError, match=r"count: 0 is outside \[1, "):
        memlab.stimulus.pulse_train(amplitude="1 V", count=0, width="1 us")
    with pytest.raises(memlab.InputError, match=r"pulse_train\(\): count: unknown key"):
        memlab.stimulus.pulse_train(amplitudes=["1 V"], count=3, width="1 us")  # a list repeats, it has no count
    with pytest.raises(TypeError):
        memlab.stimulus.pulse_train(amplitude="1 V", widht="1 us")  # a misspelt keyword
    # The same waveform as the file's: synapse.toml's stimulus, rebuilt from its resolved keys.
    st = memlab.show_config("synapse")["stimulus"]
    keys = {k: v for k, v in st.items() if k != "kind"}
    w = memlab.stimulus.read_after_write(**keys)
    r = memlab.run("synapse", set=["experiment.duration=50 us"])
    v = r.traces["v(in)"]
    assert np.allclose([w(x) for x in r.traces["time"][:200]], v[:200], atol=1e-9)
    # (numbers, unit) pairs for lists: a numpy array of times.
    p = memlab.stimulus.pwl((np.array([0.0, 1.0, 2.0]), "ms"), ("0 V", "1 V", "0 V"))
    assert p(1e-3) == 1.0 and p.end_time == pytest.approx(2e-3)


def test_device_parameters_change_after_creation():
    dev = memlab.Device("vteam", r_on="2 kOhm")
    c = memlab.Circuit()
    c.memristor("M1", "a", "0", dev)
    assert dev.set(r_on="3 kOhm") is dev and dev["r_on"] == 3e3
    assert dev.parameters["r_on"] == "3 kOhm"
    # Checked together: a bad value leaves every parameter as it was.
    with pytest.raises(memlab.InputError, match="r_off|r_on"):
        dev.set(r_on="1 kOhm", r_off="10 Ohm")
    assert dev["r_on"] == 3e3
    with pytest.raises(memlab.InputError, match="did you mean 'r_on'"):
        dev.set(r_onn="1 kOhm")


def test_shipped_experiments_by_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = memlab.run("retention_volatile", set="experiment.duration=1 ms")  # a string is one override
    assert r.name == "retention_volatile" and r.traces["time"][-1] == pytest.approx(1e-3)
    assert memlab.show_config("synapse.toml")["experiment"]["name"] == "synapse"
    with pytest.raises(memlab.InputError, match="did you mean 'synapse'"):
        memlab.run("synapes")
    with pytest.raises(memlab.InputError, match="runs from any folder by its name"):
        memlab.run("experiments/synapse.toml")  # a path that is not here
    assert os.listdir(tmp_path) == []


def test_notes_are_warnings_and_help_names_arguments():
    with pytest.warns(UserWarning, match="initial_state"):
        memlab.run("synapse", set="device.model=memdiode", seed=1)
    # Every function and method of the extension names its arguments (no arg0 in help()).
    import pydoc
    ext = memlab._memlab
    text = "".join(pydoc.render_doc(m, renderer=pydoc.plaintext)
                   for m in (ext, ext.units, ext.devices, ext.analysis, ext.stimulus, memlab.stimulus))
    assert "arg0" not in text, [l for l in text.splitlines() if "arg0" in l][:5]


def test_swap_model_and_ngspice_engine_from_python():
    f = os.path.join(EXP, "demo_vteam_pulses.toml")
    a = memlab.run(f, set=["solver.rtol=1e-8"])
    b = memlab.run(f, set=["solver.rtol=1e-8"], engine="ngspice")
    assert b.metrics["engine"] == "ngspice"
    w = np.interp(b.traces["time"], a.traces["time"], a.traces["DUT.w"])
    assert np.max(np.abs(w - b.traces["DUT.w"])) < 0.01 * np.ptp(a.traces["DUT.w"])
    m = memlab.run(f, set=["device.model=memdiode"])
    assert "DUT.lambda" in m.traces and "DUT.w" not in m.traces
    with pytest.raises(memlab.InputError, match="engine"):
        memlab.run(f, engine="spectre")


def test_figure_titles_name_the_compliance_with_its_prefix():
    from memlab import plot
    # The training ramp runs at 100 nA..100 uA; a title of "0 mA" for 10 uA hid that.
    assert [plot._current_label(x) for x in (1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3)] == [
        "10 nA", "100 nA", "1 uA", "10 uA", "100 uA", "1 mA"]


def test_read_conductance_of_each_read_pulse():
    # Three reads at 0.1 V between writes at 1 V; the device (behind a resistor) holds 40 mV of
    # each read, its conductance 1, 2, 3 mS: one value per read, from v(top), not from v(in).
    v_in, v_top, i = [], [], []
    for g in (1e-3, 2e-3, 3e-3):
        v_in += [1.0] * 5 + [0.0] * 3 + [0.1] * 4 + [0.0] * 3
        v_top += [0.3] * 5 + [0.0] * 3 + [0.04] * 4 + [0.0] * 3
        i += [0.3 * g] * 5 + [0.0] * 3 + [0.04 * g] * 4 + [0.0] * 3
    np.testing.assert_allclose(memlab.analysis.read_conductance(v_in, v_top, i, 0.1), [1e-3, 2e-3, 3e-3], rtol=1e-12)


def test_analysis_measures_as_the_report_does():
    # Vset at 90 % of the compliance, interpolation-free (the first sample at or above it).
    v = np.linspace(0, 1, 101)
    i = 1e-8 * (v > 0.5)
    assert memlab.analysis.vset(v, i, 1e-8) == v[51]
    assert np.isnan(memlab.analysis.vset(v, 0 * i, 1e-8))
    per = memlab.analysis.vset_per_cycle(np.arange(202.0), np.concatenate([v, v]), np.concatenate([i, 0 * i]), 1e-8, 101.0)
    assert per[0] == v[51] and np.isnan(per[1])
    assert memlab.analysis.median([3.0, np.nan, 1.0, 2.0]) == 2.0
    s = memlab.analysis.statistics([1.0, 3.0, np.nan])
    assert (s["mean"], s["std"], s["n"], s["missing"]) == (2.0, 1.0, 2, 1)
    assert memlab.analysis.response_threshold(2.0, 2e6) == 0.5e-6
    # A linear conductance fall on the negative branch: the 90 % -> 10 % width in closed form.
    vn = -np.linspace(0, 1, 10001)
    g = np.clip(1 - (-vn - 0.2) / 0.5, 0, 1)
    r = memlab.analysis.reset_width(vn, vn * 1e-3 * g)
    assert abs(r["v_start"] + 0.35) < 1e-3
    root = lambda f: -(1.4 + np.sqrt(1.96 - 8 * f * 0.245)) / 4
    assert abs(r["v_from"] - root(0.9)) < 1e-4 and abs(r["v_to"] - root(0.1)) < 1e-4
    f = memlab.analysis.exponential_delay_fit([1.0, 1.5, 2.0], [1e-2, 1e-4, 1e-6])
    assert abs(f["slope"] + 4) < 1e-12 and abs(f["r2"] - 1) < 1e-12 and abs(f["decades"] - 4) < 1e-12


def test_conductance_trace_only_where_the_device_has_a_voltage():
    from memlab import plot
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    g = plot.conductance_trace(ax, [0, 1, 2, 3], [0.0, 0.2, -0.5, 1e-4], [0.0, 2e-6, -1e-6, 1e-9])
    plt.close(fig)
    assert np.isnan(g[0]) and np.isnan(g[3])
    np.testing.assert_allclose(g[1:3], [1e-5, 2e-6], rtol=1e-12)


def test_synapse_figure_has_the_read_conductance_panel():
    from memlab import plot
    # The paper's Fig. 3d: the reads of every cycle against the pulse number (one short cycle).
    f = os.path.join(ROOT, "experiments", "synapse.toml")
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([CLI, "run", f, "--out", d, "--no-figure",
                        "--set", "stimulus.write_counts=[3, 3]", "--set", "stimulus.cycles=2"], check=True, capture_output=True)
        png = os.path.join(d, "figure.png")
        plot.draw(d, png)
        assert os.path.getsize(png) > 0
        import matplotlib.pyplot as plt
        fig = plt.figure()
        ax = fig.add_subplot()
        cfg, data, _ = plot.load(d)
        g = memlab.analysis.read_conductance(data["v(in)"], data["v(top)"], data["i(DUT)"], 0.1)
        assert len(g) == 12 and np.all(g > 1e-4)
        mean = plot.read_conductance(ax, g, per_cycle=6)
        assert len(ax.lines) == 3 and mean.shape == (6,)
        plt.close(fig)


def test_md_run_gives_numpy_arrays_and_equals_the_cli():
    f = os.path.join(ROOT, "tests", "validation", "md_tiny.toml")
    with tempfile.TemporaryDirectory() as d:
        r = memlab.run(f, seed=5)  # an [md] file goes to run_md
        assert isinstance(r, memlab.MdResult) and r.name == "md_tiny"
        assert len(r.runs) == 4 and {x["ion"] for x in r.runs} == {"Ag", "Sn"}
        x = r.runs[0]
        assert isinstance(x["x"], np.ndarray) and x["x"].shape == x["time"].shape == (31,)
        assert x["x"][0] == 0.0 and x["lag"][0] == pytest.approx(1e-13)
        assert r.D("Ag").shape == (2,)
        out = os.path.join(d, "cli")
        subprocess.run([CLI, "run", f, "--out", out, "--seed", "5"], check=True, capture_output=True)
        m = __import__("json").load(open(os.path.join(out, "metrics.json")))
        for y in r.runs:
            assert m[f"{y['ion']}.sample{y['sample']}.D"]["value"] == y["D"]  # bit for bit
        assert memlab.show_config(f)["md"]["temperature"] == "1500 K"
        with pytest.raises(memlab.InputError, match="md.ions"):
            memlab.run_md(f, set=['md.ions=["Xe"]'], folder=d)


def test_run_network_returns_spikes_and_weights_as_arrays():
    """A [network] file: spikes, weights and the presented images as numpy arrays, the same the
    command line writes (the LIF digits: its accuracy in metrics equals its answers)."""
    import numpy as np
    r = memlab.run("snn_digits_lif")
    assert isinstance(r, memlab.NetworkResult)
    assert r.weights["epoch0"].shape == (65, 10) and r.weights_unit == "V"
    assert r.spikes["time"].dtype == np.float64 and r.spikes["time"].size == r.metrics["spikes"] > 0
    assert np.all(np.diff(r.spikes["time"]) >= 0) and set(np.unique(r.spikes["neuron"])) <= set(range(10))
    assert r.images["counts"].shape == (597, 10) and r.images["counts"].sum() == r.metrics["spikes"]
    assert np.mean(r.images["predicted"] == r.images["label"]) == r.metrics["accuracy"]
    assert memlab.show_config("snn_digits_lif")["network"]["inputs"] == 65


def test_run_learning_network_returns_its_learning():
    """A learning network (snn_digits_stdp, 20 training and 10 test images): the labels, the
    training winners and the initial and trained maps as numpy arrays."""
    import numpy as np
    r = memlab.run("snn_digits_stdp", set=["network.learning.images=20", "network.input.images=10"])
    assert r.weights["epoch0"].shape == r.weights["epoch1"].shape == (64, 100) and r.weights_unit == "S"
    assert r.learning["labels"].shape == (100,) and r.learning["train_winner"].shape == (20,)
    assert r.metrics["learning"]["post_pulses"] == int(np.sum(r.learning["train_winner"] >= 0)) > 0
    assert r.images["counts"].shape == (10, 100)
    assert np.mean(r.images["predicted"] == r.images["label"]) == r.metrics["accuracy"]
