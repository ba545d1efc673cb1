"""``make bench``: every benchmark in turn, each printing a markdown table.

1. read and validate a 5 M row household roster, UTF-8 and GB18030 (benchmarks/bench_read.py);
2. ``canbao match``, in one piece and with ``--shards 4``, against two hand-written DuckDB SQL
   yardsticks (the same files; the bare sets) on a 1 M person city, with the repair step's
   share (benchmarks/bench_match.py);
3. the registration database on that city, on DuckDB and on a PostgreSQL server it starts:
   recording its snapshot, a second month's, ``canbao changes`` between them and ``canbao
   progress`` (benchmarks/bench_changes.py; ``--db-engines duckdb`` for the file alone);
4. ``canbao forms survey`` on one group of 300, 1,000 and 3,000 persons (benchmarks/bench_forms.py:
   the time should grow with the persons, not with their square);
5. ``canbao match --engine spark`` (``local[2]``) beside Polars on that city
   (benchmarks/bench_spark.py; ``--no-spark`` leaves it out).

``--sizes 1000000,10000000,30000000`` runs only the size series instead
(benchmarks/bench_sizes.py: one piece and ``--shards`` at every size, time, CPU and peak per
million persons); ``--one-piece-up-to N`` leaves one piece out above N persons; ``--province``
spreads each city over a province's counties (about 500,000 persons each) instead of Huaibei's
four, and ``--drop-cities`` deletes each city once measured.

Sizes can be lowered for a quick look: ``make bench BENCH_ARGS="--rows 500000 --persons 100000"``;
the 10 M person run of docs/scale-measurements.md is
``make bench BENCH_ARGS="--skip-read --persons 10000000 --runs 2 --no-duckdb"``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys


def main() -> None:
    """Run the benchmarks in fresh processes so each one's peak memory is its own."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="5000000")
    parser.add_argument("--persons", default="1000000")
    parser.add_argument("--runs", default="3")
    parser.add_argument("--work", default="bench-output")
    parser.add_argument("--shards", default="4")
    parser.add_argument("--no-duckdb", action="store_true")
    parser.add_argument(
        "--skip-read", action="store_true", help="skip the roster-reading benchmark"
    )
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--db-engines", default="duckdb,postgresql")
    parser.add_argument("--sizes", help="persons, comma-separated: the size series only")
    parser.add_argument("--one-piece-up-to", help="--sizes: one piece only up to this size")
    parser.add_argument(
        "--province", action="store_true", help="--sizes: cities of a province's counties"
    )
    parser.add_argument(
        "--drop-cities", action="store_true", help="--sizes: delete each city once measured"
    )
    opts = parser.parse_args()
    python = sys.executable
    if opts.sizes:
        series = ["--sizes", opts.sizes, "--runs", opts.runs, "--work", opts.work]
        series += ["--shards", opts.shards]
        if opts.one_piece_up_to:
            series += ["--one-piece-up-to", opts.one_piece_up_to]
        series += ["--province"] * opts.province + ["--drop-cities"] * opts.drop_cities
        subprocess.run([python, "-m", "benchmarks.bench_sizes", *series], check=True)
        return
    if not opts.skip_read:
        read = [python, "benchmarks/bench_read.py", "--rows", opts.rows]
        subprocess.run([*read, "--dir", f"{opts.work}/read"], check=True)
    subprocess.run(
        [
            python,
            "-m",
            "benchmarks.bench_match",
            "--persons",
            opts.persons,
            "--runs",
            opts.runs,
            "--work",
            opts.work,
            "--shards",
            opts.shards,
            *(["--no-duckdb"] if opts.no_duckdb else []),
        ],
        check=True,
    )
    subprocess.run(
        [
            python,
            "-m",
            "benchmarks.bench_changes",
            "--persons",
            opts.persons,
            "--work",
            opts.work,
            "--db-engines",
            opts.db_engines,
        ],
        check=True,
    )
    forms = [python, "-m", "benchmarks.bench_forms", "--work", opts.work]
    subprocess.run(forms, check=True)
    if not opts.no_spark:
        spark = ["-m", "benchmarks.bench_spark", "--persons", opts.persons, "--work", opts.work]
        subprocess.run([python, *spark], check=True)


if __name__ == "__main__":
    main()
