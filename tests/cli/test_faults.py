"""Faults met by the command line, injected through what a user can do: an experiment whose device
storms with events, a reproduce worker killed with SIGKILL, a file-size limit while HDF5 is
written (`ulimit -f`: a full disk as the program meets it), SIGINT (Ctrl-C) and SIGTERM during
`run`, `reproduce`, `sensitivity`, `sweep` and `fit`. Each ends with one line on stderr naming the time and the
state where there is one, its own exit status (the README's table), and no output that looks
complete: no output folder, no .partial; a reproduce keeps the experiments that ran and reports
the lost ones as not run, with why. (Faults inside the engine: tests/validation/test_faults.cpp.)"""
import json
import os
import resource
import signal
import subprocess
import time
from pathlib import Path

import pytest

import outputs

INPUT, WRITE_FAILED, EXPERIMENTS_LOST, EVENT_STORM = 2, 4, 5, 13

# A VTEAM pulse train recorded every nanosecond: ~seconds of work, megabytes of traces.
SLOW = """
[experiment]
name = "{name}"
targets = [{targets}]
[device]
model = "vteam"
[circuit]
series_resistance = "1 kOhm"
[stimulus]
kind = "pulse_train"
amplitudes = ["1 V", "-1 V"]
repeat = {repeat}
width = "1 us"
period = "2 us"
[recording]
probes = ["v(in)", "i(DUT)", "DUT.w"]
sample_interval = "1 ns"
"""


def slow_file(folder, name, repeat=2000, targets=""):
    p = Path(folder) / f"{name}.toml"
    p.write_text(SLOW.format(name=name, repeat=repeat, targets=targets))
    return p


