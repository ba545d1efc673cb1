"""The person tables batch by batch of townships, never held whole (``canbao match --shards N``,
CSV).

The person tables are sorted by county, township, village and ID
(:data:`canbao.match.present.SORT_KEYS`, nulls last, ties in target order), so the sorted table
is the sorted rows of each (county, township) one after the other, in the sort order of those
pairs. The (county, township) pairs of the targets are packed in that order into batches of at
most :data:`BATCH_ROWS` persons (a larger township is a batch of its own); the target persons'
columns are split in one streamed pass into one folder per batch (in target order), and each
batch is read, sorted by the keys with ties in the order read (the same order as the whole
table's stable sort; column by column, as one piece sorts, :mod:`canbao.match._person_csv`)
and appended to the three CSV files. One batch is held at a time: at 10 M persons the
county-by-county version held a county of 3.6 M persons and peaked at 5.0 GB (docs/scale.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import polars as pl

from canbao.match import present
from canbao.match._person_csv import PersonCsv, sorted_rows
from canbao.match.stages import sink_staged

# Persons read and sorted at a time (about 100 MB of person columns; a larger township is
# read whole).
BATCH_ROWS: Final = 250_000
# Persons in one file of a batch's folder at most.
SPLIT_ROWS: Final = 500_000
BATCH: Final = "_batch"
GROUP: Final = ("county", "township")


def batches(persons: pl.LazyFrame, limit: int) -> pl.DataFrame:
    """(county, township, ``_batch``) of the persons (or targets): the pairs in sort order,
    packed into batches of at most ``limit`` persons where the pairs allow (a pair is never
    split)."""
    sizes = persons.group_by(*GROUP).len().sort(*GROUP, nulls_last=True).collect()
    numbers, batch, filled = [], 0, 0
    for size in sizes.get_column("len").to_list():
        if filled and filled + size > limit:
            batch, filled = batch + 1, 0
        numbers.append(batch)
        filled += size
    return sizes.select(*GROUP, pl.Series(BATCH, numbers, dtype=pl.Int64))


def _split(persons: pl.LazyFrame, groups: pl.DataFrame, folder: Path) -> Path:
    """Write each batch's persons, in target order, under ``folder/_batch=N/``; the folder.

    One streamed pass: the persons are tagged with their batch (a join with the few
    (county, township) pairs) and sunk partitioned by it, at most :data:`SPLIT_ROWS` rows a
    file. It was a staged copy of every person, read back slice by slice and split: one write
    and one read of the person rows more (docs/scale.md, fifth round).
    """
    tagged = persons.join(
        groups.lazy(), on=list(GROUP), how="left", nulls_equal=True, maintain_order="left"
    )
    parts = pl.PartitionBy(folder, key=BATCH, include_key=False, max_rows_per_file=SPLIT_ROWS)
    sink_staged(tagged, parts, folder)
    return folder


def write_person_tables_by_county(
    targets: pl.LazyFrame,
    schemes: pl.DataFrame,
    *,
    out: Path,
    work: Path,
    kept: dict[str, pl.DataFrame] | None = None,
) -> dict[str, Path]:
    """Write needs_survey, uninsured and confirmed as CSV, batch by batch of townships, sorted.

    ``kept``: tables to keep in memory as written (the needs-survey and uninsured lists of
    --county-lists).
    """
    beside = work / "schemes_of_targets.parquet"
    persons = present.person_rows_beside(targets, schemes, beside)
    groups = batches(targets, BATCH_ROWS)
    folder = _split(persons, groups, work / "persons_by_batch")
    numbers = groups.get_column(BATCH).unique().sort().to_list()
    with PersonCsv(out, kept, persons) as tables:
        # No batch at all (no target person): one empty pass writes the headers.
        for index, number in enumerate(numbers or [None]):
            if number is None:
                batch = persons.head(0).collect()
            else:
                batch = pl.scan_parquet(folder / f"{BATCH}={number}" / "*.parquet").collect()
            tables.append(sorted_rows(batch).lazy(), first=index == 0)
    return tables.paths
