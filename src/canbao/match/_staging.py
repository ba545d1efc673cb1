"""Staged frames: the prepared and linked rows a match writes to its work folder and reads back.

Every later step of a match scans these Parquet files, which keeps its memory flat; the
settings are chosen for speed (docs/performance.md), since the files live as long as the match.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import polars as pl

from canbao.write_errors import write_failure

__all__ = [
    "STAGING",
    "STAGING_STATISTICS",
    "added_in_memory",
    "stage",
    "stage_added",
    "write_errors",
    "write_staged",
]

# Staged frames are temporary: fast to write beats small on disk (zstd cost 1.7x the time).
STAGING: Final = "uncompressed"
# Nor row-group statistics: the staged rows are in roster order, so min/max of a row group
# lets no later filter skip it, and computing them for every string column cost a third of
# the time of writing the linked records (docs/performance-measurements.md, first round).
STAGING_STATISTICS: Final = False


def stage(frame: pl.LazyFrame, path: Path) -> pl.LazyFrame:
    """Write a prepared frame to the work directory and return a scan of it; a failed write is
    the OutputError naming ``path``."""
    with write_errors(path):
        frame.sink_parquet(path, compression=STAGING, statistics=STAGING_STATISTICS, mkdir=True)
    return pl.scan_parquet(path)


def write_staged(rows: pl.DataFrame, path: Path, where: Path) -> None:
    """Write rows held in memory as a staged file at ``path``; a failed write is the
    OutputError naming ``where`` (the folder of the files being written)."""
    with write_errors(where):
        rows.write_parquet(path, compression=STAGING, statistics=STAGING_STATISTICS)


@contextmanager
def write_errors(where: Path) -> Iterator[None]:
    """A failed write inside the block raised as the OutputError naming ``where``."""
    try:
        yield
    except (OSError, pl.exceptions.PolarsError) as exc:
        failure = write_failure(exc, where)
        if failure is not None:
            raise failure from exc
        raise


def stage_added(work: Path, base: pl.LazyFrame, derived: pl.LazyFrame, name: str) -> pl.LazyFrame:
    """Stage only the columns ``derived`` adds to ``base``; return ``base`` beside them.

    ``derived`` must keep the rows of ``base`` in their order and only add columns (the set
    logic does: order-keeping left joins and with_columns; the examples' golden files would
    change otherwise). For the targets that is 15 narrow columns instead of the household's
    30-odd again. Not for linked records: their readers filter on the link class, and a frame
    beside its added columns is read whole where one file is read only for the kept rows.
    """
    have = set(base.collect_schema().names())
    added = [c for c in derived.collect_schema().names() if c not in have]
    return pl.concat([base, stage(derived.select(added), work / name)], how="horizontal")


def added_in_memory(base: pl.LazyFrame, derived: pl.LazyFrame) -> pl.LazyFrame:
    """``base`` beside the columns ``derived`` adds to it, those collected in memory.

    As :func:`stage_added`, for one piece: the targets' added columns are 15 flags and
    counts, 8.4 MB per million persons, and a scan beside one collected frame is read faster
    than beside a second Parquet file (the person tables' rows: 0.45 against 0.65 CPU-s at
    1 M persons, docs/performance-measurements.md "Fourth round").
    """
    have = set(base.collect_schema().names())
    added = [c for c in derived.collect_schema().names() if c not in have]
    return pl.concat([base, derived.select(added).collect().lazy()], how="horizontal")