def one_error_line(stderr):
    lines = [l for l in stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("memlab: "), f"not one line: {stderr!r}"
    return lines[0]


def processes(keep):
    """The pids of /proc whose entry `keep(Path)` accepts (an entry that vanishes or cannot be
    read while looked at is left out)."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if keep(d):
                out.append(int(d.name))
        except (OSError, ValueError, IndexError):
            pass
    return out


def children(pid):
    """The memlab worker processes of `pid` (forks: same executable). A child seen once may be the
    figure drawer between its spawn and its exec of python3 (the same executable for a moment,
    longer on a loaded machine): a worker is a child still running memlab 0.2 s later."""
    def child(d):
        ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        return ppid == pid and os.readlink(d / "exe") == outputs.EXE

    first = processes(child)
    if not first:
        return first
    time.sleep(0.2)
    return [p for p in processes(child) if p in first]


def wait_for(check, timeout=30.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        got = check()
        if got:
            return got
        time.sleep(0.02)
    raise AssertionError("timed out waiting")


def test_an_event_storm_stops_with_its_own_status(memlab):
    # The diffusive model's shrink events at 1e20 per second, each taking next to nothing.
    f = slow_file(memlab.folder, "storm", repeat=1)
    res = memlab("run", f, "--out", "out", "--no-figure", "--set", "device.model=diffusive", "--set", "device.kappa=1e20 1/s",
                 "--set", "device.eta=1e-12", "--set", "device.initial_state.f=0.5", status=EVENT_STORM)
    line = one_error_line("\n".join(l for l in res.stderr.splitlines() if not l.startswith("memlab: note:")))
    for part in ("storm.toml", "event storm", "t = ", "state: ", "DUT.f="):
        assert part in line, line
    assert not (memlab.folder / "out").exists()
    outputs.assert_no_partial(memlab.folder)


def test_a_killed_reproduce_worker_loses_only_its_experiment(memlab):
    exps = memlab.folder / "experiments"
    exps.mkdir()
    slow_file(exps, "a_killed", repeat=20000, targets='"retention.volatile"')
    slow_file(exps, "b_kept", repeat=5)
    proc = subprocess.Popen([outputs.EXE, "reproduce", "--jobs", "1", "--out", "rep"], cwd=memlab.folder,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    worker = wait_for(lambda: children(proc.pid))[0]
    os.kill(worker, signal.SIGKILL)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == EXPERIMENTS_LOST, (out, err)
    assert "a_killed: FAILED" in out and "killed by signal 9" in out, out
    report = json.loads((memlab.folder / "rep" / "report.json").read_text())
    lost = [e for e in report["experiments"] if e["name"] == "a_killed"]
    assert lost and "killed by signal 9" in lost[0]["error"], report["experiments"]
    target = [t for t in report["targets"] if t["id"] == "retention.volatile"][0]
    assert target["simulated"] is None and not target["pass"]
    assert "not run" in target["note"] and "killed by signal 9" in target["note"], target
    assert not (memlab.folder / "rep" / "a_killed").exists(), "the killed experiment left a folder"
    kept = memlab.folder / "rep" / "b_kept"
    outputs.assert_run_folder(kept, figure=(kept / "figure.png").exists())  # figures: where the build has the Python layer
    assert "failed to simulate" in one_error_line(err)
    outputs.assert_no_partial(memlab.folder)


def test_a_full_disk_while_writing_hdf5_leaves_nothing(memlab):
    f = slow_file(memlab.folder, "big", repeat=200)
    limit = 256 * 1024  # bytes: the traces need megabytes

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    res = subprocess.run([outputs.EXE, "run", f, "--out", "out", "--no-figure"], cwd=memlab.folder, capture_output=True,
                         text=True, preexec_fn=small_disk, timeout=120)
    assert res.returncode == WRITE_FAILED, res.stderr
    line = one_error_line(res.stderr)
    assert "traces.h5" in line and "cannot write" in line and "File too large" in line, line
    assert " at t = " in line and "rows recorded" in line, line
    assert not (memlab.folder / "out").exists()
    outputs.assert_no_partial(memlab.folder)
    memlab("run", slow_file(memlab.folder, "small", repeat=2), "--out", "out", "--no-figure")  # the next run works
    outputs.assert_run_folder(memlab.folder / "out", figure=False)


def interrupt(memlab, args, sig, group=False, ready=None):
    """Starts `memlab ARGS`, sends `sig` once `ready()` (default: OUT.partial exists), and returns
    (exit status, seconds from the signal to the exit, stderr)."""
    proc = subprocess.Popen([outputs.EXE, *map(str, args)], cwd=memlab.folder, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    wait_for(ready or (lambda: (memlab.folder / "out.partial").exists()))
    time.sleep(0.3)  # into the work
    t0 = time.monotonic()
    if group:
        os.killpg(proc.pid, sig)  # Ctrl-C: the whole foreground group
    else:
        os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=30)
    return proc.returncode, time.monotonic() - t0, err


def check_stopped(memlab, status, seconds, err, sig):
    assert status == 128 + sig, err
    assert seconds < 1.0, f"took {seconds:.2f} s to stop"
    line = one_error_line(err)
    assert ("SIGINT" if sig == signal.SIGINT else "SIGTERM") in line, line
    assert not (memlab.folder / "out").exists(), "an interrupted command left its output folder"
    outputs.assert_no_partial(memlab.folder)


def test_ctrl_c_and_sigterm_stop_run(memlab):
    f = slow_file(memlab.folder, "long", repeat=20000)
    for sig in (signal.SIGINT, signal.SIGTERM):
        check_stopped(memlab, *interrupt(memlab, ["run", f, "--out", "out", "--no-figure"], sig, group=sig == signal.SIGINT), sig)
    memlab("run", slow_file(memlab.folder, "short", repeat=2), "--out", "out", "--no-figure")
    outputs.assert_run_folder(memlab.folder / "out", figure=False)


def test_ctrl_c_and_sigterm_stop_reproduce_and_its_workers(memlab):
    exps = memlab.folder / "experiments"
    exps.mkdir()
    slow_file(exps, "a_long", repeat=20000)
    slow_file(exps, "b_long", repeat=20000)
    for sig in (signal.SIGINT, signal.SIGTERM):
        def workers_running():
            return any(p.is_dir() for p in (memlab.folder / "out.partial").glob("*_long"))

        status, seconds, err = interrupt(memlab, ["reproduce", "--jobs", "2", "--out", "out"], sig, group=sig == signal.SIGINT,
                                         ready=workers_running)
        check_stopped(memlab, status, seconds, err, sig)
    for p in exps.glob("*_long.toml"):
        p.unlink()
    slow_file(exps, "c_short", repeat=2)
    memlab("reproduce", "--out", "out")
    assert (memlab.folder / "out" / "report.json").exists()


def drawing_processes(folder):
    """The figure drawer (memlab.plot) and its forked workers running in `folder`."""
    return processes(lambda d: b"memlab.plot" in (d / "cmdline").read_bytes() and Path(os.readlink(d / "cwd")) == Path(folder))


def test_ctrl_c_and_sigterm_stop_the_figure_workers(memlab):
    # Interrupted while two workers draw the figures: no drawing process outlives memlab (none
    # finishes its figure into a folder that is gone), and nothing is left behind.
    exps = memlab.folder / "experiments"
    exps.mkdir()
    for k in range(12):
        slow_file(exps, f"s{k:02d}", repeat=100)  # 13 MB of traces: a figure takes a while
    # Only where this build draws figures (the sanitizer build has no compiled Python module).
    memlab("run", slow_file(memlab.folder, "probe", repeat=2), "--out", "probe")
    if not (memlab.folder / "probe" / "figure.png").exists():
        pytest.skip("this build draws no figures (no memlab Python layer beside the program)")
    for sig in (signal.SIGINT, signal.SIGTERM):
        def drawing():  # a figure drawn, and the drawer with both its workers still at work
            return any((memlab.folder / "out.partial").glob("*/figure.png")) and len(drawing_processes(memlab.folder)) >= 3

        status, seconds, err = interrupt(memlab, ["reproduce", "--jobs", "2", "--out", "out"], sig, group=sig == signal.SIGINT,
                                         ready=drawing)
        check_stopped(memlab, status, seconds, err, sig)
        assert drawing_processes(memlab.folder) == [], "a figure worker outlived memlab"


def test_figures_are_drawn_while_the_runs_go_on(memlab):
    # The drawer starts with the runs and takes each as it finishes: the quick experiments'
    # figures are done before the slow one has written its traces, and report.html comes last.
    exps = memlab.folder / "experiments"
    exps.mkdir()
    (exps / "a_slow.toml").write_text(SLOW.format(name="a_slow", repeat=20000, targets="").replace('"1 ns"', '"1 us"'))
    for k in range(2):
        slow_file(exps, f"quick{k}", repeat=2)
    memlab("run", slow_file(memlab.folder, "probe", repeat=2), "--out", "probe")
    if not (memlab.folder / "probe" / "figure.png").exists():
        pytest.skip("this build draws no figures (no memlab Python layer beside the program)")
    memlab("reproduce", "--jobs", "2", "--no-cache", "--out", "out")
    out = memlab.folder / "out"
    slow_written = (out / "a_slow" / "traces.h5").stat().st_mtime
    for k in range(2):
        assert (out / f"quick{k}" / "figure.png").stat().st_mtime < slow_written, f"quick{k}'s figure waited for the slow run"
    assert (out / "a_slow" / "figure.png").exists()
    assert (out / "report.html").stat().st_mtime >= (out / "a_slow" / "figure.png").stat().st_mtime


def test_sigterm_stops_a_sensitivity_sweep(memlab):
    exps = memlab.folder / "experiments"
    exps.mkdir()
    slow_file(exps, "a_long", repeat=20000)
    status, seconds, err = interrupt(memlab, ["sensitivity", "--vary", "circuit.series_resistance=1 kOhm,2 kOhm", "--out", "out"],
                                     signal.SIGTERM)
    check_stopped(memlab, status, seconds, err, signal.SIGTERM)


def test_ctrl_c_stops_a_sweep(memlab):
    f = slow_file(memlab.folder, "long", repeat=20000)
    status, seconds, err = interrupt(memlab, ["sweep", f, "--vary", "circuit.series_resistance=1 kOhm,2 kOhm", "--out", "out",
                                              "--no-figure"], signal.SIGINT, group=True)
    check_stopped(memlab, status, seconds, err, signal.SIGINT)


def test_ctrl_c_and_sigterm_stop_a_fit(memlab):
    # The fit's model runs are child processes on the sweep's task runner: a signal to the fit
    # (SIGTERM) or to the whole group (Ctrl-C) stops them and leaves no output.
    f = slow_file(memlab.folder, "long", repeat=20000)
    (memlab.folder / "m.csv").write_text("time [us],I [uA]\n" + "".join(f"{k},0\n" for k in range(10)))
    fit = memlab.folder / "fit.toml"
    fit.write_text(f"""[fit]
experiment = "{f}"
[data]
file = "m.csv"
current = "I"
probe = "i(DUT)"
[loss]
noise = "1 uA"
[optimizer]
starts = 2
[[parameter]]
key = "device.r_off"
min = "10 kOhm"
max = "1 MOhm"
""")
    for sig in (signal.SIGINT, signal.SIGTERM):
        status, seconds, err = interrupt(memlab, ["fit", fit, "--out", "out", "--no-figure"], sig, group=sig == signal.SIGINT)
        check_stopped(memlab, status, seconds, err, sig)
