#!/usr/bin/env python3
"""Every model's docs page holds the parameter and state tables `memlab describe MODEL` prints now
(the tables in the docs cannot drift from the code). A page whose tables sit between the marker
comments of scripts/model_page.py must match that section exactly (no stale rows either)."""
import subprocess
import sys
from pathlib import Path

memlab, docs = sys.argv[1], Path(sys.argv[2])
model_page = docs.resolve().parents[1] / "scripts" / "model_page.py"
names = subprocess.run([memlab, "list"], capture_output=True, text=True, check=True).stdout
models = []
for line in names.splitlines()[1:]:
    if not line.startswith("  "):
        break
    models.append(line.split()[0])
bad = []
for m in models:
    page = docs / f"{m}.md"
    if not page.exists():
        bad.append(f"{page}: missing")
        continue
    text = page.read_text()
    table = subprocess.run([memlab, "describe", m, "--markdown"], capture_output=True, text=True, check=True).stdout
    for row in table.splitlines():
        if row.startswith("| `") and row not in text:
            bad.append(f"{page}: row not current: {row}")
    if "<!-- begin: parameters" in text:
        check = subprocess.run([sys.executable, str(model_page), memlab, str(page), "--check"],
                               capture_output=True, text=True)
        if check.returncode != 0:
            bad.append(f"{page}: generated section out of step:\n{check.stdout}{check.stderr}")
for b in bad:
    print(b)
print(f"{len(models)} models checked, {len(bad)} problems")
sys.exit(1 if bad else 0)
