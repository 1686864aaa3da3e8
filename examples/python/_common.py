"""Shared by the examples: where the experiment files are, where figures go (argv[1], default .)."""
import os
import sys

EXPERIMENTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "experiments")
OUT = sys.argv[1] if len(sys.argv) > 1 else "."


def experiment(name):
    return os.path.join(EXPERIMENTS, name + ".toml")


def out(name):
    os.makedirs(OUT, exist_ok=True)
    return os.path.join(OUT, name)
