"""A match's snapshot for the registration database: one row per person, set and detail.

``match --db`` records these rows (canbao.db): ``person_key`` (the citizen ID as normalised),
``state`` (:class:`~canbao.match.vocabulary.PersonState`) and ``detail`` (what the set needs to
be read; see PersonState). Each set has one producer below, a Polars plan over the frames the
match already made; :data:`PRODUCERS` lists them. A new set is one more state and one more
producer: the database's tables do not change. Rows without an ID to key them (a blank ID
cell) cannot be followed from month to month and are left out; the result files still list
them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from canbao.match.vocabulary import (
    ExclusionReason,
    PersonState,
    Reason,
    UninsuredFlag,
)
from canbao.roster.kinds import RosterKind

COLUMNS = ("person_key", "state", "detail")
# 人员状态 (as prepare_household maps it) -> why the row is excluded.
EXCLUSIONS = {reason.label: reason.value for reason in ExclusionReason}


@dataclass(frozen=True)
class SnapshotFrames:
    """The match's frames the snapshot reads (all made by the match's stages already)."""

    household: pl.LazyFrame  # every household and floating row, prepared
    targets: pl.LazyFrame  # the target persons with their reasons and flags
    linked: pl.LazyFrame  # the linked enrolment records
    duplicates: pl.DataFrame  # id_key, itype, kind
    conflicts: pl.LazyFrame  # the conflicts table (公民身份号码, 类别代码)
    legal_gaps: pl.DataFrame | None = None  # legal_group_gaps (公民身份号码, 类别代码), if judged


def _rows(frame: pl.LazyFrame, key: pl.Expr, state: PersonState, detail: pl.Expr) -> pl.LazyFrame:
    return frame.select(
        key.cast(pl.String).str.strip_chars().alias("person_key"),
        pl.lit(state.value).alias("state"),
        detail.cast(pl.String).fill_null("").alias("detail"),
    )


def _codes(flags: dict[str, str]) -> pl.Expr:
    """The codes whose flag column is true, joined by ``;`` in declaration order."""
    listed = pl.concat_list(
        [pl.when(pl.col(column)).then(pl.lit(code)) for code, column in flags.items()]
    )
    return listed.list.drop_nulls().list.join(";")


def confirmed(frames: SnapshotFrames) -> pl.LazyFrame:
    """Target persons needing no survey (直接确认登记)."""
    rows = frames.targets.filter(~pl.col("needs_survey"))
    return _rows(rows, pl.col("id_norm"), PersonState.CONFIRMED, pl.lit(""))


def needs_survey(frames: SnapshotFrames) -> pl.LazyFrame:
    """Target persons needing a survey, with their reason codes."""
    reasons = _codes({r.value: r.column for r in Reason})
    rows = frames.targets.filter(pl.col("needs_survey"))
    return _rows(rows, pl.col("id_norm"), PersonState.NEEDS_SURVEY, reasons)


def uninsured(frames: SnapshotFrames) -> pl.LazyFrame:
    """Uninsured target persons (应参未参), with their flag codes."""
    flags = _codes({f.value: f.value for f in UninsuredFlag})
    rows = frames.targets.filter(pl.col(Reason.UNINSURED.column))
    return _rows(rows, pl.col("id_norm"), PersonState.UNINSURED, flags)


def excluded(frames: SnapshotFrames) -> pl.LazyFrame:
    """Household rows that are not targets, with why (died, moved out, cancelled)."""
    why = pl.col("hstatus").replace_strict(EXCLUSIONS, default=pl.col("hstatus"))
    rows = frames.household.filter(~pl.col("is_target"))
    return _rows(rows, pl.col("id_norm"), PersonState.EXCLUDED, why)


def duplicates(frames: SnapshotFrames) -> pl.LazyFrame:
    """Duplicate enrolments, as kind and insurance type (``cross_scheme:1``)."""
    ids = (
        frames.linked.filter(pl.col("id_key").is_not_null())
        .join(frames.duplicates.lazy().select("id_key").unique(), on="id_key", how="semi")
        .group_by("id_key")
        .agg(pl.col("id_norm").min())
    )
    rows = frames.duplicates.lazy().join(ids, on="id_key", how="left")
    detail = pl.format("{}:{}", pl.col("kind"), pl.col("itype"))
    return _rows(rows, pl.col("id_norm"), PersonState.DUPLICATE, detail)


def conflicts(frames: SnapshotFrames) -> pl.LazyFrame:
    """Conflicts (信息错误) by kind, from the conflicts table."""
    rows = frames.conflicts
    return _rows(rows, pl.col("公民身份号码"), PersonState.CONFLICT, pl.col("类别代码"))


def legal_gaps(frames: SnapshotFrames) -> pl.LazyFrame:
    """Legal-group members missing an insurance (法定群体未参保), by the gap's code."""
    if frames.legal_gaps is None:
        return pl.LazyFrame(schema=dict.fromkeys(COLUMNS, pl.String))
    rows = frames.legal_gaps.lazy()
    return _rows(rows, pl.col("公民身份号码"), PersonState.LEGAL_GAP, pl.col("类别代码"))


Producer = Callable[[SnapshotFrames], pl.LazyFrame]
PRODUCERS: dict[PersonState, Producer] = {
    PersonState.CONFIRMED: confirmed,
    PersonState.NEEDS_SURVEY: needs_survey,
    PersonState.UNINSURED: uninsured,
    PersonState.EXCLUDED: excluded,
    PersonState.DUPLICATE: duplicates,
    PersonState.CONFLICT: conflicts,
    PersonState.LEGAL_GAP: legal_gaps,
}


PLACE_COLUMNS = ("person_key", "county", "township", "village")


def person_places(household: pl.LazyFrame) -> pl.DataFrame:
    """Each person's county, township and village as the result files give them, once.

    A person on several household rows (a household and a floating row) takes the place of a
    target row first, then of the household roster, then the first in sort order.
    """
    key = pl.col("id_norm").cast(pl.String).str.strip_chars()
    return (
        household.filter(key.is_not_null() & (key != ""))
        .select(
            key.alias("person_key"),
            *(pl.col(c).cast(pl.String).fill_null("").alias(c) for c in PLACE_COLUMNS[1:]),
            (~pl.col("is_target")).alias("_other"),
            (pl.col("_roster") != RosterKind.HOUSEHOLD.value).alias("_floating"),
        )
        .sort("person_key", "_other", "_floating", *PLACE_COLUMNS[1:])
        .unique("person_key", keep="first", maintain_order=True)
        .select(PLACE_COLUMNS)
        .collect()
    )


def person_states(frames: SnapshotFrames) -> pl.DataFrame:
    """Every (person_key, state, detail) of the match once, rows without an ID left out."""
    plans = [produce(frames) for produce in PRODUCERS.values()]
    return (
        pl.concat(plans, how="vertical")
        .filter(pl.col("person_key").is_not_null() & (pl.col("person_key") != ""))
        .unique()
        .collect()
    )
