"""The MD experiment end to end at a tiny size (tests/validation/md_tiny.toml: 2 samples of 144 atoms,
3 ps): the pipeline, not the physics."""
import filecmp
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import outputs

TINY = outputs.ROOT / "tests" / "validation" / "md_tiny.toml"


def check_md_folder(folder, runs, temperatures, samples):
    """traces.h5 holds one group per LAMMPS production run (ion, temperature, sample) with the
    ion's unwrapped track; metrics.json holds D per run and the means per ion, with units."""
    m = outputs.load(folder / "metrics.json")
    assert m["lammps_runs"]["value"] == runs, m["lammps_runs"]
    for ion in ("Ag", "Sn"):
        for temp in temperatures:
            where = f"{ion}.{temp}K" if len(temperatures) > 1 else ion
            assert m[f"{where}.samples"]["value"] == samples
            assert m[f"{where}.D_mean"]["unit"] == "m^2/s" and np.isfinite(m[f"{where}.D_mean"]["value"]), where
            for k in range(1, samples + 1):
                d = m[f"{where}.sample{k}.D"]
                assert d["unit"] == "m^2/s" and np.isfinite(d["value"]), (where, k, d)
    assert (folder / "config.json").stat().st_size > 0
    outputs.assert_no_partial(folder)


def test_md_tiny_is_deterministic(memlab):
    # The same seed gives the same numbers bit for bit (LAMMPS on one process is deterministic),
    # another seed other ones.
    for d in ("m1", "m2"):
        memlab("run", TINY, "--out", d)
    memlab("run", TINY, "--out", "m3", "--seed", "4")
    m1, m2, m3 = (memlab.folder / d for d in ("m1", "m2", "m3"))
    # 2 samples x 2 ions plus the 2 melts (one per sample).
    check_md_folder(m1, runs=6, temperatures=[1500], samples=2)
    assert filecmp.cmp(m1 / "metrics.json", m2 / "metrics.json", shallow=False)
    assert filecmp.cmp(m1 / "sample1" / "Ag" / "trajectory.txt", m2 / "sample1" / "Ag" / "trajectory.txt", shallow=False)
    assert outputs.same_traces(m1 / "traces.h5", m2 / "traces.h5") == []
    assert not filecmp.cmp(m1 / "metrics.json", m3 / "metrics.json", shallow=False)
    assert outputs.load(m3 / "config.json")["experiment"]["seed"] == 4
    tr = outputs.traces(m1 / "traces.h5", "md_tiny_Sn_sample2")
    assert len(tr["x"][0]) == 31
    outputs.assert_png(m1 / "figure.png")


def test_md_tiny_temperatures(memlab):
    # Several temperatures: one run per ion, sample and temperature, and an Arrhenius fit per ion.
    res = memlab("run", TINY, "--out", "mt", "--set", 'md.temperatures=["1500 K", "1800 K"]', "--set", "md.samples=1")
    mt = memlab.folder / "mt"
    assert "E_a" in res.stdout
    assert (mt / "sample1" / "Ag_1800K" / "trajectory.txt").stat().st_size > 0
    check_md_folder(mt, runs=5, temperatures=[1500, 1800], samples=1)
    m = outputs.load(mt / "metrics.json")
    # Two temperatures: the Arrhenius fit of the means is exact, E_a = -k ln(D2/D1) / (1/T2 - 1/T1);
    # none (null) when a mean is not positive (3 ps are noise: a mean may come out negative).
    k = 8.617333262e-5  # eV/K
    for ion in ("Ag", "Sn"):
        d1, d2 = m[f"{ion}.1500K.D_mean"]["value"], m[f"{ion}.1800K.D_mean"]["value"]
        assert m[f"{ion}.E_a"]["unit"] == "eV" and m[f"{ion}.D0"]["unit"] == "m^2/s"
        if d1 > 0 and d2 > 0:
            e_a = -k * np.log(d2 / d1) / (1 / 1800 - 1 / 1500)
            assert m[f"{ion}.E_a"]["value"] == pytest.approx(e_a, rel=1e-6), ion
            assert m[f"{ion}.D0"]["value"] == pytest.approx(d1 * np.exp(e_a / (k * 1500)), rel=1e-6), ion
        else:
            assert m[f"{ion}.E_a"]["value"] is None, (ion, d1, d2, m[f"{ion}.E_a"])
    assert "Ag.1800K.sample1.D" in m
    outputs.traces(mt / "traces.h5", "md_tiny_Sn_1500K_sample1")
    outputs.assert_png(mt / "figure.png")
    # The figure again, drawn by the build's Python package on its own (beside bin/memlab).
    python = Path(outputs.EXE).resolve().parents[1] / "python"
    os.remove(mt / "figure.png")
    subprocess.run(["/usr/bin/python3", "-m", "memlab.plot", "--draw", str(mt), str(mt / "figure.png")], check=True,
                   env={**os.environ, "PYTHONPATH": str(python)})
    outputs.assert_png(mt / "figure.png")


