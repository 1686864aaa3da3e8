#!/usr/bin/env python3
"""Rewrite the generated sections of a model page (docs/models/MODEL.md) in place.

    /usr/bin/python3 scripts/model_page.py MEMLAB PAGE [--report REPORT.json] [--date YYYY-MM-DD]
                                           [--model MODEL] [--check]

Sections sit between marker comments, e.g.

    <!-- begin: parameters (scripts/model_page.py) -->
    ...
    <!-- end: parameters -->

- parameters: the tables `MEMLAB describe MODEL` prints (MODEL is the page's file name), verbatim,
  so the docs test (tests/validation/check_model_docs.py) finds every row.
- validation: one row per target of a `memlab reproduce` report.json (paper, simulated, tolerance,
  pass, and kind fit/check with the parameters fitted on it where the report carries them, "-"
  otherwise), headed by the command that wrote the report and its date (--date, or the date the
  report file was written). Only rewritten when --report is given.

--check rewrites nothing and exits 1 if a section is out of step (or a marker is missing).
"""
import argparse
import datetime
import difflib
import json
import re
import subprocess
import sys
from pathlib import Path

TOOL = "scripts/model_page.py"
# Where a target that a report leaves out is documented instead (experiment -> page).
SEE = {"md_diffusion": "docs/md-diffusion.md"}


def begin(name):
    return f"<!-- begin: {name} ({TOOL}) -->"


def end(name):
    return f"<!-- end: {name} -->"


def parameters_section(memlab, model):
    out = subprocess.run([memlab, "describe", model, "--markdown"], capture_output=True, text=True, check=True).stdout
    lines = out.rstrip("\n").splitlines()
    # The first line is describe's own heading ("## `model`: summary"); the page has its own.
    if lines and lines[0].startswith("#"):
        lines = lines[1:]
    while lines and not lines[0].strip():
        lines = lines[1:]
    header = next((l for l in lines if l.startswith("| parameter")), "")
    cols = [c.strip() for c in header.strip("|").split("|")]
    notes = [f"Printed by `memlab describe {model} --markdown`."]
    if "unit" not in cols:
        notes.append("The unit is part of the default.")
    text = [" ".join(notes), ""]
    return "\n".join(text + lines)


def cell(x):
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.4g}"
    if isinstance(x, list):
        return ", ".join(cell(v) for v in x)
    return str(x).replace("|", "\\|").replace("\n", " ")


def command(report):
    parts = ["memlab reproduce"]
    parts += [f"--only {n}" for n in report.get("only", [])]
    parts += [f"--skip {n}" for n in report.get("skip", [])]
    for o in report.get("overrides", []):
        parts.append(f'--set "{o if isinstance(o, str) else json.dumps(o)}"')
    return " ".join(parts)


def validation_section(report_path, date):
    report = json.loads(Path(report_path).read_text())
    if date is None:
        mtime = Path(report_path).stat().st_mtime
        date = datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc).date().isoformat()
    # A reproduce over seeds (--seeds) leaves seeds.json beside its report.json (seed 1's): then a
    # column gives each target's passes over the seeds.
    seeds_file = Path(report_path).with_name("seeds.json")
    seeds = json.loads(seeds_file.read_text()) if seeds_file.exists() else None
    s = report.get("summary", {})
    seeds_arg = f" --seeds {seeds['seeds'][0]}..{seeds['seeds'][-1]}" if seeds else ""
    head = (f"From the report.json of `{command(report)}{seeds_arg}` (memlab {report.get('memlab_version', '?')}, run {date}{', seed 1' if seeds else ''}): "
            f"{s.get('passed', '?')} of {s.get('run', '?')} targets run pass, of {s.get('targets', '?')}. "
            "kind: fit (a parameter was calibrated on the target; the parameters follow) or check "
            "(nothing was tuned on it); \"-\" where the report does not say.")
    by_id = {x["id"]: x for x in seeds["targets"]} if seeds else {}
    extra = ""
    if seeds:
        names = seeds["seeds"]
        extra = f" seeds {names[0]}-{names[-1]} |" if names == list(range(names[0], names[-1] + 1)) else " seeds |"
        head += (f" The seeds column counts the seeds at which a target passes (`--seeds`, one reproduce per seed;"
                 " a target that depends on the seed must pass at 4 of 5).")
    rows = ["| target | paper | simulated | tolerance | pass | kind |" + extra, "|---|---|---|---|---|---|" + ("---|" if extra else "")]
    for t in report["targets"]:
        kind = t.get("kind") or "-"
        if kind != "-" and t.get("fit"):
            kind = f"{kind}: {', '.join(t['fit'])}"
        if t.get("simulated") is None:
            see = SEE.get(t.get("experiment", ""))
            sim = "not run" + (f" here (see {see})" if see else "")
            ok = "-"
        else:
            sim = cell(t["simulated"])
            ok = "yes" if t.get("pass") else "**no**"
        row = f"| `{t['id']}` | {cell(t.get('paper'))} | {sim} | {cell(t.get('tolerance'))} | {ok} | {kind} |"
        if seeds:
            x = by_id.get(t["id"], {})
            row += f" {x['passed']} of {x['run']} |" if x.get("run") else " - |"
        rows.append(row)
    return "\n".join([head, ""] + rows)


def replace(text, name, body):
    """text with the section `name` replaced by body; None if its markers are missing."""
    pattern = re.compile(re.escape(begin(name)) + r"\n.*?" + re.escape(end(name)), re.S)
    if not pattern.search(text):
        return None
    return pattern.sub(lambda _: f"{begin(name)}\n{body}\n{end(name)}", text, count=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("memlab", help="the memlab binary")
    ap.add_argument("page", type=Path, help="docs/models/MODEL.md")
    ap.add_argument("--report", help="report.json of memlab reproduce (rewrites the validation table)")
    ap.add_argument("--date", help="date of the run that wrote the report (default: the file's date)")
    ap.add_argument("--model", help="device model (default: the page's file name)")
    ap.add_argument("--check", action="store_true", help="exit 1 if the page is out of step; write nothing")
    args = ap.parse_args()

    model = args.model or args.page.stem
    old = args.page.read_text()
    new = old
    sections = [("parameters", parameters_section(args.memlab, model))]
    if args.report:
        sections.append(("validation", validation_section(args.report, args.date)))
    problems = []
    for name, body in sections:
        replaced = replace(new, name, body)
        if replaced is None:
            problems.append(f"{args.page}: no '{begin(name)}' ... '{end(name)}' section")
        else:
            new = replaced
    if args.check:
        if new != old:
            diff = difflib.unified_diff(old.splitlines(), new.splitlines(), "page", "generated", lineterm="", n=0)
            for line in list(diff)[:40]:
                print(line[:200])
            problems.append(f"{args.page}: generated sections out of step (run {TOOL} without --check)")
        for p in problems:
            print(p)
        return 1 if problems else 0
    for p in problems:
        print(p)
    if new != old:
        args.page.write_text(new)
        print(f"{args.page}: rewritten")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
