"""Figures for memlab results, laid out like the paper's: pulse experiments as input voltage on top
and device current below; SMU sweep blocks as I(V) cycles in grey with the median cycle and the
Vset histogram. Reads traces.h5 (one dataset per probe, SI units as attributes) and config.json.

    /usr/bin/python3 -m memlab.plot REPORT_DIR                # figures + report.html for a reproduce run
    /usr/bin/python3 -m memlab.plot --draw RUN_DIR OUT.png     # the figure of one memlab run

(with the build's python folder on PYTHONPATH). Units and the measurements on the traces (Vset,
read conductance) are memlab's own, from the compiled module (memlab.units, memlab.analysis).
"""
import base64
import html
import json
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from . import _memlab  # noqa: E402


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


def sweep_blocks(cfg):
    st = cfg["stimulus"]
    parse = _memlab.units.parse
    rate = parse(st["rate"], "V/s")
    t0, out = 0.0, []
    for b in st["block"]:
        v = [parse(x, "V") for x in b["vertices"]]
        period = sum(abs(v[k + 1] - v[k]) for k in range(len(v) - 1)) / rate
        out.append((t0, period, int(b["cycles"]), parse(b["compliance"], "A")))
        t0 += period * int(b["cycles"])
    return out


def iv_cycles(ax, axh, t, v, i, t0, period, cycles, icc):
    """One block of I(V) cycles: every cycle in grey, the median cycle in colour (on `ax`), and
    the Vset histogram (Vset at 90 % of the compliance, on `axh`). Returns the Vset values."""
    phases = np.linspace(0, period, 400)
    cyc_i, vs = [], []
    for c in range(cycles):
        m = (t >= t0 + c * period) & (t <= t0 + (c + 1) * period)
        if m.sum() < 2:
            continue
        ax.semilogy(v[m], np.abs(i[m]) + 1e-15, color="0.75", lw=0.5)
        cyc_i.append(np.interp(t0 + c * period + phases, t[m], np.abs(i[m])))
        vs.append(_memlab.analysis.vset(v[m], i[m], icc))
    vmed = np.interp(t0 + phases, t, v)
    ax.semilogy(vmed, np.median(cyc_i, axis=0) + 1e-15, color="C3" if icc > 1e-6 else "C0", lw=1.5)
    ax.set_title(_current_label(icc), fontsize=8)
    ax.set_xlabel("V (V)", fontsize=7)
    vs = np.array(vs)
    axh.hist(vs[np.isfinite(vs)], bins=20, range=(0, 1.5), color="0.4")
    axh.set_xlabel("Vset (V)", fontsize=7)
    if np.isfinite(vs).any():
        axh.set_title(f"{np.nanmean(vs):.2f} +- {np.nanstd(vs):.2f} V", fontsize=7)
    for a in (ax, axh):
        a.tick_params(labelsize=6)
    return vs


def figure_sweeps(cfg, d, ax_grid):
    t, v, i = d["time"], d["v(in)"], d["i(DUT)"]
    for col, (t0, period, cycles, icc) in enumerate(sweep_blocks(cfg)):
        iv_cycles(ax_grid[0][col], ax_grid[1][col], t, v, i, t0, period, cycles, icc)
    ax_grid[0][0].set_ylabel("|I| (A)", fontsize=7)


def pulse_response(axes, t, v, i):
    """Input voltage on top, |device current| below (log), as the paper's pulse figures."""
    axes[0].plot(t, v, color="k", lw=0.7)
    axes[0].set_ylabel("input (V)", fontsize=8)
    axes[1].semilogy(t, np.abs(i) + 1e-15, color="C0", lw=0.7)
    axes[1].set_ylabel("|device current| (A)", fontsize=8)
    axes[1].set_xlabel("time (s)", fontsize=8)
    for a in axes:
        a.tick_params(labelsize=7)


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
        ax.semilogy(t, g, color="C2", lw=0.7)
    ax.set_ylabel("conductance (S)", fontsize=8)
    ax.set_xlabel("time (s)", fontsize=8)
    ax.tick_params(labelsize=7)
    return g


def result_figure(result, out_png=None, voltage="v(in)", current="i(DUT)"):
    """A pulse-response figure for a memlab.Result (from memlab.run or memlab.simulate)."""
    fig, axes = plt.subplots(2, 1, figsize=(7, 4.2), sharex=True)
    pulse_response(axes, result.traces["time"], result.traces[voltage], result.traces[current])
    fig.suptitle(result.name, fontsize=9)
    fig.tight_layout()
    if out_png:
        fig.savefig(out_png, dpi=110)
        plt.close(fig)
    return fig


