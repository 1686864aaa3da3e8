"""memlab reproduce: every experiment, the report, a subset with an override, seeds, determinism."""
import filecmp
import html
import re

import pytest

import outputs


def check_report(rep):
    """What every report.json holds, whatever was selected: every target once, the summary counts
    what the rows say, nothing passes without a simulated value, every number has its unit."""
    ids = [t["id"] for t in rep["targets"]]
    assert len(ids) == len(set(ids)) and len(ids) >= 33, ids
    for t in rep["targets"]:
        assert {"id", "paper", "simulated", "tolerance", "pass", "experiment", "seed", "kind", "unit", "missing"} <= set(t), t
        assert not (t["pass"] and t["simulated"] is None), t["id"]
        assert not (t["missing"] and (t["pass"] or t["simulated"] is None)), f"{t['id']}: a missing mechanism on a target that did not fail"
        assert isinstance(t["paper"], str) or t["unit"], f"{t['id']}: the paper's {t['paper']} has no unit"
    s = rep["summary"]
    assert s["targets"] == len(ids)
    assert s["run"] == sum(t["simulated"] is not None for t in rep["targets"])
    assert s["passed"] == sum(bool(t["pass"]) for t in rep["targets"])
    return {t["id"]: t for t in rep["targets"]}


def check_paper_cell(t, cell):
    """The paper column: text as it is, an ordinal "#pulse" as "pulse 6", a number with its unit
    (read back, SI prefix and all, it is the paper's value)."""
    p, u = t["paper"], t["unit"]
    if isinstance(p, str):
        assert cell == p, (t["id"], cell)
    elif u.startswith("#"):
        assert cell == f"{u[1:]} {p:g}", (t["id"], cell)
    else:
        assert abs(outputs.quantity(cell, u) - p) <= 1e-9 * abs(p), f"{t['id']}: paper cell {cell!r} is not {p} {u}"


def check_tables(folder, rep):
    """report.md and report.html: the summary line, a row per target that ran (the paper's value
    with its unit), and the targets that did not run folded into one line per reason."""
    md = (folder / "report.md").read_text()
    s = rep["summary"]
    assert md.startswith("# memlab reproduce")
    assert f"{s['targets']} targets, {s['run']} run, {s['passed']} pass" in md
    page = (folder / "report.html").read_text()
    assert page.lower().startswith("<!doctype html>"), page[:100]
    assert f"<p>{s['targets']} targets, {s['run']} run, {s['passed']} pass" in page, "report.html: no summary line"
    reasons = {}
    for t in rep["targets"]:
        row = re.search(rf"^\| {re.escape(t['id'])} \| ([^|]*) \| ([^|]*) \|", md, re.M)
        if t["simulated"] is None:
            assert not row, f"report.md: {t['id']} did not run and still has a row"
            assert f"<td>{t['id']}</td>" not in page, f"report.html: {t['id']} did not run and still has a row"
            reasons.setdefault(t["note"].removeprefix("not run: "), []).append(t)
            continue
        assert row, f"report.md has no row for {t['id']}"
        assert f"<td>{t['id']}</td>" in page, f"report.html has no row for {t['id']}"
        check_paper_cell(t, row.group(2))
        line = re.search(rf"^\| {re.escape(t['id'])} \|.*$", md, re.M).group(0)
        if t["missing"]:  # a failed target names what the model lacks, in both tables
            assert f"**missing in the model:** {t['missing']}" in line, line
            assert f"<b>missing in the model:</b> {html.escape(t['missing'])}" in page, t["id"]
        else:
            assert "missing in the model" not in line, line
        assert f"<td>{t['id']}</td><td>{html.escape(row.group(1))}</td><td>{html.escape(row.group(2))}</td>" in page, \
            f"report.html: {t['id']}'s kind or paper cell differs from report.md's"
    folded = re.findall(r"^- (.*): (\d+) target\(s\): (.*)$", md, re.M)
    assert len(folded) == len(reasons), f"report.md: {len(folded)} not-run lines for {len(reasons)} reasons"
    for why, n, what in folded:
        assert int(n) == len(reasons[why]), (why, n)
        for t in reasons[why]:
            assert (t["experiment"] or t["id"]) in what, (t["id"], what)
    assert sum(int(n) for _, n, _ in folded) == s["targets"] - s["run"]
    assert len(re.findall(r"target\(s\) not run</td>", page)) == len(reasons), "report.html: one not-run row per reason"


@pytest.fixture(scope="module")
def demo(tmp_path_factory, memlab_in):
    """One reproduce of everything but the MD (minutes of LAMMPS) and the device-mode digits (minutes
    of write-verify and 597 images; validation.paper_targets runs both), two experiments at a time."""
    memlab = memlab_in(tmp_path_factory.mktemp("demo"))
    res = memlab("reproduce", "--out", "reproduce-test", "--skip", "md_diffusion", "--skip", "snn_digits_device", "--skip", "snn_digits_stdp", "--jobs", "2")
    return memlab, memlab.folder / "reproduce-test", res