def first_thermo_row(log):
    """The first row of LAMMPS's thermo table in a log.lammps (step 0 of the run), by column name."""
    lines = Path(log).read_text().splitlines()
    k = next(i for i, l in enumerate(lines) if l.split()[:1] == ["Step"])
    return dict(zip(lines[k].split(), map(float, lines[k + 1].split())))


@pytest.mark.skipif(not os.environ.get("MEMLAB_MPIRUN"), reason="no mpirun (openmpi-bin)")
def test_md_launcher_runs_lammps_on_two_ranks(memlab, monkeypatch):
    # md.launcher runs each LAMMPS process under mpirun: LAMMPS splits the cell over 2 ranks, the
    # run ends with D for the ion, and the melt's first energy (the random start, before any step:
    # the same atoms whatever the decomposition) is the one-process run's. Shortened (one sample,
    # one ion, 5 fs steps, 0.5 ps of trajectory) to about a thousand steps per run.
    monkeypatch.setenv("OMPI_ALLOW_RUN_AS_ROOT", "1")
    monkeypatch.setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    monkeypatch.setenv("OMPI_MCA_rmaps_base_oversubscribe", "1")
    monkeypatch.setenv("OMPI_MCA_mpi_yield_when_idle", "1")  # a shared machine: waiting ranks give up their core
    short = ["--set", "md.samples=1", "--set", 'md.ions=["Ag"]', "--set", "md.timestep=5 fs", "--set", "md.melt_time=0.1 ps",
             "--set", "md.quench_time=0.1 ps", "--set", "md.equilibration_time=0.1 ps", "--set", "md.production_time=0.5 ps",
             "--set", "md.sample_interval=0.02 ps", "--no-figure", "--jobs", "1"]
    memlab("run", TINY, "--out", "one", *short)
    res = memlab("run", TINY, "--out", "two", *short, "--set", f"md.launcher={os.environ['MEMLAB_MPIRUN']} --bind-to none -np 2")
    assert "each under '" in res.stdout, res.stdout
    one, two = memlab.folder / "one", memlab.folder / "two"
    m = outputs.load(two / "metrics.json")
    assert m["lammps_runs"]["value"] == 2 and m["Ag.samples"]["value"] == 1
    assert m["Ag.sample1.D"]["unit"] == "m^2/s" and np.isfinite(m["Ag.sample1.D"]["value"])
    outputs.assert_no_partial(memlab.folder)
    for log in (two / "sample1" / "log.lammps", two / "sample1" / "Ag" / "log.lammps"):
        text = log.read_text()
        assert any(f"{g} MPI processor grid" in text for g in ("1 by 1 by 2", "1 by 2 by 1", "2 by 1 by 1")), log
        assert " on 2 procs for " in text and " on 1 procs for " not in text, log
    assert " on 1 procs for " in (one / "sample1" / "log.lammps").read_text()
    assert outputs.load(two / "config.json")["md"]["launcher"].endswith(" -np 2")
    a, b = first_thermo_row(one / "sample1" / "log.lammps"), first_thermo_row(two / "sample1" / "log.lammps")
    assert a["Step"] == b["Step"] == 0
    assert b["PotEng"] == pytest.approx(a["PotEng"], rel=1e-6) and b["Temp"] == pytest.approx(a["Temp"], rel=1e-6), (a, b)
