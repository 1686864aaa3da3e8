"""Array files from Python: memlab.run returns an ArrayResult whose maps are rows x cols numpy
arrays (every read's conductance map) and whose traces hold the TIA currents; memlab.plot.maps
draws them as heat maps. The 1R crossbar of linear cells (VTEAM below its thresholds,
R = R_on + (R_off - R_on) w / D) with ideal lines reads each cell's own 1/R."""
import numpy as np
import pytest

import memlab

pytest.importorskip("h5py")

CROSSBAR = """
[experiment]
name = "crossbar_read"
seed = 1

[device]
model = "vteam"

[device.initial_state]
w = [["0.3 nm", "1.2 nm", "2.7 nm"], ["2.1 nm", "0.6 nm", "1.5 nm"]]

[array]
rows = 2
cols = 3
cell = "1R"

[[operation]]
kind = "read"
voltage = "0.2 V"
width = "1 us"
"""

GATES = """
[experiment]
name = "gates"
seed = 1

[device]
model = "stanford_pku"

[array]
rows = 1
cols = 2
cell = "1T1R"
word_lines = "columns"

[[operation]]
kind = "gate"
levels = ["0.6 V", "1.8 V"]

[[operation]]
kind = "read"
voltage = "0.1 V"

[recording]
probes = ["v(wl0)", "v(wl1)", "i(TIA0)"]
"""


def write(tmp_path, text, name):
    f = tmp_path / f"{name}.toml"
    f.write_text(text)
    return f


def test_run_on_an_array_file_returns_numpy_conductance_maps(tmp_path):
    r = memlab.run(write(tmp_path, CROSSBAR, "crossbar_read"))
    assert isinstance(r, memlab.ArrayResult)
    w = np.array([[0.3, 1.2, 2.7], [2.1, 0.6, 1.5]]) * 1e-9
    want = 1 / (1e3 + (1e5 - 1e3) * w / 3e-9)
    assert len(r.reads) == 1 and r.reads[0].shape == (2, 3)
    assert r.map_units["read1"] == "S"
    np.testing.assert_allclose(r.reads[0], want, rtol=1e-5)
    np.testing.assert_allclose(r.maps["read1_cell"], want, rtol=1e-9)
    # Currents: each column's TIA carries at most the read voltage times its largest cell.
    for c in range(3):
        i = r.currents[f"i(TIA{c})"]
        assert r.units[f"i(TIA{c})"] == "A"
        assert abs(i).max() == pytest.approx(0.2 * want[:, c].max(), rel=1e-3)
    assert r.currents["time"][-1] == pytest.approx(r.map_times["read1"], rel=0.1)


def test_gate_levels_stay_between_operations_on_column_word_lines(tmp_path):
    r = memlab.run(write(tmp_path, GATES, "gates"))
    t, w0, w1 = r.traces["time"], r.traces["v(wl0)"], r.traces["v(wl1)"]
    assert w0[-1] == pytest.approx(0.6) and w1[-1] == pytest.approx(1.8)
    assert max(w0.max(), w1.max()) == pytest.approx(3.3)  # the read's gate on every column
    assert r.metrics["gate1.levels"][1]["value"] == pytest.approx(1.8)
    assert r.reads[0].shape == (1, 2) and np.all(r.reads[0] > 0)
    assert t[-1] > 0


def test_plot_maps_draws_each_map_as_a_heat_map(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    r = memlab.run(write(tmp_path, CROSSBAR, "crossbar_read"))
    fig = memlab.plot.maps(r, ["read1", "read1_cell"])
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 2
    np.testing.assert_array_equal(images[0].get_array(), r.maps["read1"])
    np.testing.assert_array_equal(images[1].get_array(), r.maps["read1_cell"])
    with pytest.raises(KeyError, match="no map 'read9'"):
        memlab.plot.maps(r, "read9")
    default = memlab.plot.figure(r)  # the figure `memlab run` writes for an array
    assert any(ax.images for ax in default.axes)
    plt.close("all")


def test_array_figure_flows_the_operations_in_rows_of_six_panels():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    g = np.full((3, 2), 1e-4)
    m = {"drive1_limit": (g, "A"), "drive1_responses": (np.ones((3, 2)), "1"), "drive1_g_after": (g, "S"),
         "read1": (g, "S"), "read1_error": (np.full((3, 2), 0.01), "1"),
         "program1_target": (g, "S"), "program1_achieved": (g, "S"), "program1_pulses": (np.ones((3, 2)), "1"),
         "program1_energy": (np.full((3, 2), 1e-9), "J")}
    fig = memlab.plot.array_figure(m, "a")
    where = {ax.get_title(): ax.get_subplotspec().get_topmost_subplotspec() for ax in fig.axes if ax.images}
    cell = {t: (s.rowspan.start, s.colspan.start) for t, s in where.items()}
    # drive1's three panels and read1's two share the first row; program1's four start the second.
    assert cell["drive1: limit (by gate)"] == (0, 0) and cell["read1: read conductance"] == (0, 3)
    assert cell["read1: read error (vs cell alone)"] == (0, 4) and cell["program1: target"] == (1, 0)
    assert cell["program1: energy"] == (1, 3) and len(cell) == 9
    w, h = fig.get_size_inches()
    assert w <= 14 and h <= 5, (w, h)
    plt.close("all")
