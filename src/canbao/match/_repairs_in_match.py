"""Suggested links inside ``canbao match``: propose for every record needing one, apply on ask.

Only enrolment records whose ID is invalid or in no household roster are scored (a small share
of a city), never the whole enrolment. Applying rewrites the ID of the linked records in the
staged enrolment frame (``id_raw``, the ID as written, is kept) and the caller recomputes the sets
from it, so every count and conservation equation follows the repaired data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Final

import polars as pl

from canbao.match.prepare import recheck_ids
from canbao.match.repairs import APPLY_THRESHOLD, apply_links, suggest_links
from canbao.match.sets import INVALID, NOT_IN_HOUSEHOLD

__all__ = [
    "APPLIED_COLUMNS",
    "APPLY_THRESHOLD",
    "Suggestions",
    "apply_to_enrolment",
    "records_by_class",
    "repair_columns",
    "suggest",
    "suggest_for",
]

APPLIED_COLUMNS: Final = ("来源文件", "行号", "记录公民身份号码", "公民身份号码", "得分")
# The link classes of the records the repair step scores.
REPAIRED_CLASSES: Final = (INVALID, NOT_IN_HOUSEHOLD)


@dataclass(frozen=True)
class Suggestions:
    """The records that were scored (with their ``e_row``) and the proposals (LINK_COLUMNS)."""

    records: pl.DataFrame
    links: pl.DataFrame

    @property
    def records_with_links(self) -> int:
        """Records with at least one proposal (a record is its file and line)."""
        return int(self.links.select(pl.struct("来源文件", "行号").n_unique()).item())


def repair_records(linked: pl.LazyFrame) -> pl.DataFrame:
    """The records suggest_links needs to see: invalid and not_in_household ones only."""
    return repair_columns(linked).collect()


def repair_columns(linked: pl.LazyFrame) -> pl.LazyFrame:
    """The invalid and not_in_household records with the columns suggest_links reads."""
    return _record_columns(linked.filter(pl.col("link").is_in(list(REPAIRED_CLASSES))))


def records_by_class(classes: pl.LazyFrame, enrolment: pl.LazyFrame) -> pl.DataFrame:
    """:func:`repair_records` of the linked records that are ``enrolment`` (in ``e_row`` order)
    beside the link classes ``classes`` (``e_row``, ``link``, in any order): a sharded match's
    shards give the classes before their merge (canbao.match._shards)."""
    rows = classes.filter(pl.col("link").is_in(list(REPAIRED_CLASSES))).select("e_row").collect()
    wanted = pl.col("e_row").is_in(rows.get_column("e_row").implode())
    return _record_columns(enrolment.filter(wanted)).collect()


def _record_columns(records: pl.LazyFrame) -> pl.LazyFrame:
    return records.select(
        "e_row",
        "id_raw",
        "id_norm",
        "name",
        pl.col("region").str.slice(0, 6).alias("county"),
        "region",
        # The record's own birth column, already parsed (2017年6月30日 and the like).
        pl.col("birth_col").alias("birth_date"),
        "_file",
        "_line",
    )


def suggest(
    linked: pl.LazyFrame, household: pl.LazyFrame, *, as_of: date, shards: int = 1
) -> Suggestions:
    """Proposals for every invalid or not_in_household record, against valid household IDs
    (``shards``: the household side held in this many parts at a time)."""
    return suggest_for(repair_records(linked), household, as_of=as_of, shards=shards)


def suggest_for(
    records: pl.DataFrame, household: pl.LazyFrame, *, as_of: date, shards: int = 1
) -> Suggestions:
    """:func:`suggest` of the records :func:`repair_records` gives."""
    # The staged names, already folded (name_norm): suggest_links need not fold them again.
    folded = ["name_norm"] if "name_norm" in household.collect_schema() else []
    persons = household.filter(pl.col("id_reason").is_null()).select(
        "id_norm", "name", *folded, "county", pl.col("id_birth").alias("birth")
    )
    if records.height == 0:
        links = suggest_links(records, persons.head(0), as_of=as_of)
    else:
        # The household's rows bound its persons: read from a staged file's metadata, not
        # counted over its IDs again.
        rows = int(household.select(pl.len()).collect().item())
        links = suggest_links(records, persons, as_of=as_of, shards=shards, persons=rows)
    return Suggestions(records, links)


# The columns of a replaced row beside the row it replaces (:func:`_replace_rows`).
_NEW: Final = "__replaced"


def _replace_rows(rows: pl.LazyFrame, old: pl.DataFrame, new: pl.DataFrame) -> pl.LazyFrame:
    """``rows`` with the rows ``old`` (some of them) replaced by ``new`` (the same rows, by
    ``e_row``, as they become), in the order of ``rows``.

    A left join on the few replaced rows, streamed, and each column that a replaced row changes
    taken from the new row where there is one (the others are read through). Before, the kept
    rows and the new ones were concatenated and sorted by ``e_row``: a sort of the whole
    enrolment, which held it all (a match of 10 M persons in four shards with --apply-links
    peaked at 8.5 GiB in that step; docs/scale-measurements.md, tenth round).
    """
    names = rows.collect_schema().names()
    old, new = old.sort("e_row"), new.sort("e_row")  # row beside row, to compare them
    changed = [c for c in names if not old.get_column(c).equals(new.get_column(c))]
    beside = new.select(
        "e_row", pl.lit(True).alias(_NEW), *(pl.col(c).alias(c + _NEW) for c in changed)
    )
    joined = rows.join(beside.lazy(), on="e_row", how="left", maintain_order="left")
    return joined.select(
        pl.when(pl.col(_NEW)).then(pl.col(c + _NEW)).otherwise(pl.col(c)).alias(c)
        if c in changed
        else pl.col(c)
        for c in names
    )


def apply_to_enrolment(
    enrolment: pl.LazyFrame,
    suggestions: Suggestions,
    *,
    min_score: Decimal | int,
    as_of: date,
    path: Path,
) -> pl.DataFrame:
    """Write ``enrolment`` to ``path`` with the unique top links at or above ``min_score`` applied.

    Returns the applied links (APPLIED_COLUMNS). Linked records keep their row number, file,
    line and ``id_raw``; their ID columns are derived from the person's ID and ``link_score``
    is the score.
    """
    frame, _ = apply_links(suggestions.records, suggestions.links, min_score=float(min_score))
    applied = frame.filter(pl.col("linked_id").is_not_null())
    fix = applied.select(
        "e_row",
        pl.col("linked_id").alias("_linked_id"),
        pl.col("link_score").cast(pl.Int64).alias("_link_score"),
    ).lazy()
    # The linked records as they were (few: one per applied link), then as the links make them.
    found = enrolment.join(fix, on="e_row", how="inner").collect()
    fixed = recheck_ids(
        found.lazy().with_columns(
            pl.col("_linked_id").alias("id"), pl.col("_link_score").alias("link_score")
        ),
        as_of=as_of,
    ).drop("_linked_id", "_link_score", "id")
    old = found.drop("_linked_id", "_link_score")
    _replace_rows(enrolment, old, fixed.collect()).sink_parquet(path, compression="uncompressed")
    return applied.sort("_file", "_line", "e_row").select(
        pl.col("_file").alias("来源文件"),
        pl.col("_line").alias("行号"),
        pl.col("id_raw").alias("记录公民身份号码"),
        pl.col("linked_id").alias("公民身份号码"),
        pl.col("link_score").cast(pl.Int64).alias("得分"),
    )
