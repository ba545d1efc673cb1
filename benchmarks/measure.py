"""Run a command in a child process and report its wall time, CPU seconds and peak memory."""

from __future__ import annotations

import json
import subprocess
import sys


def measure(command: list[str]) -> dict[str, float]:
    """Run ``command`` in a fresh child of a fresh process, so the peak RSS is its own.

    ``cpu_s``: user + system seconds of the command and its children (steadier than the wall
    time on a shared machine).
    """
    probe = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "w = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "c = u.ru_utime + u.ru_stime\n"
        "print(json.dumps({'seconds': w, 'cpu_s': c, 'peak_mb': u.ru_maxrss / 1024,"
        " 'rc': r.returncode}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(out.stdout)
    if result["rc"] != 0:
        raise RuntimeError(f"{command[0]} exited {result['rc']}")
    return result


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1:])))
