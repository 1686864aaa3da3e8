#!/usr/bin/python3
"""Checks a memlab reproduce report: every target of docs/targets.md appears once, every target that ran
has a simulated value, and every target listed in required_targets.txt ran and passed.

The report must come from the shipped calibration: no --set and no --only. --skip is accepted for an
experiment none of whose targets is required (the long network runs, which ctest covers at a smaller
scale); skipping one that holds a required target fails the check."""
import json
import sys

report_path, required_path = sys.argv[1], sys.argv[2]
report = json.load(open(report_path))
targets = report["targets"]
ids = [t["id"] for t in targets]
failures = []
if report.get("overrides") or report.get("only"):
    failures.append(f"report made with overrides {report.get('overrides')} / only {report.get('only')}: "
                    "not the shipped calibration")
if len(ids) != len(set(ids)):
    failures.append("duplicate target ids")
if len(ids) != report["summary"]["targets"] or len(ids) < 33:
    failures.append(f"{len(ids)} targets in the report, expected every target of docs/targets.md (33)")
for t in targets:
    for key in ("id", "paper", "simulated", "tolerance", "pass", "experiment", "seed"):
        if key not in t:
            failures.append(f"{t.get('id')}: no '{key}'")
    if t["simulated"] is None and t["pass"]:
        failures.append(f"{t['id']}: passes without a simulated value")
required = [l.strip() for l in open(required_path) if l.strip() and not l.startswith("#")]
by_id = {t["id"]: t for t in targets}
for name in report.get("skip") or []:
    held = [r for r in required if r in by_id and by_id[r]["experiment"] == name]
    if held:
        failures.append(f"skipped experiment {name} holds required targets {', '.join(held)}")
for r in required:
    if r not in by_id:
        failures.append(f"required target {r} is not in the report")
    elif not by_id[r]["pass"]:
        failures.append(f"required target {r} fails: simulated {by_id[r]['simulated']}, tolerance {by_id[r]['tolerance']}")
ran = sum(t["simulated"] is not None for t in targets)
print(f"{len(ids)} targets, {ran} run, {sum(t['pass'] for t in targets)} pass, {len(required)} required")
if failures:
    print("\n".join(failures))
    sys.exit(1)
