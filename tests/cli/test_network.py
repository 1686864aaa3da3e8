"""memlab run of a [network] file: the LIF mode against Brian2 on the same network and inputs
(docs/networks.md), its outputs, and its one-line errors."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "validation"))
import lif_brian2  # noqa: E402
import outputs  # noqa: E402


def test_lif_spike_trains_equal_brian2(memlab, tmp_path):
    """The first 1000 output spikes (neuron and step) identical to Brian2's numpy target; the
    network has inhibition, refractoriness and a bias, so every rule of the step is exercised."""
    net = lif_brian2.make_network()
    toml = lif_brian2.write_memlab(net, tmp_path)
    memlab("run", toml, "--out", tmp_path / "out")
    mi, ms = lif_brian2.read_memlab_spikes(tmp_path / "out" / "traces.h5")
    bi, bs, _ = lif_brian2.run_brian2(net, "numpy")
    assert len(bi) >= 1000, f"Brian2 made {len(bi)} spikes; the check needs 1000"
    n = 1000
    first = np.nonzero((mi[:n] != bi[:n]) | (ms[:n] != bs[:n]))[0] if len(mi) >= n else [min(len(mi), n)]
    assert len(first) == 0, f"spike {first[0]} differs: memlab {mi[first[0]]}@{ms[first[0]]}, Brian2 {bi[first[0]]}@{bs[first[0]]}"
    # Every spike of the run, not only the first 1000: counts per neuron.
    assert np.array_equal(np.bincount(mi, minlength=net["neurons"]), np.bincount(bi, minlength=net["neurons"]))
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["spikes"] == len(mi)
    assert metrics["input_spikes"] == len(net["row"])


def test_lif_closed_form_interval(memlab, tmp_path):
    """No input, a bias above threshold: the neuron fires every ceil(tau ln(b / (b - theta)) / dt)
    steps plus the refractory steps, theta = v_threshold - v_reset, starting from v_rest."""
    (tmp_path / "net.toml").write_text("""[network]
