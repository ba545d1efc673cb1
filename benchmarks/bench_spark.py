"""``canbao match --engine spark`` (``local[2]``) beside the Polars match on the same city.

Both read the person rosters of a generated city (``benchmarks/bench_match.py`` makes it; the
employers are left out: a Spark match does not run them) and write Parquet. The peak memory and
the CPU time are those of the whole process tree (Python, Spark's JVM and its Python workers),
summed, sampled every 0.2 s from /proc: ``ru_maxrss`` would miss the JVM, a grandchild.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from canbao.synth import generate_city

AS_OF = "2017-06-30"


TICKS = os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> dict[int, tuple[int, float]]:
    """``root`` and all its descendants: pid -> (resident kB, CPU seconds used so far)."""
    children: dict[int, list[int]] = {}
    seen: dict[int, tuple[int, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            rss = (stat.parent / "status").read_text().split("VmRSS:", 1)
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        cpu = (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
        seen[pid] = (int(rss[1].split()[0]) if len(rss) > 1 else 0, cpu)
    tree, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in seen:
            tree[pid] = seen[pid]
        todo += children.get(pid, [])
    return tree


def measure_tree(command: list[str]) -> dict[str, float]:
    """Wall time, CPU time and peak memory of the process tree of ``command`` (Python, and for
    Spark its JVM and Python workers), sampled every 0.2 s from /proc.

    CPU: each process's last sampled user + system time, summed, or what the kernel reports of
    the reaped children if more (a process ending between samples loses its last 0.2 s).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak, cpu = 0.0, dict[int, float]()
    while proc.poll() is None:
        tree = _tree(proc.pid)
        peak = max(peak, sum(rss for rss, _ in tree.values()) / 1024)
        cpu |= {pid: used for pid, (_, used) in tree.items()}
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if proc.returncode != 0:
        raise RuntimeError(f"{command[:4]} exited {proc.returncode}")
    return {"seconds": seconds, "cpu_seconds": max(sum(cpu.values()), reaped), "peak_mb": peak}


def _match(city: Path, out: Path, *extra: str) -> list[str]:
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    args = [sys.executable, "-m", "canbao", "match", "--as-of", AS_OF, "--output", str(out)]
    for name, info in manifest["rosters"].items():
        if info["kind"] not in ("units", "insured_units"):
            args += [f"--{info['kind']}", str(city / name)]
    return [*args, "--quiet", *extra]


def main() -> None:
    """Generate (or reuse) the city, run Polars and Spark alternately, print a markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("bench-output"))
    parser.add_argument("--driver-memory", default="2g")
    opts = parser.parse_args()
    city = opts.work / f"city-{opts.persons}"
    if not (city / "manifest.json").exists():
        generate_city(
            opts.persons, seed=1, as_of=date.fromisoformat(AS_OF), output=city, messy=False
        )
    polars_cmd = _match(city, opts.work / "polars-person", "--format", "parquet")
    polars_cmd += ["--legal-groups", "none"]
    spark_cmd = _match(city, opts.work / "spark", "--engine", "spark")
    spark_cmd += ["--driver-memory", opts.driver_memory]
    results: dict[str, list[dict[str, float]]] = {"Polars": [], "Spark local[2]": []}
    for _ in range(opts.runs):
        for label, command in (("Polars", polars_cmd), ("Spark local[2]", spark_cmd)):
            for folder in ("polars-person", "spark"):
                shutil.rmtree(opts.work / folder, ignore_errors=True)
            results[label].append(measure_tree(command))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n### canbao match on Polars and on Spark local[2]: {opts.persons:,} persons\n")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average now {load}\n")
    print("| engine | wall (s) | CPU (s, process tree) | peak MB (process tree) |")
    print("| --- | --- | --- | ---: |")
    for label, runs in results.items():
        times = ", ".join(f"{r['seconds']:.1f}" for r in runs)
        cpu = ", ".join(f"{r['cpu_seconds']:.1f}" for r in runs)
        print(f"| {label} | {times} | {cpu} | {max(r['peak_mb'] for r in runs):,.0f} |")


if __name__ == "__main__":
    main()
