"""memlab sweep and the result cache: the table holds every task's metrics.json, its distributions
are recomputed here from the table, a device task equals that device of `memlab run`, a sweep killed
by SIGKILL resumes with only its missing tasks and ends with the same table byte for byte, and a
second reproduce takes its results (the LAMMPS MD included) from the cache. Every test has its own
cache folder (--cache or MEMLAB_CACHE)."""
import csv
import filecmp
import os
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

import outputs

RV = outputs.EXPERIMENTS / "retention_volatile.toml"
SLOW = outputs.EXPERIMENTS / "set_delay.toml"  # about 0.3 s a task: long enough to be killed mid-sweep
TINY = outputs.ROOT / "tests" / "validation" / "md_tiny.toml"


def read_table(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def column_name(header):
    return header.split(" [")[0]


def test_sweep_table_and_distributions(memlab):
    res = memlab("sweep", RV, "--vary", "device.e_ag=0.83 eV, 0.87 eV", "--seeds", "1..3", "--out", "sw", "--cache", "c")
    sw = memlab.folder / "sw"
    assert "6 tasks: 0 from the cache" in res.stdout and "6/6 (100 %)" in res.stdout and "ETA" in res.stdout, res.stdout
    header, rows = read_table(sw / "table.csv")
    names = [column_name(h) for h in header]
    assert names[:6] == ["task", "folder", "device.e_ag", "seed", "device", "error"], names
    assert [(r[2], r[3]) for r in rows] == [(v, str(s)) for v in ("0.83 eV", "0.87 eV") for s in (1, 2, 3)]
    plan = outputs.load(sw / "sweep.json")
    assert [t["folder"] for t in plan["tasks"]] == [r[1] for r in rows]
    for r in rows:
        folder = sw / r[1]
        outputs.assert_run_folder(folder, figure=False)
        cfg = outputs.load(folder / "config.json")
        assert cfg["device"]["parameters"]["e_ag"] == {"0.83 eV": "830 meV", "0.87 eV": "870 meV"}[r[2]]
        assert cfg["experiment"]["seed"] == int(r[3])
        m = outputs.load(folder / "metrics.json")
        for name, cell in zip(names, r):
            if name in m and name != "seed":
                assert float(cell) == m[name]["value"], (name, cell)  # 17 digits: bit for bit
        assert r[names.index("error")] == ""
    # table.h5: the same columns, the same numbers.
    with h5py.File(sw / "table.h5", "r") as f:
        g = f["sweep"]
        assert g.attrs["columns"].decode().split(",") == names
        for k, name in enumerate(names):
            if name in ("folder", "device.e_ag", "error"):
                assert [x.decode() for x in g[name][()]] == [r[k] for r in rows]
            else:
                np.testing.assert_array_equal(g[name][()], [float(r[k]) for r in rows])
                assert g[name].attrs["unit"].decode() == (header[k].split(" [")[1][:-1])
    # Distributions: per value of e_ag over its three seeds, recomputed from the table.
    d = outputs.load(sw / "distributions.json")
    assert [g["label"] for g in d["groups"]] == ["device.e_ag=0.83 eV", "device.e_ag=0.87 eV"]
    h = next(m for m in d["metrics"] if m["name"] == "max_abs.DUT.h")
    x = np.array([float(r[names.index("max_abs.DUT.h")]) for r in rows])
    for g, part in enumerate((x[:3], x[3:])):
        got = h["groups"][g]
        assert got["n"] == 3 and got["quantiles"] == pytest.approx(np.quantile(part, d["quantiles"]).tolist(), rel=1e-12)
        assert got["mean"] == pytest.approx(part.mean(), rel=1e-12) and got["std"] == pytest.approx(part.std(), rel=1e-12)
        edges, counts = got["histogram"]["edges"], got["histogram"]["counts"]
        assert sum(counts) == 3 and edges[0] <= part.min() and edges[-1] >= part.max()
    assert h["groups"][0]["quantiles"][2] != h["groups"][1]["quantiles"][2], "e_ag moved nothing"
    assert d["figure"] and "max_abs.DUT.h" in d["figure"]
    assert "## max_abs.DUT.h [m]" in (sw / "distributions.md").read_text()
    outputs.assert_png(sw / "distributions.png")
    outputs.assert_no_partial(memlab.folder)


def test_a_device_task_is_that_device_of_run(memlab):
    # --devices 3: three tasks, device k drawn from [device.d2d] by (seed, k) as `memlab run` draws it.
    d2d = "device.d2d.e_ag=0.05 eV"
    memlab("sweep", RV, "--devices", "3", "--set", d2d, "--out", "sd", "--cache", "c", "--no-figure")
    memlab("run", RV, "--set", d2d, "--set", "experiment.devices=3", "--out", "run3", "--no-figure")
    header, rows = read_table(memlab.folder / "sd" / "table.csv")
    assert [r[header.index("device [1]")] for r in rows] == ["1", "2", "3"]
    for r in rows:
        group = f"retention_volatile_device{r[header.index('device [1]')]}"
        ours = outputs.traces(memlab.folder / "sd" / r[1] / "traces.h5", group)
        theirs = outputs.traces(memlab.folder / "run3" / "traces.h5", group)
        assert ours.keys() == theirs.keys()
        for k in ours:
            np.testing.assert_array_equal(ours[k][0], theirs[k][0], err_msg=f"{group}: {k}")
    peaks = {r[header.index("max_abs.DUT.h [m]")] for r in rows}
    assert len(peaks) == 3, "the three devices drew the same parameters"


def test_kill_and_resume_gives_the_same_table(memlab):
    args = ["sweep", SLOW, "--seeds", "1..8", "--jobs", "1", "--no-figure"]
    memlab(*args, "--out", "whole", "--cache", "c-whole")
    # The same sweep with a cache of its own, killed (SIGKILL, the process and its children) once
    # two tasks are stored.
    objects = memlab.folder / "c" / "objects"
    p = subprocess.Popen([memlab.exe, *map(str, args), "--out", "resumed", "--cache", "c"], cwd=memlab.folder,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(objects.glob("*/*"))) < 2:
        time.sleep(0.01)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    stored = len(list(objects.glob("*/*")))
    assert 2 <= stored < 8, f"{stored} tasks stored when killed"
    assert not (memlab.folder / "resumed").exists()
    for entry in objects.glob("*/*"):  # no half entry: each holds every file of a task
        for name in (".entry.json", "metrics.json", "config.json", "traces.h5"):
            assert (entry / name).is_file(), f"{entry}: no {name}"
    res = memlab(*args, "--out", "resumed", "--cache", "c")
    assert f"8 tasks: {stored} from the cache" in res.stdout and f"{8 - stored} to run" in res.stdout, res.stdout
    assert f"{8 - stored} run, {stored} from the cache, 0 failed" in res.stdout, res.stdout
    for name in ("table.csv", "table.h5"):
        assert filecmp.cmp(memlab.folder / "whole" / name, memlab.folder / "resumed" / name, shallow=False), name
    assert not list((memlab.folder / "c" / "staging").iterdir()), "the killed run's staging was not cleaned"
    outputs.assert_no_partial(memlab.folder)


def test_a_zombie_workers_staging_is_cleaned(memlab):
    """A worker killed with its sweep can stay a zombie until its new parent reaps it; kill(pid, 0)
    still finds it, but it will never finish what it staged: opening the cache removes it. A live
    process's staging stays."""
    import socket
    memlab("cache", "info", "--cache", "c")
    host = socket.gethostname().replace(".", "_")
    zombie = subprocess.Popen(["true"])
    deadline = time.time() + 10
    while time.time() < deadline and open(f"/proc/{zombie.pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z":
        time.sleep(0.01)
    staging = memlab.folder / "c" / "staging"
    (staging / f"{host}.{zombie.pid}.0.0123456789abcdef").mkdir()
    (staging / f"{host}.{os.getpid()}.0.0123456789abcdef").mkdir()
    memlab("cache", "info", "--cache", "c")
    zombie.wait()
    assert sorted(p.name for p in staging.iterdir()) == [f"{host}.{os.getpid()}.0.0123456789abcdef"]


def test_cache_info_clear_and_bound(memlab):
    memlab("sweep", RV, "--seeds", "1..3", "--out", "s1", "--cache", "c", "--no-figure")
    info = memlab("cache", "info", "--cache", "c").stdout
    assert "3 entries" in info, info
    # A bound smaller than the three entries: the least recently used go after the next sweep.
    one = sum(f.stat().st_size for f in next((memlab.folder / "c" / "objects").glob("*/*")).rglob("*") if f.is_file())
    env_res = subprocess.run([memlab.exe, "sweep", RV, "--seeds", "4", "--out", "s2", "--cache", "c", "--no-figure"], cwd=memlab.folder,
                             env={**os.environ, "MEMLAB_CACHE_SIZE": str(int(2.5 * one))}, capture_output=True, text=True)
    assert env_res.returncode == 0, env_res.stderr
    assert "2 entries" in memlab("cache", "info", "--cache", "c").stdout
    cleared = memlab("cache", "clear", "--cache", "c").stdout
    assert "2 entries" in cleared and "removed" in cleared, cleared
    assert "0 entries" in memlab("cache", "info", "--cache", "c").stdout
    # Cleared: the same sweep runs again, with the same table.
    res = memlab("sweep", RV, "--seeds", "1..3", "--out", "s3", "--cache", "c", "--no-figure")
    assert "3 run, 0 from the cache" in res.stdout
    assert filecmp.cmp(memlab.folder / "s1" / "table.csv", memlab.folder / "s3" / "table.csv", shallow=False)


def test_no_cache_stores_nothing(memlab):
    res = memlab("sweep", RV, "--seeds", "1..2", "--out", "s", "--cache", "c", "--no-cache", "--no-figure")
    assert "2 run, 0 from the cache" in res.stdout
    assert not list((memlab.folder / "c").rglob("*.entry.json"))
    assert not (memlab.folder / "s" / ".cache").exists()
    assert len(read_table(memlab.folder / "s" / "table.csv")[1]) == 2


@pytest.mark.parametrize("args, names", [
    (["--vary", "device.e_ag"], ["sweep --vary", "device.e_ag", "KEY=VALUE"]),
    (["--vary", "device.e_ag=0.8 eV,"], ["sweep --vary", "an empty value"]),
    (["--vary", "device.e_ag=0.8 eV,0.8 eV"], ["device.e_ag", "given twice"]),
    (["--vary", "device.e_agg=0.8 eV"], ["retention_volatile.toml", "e_agg"]),
    (["--seeds", "1..3", "--set", "experiment.seed=2"], ["experiment.seed", "--seeds"]),
    (["--seeds", "2..1"], ["sweep --seeds", "backwards"]),
    (["--vary", "device.e_ag=0.85 eV,850 meV"], ["retention_volatile.toml", "same experiment"]),
])
def test_sweep_errors(memlab, args, names):
    memlab.fails("sweep", RV, "--out", "bad", "--cache", "c", *args, names=names, leaves=["bad"])


def test_an_md_file_is_not_swept(memlab):
    memlab.fails("sweep", TINY, "--out", "bad", "--cache", "c", names=["md_tiny.toml", "memlab run"], leaves=["bad"])


def test_second_reproduce_takes_the_md_from_the_cache(memlab):
    # A folder with ./experiments (reproduce's own): the tiny MD file only.
    (memlab.folder / "experiments").mkdir()
    shutil.copy(TINY, memlab.folder / "experiments" / "md_tiny.toml")
    first = memlab("reproduce", "--out", "r1", "--cache", "c")
    assert "from the cache" not in first.stdout
    t0 = time.time()
    second = memlab("reproduce", "--out", "r2", "--cache", "c")
    line = next(l for l in second.stdout.splitlines() if "md_tiny" in l and "[1/1]" in l)
    assert "from the cache, not run again" in line, second.stdout
    assert "LAMMPS" not in second.stdout and "melt" not in second.stdout, second.stdout
    r1, r2 = memlab.folder / "r1", memlab.folder / "r2"
    assert filecmp.cmp(r1 / "report.json", r2 / "report.json", shallow=False)
    assert filecmp.cmp(r1 / "md_tiny" / "metrics.json", r2 / "md_tiny" / "metrics.json", shallow=False)
    assert outputs.same_traces(r1 / "md_tiny" / "traces.h5", r2 / "md_tiny" / "traces.h5") == []


def test_reproduce_no_cache_runs_again(memlab):
    first = memlab("reproduce", "--out", "r1", "--only", "retention_volatile", "--cache", "c")
    again = memlab("reproduce", "--out", "r2", "--only", "retention_volatile", "--cache", "c", "--no-cache")
    assert "from the cache" not in first.stdout + again.stdout
    assert "from the cache" in memlab("reproduce", "--out", "r3", "--only", "retention_volatile", "--cache", "c").stdout
    for r in ("r2", "r3"):
        assert filecmp.cmp(memlab.folder / "r1" / "report.json", memlab.folder / r / "report.json", shallow=False)


@pytest.mark.skipif(not os.environ.get("MEMLAB_MPIRUN"), reason="memlab built without MPI, or no mpirun (openmpi-bin)")
def test_mpi_sweep_gives_the_table_of_one_process(memlab):
    # Two MPI ranks share the tasks by the dynamic queue (both run some) and write the table that
    # one process writes, byte for byte.
    args = ["sweep", SLOW, "--seeds", "1..6", "--no-figure"]
    memlab(*args, "--jobs", "1", "--out", "one", "--cache", "c1")
    env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1"}
    res = subprocess.run([os.environ["MEMLAB_MPIRUN"], "-np", "2", memlab.exe, *map(str, args), "--out", "two", "--cache", "c2"],
                         cwd=memlab.folder, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "(2 MPI ranks x 1)" in res.stdout, res.stdout
    assert res.stdout.count("memlab sweep ") == 1, "a rank other than 0 printed"
    for rank in (0, 1):
        assert f"on rank {rank}" in res.stdout, f"rank {rank} ran no task:\n{res.stdout}"
    for name in ("table.csv", "table.h5"):
        assert filecmp.cmp(memlab.folder / "one" / name, memlab.folder / "two" / name, shallow=False), name
    outputs.assert_no_partial(memlab.folder)


def test_study_runs_by_sweep_only(memlab):
    # A study ([study]) is a population for memlab sweep: run and reproduce --only refuse it with a
    # line naming sweep; the sweep runs one task per device, evaluates the targets on each device,
    # and draws the [study] metrics. Two devices of the shipped 200.
    study = outputs.EXPERIMENTS / "study_devices_training.toml"
    memlab.fails("run", study, "--out", "r", names=[str(study), "study", "memlab sweep"], leaves=["r"])
    memlab.fails("reproduce", "--only", "study_devices_training", "--out", "p", names=["study_devices_training", "memlab sweep"], leaves=["p"])
    memlab("sweep", study, "--devices", "2", "--out", "s", "--cache", "c", "--no-figure")
    s = memlab.folder / "s"
    header, rows = read_table(s / "table.csv")
    names = [column_name(h) for h in header]
    assert [r[names.index("device")] for r in rows] == ["1", "2"]
    for r in rows:
        targets = outputs.load(s / r[names.index("folder")] / "targets.json")
        assert len(targets) == 9 and {t["id"] for t in targets} == {f"training.{k}" for k in (
            "initial_vset_mean", "initial_vset_std", "nonvolatile_vset_mean", "nonvolatile_vset_std", "trained_vset_mean",
            "trained_vset_std", "hrs_drop", "volatile_blocks_volatile", "nonvolatile_reset_gradual")}
        for t in targets:  # the table's pass column is the task's own evaluation
            assert float(r[names.index(f"target.{t['id']}.pass")]) == (1.0 if t["pass"] else 0.0)
    # The devices are drawn (e_ag spread): their initial Vset differs.
    v = [float(r[names.index("target.training.initial_vset_mean")]) for r in rows]
    assert v[0] != v[1], v
    study_metrics = ["target.training.initial_vset_mean", "target.training.trained_vset_mean", "target.training.hrs_drop",
                     "target.training.initial_vset_std", "target.training.trained_vset_std", "target.training.nonvolatile_vset_mean"]
    assert outputs.load(s / "distributions.json")["figure"] == study_metrics
