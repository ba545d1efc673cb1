"""A memory and CPU timeline of one process, step by step (benchmarks/timed_match.py).

A thread reads the process's resident memory (``/proc/self/statm``) every 50 ms; each call of
:meth:`Timeline.mark` closes the step that began at the previous mark with its wall seconds, CPU
seconds (user + system, all threads), the highest resident memory sampled during it and the
resident memory at its end. Sampling misses a spike shorter than 50 ms; the process's own
``ru_maxrss`` (the kernel's high-water mark) is recorded beside each step to bound it.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from typing import Final

PAGE: Final = os.sysconf("SC_PAGE_SIZE")
MB: Final = 1024 * 1024
INTERVAL: Final = 0.05


def resident() -> int:
    """Bytes of resident memory of this process now (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * PAGE
    except OSError:
        return 0


def cpu_seconds() -> float:
    """User and system CPU seconds of this process so far (every thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Timeline:
    """Steps named by their first mark, each with seconds, CPU s and memory (see the module)."""

    def __init__(self) -> None:
        self.steps: list[dict[str, float | str]] = []
        self._name = "start"
        self._wall, self._cpu = time.perf_counter(), cpu_seconds()
        self._peak = resident()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(INTERVAL):
            now = resident()
            with self._lock:
                self._peak = max(self._peak, now)

    def mark(self, name: str) -> None:
        """End the running step and begin the step ``name``."""
        wall, cpu, now = time.perf_counter(), cpu_seconds(), resident()
        with self._lock:
            peak, self._peak = max(self._peak, now), now
        high = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        self.steps.append(
            {
                "step": self._name,
                "seconds": round(wall - self._wall, 3),
                "cpu_s": round(cpu - self._cpu, 3),
                "peak_mb": round(peak / MB, 1),
                "rss_mb": round(now / MB, 1),
                "maxrss_mb": round(high / MB, 1),
            }
        )
        self._name, self._wall, self._cpu = name, wall, cpu

    def close(self) -> list[dict[str, float | str]]:
        """End the last step and stop sampling; the steps."""
        self.mark("end")
        self._stop.set()
        self._thread.join()
        return self.steps

    def table(self) -> str:
        """The steps as a markdown table."""
        lines = [
            "| step | s | CPU s | peak MB | at end MB |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for s in self.steps:
            lines.append(
                f"| {s['step']} | {s['seconds']:.1f} | {s['cpu_s']:.1f} | "
                f"{s['peak_mb']:,.0f} | {s['rss_mb']:,.0f} |"
            )
        return "\n".join(lines)
