"""``make bench`` part 2: ``canbao match`` against two hand-written DuckDB SQL yardsticks.

Generates a city (default 1 million persons, UTF-8 CSV) with canbao's synthetic generator, then
alternates runs on the same files: canbao in one piece, canbao with ``--shards`` (default 4),
canbao in one piece writing xlsx (``--format xlsx``; ``--no-xlsx``: not),
the DuckDB SQL that writes the six result files of canbao's output contract (needs_survey,
uninsured, confirmed, duplicates, conflicts, non_local) with the same columns
(benchmarks/duckdb_match.py), and the DuckDB SQL of the bare sets that writes only their IDs
and reasons (benchmarks/duckdb_sets.py), and the I/O floor: every roster read fully as strings
with Polars (benchmarks/io_floor.py). Reports the median wall time, CPU seconds (user + system)
and peak memory of each, every ratio of medians (wall and CPU), and whether the sharded files
are byte-identical to one piece; after the timed runs benchmarks/compare_outputs.py prints a
verdict per file against the same-files SQL.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
from datetime import date
from pathlib import Path

from benchmarks.compare_outputs import compare
from benchmarks.measure import measure
from canbao.i18n import LANG_ENV
from canbao.i18n import _ as translated
from canbao.synth import generate_city

AS_OF = "2017-06-30"


def canbao_command(
    city: Path, out: Path, timings: Path, shards: str = "1", fmt: str = "csv"
) -> list[str]:
    """The match of a generated city, with its steps timed (benchmarks/timed_match.py)."""
    return [
        *(sys.executable, "-m", "benchmarks.timed_match"),
        *(str(city), str(out), str(timings), f"--shards={shards}", f"--format={fmt}"),
    ]


def yardstick_command(module: str, city: Path, out: Path, area: list[str]) -> list[str]:
    """A DuckDB SQL yardstick's run (``module``: benchmarks.duckdb_match or duckdb_sets)."""
    return [sys.executable, "-m", module, str(city), str(out), AS_OF, *area]


def floor_command(city: Path) -> list[str]:
    """The I/O floor's run: every roster of ``city`` read as strings (benchmarks/io_floor.py)."""
    return [sys.executable, "-m", "benchmarks.io_floor", str(city)]


def same_files(one: Path, other: Path) -> list[str]:
    """The result files (workbooks aside: their zip has a time stamp) that differ in bytes."""
    names = {p.name for p in [*one.iterdir(), *other.iterdir()] if p.suffix in (".csv", ".json")}
    return sorted(
        n
        for n in names - {".canbao.json"}
        if not (one / n).is_file()
        or not (other / n).is_file()
        or (one / n).read_bytes() != (other / n).read_bytes()
    )


def is_repair_step(step: str) -> bool:
    """Whether a progress message (in the run's language) is the repair step's."""
    return step.startswith(
        ("suggesting links", translated("suggesting links for invalid and unmatched records"))
    )


def repair_share(timings: Path) -> tuple[float, float]:
    """Seconds spent suggesting links, and in the rest of the match.

    The repair step runs on a thread, so its progress message times only the wait for it: its
    own wall seconds come from ``TIMINGS.repair.json`` (benchmarks/timed_match.py) where there
    is one, and the rest of the match is the whole match less that wait."""
    steps = json.loads(timings.read_text(encoding="utf-8"))
    waited = sum(v for k, v in steps.items() if is_repair_step(k))
    rest = sum(steps.values()) - waited
    own = timings.with_suffix(".repair.json")
    if own.is_file():
        return float(json.loads(own.read_text(encoding="utf-8"))["seconds"]), rest
    return waited, rest


def _row(label: str, runs: list[dict[str, float]]) -> str:
    times = ", ".join(f"{r['seconds']:.1f}" for r in runs)
    peak = max(r["peak_mb"] for r in runs)
    cpu = _median(runs, "cpu_s")
    return f"| {label} | {_median(runs):.1f} | {cpu:.1f} | {times} | {peak:,.0f} |"


def _median(runs: list[dict[str, float]], key: str = "seconds") -> float:
    return statistics.median(r[key] for r in runs)


IO_FLOOR = "I/O floor (Polars reads every roster as strings)"
AS_XLSX = "canbao match --format xlsx (one piece)"


