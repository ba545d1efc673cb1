"""``canbao match --engine spark`` (``local[2]``) beside the Polars match on the same city.

Both read the person rosters of a generated city (``benchmarks/bench_match.py`` makes it; the
employers are left out: a Spark match does not run them) and write Parquet. The peak memory is
that of the whole process tree (Python and Spark's JVM), summed, sampled every 0.2 s from /proc:
``ru_maxrss`` would miss the JVM, a grandchild.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from canbao.synth import generate_city

AS_OF = "2017-06-30"


def _tree_rss_mb(root: int) -> float:
    """The resident memory of ``root`` and all its descendants, in MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        pid = int(status.parent.name)
        children.setdefault(int(fields["PPid"]), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total / 1024


def measure_tree(command: list[str]) -> dict[str, float]:
    """Wall time and peak memory of the process tree of ``command``."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_mb(proc.pid))
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{command[:4]} exited {proc.returncode}")
    return {"seconds": seconds, "peak_mb": peak}


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
    print(f"\n### canbao match on Polars and on Spark local[2]: {opts.persons:,} persons\n")
    print("| engine | runs (s) | peak MB (process tree) |")
    print("| --- | --- | ---: |")
    for label, runs in results.items():
        times = ", ".join(f"{r['seconds']:.1f}" for r in runs)
        print(f"| {label} | {times} | {max(r['peak_mb'] for r in runs):,.0f} |")


if __name__ == "__main__":
    main()
