"""``make bench BENCH_ARGS="--sizes 1000000,10000000"``: how ``canbao match`` grows with the city.

For every size, a generated clean city (the generator of ``make bench``, kept under
``WORK/city-N`` for the next run), matched alternately in one piece and with ``--shards``
(``--runs`` times each, in ABBA order: one piece first in odd rounds, the shards first in
even ones, so neither way always follows the other). Prints, per size and way: the median
wall seconds, the CPU seconds (user + system, every thread) and the peak resident memory of
the run, and the seconds and CPU seconds per million persons, which stay flat while the match
grows linearly. The repair step's own wall seconds (suggested links, on its thread:
benchmarks/timed_match.py) are reported apart, with the CPU seconds of the wait for it (the
repair's own CPU seconds are not separable: it shares Polars' thread pool with the steps beside
it). ``--one-piece-up-to N`` leaves one piece out above N persons (its peak grows with the
city); every sharded run's CSV and JSON files are compared with one piece's. With both ways, a
last line gives each round's pair as the ratio of the shards' to one piece's wall and CPU
seconds, their medians, and in how many pairs the shards were not slower: this machine's speed
moves between half-hours by more than the ways differ, so the claim is the pairs', not the
medians of each way apart.

``--province``: the cities are spread over a province's counties, about 500,000 persons per
county (``generate_city(province=True, legal_groups=True, rosters_only=True)``, kept under
``WORK/province-N``), so that a bigger city has more counties rather than bigger ones; their
unit and legal-group rosters are in the manifest, so the match runs the units and legal-group
steps too; their generation is timed too.
Without it, the cities are Huaibei's four counties (``WORK/city-N``), the dense case: the repair
step's candidates grow with the persons per county (docs/scale.md). ``--drop-cities`` deletes
each city and its outputs once its size is done (one big city on the disk at a time).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from datetime import date
from pathlib import Path

from benchmarks.bench_match import (
    AS_OF,
    canbao_command,
    is_repair_step,
    repair_share,
    same_files,
)
from benchmarks.measure import measure
from canbao.synth import generate_city

Runs = list[dict[str, float]]


def city_of(persons: int, work: Path, *, province: bool = False) -> Path:
    """The generated clean city of ``persons``, generated when missing (in a child process
    when ``province``: its time and peak are printed)."""
    city = work / f"{'province' if province else 'city'}-{persons}"
    if (city / "manifest.json").exists():
        return city
    if not province:
        generate_city(persons, seed=1, as_of=date.fromisoformat(AS_OF), output=city, messy=False)
        return city
    code = (
        "import sys; from datetime import date; from pathlib import Path; "
        "from canbao.synth import generate_city; "
        "generate_city(int(sys.argv[1]), seed=1, as_of=date.fromisoformat(sys.argv[2]), "
        "output=Path(sys.argv[3]), messy=False, province=True, legal_groups=True, "
        "rosters_only=True)"
    )
    made = measure([sys.executable, "-c", code, str(persons), AS_OF, str(city)])
    size = sum(f.stat().st_size for f in city.iterdir()) / 1e9
    counties = len(json.loads((city / "manifest.json").read_text(encoding="utf-8"))["area"])
    print(
        f"<!-- generated {persons:,} persons in {counties} counties: {made['seconds']:.0f} s, "
        f"{made['cpu_s']:.0f} CPU s, peak {made['peak_mb']:,.0f} MB, {size:.1f} GB -->",
        flush=True,
    )
    return city


def _run(city: Path, out: Path, shards: str) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    timings = out.with_name(out.name + ".json")
    result = measure(canbao_command(city, out, timings, shards))
    result["repair_s"] = repair_share(timings)[0]
    steps = json.loads(timings.with_suffix(".timeline.json").read_text(encoding="utf-8"))
    result["repair_cpu_s"] = sum(s["cpu_s"] for s in steps if is_repair_step(str(s["step"])))
    return result


def _line(persons: int, way: str, runs: Runs) -> str:
    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    millions = persons / 1_000_000
    wall, cpu, repair = median("seconds"), median("cpu_s"), median("repair_s")
    repair_cpu = median("repair_cpu_s")
    peak = max(r["peak_mb"] for r in runs)
    times = ", ".join(f"{r['seconds']:.0f}" for r in runs)
    return (
        f"| {persons:,} | {way} | {wall:.1f} ({times}) | {cpu:.1f} | {peak:,.0f} | "
        f"{wall / millions:.1f} | {cpu / millions:.1f} | {repair:.1f} | {repair_cpu:.1f} | "
        f"{repair_cpu / millions:.2f} |"
    )


def pair_ratios(one: Runs, shards: Runs) -> str:
    """Each round's shards-to-one-piece ratios of wall and CPU seconds, their medians, and the
    pairs in which the shards took no more wall time."""
    walls = [s["seconds"] / o["seconds"] for o, s in zip(one, shards, strict=True)]
    cpus = [s["cpu_s"] / o["cpu_s"] for o, s in zip(one, shards, strict=True)]
    listed = ", ".join(f"{w:.2f}/{c:.2f}" for w, c in zip(walls, cpus, strict=True))
    not_slower = sum(1 for w in walls if w <= 1)
    return (
        f"pairs (shards / one piece, wall/CPU): {listed}; medians "
        f"{statistics.median(walls):.3f} wall, {statistics.median(cpus):.3f} CPU; "
        f"shards not slower in {not_slower} of {len(walls)}"
    )


def main() -> None:
    """Generate, match alternately at every size, print a markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", required=True, help="persons, comma-separated")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("bench-output"))
    parser.add_argument("--shards", default="4")
    parser.add_argument("--one-piece-up-to", type=int, default=None)
    parser.add_argument("--province", action="store_true")
    parser.add_argument("--drop-cities", action="store_true")
    opts = parser.parse_args()
    sizes = [int(size) for size in opts.sizes.split(",")]
    print("\n### canbao match by the size of the city\n")
    print(
        "| persons | way | wall s (runs) | CPU s | peak MB | s per M persons | "
        "CPU s per M | repair s (on its thread) | CPU s waiting for it | the same per M |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for persons in sizes:
        city = city_of(persons, opts.work, province=opts.province)
        ways = {f"--shards {opts.shards}": (opts.shards, opts.work / "sizes_shards")}
        if opts.one_piece_up_to is None or persons <= opts.one_piece_up_to:
            ways = {"one piece": ("1", opts.work / "sizes_one")} | ways
        runs: dict[str, Runs] = {}
        for round_ in range(opts.runs):
            order = list(ways.items())
            for way, (shards, out) in order if round_ % 2 == 0 else reversed(order):
                runs.setdefault(way, []).append(_run(city, out, shards))
        for way, measured in runs.items():
            print(_line(persons, way, measured), flush=True)
        if len(ways) == 2:
            differ = same_files(opts.work / "sizes_one", opts.work / "sizes_shards")
            print(f"| {persons:,} | files identical | {not differ} {differ or ''} | | | | | | | |")
            print(f"\n{persons:,}: {pair_ratios(*(runs[way] for way in ways))}\n", flush=True)
        if opts.drop_cities:
            for path in (city, *(out for _, out in ways.values())):
                shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