inputs = 1
neurons = 1
duration = "1 s"
[network.neuron]
tau = "20 ms"
v_rest = "-65 mV"
v_reset = "-65 mV"
v_threshold = "-50 mV"
refractory = "3 ms"
bias = "20 mV"
[network.synapse]
weight = "0 V"
[network.input]
kind = "poisson"
rate = "0 Hz"
""")
    memlab("run", "net.toml", "--out", "out")
    _, steps = lif_brian2.read_memlab_spikes(tmp_path / "out" / "traces.h5")
    # v(n) = v_rest + b (1 - e^{-n dt/tau}) > v_threshold first at n = ceil(tau ln(b/(b - 15 mV)) / dt) (+1: the
    # first update happens in step 0), then the neuron is held for 30 steps and climbs from v_reset again.
    climb = int(np.ceil(20e-3 * np.log(20 / 5) / 1e-4))
    assert steps[0] == climb - 1
    # Held in steps k+1..k+29 (30 steps after the spike it integrates again): the interval is climb + 29.
    assert set(np.diff(steps)) == {climb + 29}
    assert len(steps) == 1 + (10000 - 1 - steps[0]) // (climb + 29)


def test_network_file_errors(memlab, tmp_path):
    (tmp_path / "bad.toml").write_text('[network]\ninputs = 2\nneurons = 2\nduration = "1 s"\n[network.synapse]\nweight = "1 mV"\n'
                                       '[network.input]\nkind = "poisson"\nrate = "10 Hz"\nratee = 1\n')
    res = memlab("run", "bad.toml", status=2)
    assert "bad.toml: network.input.ratee: unknown key" in res.stderr
    (tmp_path / "dev.toml").write_text('[network]\nmode = "device"\ninputs = 2\nneurons = 2\nduration = "1 s"\n')
    res = memlab("run", "dev.toml", status=2)
    assert "dev.toml: network.synapse.conductance: missing" in res.stderr
    (tmp_path / "lif.toml").write_text('[network]\ninputs = 1\nneurons = 1\nduration = "1 s"\n[network.synapse]\nweight = "1 mV"\n'
                                       '[network.input]\nkind = "poisson"\nrate = "10 Hz"\n[solver]\nrtol = 1e-7\n')
    res = memlab("run", "lif.toml", status=2)
    assert "lif.toml: solver: the LIF mode does not run on the engine" in res.stderr
    assert not (tmp_path / "out").exists()


ROOT = Path(__file__).resolve().parents[2]
DEVICE = ROOT / "experiments" / "snn_device_8x4.toml"
DIGITS_DEVICE = ROOT / "experiments" / "snn_digits_device.toml"
DIGITS_STDP = ROOT / "experiments" / "snn_digits_stdp.toml"


def test_device_mode_file(memlab, tmp_path):
    """The device-mode file at its fast level: the programmed conductances (each synapse device
    alone at 0.1 V) are the file's, the spikes and metrics agree, and the keys the device mode does
    not have fail with one line naming them."""
    import h5py
    memlab("run", DEVICE, "--out", tmp_path / "out", "--no-figure")
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["level"] == "fast" and metrics["dropped_input_spikes"] == 0
    with h5py.File(tmp_path / "out" / "traces.h5", "r") as f:
        g0 = np.asarray(f["weights"]["epoch0"])
        assert f["weights"]["epoch0"].attrs["unit"] in (b"S", "S")
        neurons = np.asarray(f["spikes"]["neuron"])
        g1 = np.asarray(f["weights"]["end"])
    want = np.full((8, 4), 4e-6)
    for k in range(4):
        want[2 * k:2 * k + 2, k] = 80e-6
    assert np.allclose(g0, want, rtol=1e-9)
    assert metrics["spikes"] == len(neurons) > 0
    assert np.max(np.abs(g1 / g0 - 1)) == pytest.approx(metrics["largest_conductance_change"])
    # The neurons' energy: each spike conducts at about the transistor's 10 nA limit under at most
    # 4.2 V (two 80 uS reads and two 4 uS ones at 0.2 V, times 125 kV/A) for at most a pulse (1 us
    # and its edges); between pulses the cells see -1 V across 1 pS.
    energy = outputs.quantity(metrics["neuron_energy"], "J")
    assert 0 < energy < metrics["spikes"] * 4.2 * 20e-9 * 1.1e-6 + 4 * 1.0 * 1e-12 * 120e-6
    text = DEVICE.read_text()
    for key, change, msg in [
        ("network.level", ('level = "fast"', 'level = "slow"'), "unknown level 'slow'"),
        ("network.inhibition.weight", ('[network.gain]', '[network.inhibition]\nweight = "-1 V"\n[network.gain]'), "unknown key"),
        ("network.inhibition.resistance", ('[network.gain]', '[network.inhibition]\nresistance = "-1 kOhm"\n[network.gain]'), "must be positive"),
        ("network.neuron.spike_width", ('rail = "1 V"', 'rail = "1 V"\nspike_width = "0 s"'), "must be positive"),
        ("network.neuron.tau", ('rail = "1 V"', 'rail = "1 V"\ntau = "1 ms"'), "unknown key"),
        ("network.synapse.conductance", ('["80 uS", "4 uS", "4 uS", "4 uS"],', '["80 uS", "4 uS", "4 uS", "4 GS"],'), "above a bridged"),
    ]:
        (tmp_path / "bad.toml").write_text(text.replace(*change, 1))
        res = memlab("run", "bad.toml", status=2)
        assert f"bad.toml: {key}:" in res.stderr and msg in res.stderr, res.stderr
    # [network.inhibition]: the comparators' output pulses hold each other; with 3 us pulses the
    # path loses spikes (validation.NetworkDevice.InhibitionPathAtBothLevels8x4 compares the levels).
    (tmp_path / "wta.toml").write_text(text.replace('rail = "1 V"', 'rail = "1 V"\nspike_width = "3 us"', 1) + '\n[network.inhibition]\nresistance = "100 kOhm"\n')
    memlab("run", "wta.toml", "--out", tmp_path / "wta", "--no-figure")
    assert 0 < json.loads((tmp_path / "wta" / "metrics.json").read_text())["spikes"] < metrics["spikes"]
    # [solver] sets the engine's tolerances of every device-mode simulation: a tighter rtol gives
    # the same spikes per neuron here, and is what the run's config.json records.
    memlab("run", DEVICE, "--set", "solver.rtol=1e-7", "--out", tmp_path / "tight", "--no-figure")
    config = json.loads((tmp_path / "tight" / "config.json").read_text())
    assert float(config["solver"]["rtol"]) == 1e-7
    with h5py.File(tmp_path / "tight" / "traces.h5", "r") as f:
        tight = np.asarray(f["spikes"]["neuron"])
    assert np.array_equal(np.bincount(tight.astype(int), minlength=4), np.bincount(neurons.astype(int), minlength=4))
    res = memlab("run", DEVICE, "--set", "solver.rtol=2", "--out", tmp_path / "bad_rtol", status=2)
    assert "solver.rtol: must be in (0, 1)" in res.stderr and not (tmp_path / "bad_rtol").exists()
    # [network.synapse.d2d]: every cell its own drawn device. The conductances are still the file's
    # (each state is its own device's), the drawn devices drift differently under the reads, and the
    # two levels run the same drawn devices: the same spikes per neuron, the same changes.
    (tmp_path / "d2d.toml").write_text(text + '\n[network.synapse.d2d]\ne_ag = "0.14 eV"\nkappa = "0.5e9 1/m"\n')
    change = {}
    for level in ("fast", "circuit"):
        memlab("run", "d2d.toml", "--set", f"network.level={level}", "--out", tmp_path / level, "--no-figure")
        with h5py.File(tmp_path / level / "traces.h5", "r") as f:
            d0, d1 = np.asarray(f["weights"]["epoch0"]), np.asarray(f["weights"]["end"])
            counts = np.bincount(np.asarray(f["spikes"]["neuron"]).astype(int), minlength=4)
        assert np.allclose(d0, want, rtol=1e-9)
        assert np.array_equal(counts, np.bincount(neurons.astype(int), minlength=4))
        change[level] = d1 / d0 - 1
    strong = want > 50e-6
    nominal = g1 / g0 - 1
    assert np.max(np.abs(change["fast"][strong] - nominal[strong])) > 0.2 * np.max(np.abs(nominal[strong]))
    assert np.allclose(change["circuit"][strong], change["fast"][strong], rtol=0.05)
    res = memlab("run", "d2d.toml", "--set", 'network.synapse.d2d.e_ag="-1 eV"', "--out", tmp_path / "bad_d2d", status=2)
    assert "network.synapse.d2d.e_ag: a spread must not be negative" in res.stderr
    (tmp_path / "lines.toml").write_text(text.replace('line_resistance = "0 Ohm"', 'line_resistance = "5 Ohm"'))
    res = memlab("run", "lines.toml", status=2)
    assert "lines.toml: network.line_resistance: the fast level" in res.stderr


def test_digits_device_file(memlab, tmp_path):
    """The device-mode digits file: its conductance pairs are what scripts/digits_softmax.py writes,
    a run of the first 10 test digits (exact conductances, held reads) presents the script's test
    split and writes the pairs interleaved (G+ on column 2k, G- on column 2k + 1) as its epoch0, and the
    keys of the differential pairs, the held reads and the write-verify fail with one line naming
    them."""
    import subprocess
    import h5py
    res = subprocess.run([sys.executable, ROOT / "scripts" / "digits_softmax.py", "--out", tmp_path / "sm"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    data = ROOT / "experiments" / "data"
    gp = np.loadtxt(data / "snn_digits_g_plus.csv", delimiter=",")
    gm = np.loadtxt(data / "snn_digits_g_minus.csv", delimiter=",")
    assert np.allclose(np.loadtxt(tmp_path / "sm" / "g_plus.csv", delimiter=","), gp, rtol=1e-6, atol=1e-15)
    assert np.allclose(np.loadtxt(tmp_path / "sm" / "g_minus.csv", delimiter=","), gm, rtol=1e-6, atol=1e-15)
    memlab("run", DIGITS_DEVICE, "--set", "network.program.enabled=false", "--set", "network.input.images=10", "--out", "out",
           "--no-figure")
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["images"] == 10 and metrics["synapse_reads"] == "held" and metrics["differential"] is True
    sys.path.insert(0, str(ROOT / "scripts"))
    import digits_softmax
    _, test = digits_softmax.split(1797, 1200, 1)
    with h5py.File(tmp_path / "out" / "traces.h5", "r") as f:
        index = np.asarray(f["images/index"][:]).ravel().astype(int)
        g0 = np.asarray(f["weights"]["epoch0"])
        assert "programmed" not in f["weights"]
    assert np.array_equal(index, test[:10])
    want = np.empty((65, 20))
    want[:, 0::2], want[:, 1::2] = gp, gm
    assert np.allclose(g0, want, rtol=1e-9)
    text = DIGITS_DEVICE.read_text().replace("data/", str(data) + "/")
    for key, change, msg in [
        ("network.synapse.read", ('\nread = "held"', '\nread = "sometimes"'), "unknown 'sometimes'"),
        ("network.synapse.conductance_files", ("differential = true", "differential = false"), "need differential = true"),
        ("network.input.kind", ('\nread = "held"', '\nread = "transient"'), 'need network.synapse.read = "held"'),
        ("network.synapse.read", ('level = "fast"', 'level = "circuit"'), "fast-level shortcut"),
        ("network.synapse.rest", ('\nread = "held"', '\nread = "held"\nrest = "-1 ms"'), "must not be negative"),
        ("network.program.tolerance", ("tolerance = 0.05", "tolerance = 2"), "must be in (0, 1)"),
        ("network.program.set_gate_step", ('set_gate_step = "3 mV"', 'set_gate_step = "-3 mV"'), "must be positive"),
        ("network.program.verify", ('verify_width = "1 us"', 'verify = "1 us"'), "unknown key"),
    ]:
        bad = text
        for k in range(0, len(change), 2):
            bad = bad.replace(change[k], change[k + 1], 1)
        assert bad.count("\n") == text.count("\n") + (key == "network.synapse.rest") and bad != text, key
        (tmp_path / "bad.toml").write_text(bad)
        # A file that loaded by mistake runs one image, not the whole programmed network.
        res = memlab("run", "bad.toml", "--set", "network.input.images=1", "--set", "network.program.enabled=false", status=2)
        assert f"bad.toml: {key}:" in res.stderr and msg in res.stderr, (key, res.stderr)


def test_digits_lif_mapped_inference(memlab, tmp_path):
    """The shipped LIF digits file: its weights are what scripts/digits_softmax.py trains, the
    images it presents are the script's test split (memlab's split reproduced in numpy), and spike
    counts classify the 597 test digits within one point of the softmax itself."""
    import subprocess
    import h5py
    res = subprocess.run([sys.executable, ROOT / "scripts" / "digits_softmax.py", "--out", tmp_path / "sm"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    soft = json.loads((tmp_path / "sm" / "softmax.json").read_text())
    shipped = np.loadtxt(ROOT / "experiments" / "data" / "snn_digits_lif_weights.csv", delimiter=",")
    assert np.allclose(np.loadtxt(tmp_path / "sm" / "weights_lif.csv", delimiter=","), shipped, rtol=1e-6, atol=1e-12)
    memlab("run", "snn_digits_lif", "--out", "out")
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["images"] == 597 == soft["test"]
    sys.path.insert(0, str(ROOT / "scripts"))
    import digits_softmax
    _, test = digits_softmax.split(1797, 1200, 1)
    with h5py.File(tmp_path / "out" / "traces.h5", "r") as f:
        index = np.asarray(f["images/index"][:]).ravel().astype(int)
        label = np.asarray(f["images/label"][:]).ravel().astype(int)
        counts = np.asarray(f["images/counts"][:])
        predicted = np.asarray(f["images/predicted"][:]).ravel().astype(int)
    assert np.array_equal(index, test)
    _, y = digits_softmax.load()
    assert np.array_equal(label, y[test])
    assert counts.shape == (597, 10) and counts.sum() == metrics["spikes"]
    assert metrics["accuracy"] == pytest.approx(np.mean(predicted == label))
    assert metrics["accuracy"] >= soft["test_accuracy"] - 0.01, (metrics["accuracy"], soft["test_accuracy"])


def test_fashion_mnist_lif_mapped_inference(memlab, tmp_path):
    """Fashion-MNIST through the benchmark's network file (bench/experiments/snn_fashion_lif.toml) on
    its first 100 test images: the images are the data set's first, with numpy's labels, and the
    spike counts give the softmax's own answer (argmax of x w + b, the same weights) on at least
    90 of them. The same file asking for the digits is a one-line error naming network.inputs."""
    import h5py
    sys.path.insert(0, str(ROOT / "scripts"))
    import digits_softmax
    bench_file = ROOT / "bench" / "experiments" / "snn_fashion_lif.toml"
    memlab("run", bench_file, "--set", "network.input.images=100", "--out", "out")
    with h5py.File(tmp_path / "out" / "traces.h5", "r") as f:
        index = np.asarray(f["images/index"][:]).ravel().astype(int)
        label = np.asarray(f["images/label"][:]).ravel().astype(int)
        predicted = np.asarray(f["images/predicted"][:]).ravel().astype(int)
    x, y = digits_softmax.load_fashion(False)
    assert np.array_equal(index, np.arange(100))
    assert np.array_equal(label, y[:100])
    w = np.loadtxt(bench_file.parent / "data" / "snn_fashion_lif_weights.csv", delimiter=",")
    softmax = np.argmax(np.hstack([x[:100], np.ones((100, 1))]) @ w, axis=1)
    assert np.sum(predicted == softmax) >= 90, np.sum(predicted == softmax)
    res = memlab("run", bench_file, "--set", "network.input.kind=digits", "--out", "bad", status=2)
    assert "snn_fashion_lif.toml: network.inputs: 785 rows, digits need 65 (64 pixels and the bias row)" in res.stderr
    assert not (tmp_path / "bad").exists()


def test_digits_stdp_file(memlab, tmp_path):
    """The unsupervised learning file: a run on the first 40 training images (20 test images) writes
    the drawn initial map and the trained one, a post pulse per training image with a winner, every
    neuron's label and the training pass's winners, trains on the script's training split; a
    validation run presents the training split's last images; its keys fail with one line naming them."""
    import h5py
    memlab("run", DIGITS_STDP, "--set", "network.learning.images=40", "--set", "network.input.images=20", "--out", "out", "--no-figure")
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    learning = metrics["learning"]
    sys.path.insert(0, str(ROOT / "scripts"))
    import digits_softmax
    train, test = digits_softmax.split(1797, 1200, 1)
    with h5py.File(tmp_path / "out" / "traces.h5", "r") as f:
        g0 = np.asarray(f["weights/epoch0"])
        g1 = np.asarray(f["weights/epoch1"])
        labels = np.asarray(f["learning/labels"]).ravel()
        winner = np.asarray(f["learning/train_winner"]).ravel()
        index = np.asarray(f["learning/train_index"]).ravel().astype(int)
        test_index = np.asarray(f["images/index"]).ravel().astype(int)
    assert g0.shape == g1.shape == (64, 100)
    assert 30e-6 * 0.999 <= g0.min() and g0.max() <= 80e-6 * 1.001  # the drawn range
    assert np.array_equal(index, train[:40]) and np.array_equal(test_index, test[:20])
    assert learning["training_images"] == 40 and learning["post_pulses"] == int((winner >= 0).sum()) > 0
    assert len(labels) == 100 and metrics["labels"] == [int(x) for x in labels]
    # The rates are the test pass's: each neuron's spikes over the 20 presented test images.
    with h5py.File(tmp_path / "out" / "traces.h5", "r") as f:
        out_neuron = np.asarray(f["spikes/neuron"]).ravel().astype(int)
    rates = [outputs.quantity(x, "Hz") for x in metrics["rate"]]
    assert len(rates) == 100 and sum(rates) > 0
    counts = np.bincount(out_neuron, minlength=100)
    nz = counts > 0
    assert counts.sum() == metrics["spikes"]
    assert np.allclose(np.asarray(rates)[nz] / counts[nz], (np.asarray(rates)[nz] / counts[nz])[0], rtol=1e-3)
    assert all(r == 0 for r, c in zip(rates, counts) if c == 0)
    # Only the winners' columns were pulsed; the others relaxed at rest (below 20 % of their drawn value).
    pulsed = np.unique(winner[winner >= 0]).astype(int)
    quiet = np.setdiff1d(np.arange(100), pulsed)
    change = np.abs(g1 / g0 - 1)
    assert change[:, pulsed].max() > 0.3 and change[:, quiet].max() < 0.2
    memlab("run", DIGITS_STDP, "--set", "network.learning.images=10", "--set", "network.input.set=validation",
           "--set", "network.input.images=5", "--out", "val", "--no-figure")
    with h5py.File(tmp_path / "val" / "traces.h5", "r") as f:
        assert np.array_equal(np.asarray(f["images/index"]).ravel().astype(int), train[900:905])
    text = DIGITS_STDP.read_text()
    for key, change_, msg in [
        ("network.learning.initial_conductance", ('["30 uS", "80 uS"]', '["80 uS", "30 uS"]'), "0 < low <= high"),
        ("network.learning.pre", ('pre = "0.1 V"', 'pre = "0.5 V"'), "must be in [0, potentiate)"),
        ("network.learning.depress", ('depress = "0.3 V"', 'depress = "-0.3 V"'), "must be positive"),
        ("network.learning.pre_window", ("pre_window = 6", "pre_window = 0"), "is outside [1,"),
        ("network.learning.hold", ("hold = 6", "hold = 64"), "the whole presentation"),
        ("network.learning.depress_probability", ("\nrefresh = 50", "\nrefresh = 50\ndepress_probability = 1.5"), "must be in [0, 1]"),
        ("network.program", ("[network.neuron]", '[network.program]\ntolerance = 0.05\n\n[network.neuron]'), "its own pulses"),
        ("network.learning.images", ("\nrefresh = 50", "\nrefresh = 50\nimages = 5000"), "the set has 1200"),
        ("network.synapse.conductance", ('gate = "3.3 V"', 'gate = "3.3 V"\nconductance = "10 uS"'), "leave it out"),
        ("network.input.bias_rate", ('rate = "500 kHz"', 'rate = "500 kHz"\nbias_rate = "1 kHz"'), "no bias row"),
        ("network.input.kind", ('kind = "digits"', 'kind = "poisson"', 'dt = "2 us"', 'dt = "2 us"\nduration = "1 ms"'), "learns images"),
    ]:
        bad = text
        for k in range(0, len(change_), 2):
            bad = bad.replace(change_[k], change_[k + 1], 1)
        assert bad != text, key
        (tmp_path / "bad.toml").write_text(bad)
        # A file that loaded by mistake runs one training and one test image.
        few = [] if key == "network.learning.images" else ["--set", "network.learning.images=1"]
        res = memlab("run", "bad.toml", *few, "--set", "network.input.images=1", "--no-figure", status=2)
        assert f"bad.toml: {key}:" in res.stderr and msg in res.stderr, (key, res.stderr)
    res = memlab("run", DIGITS_DEVICE, "--set", "network.input.set=validation", "--set", "network.input.images=1", status=2)
    assert "network.input.set:" in res.stderr and "for learning networks" in res.stderr, res.stderr
