"""``make bench`` part 2: ``canbao match`` against a hand-written DuckDB SQL of the same files.

Generates a city (default 1 million persons, UTF-8 CSV) with canbao's synthetic generator, then
alternates runs of both on the same files and reports the median wall time, the ratio
canbao / DuckDB and each one's peak memory. Both write the six result files of canbao's output
contract (needs_survey, uninsured, confirmed, duplicates, conflicts, non_local) with the same
columns; after the timed runs benchmarks/compare_outputs.py prints a verdict per file.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from datetime import date
from pathlib import Path

from benchmarks.compare_outputs import compare
from benchmarks.measure import measure
from canbao.synth import generate_city

AS_OF = "2017-06-30"


def canbao_command(city: Path, out: Path, timings: Path) -> list[str]:
    """The match of a generated city, with its steps timed (benchmarks/timed_match.py)."""
    return [sys.executable, "-m", "benchmarks.timed_match", str(city), str(out), str(timings)]


def repair_share(timings: Path) -> tuple[float, float]:
    """Seconds spent suggesting links, and in the rest of the match."""
    steps = json.loads(timings.read_text(encoding="utf-8"))
    repair = sum(v for k, v in steps.items() if k.startswith("suggesting links"))
    return repair, sum(steps.values()) - repair


def main() -> None:
    """Generate, run alternately, print a markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("bench-output"))
    opts = parser.parse_args()
    city = opts.work / f"city-{opts.persons}"
    if not (city / "manifest.json").exists():
        generate_city(
            opts.persons, seed=1, as_of=date.fromisoformat(AS_OF), output=city, messy=False
        )
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    area = manifest["area"]
    duck_cmd = [
        sys.executable,
        "-m",
        "benchmarks.duckdb_match",
        str(city),
        str(opts.work / "duck"),
        AS_OF,
        *area,
    ]
    # A result folder of an older canbao has no marker, and canbao refuses to replace it.
    shutil.rmtree(opts.work / "canbao", ignore_errors=True)
    ours, theirs = [], []
    repairs: list[tuple[float, float]] = []
    for _ in range(opts.runs):
        ours.append(measure(canbao_command(city, opts.work / "canbao", opts.work / "timings.json")))
        repairs.append(repair_share(opts.work / "timings.json"))
        shutil.rmtree(opts.work / "duck", ignore_errors=True)
        theirs.append(measure(duck_cmd))
    summary = json.loads((opts.work / "canbao" / "summary.json").read_text(encoding="utf-8"))
    enrolment = summary["enrolment_rows"]
    t_ours = statistics.median(r["seconds"] for r in ours)
    t_theirs = statistics.median(r["seconds"] for r in theirs)
    print(
        f"\n### canbao match vs DuckDB SQL: {opts.persons:,} persons, "
        f"{enrolment:,} enrolment rows\n"
    )
    print("| engine | median s | runs (s) | peak MB |")
    print("| --- | ---: | --- | ---: |")
    for label, runs in (("canbao match", ours), ("DuckDB SQL", theirs)):
        times = ", ".join(f"{r['seconds']:.1f}" for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        print(
            f"| {label} | {statistics.median(r['seconds'] for r in runs):.1f} | {times} "
            f"| {peak:,.0f} |"
        )
    print(f"\nratio canbao / DuckDB = {t_ours / t_theirs:.2f} (goal <= 1.0)")
    repair, rest = (statistics.median(r[i] for r in repairs) for i in (0, 1))
    print(
        f"repair step (suggested links): {repair:.1f} s, "
        f"{repair / rest:.0%} of the rest of the match (goal < 25 %)"
    )
    print("\nSame result files? (benchmarks/compare_outputs.py, last run of each)\n")
    for line in compare(opts.work / "canbao", opts.work / "duck"):
        print(f"- {line}")


if __name__ == "__main__":
    main()
