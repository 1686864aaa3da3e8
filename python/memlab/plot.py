"""Figures for memlab results, laid out like the paper's: pulse experiments as the input voltages
on top and the device current below; sweeps as I(V), log |I| against the device voltage (Fig. 4),
each cycle in grey with the median cycle in colour, and for SMU sweep blocks the Vset histogram.
Reads traces.h5 (one dataset per probe, SI units as attributes) and config.json, or a
memlab.Result.

    import memlab
    r = memlab.run("experiments/training.toml")
    memlab.plot.figure(r)                  # the figure `memlab run` writes, as a matplotlib Figure
    memlab.plot.iv(r)                      # I(V) of any result: one curve per sweep cycle

    /usr/bin/python3 -m memlab.plot REPORT_DIR                # figures + report.html for a reproduce run
    /usr/bin/python3 -m memlab.plot --draw RUN_DIR OUT.png     # the figure of one memlab run
    /usr/bin/python3 -m memlab.plot --distributions SWEEP_DIR OUT.png   # a memlab sweep's histograms
    /usr/bin/python3 -m memlab.plot --fit FIT_DIR OUT.png               # a memlab fit: overlay and residuals

(with the build's python folder on PYTHONPATH). Importing this module leaves matplotlib's backend
alone (inline figures in Jupyter keep working); the command line above draws with Agg.

Long traces are drawn, never changed: where a trace has more samples than the axis has pixel
columns, each of `COLUMNS` equal time columns is drawn as the band from its smallest to its
largest sample, with both edges, so a train of thousands of pulses reads as its levels instead of
a solid block. Units and the measurements on the traces (Vset, read conductance) are memlab's own,
from the compiled module (memlab.units, memlab.analysis).
"""
import base64
import html
import json
import os
import sys

import h5py
import matplotlib.collections
import matplotlib.colors
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np

from . import _memlab

# Time columns of a drawn trace: about the pixel width of a 7 inch axis at 110 dpi, with margin.
COLUMNS = 1000
# The floor of a log |I| axis: a current that is exactly 0 (a gap at 0 V) is drawn here.
FLOOR = 1e-15
# The resolution figures are made and saved at. Made at the saved resolution, a figure's layout
# (tight_layout measures every label) is measured once for the file: at another one the saving
# lays every text out again (a third of the drawing time of report figures).
DPI = 110


def _subplots(*args, **kw):
    """plt.subplots at the figures' resolution."""
    kw.setdefault("dpi", DPI)
    return plt.subplots(*args, **kw)


def load(folder):
    cfg = json.load(open(os.path.join(folder, "config.json")))
    name = cfg["experiment"]["name"]
    with h5py.File(os.path.join(folder, "traces.h5"), "r") as f:
        g = f[name] if name in f else f[sorted(f.keys())[0]]  # several devices: draw the first
        data = {k: np.asarray(g[k]) for k in g.keys()}
        units = {k: g[k].attrs["unit"].decode() if isinstance(g[k].attrs["unit"], bytes) else str(g[k].attrs["unit"]) for k in g.keys()}
    return cfg, data, units


def _current_label(icc):
    """1e-8 -> '10 nA', 1e-5 -> '10 uA', 1e-3 -> '1 mA' (an SI prefix, no decimals beyond need)."""
    for scale, prefix in ((1e-3, "m"), (1e-6, "u"), (1e-9, "n"), (1e-12, "p")):
        if icc >= scale * 0.9995:
            return f"{icc / scale:.3g} {prefix}A"
    return f"{icc:.3g} A"


def envelope(t, y, columns=COLUMNS):
    """The min/max envelope of y(t) over `columns` equal time columns: (t_mid, lo, hi), one entry
    per column that holds a sample (NaN samples are left out; a column of NaN only gives NaN, a
    gap). Every sample lies in its column's [lo, hi], and lo, hi are samples: min(lo) = min(y),
    max(hi) = max(y). `t` must not decrease."""
    t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
    span = t[-1] - t[0]
    col = np.zeros(len(t), dtype=int) if span <= 0 else np.minimum(((t - t[0]) / span * columns).astype(int), columns - 1)
    starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
    finite = np.isfinite(y)
    lo = np.fmin.reduceat(np.where(finite, y, np.nan), starts)  # fmin/fmax skip NaN
    hi = np.fmax.reduceat(np.where(finite, y, np.nan), starts)
    t_mid = t[0] + (col[starts] + 0.5) * (span / columns) if span > 0 else t[starts]
    return t_mid, lo, hi


def trace(ax, t, y, log=False, columns=COLUMNS, **style):
    """Draws y(t) on `ax` (log: |y| on a log axis, exact zeros at FLOOR). Up to two samples per
    column it is the plain line; denser, the envelope per column (a light band with its upper and
    lower edges as lines; on a log axis the view goes down to 3 decades below the lowest column
    maximum, so the zeros between pulses do not fill it). Returns the line (the upper edge)."""
    t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
    if log:
        y = np.abs(y) + FLOOR
        ax.set_yscale("log")
    style.setdefault("lw", 0.7)
    if len(t) <= 2 * columns:
        (line,) = ax.plot(t, y, **style)
        return line
    tm, lo, hi = envelope(t, y, columns)
    (line,) = ax.plot(tm, hi, **style)
    edge = {k: v for k, v in style.items() if k != "label"}
    edge["color"] = line.get_color()
    ax.plot(tm, lo, **edge)
    ax.fill_between(tm, lo, hi, color=line.get_color(), alpha=0.25, lw=0)
    if log:  # the axis follows the peaks: at most 3 decades below the lowest column's largest value
        ax.set_ylim(bottom=max(np.nanmin(lo), np.nanmin(hi) * 1e-3) / 1.5)
    return line


def readable_log(ax, axis="y"):
    """A log axis over less than a decade gets one decade around its data (geometric centre), and
    up to 1.5 decades label some minor ticks (2, 3, 4, 6 x 10^n), so its ticks carry different
    labels (matplotlib alone labels every tick of a nearly constant 1 pS "1x10^-12")."""
    get, set_ = (ax.get_ylim, ax.set_ylim) if axis == "y" else (ax.get_xlim, ax.set_xlim)
    lo, hi = get()
    if lo > 0 and hi / lo < 10:
        mid = np.sqrt(lo * hi)
        set_(mid / np.sqrt(10), mid * np.sqrt(10))
    which = ax.yaxis if axis == "y" else ax.xaxis
    which.set_minor_formatter(matplotlib.ticker.LogFormatterSciNotation(labelOnlyBase=False, minor_thresholds=(1.5, 0.5)))


def _quantity(cfg, table, key, unit, default=0.0):
    text = cfg.get(table, {}).get(key)
    return default if text is None else _memlab.units.parse(str(text), unit)


def device_voltage(cfg, d):
    """The device's own voltage: v(top) behind a series resistor, else the source node v(in)."""
    if _quantity(cfg, "circuit", "series_resistance", "Ohm") > 0 and "v(top)" in d:
        return d["v(top)"]
    return d["v(in)"]


