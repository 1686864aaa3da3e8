"""What every benchmark result records about where and when it ran (bench/results/*.json)."""
import os
import platform
import time


def machine():
    """'Linux 6.1 x86_64, 2 cores, AMD EPYC': the system, the core count and the CPU's model name."""
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    return f"{platform.system()} {platform.release()} {platform.machine()}, {os.cpu_count()} cores, {cpu}"


def utc(seconds=None):
    """'2026-12-05 16:56 UTC' for the time `seconds` since the epoch (now by default)."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))