ION_COLORS = {"Ag": "tab:blue", "Sn": "tab:red", "Cu": "tab:orange"}


def draw_md(folder, cfg, out_png):
    """An MD diffusion run: each ion's MSD against lag (log-log, every sample) and its path in the
    x-y plane, relative to the glass (as in the paper's Supp. Fig. 2); with several temperatures
    (the paths and MSDs at the first), the Arrhenius plot of the mean D with its fit."""
    metrics = json.load(open(os.path.join(folder, "metrics.json")))
    md = cfg["md"]
    temps = [t.split()[0] for t in md.get("temperatures", [md["temperature"]])]
    several = len(temps) > 1
    fig, axes = plt.subplots(1, 3 if several else 2, figsize=(13.5 if several else 9, 4))
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
    fig.savefig(out_png, dpi=110)
    plt.close(fig)


def draw(folder, out_png):
    cfg0 = json.load(open(os.path.join(folder, "config.json")))
    if "md" in cfg0:
        return draw_md(folder, cfg0, out_png)
    cfg, d, units = load(folder)
    st = cfg["stimulus"]
    if st.get("kind") == "sweep_blocks":
        n = len(st["block"])
        fig, axes = plt.subplots(2, n, figsize=(max(4, 2.2 * n), 4.2), squeeze=False,
                                 gridspec_kw={"height_ratios": [2, 1]})
        figure_sweeps(cfg, d, axes)
    elif st.get("kind") == "read_after_write":
        # The paper's synapse figure (Fig. 3c-d): the pulse train and current, then the conductance
        # read after every write pulse, each cycle in grey and their mean in red.
        fig = plt.figure(figsize=(7, 6.2))
        grid = fig.add_gridspec(3, 1, height_ratios=[1, 1, 1.5])
        top = fig.add_subplot(grid[0])
        pulse_response([top, fig.add_subplot(grid[1], sharex=top)], d["time"], d["v(in)"], d["i(DUT)"])
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
        fig, axes = plt.subplots(3, 1, figsize=(7, 5.6), sharex=True)
        pulse_response(axes[:2], d["time"], d["v(in)"], d["i(DUT)"])
        axes[1].set_xlabel("")
        conductance_trace(axes[2], d["time"], d.get("v(top)", d["v(in)"]), d["i(DUT)"])
    fig.suptitle(f"{cfg['experiment']['name']} ({cfg['experiment'].get('figure', '')})", fontsize=9)
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)
    plt.close(fig)


def report_html(report_dir):
    rep = json.load(open(os.path.join(report_dir, "report.json")))
    rows = []
    for t in rep["targets"]:
        sim = "not run" if t["simulated"] is None else t["simulated"]
        ok = "-" if t["simulated"] is None else ("yes" if t["pass"] else "no")
        color = {"yes": "#d8f0d8", "no": "#f6d6d6", "-": "#eeeeee"}[ok]
        rows.append(f"<tr style='background:{color}'><td>{html.escape(t['id'])}</td><td>{html.escape(str(t['paper']))}</td>"
                    f"<td>{html.escape(str(sim))}</td><td>{html.escape(t['tolerance'])}</td><td>{ok}</td>"
                    f"<td>{html.escape(t.get('note', ''))}</td></tr>")
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
    page = (f"<!doctype html><meta charset='utf-8'><title>memlab reproduce</title>"
            f"<style>body{{font-family:sans-serif;max-width:1200px}}td,th{{border:1px solid #ccc;padding:3px;font-size:12px}}"
            f"table{{border-collapse:collapse}}</style><h1>memlab reproduce</h1>"
            f"<p>{s['targets']} targets, {s['run']} run, {s['passed']} pass (memlab {html.escape(rep['memlab_version'])}).</p>"
            f"<table><tr><th>target</th><th>paper</th><th>simulated</th><th>tolerance</th><th>pass</th><th>note</th></tr>"
            + "".join(rows) + "</table>" + "".join(figs))
    open(os.path.join(report_dir, "report.html"), "w").write(page)


def main(report_dir):
    rep = json.load(open(os.path.join(report_dir, "report.json")))
    for e in rep.get("experiments", []):
        if "error" in e:  # the experiment failed to simulate: nothing to draw
            continue
        folder = os.path.join(report_dir, e["name"])
        draw(folder, os.path.join(folder, "figure.png"))
    report_html(report_dir)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--draw":  # one run's folder (memlab run --out FOLDER) -> PNG
        draw(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1])