def test_reproduce_demo(demo):
    memlab, out, res = demo
    assert "wrote reproduce-test" in res.stdout
    rep = outputs.load(out / "report.json")
    t = check_report(rep)
    assert rep["skip"] == ["md_diffusion", "snn_digits_device", "snn_digits_stdp"] and rep["only"] == [] and rep["overrides"] == []
    ran = sorted(e["name"] for e in rep["experiments"])
    # Every shipped file but the MD (skipped) and the studies (memlab sweep runs them).
    assert outputs.shipped_studies() == ["study_devices_training"]
    skipped = ("md_diffusion", "snn_digits_device", "snn_digits_stdp")
    assert ran == [n for n in outputs.shipped_experiments() if n not in skipped and n not in outputs.shipped_studies()]
    for e in rep["experiments"]:
        assert e["steps"] > 0 and e["file"].endswith(f"experiments/{e['name']}.toml"), e
        outputs.assert_run_folder(out / e["name"], figure=True)
        assert outputs.load(out / e["name"] / "metrics.json")["experiment"] == e["name"]
        assert outputs.load(out / e["name"] / "config.json")["experiment"]["name"] == e["name"]
    assert not (out / "md_diffusion").exists() and not (out / "snn_digits_device").exists()
    for x in t.values():
        if x["experiment"] in skipped:
            assert x["simulated"] is None and "not selected" in x["note"], x
        else:
            assert x["experiment"] in ran and x["simulated"] is not None, f"{x['id']} did not run: {x.get('note')}"
    check_tables(out, rep)
    outputs.assert_no_partial(memlab.folder)
    # The shipped model's failed paper targets say what it lacks (docs/models/agsn_sio2_pt.md).
    failed = [x for x in t.values() if x["simulated"] is not None and not x["pass"] and not x["id"].startswith("network.")]
    assert failed and all(x["missing"] for x in failed), [x["id"] for x in failed if not x["missing"]]
    # A progress line per figure as it is done: counts 1..N in order, each experiment once, an ETA.
    lines = re.findall(r"^figures: \[[#.]{20}\] (\d+)/(\d+), (.+) elapsed, ETA (.+): (\S+)$", res.stdout, re.M)
    assert [int(k) for k, *_ in lines] == list(range(1, len(ran) + 1)), res.stdout
    assert {int(n) for _, n, *_ in lines} == {len(ran)}
    assert sorted(name for *_, name in lines) == ran
    assert lines[-1][3] == "0 s"


def test_reproduce_is_deterministic(demo):
    # The same numbers bit for bit whatever the number of worker processes, and the same figures
    # (drawn by one Python process, or by two forked workers).
    memlab, r2, _ = demo
    memlab("reproduce", "--out", "r1", "--jobs", "1", "--skip", "md_diffusion", "--skip", "snn_digits_device", "--skip", "snn_digits_stdp")
    r1 = memlab.folder / "r1"
    assert filecmp.cmp(r1 / "report.json", r2 / "report.json", shallow=False)
    names = [e["name"] for e in outputs.load(r1 / "report.json")["experiments"]]
    assert len(names) >= 10
    for n in names:
        for f in ("metrics.json", "config.json"):
            assert filecmp.cmp(r1 / n / f, r2 / n / f, shallow=False), f"{n}/{f} differs"
        assert outputs.same_traces(r1 / n / "traces.h5", r2 / n / "traces.h5") == [], f"{n}/traces.h5 differs"
        assert filecmp.cmp(r1 / n / "figure.png", r2 / n / "figure.png", shallow=False), f"{n}/figure.png differs"


