"""``make bench`` part 3: the registration database beside the match (docs/database.md).

On the generated city of part 2 (default 1 million persons) and its second month (``canbao demo
--month-after``, changes planted for one person in 500 per kind), each step in a fresh process:

1. ``canbao match`` of June without ``--db`` (the match's own figures);
2. the same with ``--db`` on a new DuckDB file: the difference is recording the snapshot;
3. ``canbao match`` of August with ``--db``: a second snapshot, only its changes stored;
4. ``canbao changes`` between the two: the workbooks per county and the CSV.

Prints a markdown table of wall time and peak resident memory per step.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import date
from pathlib import Path

from benchmarks.measure import measure
from canbao.synth import generate_city
from canbao.synth.second_month import generate_second_month

JUNE, AUGUST = "2017-06-30", "2017-08-31"  # the cities' as-of dates


RECORDING = "recording the snapshot in the registration database"


def match_command(city: Path, out: Path, db: Path | None) -> list[str]:
    """The match of a generated city (as of its manifest's date), its steps timed into
    ``<out>.json`` (benchmarks/timed_match.py), with ``--db`` when given."""
    timings = out.with_name(out.name + ".json")
    args = [sys.executable, "-m", "benchmarks.timed_match", str(city), str(out), str(timings)]
    return args + ([str(db)] if db is not None else [])


def recording(out: Path) -> float:
    """Seconds the match in ``out`` spent recording its snapshot (its last step)."""
    steps = json.loads(out.with_name(out.name + ".json").read_text(encoding="utf-8"))
    return float(steps[RECORDING])


def cities(persons: int, work: Path) -> tuple[Path, Path]:
    """June's city (shared with part 2) and its second month, generated when missing."""
    june = work / f"city-{persons}"
    if not (june / "manifest.json").exists():
        generate_city(persons, seed=1, as_of=date.fromisoformat(JUNE), output=june, messy=False)
    august = work / f"city-{persons}-2017-08"
    if not (august / "manifest.json").exists():
        generate_second_month(june, august, seed=1, as_of=date.fromisoformat(AUGUST))
    return june, august


def main() -> None:
    """Run the four steps and print their table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("bench-output"))
    opts = parser.parse_args()
    june, august = cities(opts.persons, opts.work)
    db = opts.work / "campaign.duckdb"
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    out = opts.work / "db"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    steps = [
        ("match June, no --db", match_command(june, out / "plain", None)),
        ("match June --db (first snapshot)", match_command(june, out / "june", db)),
        ("match August --db (second snapshot)", match_command(august, out / "august", db)),
        (
            "changes June → August",
            [
                sys.executable,
                "-m",
                "canbao",
                "changes",
                "--db",
                str(db),
                "-o",
                str(out / "ch"),
                "-q",
            ],
        ),
    ]
    print(f"\n### Registration database, {opts.persons:,} persons (DuckDB file)\n")
    print("| step | wall time (s) | peak memory (MB) |")
    print("| --- | ---: | ---: |")
    for label, command in steps:
        result = measure(command)
        print(f"| {label} | {result['seconds']:.1f} | {result['peak_mb']:.0f} |")
    changes = json.loads((out / "ch" / "changes.json").read_text(encoding="utf-8"))
    print(
        f"\nRecording step of the matches: June {recording(out / 'june'):.1f} s, August "
        f"{recording(out / 'august'):.1f} s; database file {db.stat().st_size / 2**20:.0f} MB; "
        f"{changes['changes']:,} changes of {changes['persons']:,} persons listed."
    )


if __name__ == "__main__":
    main()
