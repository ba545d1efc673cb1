"""``make bench BENCH_ARGS="--sizes 1000000,10000000"``: how ``canbao match`` grows with the city.

For every size, a generated clean city (the generator of ``make bench``, kept under
``WORK/city-N`` for the next run), matched alternately in one piece and with ``--shards``
(``--runs`` times each). Prints, per size and way: the median wall seconds, the CPU seconds
(user + system, every thread) and the peak resident memory of the run, and the seconds and CPU
seconds per million persons, which stay flat while the match grows linearly. The repair step's
seconds (suggested links) are reported apart: its candidate pairs grow faster than the city
(docs/scale.md). ``--one-piece-up-to N`` leaves one piece out above N persons (its peak grows
with the city); every sharded run's CSV and JSON files are compared with one piece's.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
from datetime import date
from pathlib import Path

from benchmarks.bench_match import AS_OF, canbao_command, repair_share, same_files
from benchmarks.measure import measure
from canbao.synth import generate_city

Runs = list[dict[str, float]]


def city_of(persons: int, work: Path) -> Path:
    """The generated clean city of ``persons``, generated when missing."""
    city = work / f"city-{persons}"
    if not (city / "manifest.json").exists():
        generate_city(persons, seed=1, as_of=date.fromisoformat(AS_OF), output=city, messy=False)
    return city


def _run(city: Path, out: Path, shards: str) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    timings = out.with_name(out.name + ".json")
    result = measure(canbao_command(city, out, timings, shards))
    result["repair_s"] = repair_share(timings)[0]
    return result


def _line(persons: int, way: str, runs: Runs) -> str:
    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    millions = persons / 1_000_000
    wall, cpu, repair = median("seconds"), median("cpu_s"), median("repair_s")
    peak = max(r["peak_mb"] for r in runs)
    times = ", ".join(f"{r['seconds']:.0f}" for r in runs)
    return (
        f"| {persons:,} | {way} | {wall:.1f} ({times}) | {cpu:.1f} | {peak:,.0f} | "
        f"{wall / millions:.1f} | {cpu / millions:.1f} | {repair:.1f} |"
    )


def main() -> None:
    """Generate, match alternately at every size, print a markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", required=True, help="persons, comma-separated")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("bench-output"))
    parser.add_argument("--shards", default="4")
    parser.add_argument("--one-piece-up-to", type=int, default=None)
    opts = parser.parse_args()
    sizes = [int(size) for size in opts.sizes.split(",")]
    print("\n### canbao match by the size of the city\n")
    print(
        "| persons | way | wall s (runs) | CPU s | peak MB | s per M persons | "
        "CPU s per M | repair s |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for persons in sizes:
        city = city_of(persons, opts.work)
        ways = {f"--shards {opts.shards}": (opts.shards, opts.work / "sizes_shards")}
        if opts.one_piece_up_to is None or persons <= opts.one_piece_up_to:
            ways = {"one piece": ("1", opts.work / "sizes_one")} | ways
        runs: dict[str, Runs] = {}
        for _ in range(opts.runs):
            for way, (shards, out) in ways.items():
                runs.setdefault(way, []).append(_run(city, out, shards))
        for way, measured in runs.items():
            print(_line(persons, way, measured), flush=True)
        if len(ways) == 2:
            differ = same_files(opts.work / "sizes_one", opts.work / "sizes_shards")
            print(f"| {persons:,} | files identical | {not differ} {differ or ''} | | | | | |")


if __name__ == "__main__":
    main()
