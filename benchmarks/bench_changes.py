"""``make bench`` part 3: the registration database beside the match (docs/database.md).

On the generated city of part 2 (default 1 million persons) and its second month (``canbao demo
--month-after``, changes planted for one person in 500 per kind), each step in a fresh process,
on each engine asked for (``--db-engines duckdb,postgresql``):

1. ``canbao match`` of June without ``--db`` (the match's own figures; once);
2. the same with ``--db`` on a new database: the difference is recording the snapshot;
3. ``canbao match`` of August with ``--db``: a second snapshot, only its changes stored;
4. ``canbao changes`` between the two: the workbooks per county and the CSV;
5. ``canbao progress`` over both: the nine rates per county and period, the workbooks, facts.

DuckDB is a new file; PostgreSQL a new server started for the run (benchmarks/pg_server.py,
PostgreSQL's durable defaults), whose own memory is not in the peak (a separate process).
Prints a markdown table of wall time and peak resident memory per step.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from contextlib import ExitStack
from datetime import date
from pathlib import Path

from benchmarks.measure import measure
from canbao.synth import generate_city
from canbao.synth.second_month import generate_second_month

JUNE, AUGUST = "2017-06-30", "2017-08-31"  # the cities' as-of dates
RECORDING = "recording the snapshot in the registration database"


def match_command(city: Path, out: Path, db: str | None) -> list[str]:
    """The match of a generated city (as of its manifest's date), its steps timed into
    ``<out>.json`` (benchmarks/timed_match.py), with ``--db`` when given."""
    timings = out.with_name(out.name + ".json")
    args = [sys.executable, "-m", "benchmarks.timed_match", str(city), str(out), str(timings)]
    return args + ([db] if db is not None else [])


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


def population_file(june: Path, persons: int, out: Path) -> Path:
    """A resident population per county of the city (its persons spread evenly: the rates'
    values do not change the work, only their denominators)."""
    area = json.loads((june / "manifest.json").read_text(encoding="utf-8"))["area"]
    path = out / "population.csv"
    rows = [f"{code},{persons // len(area) + 1}" for code in area]
    path.write_text("县区,常住人口\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def command(*args: str) -> list[str]:
    """A ``canbao`` command in a fresh interpreter, quiet."""
    return [sys.executable, "-m", "canbao", *args, "-q"]


def steps(
    engine: str, db: str, june: Path, august: Path, out: Path, population: Path
) -> list[tuple[str, list[str]]]:
    """The four steps of one engine, in order (each its own output folder)."""
    where = out / engine
    where.mkdir()
    return [
        (f"{engine}: match June --db (first snapshot)", match_command(june, where / "june", db)),
        (
            f"{engine}: match August --db (second snapshot)",
            match_command(august, where / "august", db),
        ),
        (f"{engine}: changes June → August", command("changes", "--db", db, "-o", f"{where}/ch")),
        (
            f"{engine}: progress (bimonthly, 3 rows of windows)",
            command("progress", "--db", db, "--population", str(population), "-o", f"{where}/pr"),
        ),
    ]


def main() -> None:
    """Run the steps on each engine and print their table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("bench-output"))
    parser.add_argument("--db-engines", default="duckdb,postgresql")
    parser.add_argument(
        "--skip-plain", action="store_true", help="leave out the match without --db"
    )
    opts = parser.parse_args()
    engines = [e for e in opts.db_engines.split(",") if e]
    june, august = cities(opts.persons, opts.work)
    out = opts.work / "db"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    population = population_file(june, opts.persons, out)
    load = os.getloadavg()[0]
    print(f"\n### Registration database, {opts.persons:,} persons ({', '.join(engines)})\n")
    print(f"Load average (1 min) at the start: {load:.2f}.\n")
    print("| step | wall time (s) | peak memory (MB) |")
    print("| --- | ---: | ---: |")
    if not opts.skip_plain:
        result = measure(match_command(june, out / "plain", None))
        print(f"| match June, no --db | {result['seconds']:.1f} | {result['peak_mb']:.0f} |")
    notes = []
    with ExitStack() as stack:
        for engine in engines:
            if engine == "postgresql":
                from benchmarks.pg_server import database_mb, durable_server

                _, db = stack.enter_context(durable_server())
            else:
                db = str(out / "campaign.duckdb")
            for label, args in steps(engine, db, june, august, out, population):
                result = measure(args)
                print(
                    f"| {label} | {result['seconds']:.1f} | {result['peak_mb']:.0f} |", flush=True
                )
            size = database_mb(db) if engine == "postgresql" else Path(db).stat().st_size / 2**20
            changes = json.loads((out / engine / "ch" / "changes.json").read_text(encoding="utf-8"))
            first, second = recording(out / engine / "june"), recording(out / engine / "august")
            notes.append(
                f"{engine}: recording step of the matches June {first:.1f} s, August "
                f"{second:.1f} s; database {size:.0f} MB; "
                f"{changes['changes']:,} changes of {changes['persons']:,} persons listed."
            )
    print("\n" + "\n".join(notes))
    print(f"Load average (1 min) at the end: {os.getloadavg()[0]:.2f}.")


if __name__ == "__main__":
    main()
