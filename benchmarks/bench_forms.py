"""``canbao forms survey`` on one group of N persons: seconds and persons a second by size.

``python -m benchmarks.bench_forms [--persons 300,1000,3000] [--work DIR]``: the examples'
needs_survey rows repeated to N persons of one village (each its own citizen ID), then the
three workbooks of that one group written by ``canbao forms survey --by village`` in a fresh
process (benchmarks/measure.py). The time should grow with the persons, not with their square:
openpyxl's ``merge_cells`` compared each new merge with every earlier one on the sheet, and a
group of 1,200 persons took 176 s (docs/forms.md, "How long it takes").
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import polars as pl

from benchmarks.measure import measure

EXAMPLE = Path(__file__).parent.parent / "examples" / "city" / "golden" / "needs_survey.csv"


def needs_survey_of(persons: int, folder: Path) -> Path:
    """A match folder whose needs_survey holds ``persons`` rows of one village."""
    rows = pl.read_csv(EXAMPLE, infer_schema=False)
    repeated = pl.concat([rows] * (persons // rows.height + 1)).head(persons).with_row_index("n")
    repeated = repeated.with_columns(
        pl.lit("340602").alias("县区"),
        pl.lit("台矿镇").alias("乡镇(街道)"),
        pl.lit("吕楼村").alias("村(社区)"),
        ("3406021990" + pl.col("n").cast(pl.String).str.zfill(8)).alias("公民身份号码"),
    ).drop("n")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    repeated.write_csv(folder / "needs_survey.csv", include_bom=True)
    return folder


def main() -> None:
    """Time the forms of one group at each size; print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", default="300,1000,3000")
    parser.add_argument("--work", default="bench-output")
    args = parser.parse_args()
    print("| persons in the group | seconds | CPU s | peak MB | persons a second |")
    print("| ---: | ---: | ---: | ---: | ---: |", flush=True)
    for persons in (int(p) for p in args.persons.split(",")):
        base = Path(args.work) / "forms"
        match = needs_survey_of(persons, base / f"match-{persons}")
        out = base / f"survey-{persons}"
        shutil.rmtree(out, ignore_errors=True)
        command = [sys.executable, "-m", "canbao", "forms", "survey", "--from", str(match)]
        got = measure([*command, "--by", "village", "-o", str(out), "-q"])
        print(
            f"| {persons:,} | {got['seconds']:.1f} | {got['cpu_s']:.1f} | "
            f"{got['peak_mb']:,.0f} | {persons / got['seconds']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