def inputs(cfg, d):
    """The voltages the input panel shows, as (label, array): what the user programmed, and the
    device's voltage where it differs. An AWG is ideal, so v(in) is the programmed waveform; an
    SMU's output v(in) drops in compliance, so its programmed voltage is its set-point SRC.u
    (recorded by default for an SMU) and v(in) is drawn as the device voltage."""
    smu = cfg.get("circuit", {}).get("source") == "smu"
    out = []
    if smu:
        if "SRC.u" in d:
            out.append(("programmed (SMU set-point)", d["SRC.u"]))
    else:
        out.append(("programmed (source)", d["v(in)"]))
    if smu or _quantity(cfg, "circuit", "series_resistance", "Ohm") > 0:
        out.append(("device" + (" (SMU output)" if smu and "SRC.u" not in d else ""), device_voltage(cfg, d)))
    return out


def pulse_response(axes, t, v, i):
    """The input voltages on top, |device current| below (log), as the paper's pulse figures. `v`
    is one array (the input) or a list of (label, array): the programmed and the device voltage."""
    voltages = [("input", v)] if isinstance(v, np.ndarray) or not isinstance(v[0], tuple) else v
    for k, (label, x) in enumerate(voltages):
        trace(axes[0], t, x, color="k" if k == 0 else "C1", label=label)
    axes[0].set_ylabel("voltage (V)" if len(voltages) > 1 else "input (V)", fontsize=8)
    if len(voltages) > 1:
        axes[0].legend(fontsize=7, loc="upper right")
    trace(axes[1], t, i, log=True, color="C0")
    readable_log(axes[1])
    axes[1].set_ylabel("|device current| (A)", fontsize=8)
    axes[1].set_xlabel("time (s)", fontsize=8)
    for a in axes:
        a.tick_params(labelsize=7)


def sweep_cycles(cfg):
    """The sweep cycles of a sweep or sweep_blocks stimulus: one (start, period, cycles,
    compliance) per block (a plain sweep is one block; compliance None without an SMU)."""
    st = cfg["stimulus"]
    parse = _memlab.units.parse
    rate = parse(st["rate"], "V/s")

    def period(vertices):
        v = [parse(x, "V") for x in vertices]
        return sum(abs(v[k + 1] - v[k]) for k in range(len(v) - 1)) / rate

    if st.get("kind") == "sweep":
        smu = cfg.get("circuit", {}).get("source") == "smu"
        icc = _quantity(cfg.get("circuit", {}), "smu", "compliance", "A", None) if smu else None
        return [(_quantity(cfg, "stimulus", "delay", "s"), period(st["vertices"]), int(st.get("cycles", 1)), icc)]
    t0, out = 0.0, []
    for b in st["block"]:
        p = period(b["vertices"])
        out.append((t0, p, int(b["cycles"]), parse(b["compliance"], "A")))
        t0 += p * int(b["cycles"])
    return out


def sweep_blocks(cfg):
    """The blocks of a sweep_blocks stimulus (see sweep_cycles)."""
    return sweep_cycles(cfg)


def iv_cycles(ax, axh, t, v, i, t0, period, cycles, icc=None):
    """One block of I(V) cycles, log |I| against the device voltage: every cycle in grey, the
    median cycle in colour (on `ax`); with a compliance `icc` and an `axh`, the Vset histogram
    (Vset at 90 % of the compliance). Returns the Vset values (NaN without a compliance)."""
    t, v, i = (np.asarray(x, dtype=float) for x in (t, v, i))
    phases = np.linspace(0, period, 400)
    cyc_i, vs, grey = [], [], []
    for c in range(cycles):
        m = (t >= t0 + c * period) & (t <= t0 + (c + 1) * period)
        if m.sum() < 2:
            continue
        tc, vc, ic = t[m], v[m], i[m]
        if len(tc) > 4 * COLUMNS:  # drawn through the extremes of |I| per column, in time order
            keep = _thin(tc, np.abs(ic))
            tc_d, vc_d, ic_d = tc[keep], vc[keep], ic[keep]
        else:
            tc_d, vc_d, ic_d = tc, vc, ic
        grey.append(np.column_stack([vc_d, np.abs(ic_d) + FLOOR]))
        cyc_i.append(np.interp(t0 + c * period + phases, tc, np.abs(ic)))
        vs.append(_memlab.analysis.vset(vc, ic, icc) if icc else np.nan)
    if grey:  # one artist for the block's cycles (a line each costs more to make than to draw)
        ax.add_collection(matplotlib.collections.LineCollection(grey, colors="0.75", linewidths=0.5))
        ax.autoscale_view()
    ax.set_yscale("log")
    if cyc_i:
        vmed = np.interp(t0 + phases, t, v)
        ax.plot(vmed, np.median(cyc_i, axis=0) + FLOOR, color="C3" if (icc or 1) > 1e-6 else "C0", lw=1.5)
    if icc:
        ax.set_title(_current_label(icc), fontsize=8)
    ax.set_xlabel("V (V)", fontsize=7)
    readable_log(ax)
    vs = np.array(vs, dtype=float)
    if axh is not None and icc:
        axh.hist(vs[np.isfinite(vs)], bins=20, range=(0, 1.5), color="0.4")
        axh.set_xlabel("Vset (V)", fontsize=7)
        if np.isfinite(vs).any():
            axh.set_title(f"{np.nanmean(vs):.2f} +- {np.nanstd(vs):.2f} V", fontsize=7)
        axh.tick_params(labelsize=6)
    ax.tick_params(labelsize=6)
    return vs


def _thin(t, y, columns=COLUMNS):
    """Indices of the samples that hold, in each of `columns` equal time columns, the first, the
    smallest and the largest y, in time order (and the last sample): a curve drawn through them
    looks as the full one does at that width. For curves not drawn against time, e.g. I(V)."""
    t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
    span = t[-1] - t[0]
    col = np.zeros(len(t), dtype=int) if span <= 0 else np.minimum(((t - t[0]) / span * columns).astype(int), columns - 1)
    order = np.lexsort((np.nan_to_num(y, nan=np.inf), col))
    starts = np.flatnonzero(np.r_[True, col[order][1:] != col[order][:-1]])
    ends = np.r_[starts[1:], len(order)] - 1
    first = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
    return np.unique(np.r_[first, order[starts], order[ends], len(t) - 1])


def figure_sweeps(cfg, d, ax_grid):
    """Sweep blocks as columns: I(V) cycles on top, the Vset histogram below."""
    t, v, i = d["time"], device_voltage(cfg, d), d["i(DUT)"]
    for col, (t0, period, cycles, icc) in enumerate(sweep_cycles(cfg)):
        iv_cycles(ax_grid[0][col], ax_grid[1][col], t, v, i, t0, period, cycles, icc)
    ax_grid[0][0].set_ylabel("|I| (A)", fontsize=7)


