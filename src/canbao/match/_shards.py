"""The set logic shard by shard (``canbao match --shards N``), merged back into one piece.

Every result set is keyed by the person (``id_key``), so the prepared household and enrolment
rows are split by an arithmetic hash of the key: a person's household rows and every record
carrying their valid key land in the same shard, and each shard's sets are the sets of its
persons. A row without a valid key (an invalid ID) belongs to no person; it goes to a shard by
its own identity (its row number) and is judged there exactly as in one piece, since a null key
joins nothing. Each shard's linked records and targets are staged in the input's order, then
what the shards added is merged (window by window of row numbers) and read beside the staged
enrolment and household rows, so every later step reads the same frames as in one piece and
writes the same bytes (tests/test_shards.py). The enrolment's own columns are not written
again (canbao.match._linked_rows).

The hash is arithmetic every engine has (an Int64 remainder, no unsigned type, no engine hash):
``key mod (2**31 - 1) mod N``. The Mersenne-prime remainder mixes all seventeen digits of the key,
so the shards come out even where the last digits alone would split by sex.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import polars as pl

from canbao.errors import UsageError
from canbao.i18n import _
from canbao.match import sets
from canbao.match._linked_rows import SplitRecords

# Stages a frame as Parquet and returns a scan of it (canbao.match._staging.stage).
Stage = Callable[[pl.LazyFrame, Path], pl.LazyFrame]
Progress = Callable[[str], None]

KEY_MODULUS: Final = 2**31 - 1
HOUSEHOLD_ROW: Final = "_h_row"
# The staged household and enrolment rows' shard numbers (with_shard), computed once as the
# rows are staged: each shard's filter then compares one byte a row instead of dividing every
# key again (the shards' divisions were 3.8 CPU s more than one piece's at 10 M persons in
# four shards, docs/scale.md).
SHARD: Final = "_shard"
MAX_SHARDS: Final = 64
# Rows merged at a time (canbao.match._shards._merge): about 200 MB of linked records.
WINDOW_ROWS: Final = 1_000_000
# One piece of the province cities peaked at about half its CSV rosters' size
# (docs/scale-measurements.md, eighth round: 10 M persons, 4.1 GB, 2.1 GiB; 30 M, 12.2 GB,
# 5.3 GiB; the first measurement was twice, before the person tables went by batches).
# The automatic choice keeps that estimate, shared among the shards, under a third of the
# memory available at the start. Shards lower the peak less than the share says (30 M in four
# shards: 4.5 GiB), so the estimate errs towards one piece, which is the faster way.
PEAK_PER_INPUT_BYTE: Final = 0.5
MEMORY_SHARE: Final = 3


def shard_of(row: str, shards: int) -> pl.Expr:
    """The shard (0 .. shards-1, Int64) of a row: by its person key, else by its row ``row``."""
    key = pl.col("id_key")
    by_row = pl.col(row).cast(pl.Int64) % shards
    return pl.when(key.is_null()).then(by_row).otherwise(key % KEY_MODULUS % shards)


def with_shard(frame: pl.LazyFrame, row: str | None, shards: int) -> pl.LazyFrame:
    """``frame`` with its rows' shard numbers (:data:`SHARD`, Int8) computed by
    :func:`shard_of`; ``row``: the frame's row-number column (None: the household, numbered
    in its order as :func:`sharded_sets` numbers it). One shard: ``frame`` as it is."""
    if shards == 1:
        return frame
    numbered = frame if row is not None else frame.with_row_index(HOUSEHOLD_ROW)
    shard = shard_of(row or HOUSEHOLD_ROW, shards).cast(pl.Int8).alias(SHARD)
    return numbered.with_columns(shard).drop(HOUSEHOLD_ROW, strict=False)


def _in_shard(frame: pl.LazyFrame, row: str, shard: int, shards: int) -> pl.LazyFrame:
    """The rows of ``frame`` in ``shard``: by their staged shard numbers when ``frame`` has
    them (:func:`with_shard`), else computed from the key and ``row`` (the enrolment after
    ``--apply-links``, whose rewritten keys would make staged numbers stale)."""
    if SHARD in frame.collect_schema().names():
        return frame.filter(pl.col(SHARD) == shard).drop(SHARD)
    return frame.filter(shard_of(row, shards) == shard)


def available_memory() -> int:
    """Bytes of memory available to a new process (MemAvailable), or 0 when unknown."""
    try:
        text = Path("/proc/meminfo").read_text(encoding="ascii")
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def automatic_shards(inputs: Sequence[Path], memory: int | None = None) -> int:
    """The shards that keep a match's estimated peak within a third of the available memory.

    The estimate is :data:`PEAK_PER_INPUT_BYTE` times the size of the roster files; one shard
    when the memory is unknown or the estimate fits.
    """
    memory = available_memory() if memory is None else memory
    size = sum(os.path.getsize(p) for p in inputs if Path(p).is_file())
    if memory <= 0:
        return 1
    wanted = math.ceil(size * PEAK_PER_INPUT_BYTE * MEMORY_SHARE / memory)
    return max(1, min(MAX_SHARDS, wanted))


def shard_count(shards: int | str, inputs: Sequence[Path]) -> int:
    """``--shards``: a whole number from 1 to :data:`MAX_SHARDS`, or ``auto`` (from the inputs)."""
    text = str(shards).strip().lower()
    if text == "auto":
        return automatic_shards(inputs)
    number = int(text) if text.isdigit() else 0
    if not 1 <= number <= MAX_SHARDS:
        raise UsageError(
            _("--shards {value} is not a whole number from 1 to {max} or auto").format(
                value=shards, max=MAX_SHARDS
            ),
            fix=_("give --shards auto (the default) or a whole number from 1 to {max}").format(
                max=MAX_SHARDS
            ),
        )
    return number


def _windows(parts: list[Path], key: str, keep: Sequence[str] | None) -> list[pl.LazyFrame]:
    """The staged parts, each sorted by the row number ``key``, as windows of
    :data:`WINDOW_ROWS` row numbers in ``key`` order: a window's rows are one slice of each
    part (found by a binary search of the part's row numbers), sorted. ``keep``: the columns
    (None: all). One window at least: an empty frame has its columns."""
    scans = [pl.scan_parquet(part) for part in parts]
    scans = scans if keep is None else [scan.select(keep) for scan in scans]
    numbers = [scan.select(key).collect().get_column(key) for scan in scans]
    last = max((int(n[-1]) for n in numbers if n.len()), default=-1)
    windows = []
    for start in range(0, max(last + 1, 1), WINDOW_ROWS):
        pieces = []
        for scan, column in zip(scans, numbers, strict=True):
            low, high = (int(column.search_sorted(at)) for at in (start, start + WINDOW_ROWS))
            pieces.append(scan.slice(low, high - low))
        windows.append(pl.concat(pieces).sort(key))
    return windows


def _merge(
    parts: list[Path], key: str, keep: Sequence[str] | None, stage: Stage, folder: Path
) -> pl.LazyFrame:
    """The staged parts, each sorted by the row number ``key``, as one frame in ``key`` order:
    each window (:func:`_windows`) staged as a file, the frame scans the files in turn. A k-way
    merge of lazy frames (``merge_sorted``) held more memory than one piece at 1 M persons."""
    folder.mkdir()
    files = []
    for window, rows in enumerate(_windows(parts, key, keep)):
        files.append(folder / f"{key}_{window:05d}.parquet")
        stage(rows, files[-1])
    return pl.scan_parquet(files)


# Columns of the linked records that neither the set logic nor the readers of the shards' own
# records (the schemes per person, the keyed counts' parts, the legal groups) read: a shard
# stages the others. The linked records read every column the enrolment has from the staged
# enrolment.
TEXTS_NOT_READ: Final = (
    *("_roster", "_file", "_line", "id_raw", "id_norm", "id_reason", "name", "sex_col"),
    *("id_sex", "id_birth", "birth_col", "link_score"),
)


def _one_shard(
    household: pl.LazyFrame,
    enrolment: pl.LazyFrame,
    columns: Sequence[str],
    stage: Stage,
    paths: tuple[Path, Path],
) -> pl.DataFrame:
    """Stage the sets of one shard's rows at ``paths`` (records in e_row order, targets in
    household order, only what the set logic reads and adds); return its duplicates."""
    link = sets.link_records(enrolment, sets.household_persons(household))
    linked = stage(link.select(c for c in columns if c not in TEXTS_NOT_READ), paths[0])
    assessed = sets.assess_targets(household, sets.coverage(linked))
    have = household.collect_schema().names()
    added = [c for c in assessed.collect_schema().names() if c not in have]
    stage(assessed.select(*added, HOUSEHOLD_ROW), paths[1])
    return sets.duplicates(linked).collect()


def sharded_sets(
    work: Path,
    household: pl.LazyFrame,
    enrolment: pl.LazyFrame,
    *,
    tag: str,
    shards: int,
    columns: Sequence[str],
    stage: Stage,
    progress: Progress,
    linked: Callable[[Sequence[Path]], None] | None = None,
) -> tuple[SplitRecords, pl.LazyFrame, pl.DataFrame, tuple[Path, ...]]:
    """Link and assess shard by shard; the merged linked records, targets and duplicates, and
    the shards' own linked records (each holding every record of its persons).

    The linked records are the staged enrolment beside the files of ``linked{tag}/``: the
    columns the shards added, merged in e_row order
    (:class:`~canbao.match._linked_rows.SplitRecords`); the targets are the household's target rows
    beside the columns the shards added, merged in household order, as one piece stages them.
    The shards' files are under ``shards{tag}/`` in the work folder; ``linked`` is called with
    the shards' linked records (``e_row`` order in each, the set logic's columns) before the
    merge, and they stay until the work folder goes.
    """
    folder = work / f"shards{tag}"
    folder.mkdir(exist_ok=True)
    rows = household.with_row_index(HOUSEHOLD_ROW).with_columns(
        pl.col(HOUSEHOLD_ROW).cast(pl.Int64)
    )
    linked_parts, target_parts, found_parts = [], [], []
    for shard in range(shards):
        progress(
            _("linking records to persons, shard {shard} of {shards}").format(
                shard=shard + 1, shards=shards
            )
        )
        paths = (folder / f"linked_{shard}.parquet", folder / f"targets_{shard}.parquet")
        found = _one_shard(
            _in_shard(rows, HOUSEHOLD_ROW, shard, shards),
            _in_shard(enrolment, "e_row", shard, shards),
            columns,
            stage,
            paths,
        )
        linked_parts.append(paths[0])
        target_parts.append(paths[1])
        found_parts.append(found)
    if linked is not None:
        linked(linked_parts)
    progress(_("merging the {shards} shards").format(shards=shards))
    have = enrolment.collect_schema().names()
    added = [c for c in columns if c not in have]
    merged = _merge(linked_parts, "e_row", [*added, "e_row"], stage, work / f"linked{tag}")
    assessed = _merge(target_parts, HOUSEHOLD_ROW, None, stage, folder / "targets")
    base = household.filter(pl.col("is_target")).select(pl.exclude(SHARD))
    targets = pl.concat([base, assessed.drop(HOUSEHOLD_ROW)], how="horizontal")
    linked_records = SplitRecords(enrolment, merged, tuple(columns))
    found = pl.concat(found_parts, how="vertical")
    return linked_records, targets, found, tuple(linked_parts)
