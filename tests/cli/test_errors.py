"""Bad input on the command line: exit status 2, one line naming the file, the key and what is wrong,
and no output folder (nor a staged .partial one) left behind."""
import re

import outputs

DEMO = outputs.EXPERIMENTS / "demo_vteam_pulses.toml"


def test_bad_option(memlab):
    # Options are input like any other: one line naming the option, status 2, nothing written.
    memlab.fails("reproduce", "--jobs", "0", names=["--jobs", "1 or more", "'0'"], leaves=["reproduce-out"])
    memlab.fails("run", DEMO, "--jobs", "two", names=["--jobs", "'two'"])
    memlab.fails("reproduce", "--jbos", "2", names=["--jbos"])
    memlab.fails("run", DEMO, "--engine", "spice", names=["--engine", "spice"])
    assert list(memlab.folder.iterdir()) == [], "a rejected command wrote output"
    assert memlab("--help").stdout.startswith("memlab: a virtual lab")


def test_run_bad_key_leaves_nothing(memlab):
    memlab.fails("run", DEMO, "--out", "run-bad", "--set", "circuit.seires_resistance=1kOhm",
                 names=[DEMO, "circuit.seires_resistance", "unknown key"], leaves=["run-bad"])
    memlab.fails("run", DEMO, "--out", "run-bad", "--set", "circuit.series_resistance=1 kV",
                 names=[DEMO, "circuit.series_resistance", "'kV'"], leaves=["run-bad"])
    memlab.fails("run", memlab.folder / "no-such.toml", "--out", "run-bad", names=["no-such.toml", "no such file"], leaves=["run-bad"])


def test_reproduce_set_unknown_parameter(memlab):
    # A misspelt device parameter in --set is an error naming it, not a run of the shipped calibration.
    err = memlab.fails("reproduce", "--out", "rp", "--only", "retention_volatile", "--set", "device.tau_thh=1", leaves=["rp"])
    assert re.search(r"device\.tau_thh.*'tau_thh'", err), err


def test_sensitivity_bad_vary_leaves_nothing(memlab):
    memlab.fails("sensitivity", "--out", "sb", "--only", "all_or_none", "--vary", "device.e_ag=0.8eV,,0.9eV",
                 names=["device.e_ag", "empty value"], leaves=["sb"])
    memlab.fails("sensitivity", "--out", "sb", "--only", "all_or_none", "--vary", "device.e_agg=0.8 eV", names=["e_agg"], leaves=["sb"])


def test_reproduce_seeds_bad_leaves_nothing(memlab):
    memlab.fails("reproduce", "--out", "rb", "--only", "retention_volatile", "--seeds", "3..1", names=["seeds", "3..1"], leaves=["rb"])
    memlab.fails("reproduce", "--out", "rb", "--only", "retention_volatile", "--seeds", "1,1", names=["seeds", "twice"], leaves=["rb"])
    memlab.fails("reproduce", "--out", "rb", "--only", "retention_volatile", "--seeds", "1,2", "--set", "experiment.seed=4",
                 names=["experiment.seed"], leaves=["rb"])


def test_reproduce_only_unknown(memlab):
    memlab.fails("reproduce", "--out", "ru", "--only", "no_such_experiment", names=["no_such_experiment"], leaves=["ru"])


def test_md_missing_lammps_leaves_nothing(memlab):
    # A LAMMPS that is not there is one line naming the file and the key, and nothing is left behind.
    tiny = outputs.ROOT / "tests" / "validation" / "md_tiny.toml"
    memlab.fails("run", tiny, "--out", "mx", "--set", "md.lammps=no-such-lmp", names=["md.lammps", "no-such-lmp"], leaves=["mx"])
    memlab.fails("run", tiny, "--out", "mx", "--set", "md.launcher=no-such-mpirun -np 2", names=["md.launcher", "no-such-mpirun"], leaves=["mx"])


def test_options_before_the_file(memlab):
    # A repeatable option takes one value per use, so it does not swallow the file after it.
    out = memlab("run", "--set", "device.model=vteam", "--set", "circuit.series_resistance=2 kOhm", DEMO, "--out", "o", "--no-figure")
    assert (memlab.folder / "o" / "traces.h5").is_file(), out.stdout
    cfg = memlab("show-config", "--set", "circuit.series_resistance=3 kOhm", DEMO).stdout
    assert '"series_resistance": "3 kOhm"' in cfg
    # A missing file is bad input like any other: status 2, one line.
    memlab.fails("show-config", names=["file is required"])
    memlab.fails("run", "--set", "device.model=vteam", names=["file is required"])


def test_unknown_keys_name_the_closest_and_the_known(memlab):
    # A misspelt device parameter lists the model's parameters (not only the table's own keys),
    # with the closest first; a misspelt state lists every state of the model.
    err = memlab.fails("show-config", "all_or_none", "--set", "device.e_agg=0.8 eV", names=["device.e_agg", "did you mean 'e_ag'?"])
    assert all(p in err for p in ("gamma", "kappa_th", "h_init", "model")), err
    err = memlab.fails("show-config", "all_or_none", "--set", "device.initial_state.hh=1 nm",
                       names=["device.initial_state.hh", "did you mean 'h'?"])
    known = re.search(r"known: ([^)]*)\)", err).group(1).split(", ")
    assert {"h", "r", "theta", "h_s", "armed", "h_c", "T", "e_path"} <= set(known), err
    memlab.fails("show-config", "all_or_none", "--set", "device.model=vtaem", names=["unknown model 'vtaem'", "did you mean 'vteam'?"])


def test_shipped_experiments_by_name(memlab):
    # From a folder without experiments/: a shipped file by its name; a close miss is named.
    assert not (memlab.folder / "experiments").exists()
    memlab("run", "retention_volatile", "--out", "rv", "--no-figure", "--set", "experiment.duration=1 ms")
    assert (memlab.folder / "rv" / "metrics.json").is_file()
    assert '"name": "synapse"' in memlab("show-config", "synapse.toml").stdout
    memlab.fails("run", "synapes", "--out", "x", names=["synapes", "did you mean 'synapse'?"], leaves=["x"])
    memlab.fails("run", "experiments/synapse.toml", names=["experiments/synapse.toml", "no such file", "by its name"])
    listed = memlab("list").stdout
    assert "\n  synapse\n" in listed and "memlab run synapse" in listed
