"""The person tables county by county, never held whole (``canbao match --shards N``, CSV).

The person tables are sorted by county first (:data:`canbao.match.present.SORT_KEYS`), so the
sorted table is the counties' sorted rows one county after the other (the county without a
code last, as the sort puts nulls), and a stable sort of one county's rows keeps the ties of
the whole table's stable sort. The target persons' columns are staged once; each county is
read from them, its three tables sorted and appended to their CSV files. Only the largest
county's rows are held at a time: at 10 M persons holding the persons whole took about 2 GB.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import polars as pl

from canbao.match import present
from canbao.match.writers import append_csv


def _counties(persons: pl.LazyFrame) -> list[str | None]:
    """The persons' county codes in the sort order of the tables (none last); one at least."""
    found = persons.select(pl.col("county").unique()).collect().get_column("county")
    counties: list[str | None] = found.sort(nulls_last=True).to_list()
    return counties or [None]


def _of_county(persons: pl.LazyFrame, county: str | None) -> pl.LazyFrame:
    if county is None:
        return persons.filter(pl.col("county").is_null())
    return persons.filter(pl.col("county") == county)


def write_person_tables_by_county(
    targets: pl.LazyFrame,
    schemes: pl.DataFrame,
    *,
    out: Path,
    work: Path,
    kept: dict[str, pl.DataFrame] | None = None,
) -> dict[str, Path]:
    """Write needs_survey, uninsured and confirmed as CSV, county by county, sorted.

    ``kept``: tables to keep in memory as written (the needs-survey and uninsured lists of
    --county-lists).
    """
    staged = work / "persons.parquet"
    present.person_rows(targets, schemes).sink_parquet(staged, compression="uncompressed")
    persons = pl.scan_parquet(staged)
    names = list(present.tables_of_persons(persons.head(0)))
    paths = {name: out / f"{name}.csv" for name in names}
    parts: dict[str, list[pl.DataFrame]] = {name: [] for name in kept or {}}
    with ExitStack() as stack:
        files = {name: stack.enter_context(path.open("wb")) for name, path in paths.items()}
        for index, county in enumerate(_counties(persons)):
            rows = _of_county(persons, county).collect().lazy()
            for name, frame in present.tables_of_persons(rows).items():
                table = frame.collect()
                order = table.select(
                    pl.arg_sort_by(present.SORT_KEYS, nulls_last=True, maintain_order=True)
                ).to_series()
                append_csv(files[name], table, order, first=index == 0)
                if name in parts:
                    parts[name].append(table[order])
    for name, frames in parts.items():
        assert kept is not None
        kept[name] = pl.concat(frames, how="vertical").rechunk()
    return paths
