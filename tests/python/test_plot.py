"""memlab.plot: reachable from `import memlab`, leaves matplotlib's backend alone, I(V) for sweeps,
readable log axes and dense traces drawn as their envelope (the data unchanged)."""
import os
import subprocess
import sys

import matplotlib
import matplotlib.collections
import matplotlib.pyplot as plt
import numpy as np
import pytest

import memlab

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SMU_SWEEP = os.path.join(ROOT, "experiments", "demo_vteam_smu_sweep.toml")


def test_import_keeps_the_backend_and_gives_memlab_plot():
    # A notebook's backend (inline, here svg) must survive `import memlab` and the first memlab.plot.
    code = ("import matplotlib; matplotlib.use('svg'); import memlab; p = memlab.plot; "
            "import matplotlib.pyplot as plt; print(matplotlib.get_backend(), p.__name__, callable(p.figure))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["svg", "memlab.plot", "True"]
    with pytest.raises(AttributeError, match="no_such_thing"):
        memlab.no_such_thing  # noqa: B018


def visible_tick_labels(ax):
    ax.figure.canvas.draw()
    lo, hi = ax.get_ylim()
    labels = []
    for t in ax.yaxis.get_major_ticks() + ax.yaxis.get_minor_ticks():
        if lo <= t.get_loc() <= hi and t.label1.get_visible() and t.label1.get_text():
            labels.append(t.label1.get_text())
    return labels


def test_log_axis_of_a_nearly_constant_trace_has_different_tick_labels():
    # A device at its 1 pS leak: the conductance varies by 1e-6 of itself, and matplotlib alone
    # labels every tick "1x10^-12".
    fig, ax = plt.subplots()
    t = np.linspace(0, 1, 200)
    memlab.plot.conductance_trace(ax, t, np.full_like(t, 0.1), 1e-13 * (1 + 1e-6 * t))
    labels = visible_tick_labels(ax)
    plt.close(fig)
    assert len(labels) >= 2 and len(set(labels)) == len(labels), labels
    lo, hi = ax.get_ylim()
    assert lo <= 1e-12 <= hi and hi / lo >= 10 * (1 - 1e-9)


def test_envelope_keeps_every_column_extreme():
    rng = np.random.default_rng(4)
    t = np.sort(rng.uniform(0, 1, 50_000))
    y = rng.normal(size=t.size)
    y[[17, 31_000]] = [40.0, -55.0]  # single-sample spikes must survive
    y[1000:1010] = np.nan
    tm, lo, hi = memlab.plot.envelope(t, y, columns=300)
    assert len(tm) == 300 and np.all(np.diff(tm) > 0)
    assert np.nanmin(lo) == -55.0 and np.nanmax(hi) == 40.0
    col = np.minimum(((t - t[0]) / (t[-1] - t[0]) * 300).astype(int), 299)
    for c in (0, 5, 150, 299):
        assert lo[c] == np.nanmin(y[col == c]) and hi[c] == np.nanmax(y[col == c])
    # Drawn: the band and its edges hold the extremes, with a few points per column only.
    fig, ax = plt.subplots()
    memlab.plot.trace(ax, t, y, columns=300)
    drawn = np.concatenate([line.get_ydata() for line in ax.lines])
    assert sum(len(line.get_ydata()) for line in ax.lines) <= 2 * 300
    assert np.nanmax(drawn) == 40.0 and np.nanmin(drawn) == -55.0
    plt.close(fig)
    # A short trace is drawn as it is.
    fig, ax = plt.subplots()
    memlab.plot.trace(ax, t[:100], y[:100], columns=300)
    assert len(ax.lines) == 1 and np.array_equal(ax.lines[0].get_ydata(), y[:100], equal_nan=True)
    plt.close(fig)


def test_thin_keeps_the_extremes_in_time_order():
    t = np.linspace(0, 1, 20_001)
    y = np.sin(40 * t) + (t == t[12_345]) * 5
    keep = memlab.plot._thin(t, y, columns=100)
    assert np.all(np.diff(keep) > 0) and keep[0] == 0 and keep[-1] == len(t) - 1
    assert y[keep].max() == y.max() and y[keep].min() == y.min() and len(keep) <= 3 * 100 + 1


def test_sweep_figure_is_iv_with_programmed_and_device_voltage():
    r = memlab.run(SMU_SWEEP)
    fig = memlab.plot.figure(r)
    axes = {(a.get_xlabel(), a.get_ylabel()): a for a in fig.axes}
    iv = axes[("device voltage (V)", "|I| (A)")]
    assert iv.get_yscale() == "log"
    # Two cycles in grey (one collection) and their median: the device voltage on x spans the
    # sweep, 1.2 V each way.
    grey = [c for c in iv.collections if isinstance(c, matplotlib.collections.LineCollection)]
    assert len(grey) == 1 and len(grey[0].get_segments()) == 2 and len(iv.lines) == 1
    x = np.concatenate([seg[:, 0] for seg in grey[0].get_segments()] + [iv.lines[0].get_xdata()])
    assert x.min() < -1.0 and x.max() > 1.0
    volts = [a for a in fig.axes if a.get_ylabel() == "voltage (V)"][0]
    assert [t.get_text() for t in volts.get_legend().get_texts()] == ["programmed (SMU set-point)", "device"]
    # The set-point is what was programmed; in compliance (50 uA) the device voltage lies below it.
    assert np.max(np.abs(r.traces["SRC.u"] - r.traces["v(in)"])) > 0.1
    drawn = np.concatenate([line.get_ydata() for line in volts.lines if line.get_color() == volts.lines[0].get_color()])
    assert drawn.max() == r.traces["SRC.u"].max() and drawn.min() == r.traces["SRC.u"].min()
    plt.close(fig)
    # memlab.plot.iv on its own axes gives the same I(V).
    ax = memlab.plot.iv(r)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "device voltage (V)"
    assert len(ax.lines) == 1 and len(ax.collections[0].get_segments()) == 2
    plt.close(ax.figure)


def test_iv_of_a_simulated_result_is_one_curve():
    dev = memlab.Device("vteam")
    tri = memlab.stimulus.sweep(vertices=["0 V", "1.2 V", "-1.2 V", "0 V"], rate="0.1 V/us", cycles=1)
    s = memlab.simulate(dev, tri, series_resistance="1 kOhm")
    ax = memlab.plot.iv(s)
    assert len(ax.lines) == 1 and ax.get_yscale() == "log"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), s.traces["v(top)"])
    plt.close(ax.figure)