def read_conductance(ax, g, per_cycle=None, label="conductance"):
    """Read-pulse conductance curves (paper Fig. 3d): each cycle in grey, their mean in red.
    `g` is the conductance of every read in order; `per_cycle` reads make one cycle."""
    g = np.asarray(g, dtype=float)
    n = per_cycle or len(g)
    cycles = g[: len(g) // n * n].reshape(-1, n)
    for c in cycles:
        ax.plot(np.arange(1, n + 1), c, color="0.7", lw=0.6)
    ax.plot(np.arange(1, n + 1), cycles.mean(axis=0), color="C3", lw=1.5, label="mean")
    ax.set_xlabel("pulse", fontsize=8)
    ax.set_ylabel(f"{label} (S)", fontsize=8)
    ax.tick_params(labelsize=7)
    return cycles.mean(axis=0)


def conductance_trace(ax, t, v_dev, i, v_min=1e-3):
    """G = i / v_dev wherever |v_dev| > v_min (gaps elsewhere), on a log axis."""
    v_dev, i = np.asarray(v_dev, dtype=float), np.asarray(i, dtype=float)
    on = np.abs(v_dev) > v_min
    g = np.full(v_dev.shape, np.nan)
    g[on] = np.abs(i[on] / v_dev[on])
    if np.any(g[on] > 0):
        trace(ax, t, g, color="C2")
        ax.set_yscale("log")
        readable_log(ax)
    ax.set_ylabel("conductance (S)", fontsize=8)
    ax.set_xlabel("time (s)", fontsize=8)
    ax.tick_params(labelsize=7)
    return g


def _result_parts(result):
    """(config, traces) of a memlab.Result, or of (config, traces) as load() gives them."""
    if isinstance(result, tuple):
        return result[0], result[1]
    return getattr(result, "config", None) or {}, result.traces


def figure(result, out_png=None):
    """The figure `memlab run` writes for this result (a memlab.Result from memlab.run, or from
    memlab.simulate: that has no experiment file, so it is drawn as a pulse response): I(V) for
    sweeps, input and current against time for pulses, the read conductance for read-after-write.
    Returns the Figure; with out_png, saves it there and closes it."""
    if hasattr(result, "maps") and hasattr(result, "map_units"):  # a memlab.ArrayResult
        fig = maps(result)
        if out_png:
            fig.savefig(out_png, dpi=DPI)
            plt.close(fig)
        return fig
    cfg, d = _result_parts(result)
    st = cfg.get("stimulus", {})
    kind = st.get("kind")
    if kind == "sweep_blocks":
        n = len(st["block"])
        fig, axes = _subplots(2, n, figsize=(max(4, 2.2 * n), 4.2), squeeze=False, gridspec_kw={"height_ratios": [2, 1]})
        figure_sweeps(cfg, d, axes)
    elif kind == "sweep":
        # I(V) on the right (the paper's Fig. 4 form), and against time on the left: the
        # programmed and device voltages, the current.
        fig = plt.figure(figsize=(9, 4.2), dpi=DPI)
        grid = fig.add_gridspec(2, 2, width_ratios=[1.3, 1])
        top = fig.add_subplot(grid[0, 0])
        pulse_response([top, fig.add_subplot(grid[1, 0], sharex=top)], d["time"], inputs(cfg, d), d["i(DUT)"])
        ax = fig.add_subplot(grid[:, 1])
        iv((cfg, d), ax=ax)
    elif kind == "read_after_write":
        # The paper's synapse figure (Fig. 3c-d): the pulse train and current, then the conductance
        # read after every write pulse, each cycle in grey and their mean in red.
        fig = plt.figure(figsize=(7, 6.2), dpi=DPI)
        grid = fig.add_gridspec(3, 1, height_ratios=[1, 1, 1.5])
        top = fig.add_subplot(grid[0])
        pulse_response([top, fig.add_subplot(grid[1], sharex=top)], d["time"], inputs(cfg, d), d["i(DUT)"])
        g = _memlab.analysis.read_conductance(d["v(in)"], d.get("v(top)", d["v(in)"]), d["i(DUT)"],
                                              _memlab.units.parse(st["read_amplitude"], "V"))
        per_cycle = sum(int(n) for n in st["write_counts"])
        ax = fig.add_subplot(grid[2])
        if len(g) >= per_cycle:
            read_conductance(ax, g, per_cycle, label="read conductance")
            ax.legend(fontsize=7)
    else:
        # The pulse train, the current, and the device's conductance while a pulse is on (the
        # paper's zoom-ins of Fig. 2c, f, i): i over the device's own voltage (v(top) behind a
        # series resistor), where that voltage is not near zero.
        fig, axes = _subplots(3, 1, figsize=(7, 5.6), sharex=True)
        v_in = inputs(cfg, d) if cfg else [("input", d["v(in)"])] + ([("device", d["v(top)"])] if "v(top)" in d else [])
        pulse_response(axes[:2], d["time"], v_in, d["i(DUT)"])
        axes[1].set_xlabel("")
        conductance_trace(axes[2], d["time"], device_voltage(cfg, d) if cfg else d.get("v(top)", d["v(in)"]), d["i(DUT)"])
    name = cfg.get("experiment", {}).get("name", getattr(result, "name", ""))
    figref = cfg.get("experiment", {}).get("figure", "")
    fig.suptitle(f"{name} ({figref})" if figref else name, fontsize=9)
    fig.tight_layout()
    if out_png:
        fig.savefig(out_png, dpi=DPI)
        plt.close(fig)
    return fig


def iv(result, ax=None, current="i(DUT)"):
    """I(V) as the paper's Fig. 4: log |I| against the device's voltage (v(top) behind a series
    resistor, else v(in)). A run of a sweep or sweep_blocks file is split into its cycles (each in
    grey, a block's cycles as one LineCollection in ax.collections; the median cycle in colour, a
    line; several blocks overlaid); any other result (memlab.simulate) is one curve. Returns the
    Axes."""
    cfg, d = _result_parts(result)
    if ax is None:
        _, ax = _subplots(figsize=(4.5, 4))
    t, i = np.asarray(d["time"], dtype=float), np.asarray(d[current], dtype=float)
    v = np.asarray(device_voltage(cfg, d) if cfg else d.get("v(top)", d["v(in)"]), dtype=float)
    kind = cfg.get("stimulus", {}).get("kind")
    if kind in ("sweep", "sweep_blocks"):
        for t0, period, cycles, icc in sweep_cycles(cfg):
            iv_cycles(ax, None, t, v, i, t0, period, cycles, icc)
        ax.set_title("")
    else:
        keep = _thin(t, np.abs(i)) if len(t) > 4 * COLUMNS else slice(None)
        ax.plot(v[keep], np.abs(i[keep]) + FLOOR, color="C0", lw=0.8)
        ax.set_yscale("log")
        readable_log(ax)
    ax.set_xlabel("device voltage (V)", fontsize=8)
    ax.set_ylabel("|I| (A)", fontsize=8)
    ax.tick_params(labelsize=7)
    return ax


def result_figure(result, out_png=None):
    """The figure of a memlab.Result (memlab.run or memlab.simulate); the same as figure()."""
    return figure(result, out_png)


ION_COLORS = {"Ag": "tab:blue", "Sn": "tab:red", "Cu": "tab:orange"}


def draw_md(folder, cfg, out_png):
    """An MD diffusion run: each ion's MSD against lag (log-log, every sample) and its path in the
    x-y plane, relative to the glass (as in the paper's Supp. Fig. 2); with several temperatures
    (the paths and MSDs at the first), the Arrhenius plot of the mean D with its fit."""
    metrics = json.load(open(os.path.join(folder, "metrics.json")))
    md = cfg["md"]
    temps = [t.split()[0] for t in md.get("temperatures", [md["temperature"]])]
    several = len(temps) > 1
    fig, axes = _subplots(1, 3 if several else 2, figsize=(13.5 if several else 9, 4))
    ax, axp = axes[0], axes[1]
    t0 = temps[0]
    with h5py.File(os.path.join(folder, "traces.h5"), "r") as f:
        for sample in range(1, int(md["samples"]) + 1):
            for ion in md["ions"]:
                prefix = f"{ion}.{t0}K" if several else ion
                run = f"{ion}_{t0}K" if several else ion
                key = f"{prefix}.sample{sample}"
                color = ION_COLORS.get(ion, "k")
                label = f"{ion}" if sample == 1 else None
                lag = np.asarray(metrics[key + ".lag"]["value"], dtype=float)
                msd = np.asarray(metrics[key + ".msd"]["value"], dtype=float)
                ax.loglog(lag * 1e12, msd * 1e20, color=color, lw=1, alpha=0.8, label=label)
                g = f[f"{cfg['experiment']['name']}_{run}_sample{sample}"]
                axp.plot(np.asarray(g["x"]) * 1e9, np.asarray(g["y"]) * 1e9, color=color, lw=0.6, alpha=0.8, label=label)
                if sample == 1:
                    net = np.asarray(g["msd_Si"])
                    t = np.asarray(g["time"])
                    ax.loglog(t[1:] * 1e12, net[1:] * 1e20, color="0.6", lw=0.8, ls="--",
                              label="glass Si (single origin)" if ion == md["ions"][0] else None)
    ax.set_xlabel("lag (ps)")
    ax.set_ylabel("MSD ($\\AA^2$)")
    ax.set_title(f"mean-squared displacement, {t0} K", fontsize=9)
    ax.legend(fontsize=8)
    axp.set_xlabel("x (nm)")
    axp.set_ylabel("y (nm)")
    axp.set_aspect("equal", adjustable="datalim")
    axp.set_title(f"ion paths relative to the glass, {t0} K", fontsize=9)
    axp.legend(fontsize=8)
    if several:
        axa = axes[2]
        for ion in md["ions"]:
            color = ION_COLORS.get(ion, "k")
            x = np.array([1000.0 / float(t) for t in temps])
            d = np.array([metrics[f"{ion}.{t}K.D_mean"]["value"] for t in temps], dtype=float)
            axa.semilogy(x, np.where(d > 0, d, np.nan), "o", color=color, label=ion)
            ea, d0, se = (metrics[f"{ion}.{k}"]["value"] for k in ("E_a", "D0", "E_a_se"))
            if ea is not None and d0 is not None and np.isfinite(ea):
                if se is not None and np.isfinite(se) and ea > 2 * se:  # a trend: draw the fit
                    xx = np.linspace(x.min(), x.max(), 50)
                    axa.semilogy(xx, d0 * np.exp(-ea * xx * 1e-3 / 8.617333262e-5), color=color, lw=1,
                                 label=f"{ion}: E_a {ea:.2f} +- {se:.2f} eV")
                else:  # within its error of no trend: no line
                    axa.plot([], [], " ", label=f"{ion}: no Arrhenius trend (E_a {ea:.2f} +- {se if se is not None else float('nan'):.2f} eV)")
        axa.set_xlabel("1000 / T (1/K)")
        axa.set_ylabel("mean D (m$^2$/s)")
        axa.set_title("Arrhenius", fontsize=9)
        axa.legend(fontsize=8)
    fig.suptitle(f"{cfg['experiment']['name']} ({cfg['experiment'].get('figure', '')})", fontsize=9)
    fig.tight_layout()
    fig.savefig(out_png, dpi=DPI)
    plt.close(fig)


def load_maps(folder):
    """The maps of an array run's folder (traces.h5, group "maps"): name -> (numpy rows x cols,
    unit), in the order the run took them."""
    out = {}
    with h5py.File(os.path.join(folder, "traces.h5"), "r") as f:
        if "maps" not in f:
            return out
        g = f["maps"]
        items = [(float(g[k].attrs.get("time", 0.0)), k) for k in g.keys()]
        for _, k in sorted(items):
            unit = g[k].attrs["unit"]
            out[k] = (np.asarray(g[k]), unit.decode() if isinstance(unit, bytes) else str(unit))
    return out


def heatmap(ax, values, title="", unit="S", log=None, cmap=None, symmetric=False):
    """One rows x cols map as a heat map (cell (0, 0) top left), with a colour bar in `unit`.
    Conductances (S) on a log scale by default when they span more than a decade; `symmetric`:
    a diverging scale centred on 0 (relative errors)."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if log is None:
        log = unit == "S" and finite.size > 0 and finite.min() > 0 and finite.max() / finite.min() > 10
    kw = {}
    if symmetric:
        m = float(np.nanmax(np.abs(finite))) if finite.size else 1.0
        kw = {"vmin": -m or -1, "vmax": m or 1}
        cmap = cmap or "RdBu_r"
    elif log:
        kw = {"norm": matplotlib.colors.LogNorm(vmin=finite.min(), vmax=finite.max())}
    im = ax.imshow(values, cmap=cmap or "viridis", interpolation="nearest", **kw)
    ax.set_title(title, fontsize=8)
    ax.set_xlabel("column", fontsize=7)
    ax.set_ylabel("row", fontsize=7)
    ax.tick_params(labelsize=6)
    if values.shape[1] <= 16:
        ax.set_xticks(range(values.shape[1]))
    if values.shape[0] <= 16:
        ax.set_yticks(range(values.shape[0]))
    bar = ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    bar.ax.tick_params(labelsize=6)
    # No offset text over the title: SI prefixes on the ticks (uS, nJ), a relative error in %.
    if unit == "1" and symmetric:
        bar.formatter = matplotlib.ticker.PercentFormatter(1.0)
    elif not log and unit != "1":
        bar.formatter = matplotlib.ticker.EngFormatter(unit=unit, sep=" ")
    bar.update_ticks()
    bar.minorticks_off()  # a log bar's minor ticks cost more to draw than the map and say little
    bar.set_label(unit, fontsize=7)
    return im


# The maps an array figure shows, per kind of operation, with how each is drawn.
_ARRAY_PANELS = {
    "read": [("", "read conductance", {}), ("_error", "read error (vs cell alone)", {"symmetric": True})],
    "program": [("_target", "target", {}), ("_achieved", "achieved (verify read)", {}), ("_pulses", "write pulses", {}),
                ("_energy", "energy", {})],
    "drive": [("_limit", "limit (by gate)", {"log": True}), ("_responses", "responses (spikes)", {}),
              ("_g_after", "device G after (0.1 V)", {})],
}


def array_figure(maps, name="", figref="", width=6):
    """Heat maps of an array run: per read its conductance map and its error against each cell
    alone; per programming its target, the achieved map, the pulses and the energy per cell; per
    drive the gate's limit, the spikes and the conductance after. `maps` as load_maps gives them.
    The operations follow one another in reading order, as many to a row as fit in `width` panels
    (an operation's panels stay together). Returns the Figure."""
    ops = []
    for k in maps:
        base = k.split("_")[0]
        kind = base.rstrip("0123456789")
        if kind in _ARRAY_PANELS and base not in [b for b, _ in ops]:
            ops.append((base, kind))
    # Flow: (row, first column) of each operation.
    place, row, col = [], 0, 0
    for _, kind in ops:
        n = len(_ARRAY_PANELS[kind])
        if col and col + n > width:
            row, col = row + 1, 0
        place.append((row, col))
        col += n
    nrows = row + 1
    ncols = min(width, max((c + len(_ARRAY_PANELS[k]) for (_, c), (_, k) in zip(place, ops)), default=1))
    fig, axes = _subplots(nrows, ncols, figsize=(2.3 * ncols, 2.0 * nrows + 0.4), squeeze=False)
    used = set()
    for (base, kind), (r, c) in zip(ops, place):
        for j, (suffix, title, style) in enumerate(_ARRAY_PANELS[kind]):
            if base + suffix not in maps:
                continue
            values, unit = maps[base + suffix]
            heatmap(axes[r][c + j], values, f"{base}: {title}", unit, **style)
            used.add((r, c + j))
    for r in range(nrows):
        for c in range(ncols):
            if (r, c) not in used:
                axes[r][c].axis("off")
    fig.suptitle(f"{name} ({figref})" if figref else name, fontsize=9)
    # Every panel is the same (a small map, its colour bar, the same labels), so the margins are
    # fixed in inches; tight_layout would measure every one of up to a hundred axes' ticks.
    w, h = fig.get_figwidth(), fig.get_figheight()
    fig.subplots_adjust(left=0.45 / w, right=1 - 0.5 / w, bottom=0.4 / h, top=1 - 0.7 / h, wspace=0.85, hspace=0.45)
    return fig


def maps(result, names=None, title=None):
    """Heat maps of an array run: a memlab.ArrayResult (memlab.run on an array file), a run's folder,
    or {name: (values, unit)}. names: the maps to draw (default: the figure `memlab run` writes,
    array_figure); each map rows x cols, cell (0, 0) top left. Returns the Figure."""
    if isinstance(result, (str, os.PathLike)):
        m = load_maps(str(result))
        cfg = json.load(open(os.path.join(str(result), "config.json"))).get("experiment", {})
    elif isinstance(result, dict):
        m, cfg = result, {}
    else:
        m = {k: (v, result.map_units.get(k, "")) for k, v in result.maps.items()}
        cfg = (getattr(result, "config", None) or {}).get("experiment", {})
    name = title if title is not None else cfg.get("name", "")
    if names is None:
        return array_figure(m, name, cfg.get("figure", ""))
    names = [names] if isinstance(names, str) else list(names)
    for k in names:
        if k not in m:
            raise KeyError(f"no map {k!r} (maps: {', '.join(m)})")
    n = len(names)
    ncols = min(n, 4)
    nrows = (n + ncols - 1) // ncols
    fig, axes = _subplots(nrows, ncols, figsize=(3.2 * ncols, 2.8 * nrows), squeeze=False)
    for j, ax in enumerate(axes.flat):
        if j >= n:
            ax.axis("off")
            continue
        values, unit = m[names[j]]
        heatmap(ax, values, names[j], unit)
    fig.suptitle(name, fontsize=9)
    fig.tight_layout()
    return fig


def load_network(folder):
    """A network run's folder (traces.h5): a dict of numpy arrays: "spike_time", "spike_neuron",
    "weights" (name -> inputs x neurons, with "weights_unit"), and with images "image_start",
    "label", "predicted", "counts"."""
    out = {"weights": {}}
    with h5py.File(os.path.join(folder, "traces.h5"), "r") as f:
        out["spike_time"] = np.asarray(f["spikes/time"][:])
        out["spike_neuron"] = np.asarray(f["spikes/neuron"][:]).astype(int)
        for k in f["weights"].keys():
            out["weights"][k] = np.asarray(f["weights"][k])
            unit = f["weights"][k].attrs["unit"]
            out["weights_unit"] = unit.decode() if isinstance(unit, bytes) else str(unit)
        if "images" in f:
            for k in ("start", "label", "predicted", "counts"):
                out["image_start" if k == "start" else k] = np.asarray(f["images"][k]).squeeze()
        if "learning" in f:
            out["labels"] = np.asarray(f["learning/labels"]).ravel().astype(int)
    return out


def network_figure(net, name=""):
    """A network run: the raster of output spikes (the first 2 s), the weights of the first epoch
    (each neuron's 64 pixel weights as its 8 x 8 image when there are 64 or 65 inputs, else the
    inputs x neurons map), and with images the running accuracy and the confusion matrix."""
    images = "label" in net
    fig, axes = _subplots(1, 4 if images else 2, figsize=(14 if images else 8, 3.2), squeeze=False)
    ax = axes[0][0]
    t, n = net["spike_time"], net["spike_neuron"]
    keep = t < (t.min() + 2.0 if t.size else 0)
    ax.plot(t[keep], n[keep], "|", ms=4, color="k")
    ax.set_xlabel("time (s)", fontsize=7)
    ax.set_ylabel("neuron", fontsize=7)
    ax.set_title("output spikes", fontsize=8)
    ax.tick_params(labelsize=6)
    epochs = sorted(net["weights"])
    # A learning network shows what it learned (the last epoch), any other its one map.
    shown = epochs[-1] if "labels" in net or "epoch0" not in net["weights"] else "epoch0"
    w = net["weights"][shown]
    if images and net["counts"].ndim == 2 and w.shape[1] == 2 * net["counts"].shape[1]:
        # Differential pairs (device mode): G+ on column 2k, G- on 2k + 1; the pair's difference.
        w = w[:, 0::2] - w[:, 1::2]
        shown += ", G+ - G-"
    ax = axes[0][1]
    if w.shape[0] in (64, 65):
        tiles = [w[:64, j].reshape(8, 8) for j in range(w.shape[1])]
        cols = min(len(tiles), 5 if len(tiles) <= 25 else 10)
        rows = -(-len(tiles) // cols)
        mosaic = np.full((rows * 9 - 1, cols * 9 - 1), np.nan)
        for j, tile in enumerate(tiles):
            r, c = divmod(j, cols)
            mosaic[r * 9:r * 9 + 8, c * 9:c * 9 + 8] = tile
        heatmap(ax, mosaic, f"weights, {shown} (8 x 8 per neuron)", net.get("weights_unit", ""), symmetric=bool(np.nanmin(w) < 0))
        ax.set_xticks([])
        ax.set_yticks([])
    else:
        heatmap(ax, w, f"weights, {shown}", net.get("weights_unit", ""), symmetric=bool(np.nanmin(w) < 0))
    if images:
        right = net["predicted"] == net["label"]
        ax = axes[0][2]
        k = np.arange(1, right.size + 1)
        ax.plot(k, np.cumsum(right) / k * 100, color="C0")
        ax.set_xlabel("images presented", fontsize=7)
        ax.set_ylabel("accuracy so far (%)", fontsize=7)
        ax.set_title(f"accuracy {right.mean() * 100:.2f} % of {right.size}", fontsize=8)
        ax.tick_params(labelsize=6)
        ax = axes[0][3]
        classes = int(max(net["label"].max(), net["predicted"].max())) + 1
        conf = np.zeros((classes, classes))
        for a, b in zip(net["label"].astype(int), net["predicted"].astype(int)):
            if b >= 0:
                conf[a, b] += 1
        heatmap(ax, conf, "confusion (row: label, column: answer)", "images")
    fig.suptitle(name, fontsize=9)
    fig.tight_layout()
    return fig


def draw(folder, out_png):
    """The figure of one run's folder (traces.h5, config.json) into out_png."""
    cfg0 = json.load(open(os.path.join(folder, "config.json")))
    if "md" in cfg0:
        return draw_md(folder, cfg0, out_png)
    if "network" in cfg0:
        fig = network_figure(load_network(folder), cfg0.get("experiment", {}).get("name", ""))
        fig.savefig(out_png, dpi=DPI)
        plt.close(fig)
        return
    if "array" in cfg0:
        ex = cfg0.get("experiment", {})
        fig = array_figure(load_maps(folder), ex.get("name", ""), ex.get("figure", ""))
        fig.savefig(out_png, dpi=DPI)
        plt.close(fig)
        return
    cfg, d, _ = load(folder)
    figure((cfg, d), out_png)


def value_text(v, unit=""):
    """A target's value as report.md prints it (src/lab/markdown.hpp): with its unit, an SI prefix
    below 1e-3 or from 1e4 on, an ordinal unit "#pulse" as "pulse 6"; text as it is."""
    if v is None or isinstance(v, str) or not unit:
        return str(v)
    if unit.startswith("#"):
        return f"{unit[1:]} {json.dumps(v)}"
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e4):
        return _memlab.units.format(v, unit, 4)
    return f"{json.dumps(v)} {unit}"


def kind_text(target):
    """A target's kind as report.md gives it: "fit: p1, p2" (the parameters calibrated on it) or
    "check"; "-" where the report does not say."""
    kind = target.get("kind") or ""
    if not kind:
        return "-"
    fit = target.get("fit") or []
    return kind + (": " + ", ".join(fit) if fit else "")


_KIND_LEGEND = ("kind: <b>fit</b>, a parameter was calibrated on the target (those parameters follow); "
                "<b>check</b>, nothing was tuned on it.")


def _page_head(title):
    """The start of memlab's HTML pages (report.html, seeds.html): title, style and heading."""
    return (f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>body{{font-family:sans-serif;max-width:1200px}}img{{max-width:100%}}"
            f"td,th{{border:1px solid #ccc;padding:3px;font-size:12px}}table{{border-collapse:collapse}}</style>"
            f"<h1>{html.escape(title)}</h1>")


def _missing_html(target):
    """A failed target's missing mechanism (report.json "missing"), as the report's note adds it."""
    m = target.get("missing", "")
    return f"<br><b>missing in the model:</b> {html.escape(m)}" if m else ""


def report_html(report_dir):
    rep = json.load(open(os.path.join(report_dir, "report.json")))
    rows, not_run = [], {}
    for t in rep["targets"]:
        if t["simulated"] is None:  # one row per reason, as in report.md
            why = t.get("note", "").removeprefix("not run: ")
            not_run.setdefault(why, []).append(t["experiment"] or t["id"])
            continue
        ok = "yes" if t["pass"] else "no"
        color = {"yes": "#d8f0d8", "no": "#f6d6d6"}[ok]
        unit = t.get("unit", "")
        rows.append(f"<tr style='background:{color}'><td>{html.escape(t['id'])}</td><td>{html.escape(kind_text(t))}</td>"
                    f"<td>{html.escape(value_text(t['paper'], unit))}</td>"
                    f"<td>{html.escape(value_text(t['simulated'], unit))}</td><td>{html.escape(t['tolerance'])}</td><td>{ok}</td>"
                    f"<td>{html.escape(t.get('note', ''))}{_missing_html(t)}</td></tr>")
    for why, what in not_run.items():
        names = ", ".join(f"{n} ({what.count(n)})" if what.count(n) > 1 else n for n in dict.fromkeys(what))
        rows.append(f"<tr style='background:#eeeeee'><td colspan='3'>{len(what)} target(s) not run</td><td>not run</td><td></td><td>-</td>"
                    f"<td>{html.escape(why)}: {html.escape(names)}</td></tr>")
    figs = []
    for e in rep.get("experiments", []):
        if "error" in e:
            figs.append(f"<h3>{html.escape(e['name'])}</h3><p>failed to simulate: {html.escape(e['error'])}</p>")
            continue
        png = os.path.join(report_dir, e["name"], "figure.png")
        if os.path.exists(png):
            b64 = base64.b64encode(open(png, "rb").read()).decode()
            figs.append(f"<h3>{html.escape(e['name'])} ({html.escape(e.get('figure', ''))})</h3><img src='data:image/png;base64,{b64}'>")
    s = rep["summary"]
    page = (_page_head("memlab reproduce")
            + f"<p>{s['targets']} targets, {s['run']} run, {s['passed']} pass (memlab {html.escape(rep['memlab_version'])}).</p>"
            f"<p>{_KIND_LEGEND}</p>"
            f"<table><tr><th>target</th><th>kind</th><th>paper</th><th>simulated</th><th>tolerance</th><th>pass</th><th>note</th></tr>"
            + "".join(rows) + "</table>" + "".join(figs))
    open(os.path.join(report_dir, "report.html"), "w").write(page)


def seeds_html(folder):
    """FOLDER/seeds.html from seeds.json (memlab reproduce --seeds): every target that ran at some
    seed with its pass count and its value at each seed, linked to each seed's report.html.
    Green: passes at >= 4 of 5 seeds (the report's robustness rule, scaled to the seeds run)."""
    js = json.load(open(os.path.join(folder, "seeds.json")))
    runs = js["runs"]
    head = "".join(f"<th><a href='{html.escape(r['folder'])}/report.html'>seed {r['seed']}</a></th>" for r in runs)
    rows = []
    for t in js["targets"]:
        if not t["run"]:
            continue
        robust = 5 * t["passed"] >= 4 * t["run"]
        color = "#d8f0d8" if robust else "#f6d6d6"
        unit = t.get("unit", "")
        cells = "".join(
            "<td>-</td>" if v is None else f"<td>{'' if p else '<b>'}{html.escape(value_text(v, unit))}{'' if p else '</b>'}</td>"
            for v, p in zip(t["simulated"], t["pass"]))
        varies = "-" if t["varies"] is None else "yes" if t["varies"] else "no"
        rows.append(f"<tr style='background:{color}'><td>{html.escape(t['id'])}</td><td>{html.escape(kind_text(t))}</td>"
                    f"<td>{html.escape(value_text(t['paper'], unit))}</td><td>{html.escape(t['tolerance'])}</td>"
                    f"<td>{t['passed']} of {t['run']}</td>{cells}<td>{varies}</td></tr>")
    never = sum(1 for t in js["targets"] if not t["run"])
    summary = "; ".join(f"seed {r['seed']}: {r['passed']} of {r['run']} run pass" for r in runs)
    overrides = (f"<p>Run with overrides (not the shipped calibration): {html.escape(', '.join(js['overrides']))}.</p>"
                 if js.get("overrides") else "")
    page = (_page_head("memlab reproduce over seeds")
            + f"<p>{html.escape(summary)} (memlab {html.escape(js['memlab_version'])}).</p>{overrides}"
            f"<p>Passes: the seeds at which a target passes, of those at which it ran; green where that is at least 4 of 5. "
            f"Bold: fails at that seed. Each seed's column heading links to its full report.</p><p>{_KIND_LEGEND}</p>"
            f"<table><tr><th>target</th><th>kind</th><th>paper</th><th>tolerance</th><th>passes</th>{head}<th>varies with seed</th></tr>"
            + "".join(rows) + "</table>"
            + (f"<p>{never} target(s) ran at no seed (not selected, or no experiment file); seeds.json lists them.</p>" if never else ""))
    open(os.path.join(folder, "seeds.html"), "w").write(page)


def distributions(sweep_dir, out_png=None):
    """The histograms of a memlab sweep (distributions.json: its chosen metrics, one panel each;
    one outline per set of varied values, its median dashed, its 5..95 % range shaded)."""
    js = json.load(open(os.path.join(sweep_dir, "distributions.json")))
    metrics = {m["name"]: m for m in js["metrics"]}
    names = js["figure"]
    cols = min(3, len(names))
    rows = (len(names) + cols - 1) // cols
    fig, axes = _subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        m = metrics[name]
        for g, (group, x) in enumerate(zip(js["groups"], m["groups"])):
            h = x["histogram"]
            if not h["counts"]:
                continue
            color = f"C{g % 10}"
            edges = np.array(h["edges"], dtype=float)
            if edges[0] == edges[-1]:  # every value equal: one bar of a visible width
                edges = edges + np.array([-0.5, 0.5]) * (abs(edges[0]) * 1e-3 or 1e-12)
            ax.stairs(h["counts"], edges, color=color, label=f"{group['label']} (n = {x['n']})")
            q = x["quantiles"]
            ax.axvline(q[2], color=color, ls="--", lw=1)
            ax.axvspan(q[0], q[4], color=color, alpha=0.08)
        unit = m["unit"]
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
        ax.ticklabel_format(axis="x", useOffset=False)
        ax.set_xlabel(name if unit in ("", "1") else f"{name} [{unit}]")
        ax.set_ylabel("tasks")
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    if len(js["groups"]) > 1 or js["groups"][0]["label"] != "all tasks":
        axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    if out_png:
        fig.savefig(out_png, dpi=DPI)
        plt.close(fig)
    return fig


def _read_csv(path):
    """A memlab CSV (header "name [unit]") as {name: numpy array}, and {name: unit}."""
    with open(path) as f:
        header = [h.strip() for h in f.readline().strip().split(",")]
    data = np.atleast_2d(np.genfromtxt(path, delimiter=",", skip_header=1))
    names, units = [], {}
    for h in header:
        name, _, unit = h.partition(" [")
        names.append(name)
        units[name] = unit.rstrip("]")
    return {n: data[:, k] for k, n in enumerate(names)}, units


def fit_figure(fit_dir, out_png=None):
    """A memlab fit: model and measurement overlaid (I(V) when the voltage is known, and against
    time), the residuals below; for a Vset fit the Vset distributions, measured and model."""
    js = json.load(open(os.path.join(fit_dir, "fit.json")))
    c, _ = _read_csv(os.path.join(fit_dir, "curves.csv"))
    vset = "vset" in js
    panels = 3 + (1 if vset else 0)
    fig, axes = _subplots(panels, 1, figsize=(7.5, 2.6 * panels))
    reads = "read" in c  # a conductance fit: one row per read
    t = c["read"] if reads else c["time"]
    model_label = f"model (fitted; seed {js['seeds'][0]})" if vset else "model (fitted)"
    ax = axes[0]
    if "voltage" in c:
        ax.plot(c["voltage"], c["measured"], ".", ms=2, color="0.5", label="measured")
        ax.plot(c["voltage"], c["model"], "-", lw=1, color="C3", label=model_label)
        ax.set_xlabel("voltage [V]")
    else:
        ax.plot(t, c["measured"], ".", ms=2, color="0.5", label="measured")
        ax.plot(t, c["model"], "-", lw=1, color="C3", label=model_label)
        ax.set_xlabel("read" if reads else "time [s]")
    ax.set_ylabel("read conductance [S]" if reads else "current [A]")
    ax.legend(fontsize=7)
    ax.set_title(f"memlab fit {js['name']}\n" + "\n".join(f"{p['key']} = {p['text']}, {100 * js['confidence']:.0f} % interval {p['interval']}"
                                                          for p in js["parameters"]), fontsize=8)
    ax = axes[1]
    ax.plot(t, c["measured"], ".", ms=2, color="0.5", label="measured")
    ax.plot(t, c["start"], "-", lw=0.8, color="C0", alpha=0.6, label="model at the start values")
    ax.plot(t, c["model"], "-", lw=1, color="C3", label=model_label)
    ax.set_xlabel("read" if reads else "time [s]")
    ax.set_ylabel("read conductance [S]" if reads else "current [A]")
    ax.legend(fontsize=7)
    ax = axes[2]
    if "weighted_residual" in c:
        ax.plot(t, c["weighted_residual"], ".", ms=2, color="C3")
        ax.axhline(0, color="k", lw=0.5)
        ax.set_ylabel("(model - measured) / noise")
        ax.set_title(f"chi-square {js['loss']['chi_square']:.1f} over {js['loss']['residuals']} residuals", fontsize=8)
    else:
        ax.plot(t, c["residual"], ".", ms=2, color="C3")
        ax.set_ylabel("model - measured [A]")
    ax.set_xlabel("read" if reads else "time [s]")
    if vset:
        v, _ = _read_csv(os.path.join(fit_dir, "vsets.csv"))
        ax = axes[3]
        data = v["measured"][np.isfinite(v["measured"])]
        model = np.concatenate([v[k][np.isfinite(v[k])] for k in v if k.startswith("model_seed")])
        bins = np.histogram_bin_edges(np.concatenate([data, model]), bins=15)
        ax.hist(data, bins=bins, density=True, histtype="step", color="0.3", label=f"measured ({data.size} cycles)")
        ax.hist(model, bins=bins, density=True, histtype="step", color="C3", label=f"model ({model.size} cycles, seeds {js['seeds']})")
        ax.set_xlabel("Vset [V]")
        ax.set_ylabel("density")
        ax.legend(fontsize=7)
    fig.tight_layout()
    if out_png:
        fig.savefig(out_png, dpi=DPI)
        plt.close(fig)
    return fig


def _draw_folders(folders, progress_fd=None):
    """Draws each folder's figure.png; a figure that fails prints its folder and traceback and the
    rest are still drawn. Returns the folders whose figure failed. With progress_fd, the folder's
    name goes there as a line once its figure is done or has failed (one write, so lines from
    several workers on one pipe do not mix)."""
    import traceback

    failed = []
    for folder in folders:
        try:
            draw(folder, os.path.join(folder, "figure.png"))
        except Exception:
            print(f"memlab.plot: the figure of {folder} failed:", file=sys.stderr)
            traceback.print_exc()
            failed.append(folder)
        if progress_fd is not None:
            os.write(progress_fd, (os.path.basename(os.path.normpath(folder)) + "\n").encode())
    return failed


def _drawing_cost(folder):
    """Bytes of a run's data: the order in which the workers take the figures (the largest first)."""
    return sum(e.stat().st_size for e in os.scandir(folder) if e.is_file())


def _record(folder):
    """A folder's path as one record of the workers' pipe: PIPE_BUF bytes, NUL-padded, so that a
    write is atomic and one read takes one whole record whichever worker reads."""
    import select

    path = os.fsencode(folder)
    if len(path) >= select.PIPE_BUF or b"\0" in path:
        raise ValueError(f"memlab.plot: a folder path of {len(path)} bytes (at most {select.PIPE_BUF - 1}): {folder}")
    return path.ljust(select.PIPE_BUF, b"\0")


def _draw_in_workers(folders, jobs, exit_on_signal=False, progress_fd=None):
    """Draws every folder's figure in `jobs` forked workers (the modules are imported once,
    before the fork), each taking the next folder from a pipe of fixed-size records (_record).
    `folders` may be any iterable: a generator that yields each folder as it is ready (memlab
    reproduce's runs as they finish, --stream) keeps the workers drawing meanwhile. Returns how
    many figures failed (each prints its folder and traceback). On an exception here (a
    KeyboardInterrupt in a Python shell or notebook) the workers are killed and reaped before it
    goes on.
    exit_on_signal (memlab's drawer process, main thread): SIGINT or SIGTERM kills and reaps the
    workers and exits at once, so none goes on writing into a folder memlab then removes.
    progress_fd: see _draw_folders."""
    import select
    import signal
    import traceback

    sys.stdout.flush()  # or each worker would print the parent's buffered output again
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pids = []

    def kill_workers():
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in pids:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        pids.clear()

    previous = {}
    if exit_on_signal:
        def stop(signum, frame):
            kill_workers()
            os._exit(128 + signum)

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    failed = 0
    try:
        for _ in range(min(jobs, len(folders)) if hasattr(folders, "__len__") else max(jobs, 1)):
            pid = os.fork()
            if pid == 0:  # a worker: its exit code is the number of its figures that failed
                code = 126
                try:
                    signal.signal(signal.SIGINT, signal.SIG_DFL)
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    os.close(write_end)
                    plt.switch_backend("Agg")  # files only: a GUI backend does not survive a fork
                    n = 0
                    while len(record := os.read(read_end, select.PIPE_BUF)) == select.PIPE_BUF:
                        n += len(_draw_folders([os.fsdecode(record.rstrip(b"\0"))], progress_fd))
                    code = min(n, 125)
                except BaseException:
                    traceback.print_exc()
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            pids.append(pid)
        os.close(read_end)
        read_end = -1
        for folder in folders:
            os.write(write_end, _record(folder))
        os.close(write_end)
        write_end = -1
        while pids:
            code = os.waitstatus_to_exitcode(os.waitpid(pids[0], 0)[1])
            pids.pop(0)
            if 0 < code <= 125:  # that many of its figures failed
                failed += code
            elif code != 0:
                print(f"memlab.plot: a figure worker stopped (exit {code}); its figure was not drawn", file=sys.stderr)
                failed += 1
    finally:
        for fd in (read_end, write_end):
            if fd >= 0:
                os.close(fd)
        kill_workers()  # those not reaped: only after an exception
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return failed


def main(report_dir, jobs=1, exit_on_signal=False, progress_fd=None, stream=None):
    """Every experiment's figure.png of a reproduce folder, then report.html. jobs > 1 draws the
    figures in that many forked workers (exit_on_signal: see _draw_in_workers). A figure that
    fails does not stop the others; report.html is written, then this raises. progress_fd: an open
    file descriptor that gets each experiment's name as a line once its figure is done (memlab
    reproduce shows the progress and an ETA from it). stream: a file of experiment names, one per
    line, each written once its run is complete (memlab reproduce, as its runs finish, with
    report.json written before the file ends): the figures are drawn as the names come."""
    if stream is not None:
        names = (line.strip() for line in stream)
        failed = _draw_in_workers((os.path.join(report_dir, n) for n in names if n), max(jobs, 1), exit_on_signal, progress_fd)
    else:
        failed = _draw_report_dir(report_dir, jobs, exit_on_signal, progress_fd)
    report_html(report_dir)
    if failed:
        raise RuntimeError(f"{failed} figures not drawn (their tracebacks are above)")


def _draw_report_dir(report_dir, jobs, exit_on_signal, progress_fd):
    """The figures of every experiment report.json lists (see main); returns how many failed."""
    rep = json.load(open(os.path.join(report_dir, "report.json")))
    # an experiment that failed to simulate has nothing to draw
    folders = [os.path.join(report_dir, e["name"]) for e in rep.get("experiments", []) if "error" not in e]
    if jobs > 1 and len(folders) > 1:
        failed = _draw_in_workers(sorted(folders, key=_drawing_cost, reverse=True), jobs, exit_on_signal, progress_fd)
    else:
        failed = len(_draw_folders(folders, progress_fd))
    return failed


if __name__ == "__main__":
    plt.switch_backend("Agg")  # files only; importing the module leaves the backend alone
    progress_fd = None
    if len(sys.argv) > 2 and sys.argv[1] == "--progress-fd":  # progress lines to an inherited fd
        progress_fd = int(sys.argv[2])
        del sys.argv[1:3]
    if len(sys.argv) == 4 and sys.argv[1] == "--draw":  # one run's folder (memlab run --out FOLDER) -> PNG
        draw(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "--distributions":  # a sweep's folder -> PNG
        distributions(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "--fit":  # a fit's folder -> PNG
        fit_figure(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "--seeds":  # a reproduce --seeds folder -> seeds.html
        seeds_html(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "--jobs":  # a reproduce folder, drawn by N workers
        main(sys.argv[3], int(sys.argv[2]), exit_on_signal=True, progress_fd=progress_fd)
    elif len(sys.argv) == 5 and sys.argv[1] == "--jobs" and sys.argv[3] == "--stream":  # names on stdin as runs finish
        main(sys.argv[4], int(sys.argv[2]), exit_on_signal=True, progress_fd=progress_fd, stream=sys.stdin)
    else:
        main(sys.argv[1])