# The speed goals of one piece at 1 M persons (docs/performance.md).
GOALS = {"DuckDB SQL, bare sets": " (goal <= 1.2)", IO_FLOOR: " (goal <= 6)"}


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    """Generate, run alternately, print a markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("bench-output"))
    parser.add_argument("--shards", default="4", help="the sharded run's --shards (0: none)")
    parser.add_argument("--no-duckdb", action="store_true", help="only canbao's runs")
    parser.add_argument("--no-xlsx", action="store_true", help="no run with --format xlsx")
    opts = parser.parse_args()
    # The repair step's share is read from the step names of the timings: canbao's runs speak
    # English here (the result files do not depend on the language).
    os.environ[LANG_ENV] = "en"
    opts.load = _load()
    city = opts.work / f"city-{opts.persons}"
    if not (city / "manifest.json").exists():
        generate_city(
            opts.persons, seed=1, as_of=date.fromisoformat(AS_OF), output=city, messy=False
        )
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    area = manifest["area"]
    yardsticks = {
        "DuckDB SQL, same files": ("benchmarks.duckdb_match", opts.work / "duck"),
        "DuckDB SQL, bare sets": ("benchmarks.duckdb_sets", opts.work / "duck_sets"),
    }
    if opts.no_duckdb:
        yardsticks = {}
    floor = floor_command(city)
    # A result folder of an older canbao has no marker, and canbao refuses to replace it.
    shutil.rmtree(opts.work / "canbao", ignore_errors=True)
    shutil.rmtree(opts.work / "canbao_shards", ignore_errors=True)
    runs: dict[str, list[dict[str, float]]] = {}
    repairs: list[tuple[float, float]] = []
    sharded = f"canbao match --shards {opts.shards}"
    for _ in range(opts.runs):
        # Alternating, so that a busy machine slows each engine alike.
        timings = opts.work / "timings.json"
        one = canbao_command(city, opts.work / "canbao", timings)
        runs.setdefault("canbao match (one piece)", []).append(measure(one))
        repairs.append(repair_share(timings))
        if opts.shards != "0":
            many = canbao_command(city, opts.work / "canbao_shards", timings, opts.shards)
            runs.setdefault(sharded, []).append(measure(many))
        if not opts.no_xlsx:
            shutil.rmtree(opts.work / "canbao_xlsx", ignore_errors=True)
            workbooks = canbao_command(city, opts.work / "canbao_xlsx", timings, fmt="xlsx")
            runs.setdefault(AS_XLSX, []).append(measure(workbooks))
        for label, (module, out) in yardsticks.items():
            shutil.rmtree(out, ignore_errors=True)
            runs.setdefault(label, []).append(measure(yardstick_command(module, city, out, area)))
        runs.setdefault(IO_FLOOR, []).append(measure(floor))
    summary = json.loads((opts.work / "canbao" / "summary.json").read_text(encoding="utf-8"))
    _report(opts, summary["enrolment_rows"], runs, repairs)


def _report(
    opts: argparse.Namespace,
    enrolment: int,
    runs: dict[str, list[dict[str, float]]],
    repairs: list[tuple[float, float]],
) -> None:
    print(
        f"\n### canbao match vs DuckDB SQL: {opts.persons:,} persons, "
        f"{enrolment:,} enrolment rows\n"
    )
    print(
        f"{opts.runs} alternating rounds; load average at the start {opts.load}, "
        f"at the end {_load()}\n"
    )
    print("| engine | median s | median CPU s | runs (s) | peak MB |")
    print("| --- | ---: | ---: | --- | ---: |")
    for label, measured in runs.items():
        print(_row(label, measured))
    print()
    ours = [label for label in runs if label.startswith("canbao") and label != AS_XLSX]
    theirs = [label for label in runs if not label.startswith("canbao")]
    for mine in ours:
        for yardstick in theirs:
            wall = _median(runs[mine]) / _median(runs[yardstick])
            cpu = _median(runs[mine], "cpu_s") / _median(runs[yardstick], "cpu_s")
            goal = GOALS.get(yardstick, "")
            print(f"- {mine} / {yardstick} = {wall:.2f} wall, {cpu:.2f} CPU{goal}")
    if len(ours) == 2:
        ratio = _median(runs[ours[1]]) / _median(runs[ours[0]])
        print(f"- sharded / one piece = {ratio:.2f} (goal <= 1.0)")
        differ = same_files(opts.work / "canbao", opts.work / "canbao_shards")
        print(f"- sharded result files byte-identical to one piece: {not differ} {differ or ''}")
    if AS_XLSX in runs:
        ratio = _median(runs[AS_XLSX]) / _median(runs[ours[0]])
        print(f"- --format xlsx / csv, one piece = {ratio:.2f}")
    repair, rest = (statistics.median(r[i] for r in repairs) for i in (0, 1))
    print(
        f"- repair step (suggested links, on its thread): {repair:.1f} s, "
        f"{repair / rest:.0%} of the rest of the match (goal < 25 %)"
    )
    if "DuckDB SQL, same files" in runs:
        print("\nSame result files? (benchmarks/compare_outputs.py, last run of each)\n")
        for line in compare(opts.work / "canbao", opts.work / "duck"):
            print(f"- {line}")


if __name__ == "__main__":
    main()