def test_reproduce_only_set(memlab):
    # A subset with an override, recorded in the report; the other targets are "not selected"; a
    # device key skips files whose model lacks it (the VTEAM demo).
    res = memlab("reproduce", "--out", "ro", "--only", "retention_volatile", "--only", "demo_vteam_pulses", "--set", "device.f_cluster=0.3")
    out = memlab.folder / "ro"
    rep = outputs.load(out / "report.json")
    t = check_report(rep)
    assert rep["overrides"] == ["device.f_cluster=0.3"], rep["overrides"]
    assert rep["only"] == ["retention_volatile", "demo_vteam_pulses"]
    assert sorted(e["name"] for e in rep["experiments"]) == ["demo_vteam_pulses", "retention_volatile"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["demo_vteam_pulses", "retention_volatile"]
    assert t["retention.volatile"]["simulated"] is not None
    for x in t.values():
        if x["experiment"] != "retention_volatile":
            assert x["simulated"] is None and "not selected" in x["note"], x
    assert outputs.load(out / "retention_volatile" / "config.json")["device"]["parameters"]["f_cluster"] == "0.3"
    vteam = outputs.load(out / "demo_vteam_pulses" / "config.json")["device"]
    assert vteam["model"] == "vteam" and "f_cluster" not in vteam["parameters"]
    assert "device.f_cluster=0.3" in "\n".join((out / "report.md").read_text().splitlines()[:6]), "the override is not at the top of report.md"
    for n in ("retention_volatile", "demo_vteam_pulses"):
        outputs.assert_run_folder(out / n)
    check_tables(out, rep)
    assert "wrote ro" in res.stdout
    # Another model in the shipped files: the shipped model's missing mechanisms are not its own.
    memlab("reproduce", "--out", "rm", "--only", "integrate", "--set", "device.model=memdiode")
    rm = check_report(outputs.load(memlab.folder / "rm" / "report.json"))
    assert rm["integrate.rising"]["simulated"] is not None and not any(x["missing"] for x in rm.values())


def test_reproduce_seeds(memlab):
    # One full reproduce per seed (seedN/), seeds.json with every target's passes and value at each
    # seed and whether it varies; OUT/report.json is the first seed's; seed 1 is the plain run
    # (every file's own seed is 1) with the seed recorded.
    res = memlab("reproduce", "--out", "rs", "--only", "all_or_none", "--seeds", "1..2")
    memlab("reproduce", "--out", "rs-ref", "--only", "all_or_none")
    rs, ref_dir = memlab.folder / "rs", memlab.folder / "rs-ref"
    assert "seed 2 (2 of 2)" in res.stdout
    assert filecmp.cmp(rs / "report.json", rs / "seed1" / "report.json", shallow=False)
    s = outputs.load(rs / "seeds.json")
    ref = outputs.load(ref_dir / "report.json")
    r1, r2 = outputs.load(rs / "seed1" / "report.json"), outputs.load(rs / "seed2" / "report.json")
    check_report(r1), check_report(r2)
    assert s["seeds"] == [1, 2] and [r["folder"] for r in s["runs"]] == ["seed1", "seed2"], s["runs"]
    assert len(s["targets"]) == len(ref["targets"])
    for x in s["targets"]:
        assert x["run"] in (0, 2) and 0 <= x["passed"] <= x["run"] and len(x["simulated"]) == 2 and "kind" in x, x
    v = {x["id"]: x for x in s["targets"]}["all_or_none.full_response"]
    assert v["run"] == 2 and v["varies"] in (True, False), v
    assert v["simulated"][0] == {x["id"]: x for x in ref["targets"]}["all_or_none.full_response"]["simulated"]
    assert v["simulated"][1] == {x["id"]: x for x in r2["targets"]}["all_or_none.full_response"]["simulated"]
    assert r1.pop("seed") == 1 and r1 == ref, "seed 1 is not the plain run"
    assert r2["seed"] == 2 and {x["id"]: x for x in r2["targets"]}["all_or_none.full_response"]["seed"] == 2
    assert outputs.load(rs / "seed2" / "all_or_none" / "config.json")["experiment"]["seed"] == 2
    for seed in ("seed1", "seed2"):
        outputs.assert_run_folder(rs / seed / "all_or_none")
        check_tables(rs / seed, outputs.load(rs / seed / "report.json"))
    assert outputs.same_traces(rs / "seed1" / "all_or_none" / "traces.h5", ref_dir / "all_or_none" / "traces.h5") == []
    assert outputs.same_traces(rs / "seed1" / "all_or_none" / "traces.h5", rs / "seed2" / "all_or_none" / "traces.h5") != [], \
        "seed 2 gave the traces of seed 1"
    # seeds.md: a row per target that ran, and a count of the others (listed in seeds.json).
    seeds_md = (rs / "seeds.md").read_text()
    ran = [x["id"] for x in s["targets"] if x["run"]]
    assert ran and len(ran) < len(s["targets"])
    for i in ran:
        assert re.search(rf"^\| {re.escape(i)} \|", seeds_md, re.M), f"seeds.md has no row for {i}"
    assert f"{len(s['targets']) - len(ran)} target(s) ran at no seed" in seeds_md
    # seeds.html: the same rows with their pass counts, each seed's heading a link to its report.
    page = (rs / "seeds.html").read_text()
    assert "seeds.html:" in res.stdout and page.lower().startswith("<!doctype html>")
    for seed in ("seed1", "seed2"):
        assert f"<a href='{seed}/report.html'>" in page and (rs / seed / "report.html").exists()
    for x in s["targets"]:
        row = f"<td>{html.escape(x['id'])}</td>"
        assert (row in page) == bool(x["run"]), f"seeds.html: {x['id']} (ran at {x['run']} seeds)"
        if x["run"]:
            assert re.search(re.escape(row) + r"(<td>[^<]*</td>){3}" + re.escape(f"<td>{x['passed']} of {x['run']}</td>"), page), x["id"]
