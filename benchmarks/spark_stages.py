"""Where a Spark match's CPU goes: ``run_match_spark`` with a mark after each stage.

Runs in this process (the Spark driver), ``local[2]``; at each mark it reads the CPU time
(user + system, with what each process's reaped children used) of this process and all its
descendants (Spark's JVM, its Python daemon and workers) from /proc, and the wall time. Spark
is lazy: the sets are computed by the first file that reads them, so after the set functions
the persisted linked records, targets and duplicates are counted here (a mark of their own).

    python -m benchmarks.spark_stages --city /work/bench-cache/city-1000000 --output out
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from canbao.match.spark import _record_tables, _run, _write

TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> tuple[float, float, float]:
    """CPU seconds of ``root`` (the driver), of its descendants that run Java (the JVM) and of
    the others (Spark's Python daemon and workers), each with its reaped children."""
    children: dict[int, list[int]] = {}
    used: dict[int, tuple[str, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, rest = text.split("(", 1)[1].rsplit(")", 1)
        fields = rest.split()
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        used[pid] = (name, sum(int(f) for f in fields[11:15]) / TICKS)  # u, s, cu, cs times
    driver, jvm, workers, todo = (
        used.get(root, ("", 0.0))[1],
        0.0,
        0.0,
        list(children.get(root, [])),
    )
    while todo:
        pid = todo.pop()
        name, cpu = used.get(pid, ("", 0.0))
        if name == "java":
            jvm += cpu
        else:
            workers += cpu
        todo += children.get(pid, [])
    return driver, jvm, workers


class Marks:
    """Wall and CPU time at each mark; a stage is the time between two marks."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.rows: list[tuple[str, float, tuple[float, float, float]]] = [
            ("start", 0.0, tree_cpu(os.getpid()))
        ]

    def __call__(self, name: str) -> None:
        self.rows.append((name, time.perf_counter() - self.start, tree_cpu(os.getpid())))

    def table(self) -> list[dict[str, Any]]:
        out = []
        for (_, wall0, cpu0), (name, wall, cpu) in zip(self.rows, self.rows[1:], strict=False):
            parts = [b - a for a, b in zip(cpu0, cpu, strict=True)]
            out.append({"stage": name, "wall_s": wall - wall0, "cpu_s": sum(parts), "parts": parts})
        return out


def _after(module: Any, name: str, marks: Marks, then: Callable[[Any], None] | None = None) -> None:
    """Mark when ``module.name`` returns."""
    original = getattr(module, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if then is not None:
            then(result)
        marks(name)
        return result

    setattr(module, name, wrapped)


def _materialise(found: Any) -> None:
    for frame in (found.linked, found.targets, found.duplicates):
        frame.count()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--city", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--driver-memory", default="2g")
    opts = parser.parse_args()
    manifest = json.loads((opts.city / "manifest.json").read_text(encoding="utf-8"))
    rosters: dict[str, list[str]] = {}
    for name, info in manifest["rosters"].items():
        if info["kind"] not in ("units", "insured_units"):
            rosters.setdefault(info["kind"], []).append(str(opts.city / name))
    marks = Marks()
    _after(_run, "_prepared", marks)
    _after(_run, "result_sets", marks, _materialise)
    for name in ("write_person_tables", "write_linked", "write_duplicates"):
        _after(_write, name, marks)
    for name in ("write_conflicts", "write_non_local"):
        _after(_record_tables, name, marks)
        setattr(_write, name, getattr(_record_tables, name))
    for name in ("suggest_on_spark", "judge_on_spark", "spark_counts", "write_small_results"):
        _after(_run, name, marks)
    first = [True]

    def progress(message: str) -> None:
        if first[0]:
            marks("session start")
            first[0] = False

    shutil.rmtree(opts.output, ignore_errors=True)
    _run.run_match_spark(
        rosters,
        output=opts.output,
        as_of=manifest["as_of"],
        driver_memory=opts.driver_memory,
        progress=progress,
    )
    marks("stop")
    rows = marks.table()
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    whole = own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime
    print(f"CPU of the whole run (this process and its reaped children): {whole:.1f} s")
    # The driver's Python (what canbao collects: counts, proposals, gap rows), not its JVM.
    print(f"peak memory of the driver's Python: {own.ru_maxrss / 1024:.0f} MB")
    total_wall, total_cpu = sum(r["wall_s"] for r in rows), sum(r["cpu_s"] for r in rows)
    print(f"load average at the end: {os.getloadavg()}")
    print("| stage | wall s | CPU s | share of CPU | driver / JVM / Python workers CPU s |")
    print("| --- | ---: | ---: | ---: | --- |")
    for r in rows:
        share = r["cpu_s"] / total_cpu if total_cpu else 0.0
        parts = " / ".join(f"{p:.1f}" for p in r["parts"])
        print(f"| {r['stage']} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {share:.0%} | {parts} |")
    print(f"| total | {total_wall:.1f} | {total_cpu:.1f} | |")


if __name__ == "__main__":
    main()
