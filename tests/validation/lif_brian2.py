"""One LIF network, run by Brian2 and written as a memlab network file (docs/networks.md).

The network: `inputs` rows of Poisson input (a Bernoulli draw per row and step, numpy's generator
with a stated seed), all-to-all synapses of random weights onto `neurons` LIF neurons, lateral
inhibition between them. The same weights (in V, 17 digits) and the same input spike times (each
somewhere inside its step) go to Brian2 and to memlab. Used by tests/cli/test_network.py (Brian2's numpy target, seconds) and by
bench/snn_lif_vs_brian2.py (cpp_standalone, one thread)."""
import os
from pathlib import Path

import numpy as np

DT = 1e-4  # s, both simulators' clock


def make_network(inputs=40, neurons=10, duration=3.0, rate=20.0, w_max=3e-3, inhibition=-1e-3, seed=7,
                 tau=10e-3, v_rest=-65e-3, v_reset=-68e-3, v_threshold=-52e-3, refractory=2e-3, bias=5e-3):
    """A dict of SI values: weights (inputs x neurons, V), input steps and rows, neuron parameters."""
    g = np.random.default_rng(seed)
    weight = g.uniform(0, w_max, (inputs, neurons))
    steps = int(round(duration / DT))
    hit = g.random((steps, inputs)) < rate * DT
    step, row = np.nonzero(hit)  # step-major, rows ascending within a step
    # Each input spike somewhere inside its step (0..0.9 dt): both simulators must put it in that
    # step (Brian2's timestep(), a floor), not the nearest one.
    time = (step + 0.9 * g.random(step.size)) * DT
    order = np.argsort(time, kind="stable")  # a spikes file is in time order
    step, row, time = step[order], row[order], time[order]
    return dict(time=time, inputs=inputs, neurons=neurons, duration=duration, weight=weight,
                inhibition=inhibition, step=step, row=row, tau=tau, v_rest=v_rest, v_reset=v_reset,
                v_threshold=v_threshold, refractory=refractory, bias=bias)


def write_memlab(net, folder):
    """net.toml, weights.csv and inputs.csv in `folder`; returns the path of net.toml."""
    folder = Path(folder)
    np.savetxt(folder / "weights.csv", net["weight"], delimiter=",", fmt="%.17g")
    with open(folder / "inputs.csv", "w") as f:
        f.write("row,time (s)\n")
        for t, r in zip(net["time"], net["row"]):
            f.write(f"{r},{t!r}\n")
    toml = f"""[experiment]
name = "lif_brian2"
description = "LIF network of the Brian2 cross-check"

[network]
mode = "lif"
inputs = {net['inputs']}
neurons = {net['neurons']}
dt = "{DT!r} s"
duration = "{net['duration']!r} s"

[network.neuron]
tau = "{net['tau']!r} s"
v_rest = "{net['v_rest']!r} V"
v_reset = "{net['v_reset']!r} V"
v_threshold = "{net['v_threshold']!r} V"
refractory = "{net['refractory']!r} s"
bias = "{net['bias']!r} V"

[network.synapse]
weights_file = "weights.csv"
weights_unit = "V"

[network.inhibition]
weight = "{net['inhibition']!r} V"

[network.input]
kind = "spikes_file"
file = "inputs.csv"
"""
    (folder / "net.toml").write_text(toml)
    return folder / "net.toml"


def run_brian2(net, target="numpy", folder=None, repeats=1):
    """Runs the network in Brian2; returns (neuron indices, spike steps, seconds of the run). With
    cpp_standalone the seconds are the compiled run's own (device._last_run_time), the best of
    `repeats` runs of the one compiled program."""
    import time
    import brian2 as b2
    b2.start_scope()
    if target == "cpp_standalone":
        b2.set_device("cpp_standalone", directory=str(folder), build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = 0
    else:
        b2.prefs.codegen.target = target
    b2.defaultclock.dt = DT * b2.second
    ns = dict(v_threshold=net["v_threshold"] * b2.volt, v_reset=net["v_reset"] * b2.volt)
    G = b2.NeuronGroup(net["neurons"], """dv/dt = (v_rest - v + bias)/tau : volt (unless refractory)
                                         v_rest : volt (constant)
                                         bias : volt (constant)
                                         tau : second (constant)""",
                       threshold="v > v_threshold", reset="v = v_reset", refractory=net["refractory"] * b2.second,
                       method="exact", namespace=ns)
    G.v_rest = net["v_rest"] * b2.volt
    G.bias = net["bias"] * b2.volt
    G.tau = net["tau"] * b2.second
    G.v = net["v_rest"] * b2.volt
    P = b2.SpikeGeneratorGroup(net["inputs"], net["row"], net["time"] * b2.second)
    S = b2.Synapses(P, G, "w : volt", on_pre="v_post += w", order=0)
    S.connect()  # i-major: synapse i * neurons + j
    S.w = net["weight"].ravel() * b2.volt
    I = b2.Synapses(G, G, on_pre="v_post += w_inh", namespace=dict(w_inh=net["inhibition"] * b2.volt), order=1)
    I.connect(condition="i != j")
    M = b2.SpikeMonitor(G)
    t0 = time.perf_counter()
    b2.run(net["duration"] * b2.second)
    if target == "cpp_standalone":
        b2.device.build(directory=str(folder), compile=True, run=True, debug=False)
        seconds = b2.device._last_run_time
        for _ in range(repeats - 1):
            b2.device.run(str(folder), False, [])
            seconds = min(seconds, b2.device._last_run_time)
    else:
        seconds = time.perf_counter() - t0
    i = np.asarray(M.i[:], dtype=int)
    steps = np.rint(np.asarray(M.t[:] / b2.second) / DT).astype(int)
    if target == "cpp_standalone":
        b2.device.reinit()
        b2.device.activate()
        b2.set_device("runtime")
    return i, steps, seconds


def read_memlab_spikes(traces_h5):
    """(neuron indices, spike steps) from a memlab network run's traces.h5."""
    import h5py
    with h5py.File(traces_h5, "r") as f:
        return (np.asarray(f["spikes/neuron"][:]).astype(int), np.rint(np.asarray(f["spikes/time"][:]) / DT).astype(int))
