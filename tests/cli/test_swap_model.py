"""Any experiment file takes any model (`--set device.model=NAME`): for every model of the registry
and three of the paper's protocols, the run records the swapped model's own states (DUT.<state>,
as `memlab describe` lists them) and at least one of them moves: the protocol exercised the
device, not only the circuit around it (or, for the pairs of STILL, none does)."""
import json

import numpy as np
import pytest

import outputs

FILES = ["all_or_none", "synapse", "retention_nonvolatile"]

# The pairs in which the protocol leaves the model, at its default parameters, where it started:
# the circuit was built for another device, and the physics says it stays. For these the test
# asserts that no state moves, so that a change of either side shows here (then move the pair out
# of this table); every other pair of the registry and FILES must move.
STILL = {
    ("all_or_none", "vteam"): "behind 10 MOhm it sees at most 10 mV; it switches above 0.5 V",
    ("all_or_none", "yakopcic"): "behind 10 MOhm it sees at most 0.2 mV; it switches above 0.16 V",
    ("all_or_none", "stanford_pku"): "it starts in its LRS (g_init = g_min, ~0.5 kOhm): behind 10 MOhm it sees at most 0.1 mV",
    ("synapse", "stanford_pku"): "from its LRS (g_init = g_min) the +1 V pulses push the gap against g_min; the -0.8 V ones "
                                 "leave -0.26 V on it, far below the ~1 V its reset field F_min needs",
    ("retention_nonvolatile", "stanford_pku"): "from its LRS (g_init = g_min) the +1 V pulse pushes the gap against g_min",
    ("synapse", "ielmini_ag"): "the 10 us pulses at 1 V are too short to grow its Ag filament (it sets in ms at 3 V, integrate.toml)",
    ("retention_nonvolatile", "ielmini_ag"): "the 1 ms pulse at 1 V is too short to grow its Ag filament",
}


def test_still_pairs_are_current():
    for experiment, model in STILL:
        assert experiment in FILES and model in outputs.model_names(), (experiment, model)


def file_model(memlab, name):
    return json.loads(memlab("show-config", outputs.EXPERIMENTS / f"{name}.toml").stdout)["device"]["model"]


@pytest.mark.parametrize("model", outputs.model_names())
@pytest.mark.parametrize("experiment", FILES)
def test_swap_model(memlab, experiment, model):
    own = file_model(memlab, experiment)
    res = memlab("run", outputs.EXPERIMENTS / f"{experiment}.toml", "--set", f"device.model={model}", "--out", "swap", "--no-figure")
    outputs.assert_run_folder(memlab.folder / "swap", figure=False)
    config = outputs.load(memlab.folder / "swap" / "config.json")
    assert config["device"]["model"] == model
    states = outputs.states(model)
    recorded = [p[4:] for p in config["recording"]["probes"] if p.startswith("DUT.")]
    if model == own:
        assert "replaced by the states" not in res.stderr
        assert recorded and set(recorded) <= set(states), f"{recorded} are not all states of {model}"
    else:
        # The file's own model's state probes are replaced by every state of the new one.
        assert f"replaced by the states of '{model}'" in res.stderr, res.stderr
        assert recorded == list(states), f"recorded {recorded}, {model} has {list(states)}"
    tr = outputs.traces(memlab.folder / "swap" / "traces.h5", experiment)
    n = len(tr["time"][0])
    assert n > 10
    dut = sorted(k for k in tr if k.startswith("DUT."))
    assert dut == sorted(f"DUT.{s}" for s in recorded), f"traces.h5 holds {dut}"
    moved = {}
    for s in recorded:
        x, unit = tr[f"DUT.{s}"]
        assert unit == states[s][0], f"DUT.{s} in {unit}, described in {states[s][0]}"
        assert len(x) == n and np.all(np.isfinite(x)), f"DUT.{s}"
        # Moved: by more than 100 times the state's absolute tolerance (the solver's own noise).
        moved[s] = (float(np.ptp(x)), 100 * states[s][1])
    if (experiment, model) in STILL:
        assert not any(r > lim for r, lim in moved.values()), \
            f"{model} now moves in {experiment} (range, limit: {moved}): take the pair out of STILL ({STILL[experiment, model]})"
    else:
        assert any(r > lim for r, lim in moved.values()), f"no state of {model} moved in {experiment}: range, limit {moved}"
    metrics = outputs.load(memlab.folder / "swap" / "metrics.json")
    for s in recorded:  # the metrics are of the same traces
        assert metrics[f"final.DUT.{s}"]["value"] == pytest.approx(float(tr[f"DUT.{s}"][0][-1]), rel=1e-12, abs=0)
