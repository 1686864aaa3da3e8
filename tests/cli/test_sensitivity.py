"""memlab sensitivity: its baseline is the plain reproduce report byte for byte; each value of --vary
is one reproduce with that override (recorded in its report and config); what sensitivity.json
says was lost, gained and moved is recomputed here from the two reports."""
import filecmp

import outputs


def test_sensitivity(memlab):
    memlab("reproduce", "--out", "sv-ref", "--only", "all_or_none")
    res = memlab("sensitivity", "--out", "sv", "--only", "all_or_none", "--vary", "device.e_ag=0.8 eV, 0.9 eV")
    sv = memlab.folder / "sv"
    assert "wrote sv" in res.stdout
    assert filecmp.cmp(sv / "baseline" / "report.json", memlab.folder / "sv-ref" / "report.json", shallow=False)
    s = outputs.load(sv / "sensitivity.json")
    b = {x["id"]: x for x in outputs.load(sv / "baseline" / "report.json")["targets"]}
    assert [v["set"] for v in s["variants"]] == ["device.e_ag=0.8 eV", "device.e_ag=0.9 eV"], s["variants"]
    md = (sv / "sensitivity.md").read_text()
    for v in s["variants"]:
        r = outputs.load(sv / v["folder"] / "report.json")
        t = {x["id"]: x for x in r["targets"]}
        assert r["overrides"] == [v["set"]], r["overrides"]
        e_ag = {"device.e_ag=0.8 eV": "800 meV", "device.e_ag=0.9 eV": "900 meV"}[v["set"]]
        assert outputs.load(sv / v["folder"] / "all_or_none" / "config.json")["device"]["parameters"]["e_ag"] == e_ag
        assert v["lost"] == [k for k in t if b[k]["pass"] and not t[k]["pass"]], v["lost"]
        assert v["gained"] == [k for k in t if t[k]["pass"] and not b[k]["pass"]], v["gained"]
        assert sorted(v["moved"]) == sorted(k for k in t if t[k]["simulated"] != b[k]["simulated"]), v["moved"]
        assert v["moved"], "a 50 meV change of the Ag barrier moved no all-or-none number"
        assert v["passed"] == sum(bool(x["pass"]) for x in t.values())
        assert v["set"] in md, f"sensitivity.md does not name {v['set']}"
        outputs.assert_run_folder(sv / v["folder"] / "all_or_none", figure=False)  # no figures in a sensitivity
    outputs.assert_run_folder(sv / "baseline" / "all_or_none", figure=False)
    outputs.assert_no_partial(memlab.folder)


def test_sensitivity_about_a_what_if(memlab):
    # --set: the baseline of a sensitivity is a what-if; a --vary of the same key wins in its run.
    memlab("sensitivity", "--out", "sw", "--only", "all_or_none", "--set", "device.beta=5", "--vary", "device.beta=6")
    sw = memlab.folder / "sw"
    b, v, s = (outputs.load(sw / f) for f in ("baseline/report.json", "01/report.json", "sensitivity.json"))
    assert b["overrides"] == ["device.beta=5"], b["overrides"]
    assert v["overrides"] == ["device.beta=5", "device.beta=6"], v["overrides"]
    assert s["baseline"]["set"] == ["device.beta=5"]
    assert [x["folder"] for x in s["variants"]] == ["01"]
    assert outputs.load(sw / "baseline" / "all_or_none" / "config.json")["device"]["parameters"]["beta"] == "5"
    assert outputs.load(sw / "01" / "all_or_none" / "config.json")["device"]["parameters"]["beta"] == "6"
    assert (sw / "sensitivity.md").stat().st_size > 0
