"""The person tables batch by batch of townships, never held whole (CSV: ``canbao match
--shards N``, and one piece from :data:`ONE_PIECE_BATCHES_FROM` persons; Parquet likewise).

The person tables are sorted by county, township, village and ID
(:data:`canbao.match.present.SORT_KEYS`, nulls last, ties in target order), so the sorted table
is the sorted rows of each (county, township) one after the other, in the sort order of those
pairs. The (county, township) pairs of the targets are packed in that order into batches of at
most :data:`BATCH_ROWS` persons (a larger township is a batch of its own); the target persons'
columns are split in one streamed pass into files per batch (in target order, at most
:data:`SPLIT_HELD_ROWS` persons waiting at a time), and each batch is read, sorted by the keys
with ties in the order read (the same order as the whole table's stable sort; column by column,
as one piece sorts, :mod:`canbao.match._person_csv`) and appended to the three CSV files (or
Parquet files, a row group per batch: :mod:`canbao.match._person_parquet`). Two batches
are held at a time, the one being written and the next, read and sorted on a thread beside it;
the split writes its files on a thread too (docs/performance-measurements.md, seventeenth
round: at 10 M persons the person tables 30.7 → 24.3 s). At 10 M persons the county-by-county
version held a county of 3.6 M persons and peaked at 5.0 GB (docs/scale-measurements.md).
"""

from __future__ import annotations

from collections.abc import Generator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Final, Literal

import polars as pl

from canbao.match import present
from canbao.match._kept_tables import Kept
from canbao.match._person_csv import PersonCsv, sorted_rows
from canbao.match._person_parquet import PersonParquet
from canbao.match._person_xlsx import PersonXlsx
from canbao.match._staging import write_staged
from canbao.match.writers import OutputFormat

# Persons read and sorted at a time (about 100 MB of person columns; a larger township is
# read whole).
BATCH_ROWS: Final = 250_000
# Persons the split holds at most, over all batches, before it writes the largest batch's.
SPLIT_HELD_ROWS: Final = 262_144
# Persons the split reads at a time (None: the streaming engine's own chunks).
SPLIT_CHUNK_ROWS: int | None = None
# One piece writes its CSV person tables batch by batch too from this many household rows
# (persons), not from one sort of them all, which holds every person row and its sorted copy.
# Whole matches of a province city, before and after (docs/performance-measurements.md, seventh
# round):
# at 10 M persons the same time within the noise (medians of 4 pairs: CPU +0.4 %, wall
# +1.3 %) and a peak of 2.2 GiB instead of 4.9; at 5 M 2-3 % more time for 1.6 GiB instead
# of 2.5; at 1 M the batches alone cost 10-20 % more than the one sort and hold no less. So
# between 5 and 10 M, where the cost falls into the noise.
ONE_PIECE_BATCHES_FROM: Final = 8_000_000
BATCH: Final = "_batch"
# The files each format's person tables are appended to.
_FILES_OF: Final[dict[str, type[PersonCsv | PersonParquet | PersonXlsx]]] = {
    "csv": PersonCsv,
    "parquet": PersonParquet,
    "xlsx": PersonXlsx,
}
GROUP: Final = ("county", "township")


def batches(persons: pl.LazyFrame, limit: int) -> pl.DataFrame:
    """(county, township, ``_batch``, ``len``) of the persons (or targets): the pairs in sort
    order with their persons, packed into batches of at most ``limit`` persons where the pairs
    allow (a pair is never split)."""
    sizes = persons.group_by(*GROUP).len().sort(*GROUP, nulls_last=True).collect()
    numbers, batch, filled = [], 0, 0
    for size in sizes.get_column("len").to_list():
        if filled and filled + size > limit:
            batch, filled = batch + 1, 0
        numbers.append(batch)
        filled += size
    return sizes.select(*GROUP, pl.Series(BATCH, numbers, dtype=pl.Int64), "len")


class _Split:
    """The batches' files under a folder, written as the persons come, in their order.

    Each batch's rows wait in memory until all batches together hold more than
    :data:`SPLIT_HELD_ROWS`; then the batch holding most is written as its next file, on the
    ``writer`` thread while the next persons are read and dealt (one file at a time: the rows
    being written are at most one batch's).
    """

    def __init__(self, folder: Path, writer: ThreadPoolExecutor) -> None:
        self.folder = folder
        self.files: dict[int, list[Path]] = {}
        self._waiting: dict[int, list[pl.DataFrame]] = {}
        self._rows: dict[int, int] = {}
        self._writer = writer
        self._writing: Future[None] | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def add(self, tagged: pl.DataFrame) -> None:
        """Take persons tagged with their batch (in the persons' order)."""
        parts = tagged.partition_by(BATCH, include_key=False, as_dict=True)
        for (number,), part in parts.items():
            self._waiting.setdefault(number, []).append(part)
            self._rows[number] = self._rows.get(number, 0) + part.height
        while sum(self._rows.values()) > SPLIT_HELD_ROWS:
            self.write(max(self._rows, key=self._rows.__getitem__))

    def write(self, number: int) -> None:
        """Write the waiting rows of batch ``number`` as its next file (once the file being
        written is done; a failed write is raised here or by :meth:`close`)."""
        rows = pl.concat(self._waiting.pop(number), how="vertical")
        del self._rows[number]
        files = self.files.setdefault(number, [])
        path = self.folder / f"{number}-{len(files)}.parquet"
        self._wait()
        self._writing = self._writer.submit(write_staged, rows, path, self.folder)
        files.append(path)

    def close(self) -> dict[int, list[Path]]:
        """Write every batch's waiting rows; each batch's files in order."""
        for number in list(self._waiting):
            self.write(number)
        self._wait()
        return self.files

    def _wait(self) -> None:
        if self._writing is not None:
            writing, self._writing = self._writing, None
            writing.result()


