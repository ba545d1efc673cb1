"""The person tables batch by batch of townships, never held whole (``canbao match --shards N``,
CSV).

The person tables are sorted by county, township, village and ID
(:data:`canbao.match.present.SORT_KEYS`, nulls last, ties in target order), so the sorted table
is the sorted rows of each (county, township) one after the other, in the sort order of those
pairs. The (county, township) pairs of the targets are packed in that order into batches of at
most :data:`BATCH_ROWS` persons (a larger township is a batch of its own); the target persons'
columns, with their target row number (``_t``), are staged and split slice by slice into one
folder per batch, and each batch is read, sorted by the keys and then ``_t`` (the same
order as the whole table's stable sort) and appended to the three CSV files. One batch is held
at a time: at 10 M persons the county-by-county version held a county of 3.6 M persons and
peaked at 5.0 GB (docs/scale.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import polars as pl

from canbao.match import present
from canbao.match._person_csv import PersonCsv

# Persons read and sorted at a time (about 100 MB of person columns; a larger township is
# read whole).
BATCH_ROWS: Final = 250_000
# Staged persons split into the batches' folders at a time.
SPLIT_ROWS: Final = 500_000
ROW: Final = "_t"
BATCH: Final = "_batch"
GROUP: Final = ("county", "township")
ORDER: Final = ("county", "township", "village", "id_norm", ROW)


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


def _split(persons: pl.LazyFrame, groups: pl.DataFrame, work: Path) -> Path:
    """Stage the persons, then write each batch's persons under ``folder/_batch=N/``, slice by
    slice of :data:`SPLIT_ROWS` staged rows; the folder.

    By hand rather than a partitioned sink: Polars' ``PartitionBy`` held about 0.5 GB more
    per 3 M persons, a slice holds :data:`SPLIT_ROWS` rows.
    """
    staged = work / "persons.parquet"
    persons.sink_parquet(staged, compression="uncompressed")
    scan, folder = pl.scan_parquet(staged), work / "persons_by_batch"
    total = int(scan.select(pl.len()).collect().item())
    for index, start in enumerate(range(0, total, SPLIT_ROWS)):
        rows = scan.slice(start, SPLIT_ROWS).collect()
        tagged = rows.join(groups, on=list(GROUP), how="left", nulls_equal=True)
        for (number,), part in tagged.partition_by(BATCH, as_dict=True).items():
            place = folder / f"{BATCH}={number}"
            place.mkdir(parents=True, exist_ok=True)
            part.drop(BATCH).write_parquet(
                place / f"{index:05d}.parquet", compression="uncompressed"
            )
    staged.unlink()
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
    persons = present.person_rows_beside(targets, schemes, beside).with_row_index(ROW)
    groups = batches(targets, BATCH_ROWS)
    folder = _split(persons, groups, work)
    numbers = groups.get_column(BATCH).unique().sort().to_list()
    with PersonCsv(out, kept, persons) as tables:
        # No batch at all (no target person): one empty pass writes the headers.
        for index, number in enumerate(numbers or [None]):
            if number is None:
                batch = persons.head(0).collect()
            else:
                batch = pl.scan_parquet(folder / f"{BATCH}={number}" / "*.parquet").collect()
            tables.append(batch.sort(ORDER, nulls_last=True).lazy(), first=index == 0)
    return tables.paths
