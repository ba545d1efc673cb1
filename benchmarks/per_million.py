"""The time per million persons of cities of several sizes: canbao beside its two yardsticks.

``python -m benchmarks.per_million CITY... [--rounds N] [--work DIR]`` runs, for each generated
city (``canbao.synth`` with a manifest; the province cities of ``benchmarks.bench_sizes
--province``), ``canbao match`` in one piece (``benchmarks.timed_match``), the bare-sets
DuckDB SQL (``benchmarks.duckdb_sets``) and the I/O floor (``benchmarks.io_floor``), each in a
fresh process (``benchmarks.measure``). The cities alternate, the first city first in odd
rounds and last in even ones (ABBA), so that a machine that slows down slows every size alike.

Prints, per run and city, the median wall and CPU seconds per million persons and the peak,
and each size against the first city: a ratio above 1 is more time per million persons than
the first (docs/performance.md, "Where things stand": the goal that at 10 M a million persons
take no more time than at 1 M). The yardsticks show whether a size costs more per
million for canbao alone or for any engine of the same sets on this machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
from pathlib import Path

from benchmarks.bench_match import canbao_command, floor_command, yardstick_command
from benchmarks.measure import measure

RUNS = ("canbao match (one piece)", "DuckDB SQL, bare sets", "I/O floor")
# (run, city) -> each round's {"seconds", "cpu_s", "peak_mb"}
Results = dict[tuple[str, Path], list[dict[str, float]]]


def commands(city: Path, work: Path) -> dict[str, list[str]]:
    """The three runs of ``city``, writing under ``work``; the bare-sets SQL's folder is emptied
    here (canbao replaces its own output; the floor writes nothing)."""
    area = json.loads((city / "manifest.json").read_text(encoding="utf-8"))["area"]
    sets_out = work / "duck_sets"
    shutil.rmtree(sets_out, ignore_errors=True)
    return {
        RUNS[0]: canbao_command(city, work / "canbao", work / "timings.json"),
        RUNS[1]: yardstick_command("benchmarks.duckdb_sets", city, sets_out, area),
        RUNS[2]: floor_command(city),
    }


def persons_of(city: Path) -> int:
    """The household persons the generator put in ``city`` (its manifest)."""
    persons: int = json.loads((city / "manifest.json").read_text(encoding="utf-8"))["persons"]
    return persons


def run_rounds(cities: list[Path], rounds: int, work: Path) -> Results:
    """Every run of every city, ``rounds`` times, the cities in ABBA order."""
    results: Results = {}
    for n in range(rounds):
        for city in cities if n % 2 == 0 else cities[::-1]:
            folder = work / city.name
            folder.mkdir(parents=True, exist_ok=True)
            for run, command in commands(city, folder).items():
                took = measure(command)
                results.setdefault((run, city), []).append(took)
                print(
                    f"round {n + 1}: {city.name}: {run}: {took['seconds']:.2f} s, "
                    f"{took['cpu_s']:.2f} CPU s, {took['peak_mb']:,.0f} MB",
                    flush=True,
                )
    return results


def table(cities: list[Path], results: Results) -> str:
    """The medians per million persons, and each city's ratio to the first, as Markdown."""

    def median(run: str, city: Path, key: str) -> float:
        return statistics.median(r[key] for r in results[run, city])

    lines = [
        "| run | persons | s per million | CPU s per million | peak MB "
        "| wall / first | CPU / first |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in RUNS:
        first = cities[0]
        base = [median(run, first, k) * 1e6 / persons_of(first) for k in ("seconds", "cpu_s")]
        for city in cities:
            millions = persons_of(city) / 1e6
            wall, cpu = (median(run, city, k) / millions for k in ("seconds", "cpu_s"))
            peak = median(run, city, "peak_mb")
            lines.append(
                f"| {run} | {persons_of(city):,} | {wall:.2f} | {cpu:.2f} | {peak:,.0f} "
                f"| {wall / base[0]:.3f} | {cpu / base[1]:.3f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> Results:
    """Run the rounds, print the table; the results (for the tests)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("cities", nargs="+", type=Path, help="generated cities, smallest first")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("bench-output/per-million"))
    opts = parser.parse_args(argv)
    results = run_rounds(opts.cities, opts.rounds, opts.work)
    print(f"\n{opts.rounds} alternating rounds (ABBA), medians\n")
    print(table(opts.cities, results))
    return results


if __name__ == "__main__":
    main()
