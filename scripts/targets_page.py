#!/usr/bin/env python3
"""Rewrites the generated table of docs/targets.md from `memlab targets` (the table memlab
evaluates), between the markers <!-- begin: targets --> and <!-- end: targets -->; with --check,
changes nothing and exits 1 if the page is out of step (the docs.targets test)."""
import argparse
import subprocess
import sys

BEGIN, END = "<!-- begin: targets -->", "<!-- end: targets -->"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("memlab", help="the memlab binary")
    ap.add_argument("page", help="docs/targets.md")
    ap.add_argument("--check", action="store_true", help="exit 1 if the page differs from what memlab prints")
    a = ap.parse_args()
    table = subprocess.run([a.memlab, "targets"], capture_output=True, text=True, check=True).stdout
    text = open(a.page).read()
    if BEGIN not in text or END not in text:
        sys.exit(f"{a.page}: no {BEGIN} ... {END} section")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{BEGIN}\nPrinted by `memlab targets`.\n\n{table}{END}{tail}"
    if a.check:
        if new != text:
            sys.exit(f"{a.page}: the table is out of step with `memlab targets` (run scripts/targets_page.py without --check)")
        print(f"{a.page}: {table.count(chr(10)) - 2} targets, in step")
        return
    open(a.page, "w").write(new)
    print(f"{a.page}: rewritten")


if __name__ == "__main__":
    main()