def _split(persons: pl.LazyFrame, groups: pl.DataFrame, folder: Path) -> dict[int, list[Path]]:
    """Write each batch's persons, in target order, as files under ``folder``; each batch's
    files in order.

    One streamed pass: the persons are read chunk by chunk, tagged with their batch (a join of
    the chunk with the few (county, township) pairs) and dealt to the batches, which write
    their rows when the rows held pass :data:`SPLIT_HELD_ROWS`. A partitioned sink
    (``pl.PartitionBy``) did the same in the engine but held more the larger the city: 1.3 GB
    more than this at 10 M persons, for the same CPU (docs/scale-measurements.md, sixth round).
    """
    on, tags = list(GROUP), groups.select(*GROUP, BATCH)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="person-split") as writer:
        split = _Split(folder, writer)
        for chunk in persons.collect_batches(chunk_size=SPLIT_CHUNK_ROWS):
            tagged = chunk.join(tags, on=on, how="left", nulls_equal=True, maintain_order="left")
            split.add(tagged)
        return split.close()


def write_person_tables_by_county(
    targets: pl.LazyFrame,
    schemes: present.Schemes,
    *,
    out: Path,
    work: Path,
    kept: Kept | None = None,
    fmt: OutputFormat = "csv",
) -> dict[str, Path]:
    """Write needs_survey, uninsured and confirmed as CSV, Parquet or xlsx (``fmt``), batch by
    batch of townships, sorted.

    ``kept``: tables to keep as written (the needs-survey and uninsured lists of
    --county-lists), staged in the work folder and handed over as scans of their parts.
    Parquet and xlsx keep the birth date as text, as they were written whole before.
    """
    beside = work / "schemes_of_targets.parquet"
    as_date = fmt == "csv"  # the CSV writer gives a Date the same text
    persons = present.person_rows_beside(targets, schemes, beside, birth_as_date=as_date)
    groups = batches(targets, BATCH_ROWS)
    files = _split(persons, groups, work / "persons_by_batch")
    with (
        _FILES_OF[fmt](out, kept, persons, work / "kept_for_lists") as tables,
        closing(_sorted_batches(files, persons)) as sorted_batches,  # its thread ends first
    ):
        for index, batch in enumerate(sorted_batches):
            tables.append(batch.lazy(), first=index == 0)
    return tables.paths


def _sorted_batches(files: dict[int, list[Path]], persons: pl.LazyFrame) -> Generator[pl.DataFrame]:
    """Each batch's rows read and sorted, in batch order; the next one read and sorted on a
    thread while the caller writes this one (the sort gathers column by column on one core,
    the writers use both). No batch at all (no target person): one empty batch, for the
    headers."""
    numbers = sorted(files)
    if not numbers:
        yield sorted_rows(persons.head(0).collect())
        return

    def read_sorted(number: int) -> pl.DataFrame:
        return sorted_rows(pl.scan_parquet(files[number]).collect())

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="person-batches") as ahead:
        pending = ahead.submit(read_sorted, numbers[0])
        for following in [*numbers[1:], None]:
            batch = pending.result()
            if following is not None:
                pending = ahead.submit(read_sorted, following)
            yield batch


def write_person_tables_sorted_once(
    targets: pl.LazyFrame,
    schemes: present.Schemes,
    *,
    out: Path,
    kept: Kept | None = None,
    fmt: Literal["parquet", "xlsx"] = "parquet",
) -> dict[str, Path]:
    """Write needs_survey, uninsured and confirmed as Parquet or xlsx from one sort of the
    person rows (one piece of a city below :data:`ONE_PIECE_BATCHES_FROM` persons, as its CSV):
    appended batch by batch, each batch the slice of the sorted rows it holds, so the Parquet
    row groups and bytes, and the workbooks, are those of :func:`write_person_tables_by_county`
    (the sorted rows are the batches' sorted rows one after the other)."""
    rows = sorted_rows(present.person_rows(targets, schemes).collect())
    sizes = batches(targets, BATCH_ROWS).group_by(BATCH).agg(pl.col("len").sum()).sort(BATCH)
    with _FILES_OF[fmt](out, kept, rows.lazy()) as tables:
        start = 0
        # No batch at all (no target person): one empty pass creates the files.
        for index, size in enumerate(sizes.get_column("len").to_list() or [0]):
            tables.append(rows.slice(start, size).lazy(), first=index == 0)
            start += size
    return tables.paths
