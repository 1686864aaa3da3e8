"""Shared by the examples: where figures go (argv[1], default .). The experiments are the shipped
ones, named without a path (memlab.run("synapse") works from any folder)."""
import os
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "."


def out(name):
    os.makedirs(OUT, exist_ok=True)
    return os.path.join(OUT, name)
