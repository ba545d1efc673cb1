"""The campaign's result sets, written once against narwhals' lazy API (rules: docs/match.md).

Inputs are the prepared household and enrolment frames (see :mod:`canbao.match.prepare`). The
public functions at the end (the edges) take native lazy frames of any engine narwhals supports
(a Polars LazyFrame, a DuckDB relation, a Spark DataFrame) and return a native frame of the same
engine: narwhals is wrapped on entry (``nw.from_native``) and unwrapped on return
(``nw.to_native``), so callers never convert. The logic between them is written against
``nw.LazyFrame``. Booleans are cast to integers before aggregation, because some engines refuse
boolean sums and maxima; integers are signed, because Spark has no unsigned types.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import narwhals as nw
import polars as pl
from narwhals.typing import IntoLazyFrameT

from canbao.match.vocabulary import ConflictKind, DuplicateKind, LinkClass, Reason, UninsuredFlag

INVALID, LINKED = LinkClass.INVALID.value, LinkClass.LINKED.value
NOT_IN_HOUSEHOLD, NON_LOCAL = LinkClass.NOT_IN_HOUSEHOLD.value, LinkClass.NON_LOCAL.value
PENSION, MEDICAL = "1", "2"
DUPLICATE_KINDS = tuple(DuplicateKind.codes())


def _flag(expr: nw.Expr) -> nw.Expr:
    return expr.fill_null(False).cast(nw.Int8).max()


def _household_persons(household: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """One row per valid household key: alive (any 正常 row), dead (死亡/注销 only) and the name."""
    return (
        household.filter(~nw.col("id_key").is_null())
        .group_by("id_key")
        .agg(
            _flag(nw.col("is_target")).alias("hh_normal"),
            _flag(nw.col("is_dead")).alias("hh_dead_any"),
            nw.col("name_norm").min().alias("hh_name"),
        )
        .with_columns(((nw.col("hh_dead_any") == 1) & (nw.col("hh_normal") == 0)).alias("hh_dead"))
        .drop("hh_dead_any")
    )


def left_join(
    left: nw.LazyFrame[Any], right: nw.LazyFrame[Any], on: list[str]
) -> nw.LazyFrame[Any]:
    """``left`` with the columns of ``right`` where ``on`` matches; on Polars in ``left``'s order.

    ``right`` has at most one row per key (every caller's is grouped by it), so the result has
    ``left``'s rows. The set logic needs no row order, and a lazy engine keeps none. The Polars
    orchestrator does: it stages the targets' added columns beside the household rows by
    position (``_staging.stage_added``) and writes linked records in roster order (the golden
    files show it). narwhals' join has no order option (checked in 2.29), so on Polars, and
    only there, the native join is asked for ``maintain_order="left"``; its streaming engine
    then also probes the right side batch by batch: half the time and 300 MB less at 1 M
    persons than the default plan. Only the key columns go through the join, and ``right``'s
    columns are set beside ``left`` by position: a join gathers every column of its left side,
    and the enrolment records' dozen text columns made that a third of the link's time
    (docs/performance-measurements.md). The engine-neutral alternative, a sort by a row key
    after the join, would add a sort of every record to the Polars path and needs a row key
    that the household rows do not have. Every other engine runs the plain narwhals join, whose
    order is undefined: the rows and values are the same (tests/test_sets_engines.py).
    """
    if left.implementation.is_polars():
        native_left, native_right = left.to_native(), right.to_native()
        added = [c for c in native_right.collect_schema().names() if c not in on]
        beside = native_left.select(on).join(native_right, on=on, how="left", maintain_order="left")
        native = pl.concat([native_left, beside.select(added)], how="horizontal")
        joined: nw.LazyFrame[Any] = nw.from_native(native)
        return joined
    return left.join(right, on=on, how="left")


# A repeated record has these of an earlier record (the lowest e_row) of the same valid ID.
# Joins never match a null key, so the region is keyed with "" for none (cleaning makes "" null).
_REGION_KEY = nw.col("region").fill_null("").alias("_region_key")
_REPEAT_ON = ["_roster", "id_key", "scheme", "_region_key", "estatus"]


def _sharing_a_code(records: nw.LazyFrame[Any], code: str, digits: int) -> nw.LazyFrame[Any]:
    """The records whose person has another record with the same ``code`` (a digit string).

    Most persons have one record per scheme and per insurance type, so this leaves few records
    for the groupings by string columns that follow (a third of their time at 1 M persons).
    The person's 17-digit key and the code make one integer, so a single column is grouped;
    equal keys and codes give equal integers, so no record is missed. Int64, not unsigned
    (Spark has none): a valid ID starts with a province code of at most 83
    (``canbao.ids.PROVINCE_CODES``), so key * 100 + code stays below 8.4e18 < 2**63.
    """
    pair = (nw.col("id_key").cast(nw.Int64) * 10**digits + nw.col(code).cast(nw.Int64)).alias(
        "_pair"
    )
    several = (
        records.select(pair)
        .group_by("_pair")
        .agg(nw.len().alias("_records"))
        .filter(nw.col("_records") > 1)
        .select("_pair")
    )
    if records.implementation.is_polars():
        return _kept_pairs(records, pair, several)
    return records.with_columns(pair).join(several, on="_pair", how="semi").drop("_pair")


def _kept_pairs(
    records: nw.LazyFrame[Any], pair: nw.Expr, several: nw.LazyFrame[Any]
) -> nw.LazyFrame[Any]:
    """On Polars, :func:`_sharing_a_code`'s records by a filter on the pairs, collected first.

    The pairs shared by two records are few (73,334 records of 1.8 M at 1 M persons), and a
    filter on a list of them reaches the Parquet scan of staged records, which then reads the
    other columns of the kept rows alone; the semi join read them for every record (the
    duplicates 0.3 CPU-s at 1 M persons, docs/performance-measurements.md "Fourth round").
    """
    pairs = several.collect(backend="polars").to_native().get_column("_pair").implode()
    kept: nw.LazyFrame[Any] = records.filter(pair.is_in(pairs))
    return kept


def _repeated_rows(enrolment: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """The ``e_row`` of every repeated record (valid ID; not the first record of its key)."""
    valid = enrolment.filter(nw.col("id_reason").is_null())
    candidates = (
        _sharing_a_code(valid, "scheme", 2).with_columns(_REGION_KEY).select("e_row", *_REPEAT_ON)
    )
    first = candidates.group_by(*_REPEAT_ON).agg(nw.col("e_row").min().alias("_first_row"))
    return (
        candidates.join(first, on=_REPEAT_ON)
        .filter(nw.col("e_row") != nw.col("_first_row"))
        .select("e_row", nw.lit(True).alias(ConflictKind.REPEATED_RECORD))
    )


def _link_records(enrolment: nw.LazyFrame[Any], persons: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Give every enrolment record its class: linked, not_in_household, non_local or invalid."""
    # The Int64 key, not the ID text: the same records for valid IDs (the only ones judged) at
    # half the cost of hashing 18-character strings. Only valid IDs: spreadsheet-damaged values
    # such as 3.40603198E+17 collapse many different persons into one string and would look
    # repeated. A join with the few repeated records by row number, not a window over every
    # record (nor a join on the five key columns), keeps the streaming engine streaming.
    joined = left_join(
        left_join(enrolment, persons, ["id_key"]), _repeated_rows(enrolment), ["e_row"]
    )
    return _classified(joined.with_columns(nw.col(ConflictKind.REPEATED_RECORD).fill_null(False)))


def _link_classes(enrolment: nw.LazyFrame[Any], persons: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """:func:`_link_records` without ``repeated_record`` (:func:`_repeated_rows` of its output
    gives those): one read of the enrolment, so it can stream from the rosters themselves."""
    return _classified(left_join(enrolment, persons, ["id_key"]))


def _classified(joined: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """The records joined to their persons, with link class, name and deceased conflicts."""
    link = (
        nw.when(~nw.col("id_reason").is_null())
        .then(nw.lit(INVALID))
        .when(~nw.col("hh_normal").is_null())
        .then(nw.lit(LINKED))
        # By the ID's own region code, not the record's region (docs/match.md "The area"): a
        # city's exports are insured in the city, so the record's region would make every
        # migrant a conflict.
        .when(nw.col("id_in_area"))
        .then(nw.lit(NOT_IN_HOUSEHOLD))
        .otherwise(nw.lit(NON_LOCAL))
    )
    return joined.with_columns(link.alias("link")).with_columns(
        (
            (nw.col("link") == LINKED)
            & ~nw.col("name_norm").is_null()
            & ~nw.col("hh_name").is_null()
            & (nw.col("name_norm") != nw.col("hh_name"))
        ).alias(ConflictKind.NAME_MISMATCH),
        ((nw.col("link") == LINKED) & nw.col("active") & nw.col("hh_dead").fill_null(False)).alias(
            ConflictKind.DECEASED_ENROLLED
        ),
    )


def _coverage(linked: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Per person key: active / suspended pension and medical records, any active, conflicts."""
    records = linked.filter(nw.col("link") == LINKED)
    is_pension, is_medical = nw.col("itype") == PENSION, nw.col("itype") == MEDICAL
    suspended = nw.col("estatus") == "suspended"
    return records.group_by("id_key").agg(
        _flag(is_pension & nw.col("active")).alias("p_active"),
        _flag(is_medical & nw.col("active")).alias("m_active"),
        _flag(is_pension & suspended).alias("p_suspended"),
        _flag(is_medical & suspended).alias("m_suspended"),
        _flag(nw.col("active")).alias("any_active"),
        _flag(
            nw.col(ConflictKind.NAME_MISMATCH)
            | nw.col(ConflictKind.SEX_MISMATCH)
            | nw.col(ConflictKind.BIRTH_MISMATCH)
        ).alias("record_conflict"),
    )


def _assess_targets(household: nw.LazyFrame[Any], cover: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Target persons with their uninsured flags and survey reasons (one row per household row)."""
    zero = ["p_active", "m_active", "p_suspended", "m_suspended", "any_active", "record_conflict"]
    targets = left_join(household.filter(nw.col("is_target")), cover, ["id_key"]).with_columns(
        *(nw.col(c).fill_null(0) for c in zero)
    )
    # A person whose household ID is invalid cannot be linked to any record: their coverage is
    # unknown, so they go to the survey for the ID and are not counted as uninsured.
    assessed = nw.col("id_reason").is_null()
    missing_p = assessed & nw.col("requires_pension") & (nw.col("p_active") == 0)
    missing_m = assessed & (nw.col("m_active") == 0)
    flagged = targets.with_columns(
        missing_p.alias(UninsuredFlag.MISSING_PENSION),
        missing_m.alias(UninsuredFlag.MISSING_MEDICAL),
        (
            (missing_p & (nw.col("p_suspended") == 1)) | (missing_m & (nw.col("m_suspended") == 1))
        ).alias(UninsuredFlag.INTERRUPTED),
        (assessed & (nw.col("any_active") == 0)).alias(UninsuredFlag.NO_INSURANCE),
    )
    return flagged.with_columns(
        (nw.col(UninsuredFlag.MISSING_PENSION) | nw.col(UninsuredFlag.MISSING_MEDICAL)).alias(
            Reason.UNINSURED.column
        ),
        (
            (nw.col("record_conflict") == 1)
            | nw.col(ConflictKind.SEX_MISMATCH)
            | nw.col(ConflictKind.BIRTH_MISMATCH)
        ).alias(Reason.CONFLICT.column),
        (~assessed).alias(Reason.INVALID_ID.column),
        nw.col(Reason.INFO_MISSING).alias(Reason.INFO_MISSING.column),
    ).with_columns(
        (
            nw.col(Reason.UNINSURED.column)
            | nw.col(Reason.CONFLICT.column)
            | nw.col(Reason.INVALID_ID.column)
            | nw.col(Reason.INFO_MISSING.column)
        ).alias("needs_survey")
    )


def _duplicates(linked: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Rows (id_key, itype, kind) for every duplicate enrolment, over valid-ID records anywhere."""
    active = linked.filter(
        ~nw.col("id_key").is_null() & nw.col("active") & nw.col("itype").is_in([PENSION, MEDICAL])
    )
    # A duplicate needs two active records of one person and insurance type.
    valid = _sharing_a_code(active, "itype", 1)
    found = []
    for benefit in (False, True):
        records = valid.filter(nw.col("estatus") == "receiving") if benefit else valid
        cross_scheme, cross_region = DuplicateKind.pair(benefit=benefit)
        schemes = (
            records.group_by("id_key", "itype")
            .agg(nw.col("scheme").n_unique().alias("n"))
            .filter(nw.col("n") >= 2)
            .select("id_key", "itype", nw.lit(cross_scheme.value).alias("kind"))
        )
        regions = (
            records.filter(~nw.col("region").is_null())
            .group_by("id_key", "itype", "scheme")
            .agg(nw.col("region").n_unique().alias("n"))
            .filter(nw.col("n") >= 2)
            .select("id_key", "itype", nw.lit(cross_region.value).alias("kind"))
            .unique(["id_key", "itype", "kind"])
        )
        found += [schemes, regions]
    return nw.concat(found, how="vertical")


# The edges: native frames in, native frames of the same engine out.


def _on_native(step: Callable[..., nw.LazyFrame[Any]], *frames: IntoLazyFrameT) -> IntoLazyFrameT:
    """``step`` on the narwhals frames of ``frames``, unwrapped to the native frame it gives."""
    result: IntoLazyFrameT = step(*(nw.from_native(frame) for frame in frames)).to_native()
    return result


def household_persons(household: IntoLazyFrameT) -> IntoLazyFrameT:
    """One row per valid household key: alive (any 正常 row), dead (死亡/注销 only) and the name."""
    return _on_native(_household_persons, household)


def link_records(enrolment: IntoLazyFrameT, persons: IntoLazyFrameT) -> IntoLazyFrameT:
    """Every enrolment record with its link class; ``persons`` from :func:`household_persons`."""
    return _on_native(_link_records, enrolment, persons)


def link_classes(enrolment: IntoLazyFrameT, persons: IntoLazyFrameT) -> IntoLazyFrameT:
    """:func:`link_records` without ``repeated_record``; :func:`repeated_rows` of it adds them."""
    return _on_native(_link_classes, enrolment, persons)


def repeated_rows(records: IntoLazyFrameT) -> IntoLazyFrameT:
    """``e_row`` (and ``repeated_record``, true) of the repeated records among ``records``."""
    return _on_native(_repeated_rows, records)


def coverage(linked: IntoLazyFrameT) -> IntoLazyFrameT:
    """Per person key, what the linked records (of :func:`link_records`) cover."""
    return _on_native(_coverage, linked)


def assess_targets(household: IntoLazyFrameT, cover: IntoLazyFrameT) -> IntoLazyFrameT:
    """Target persons with their flags and survey reasons; ``cover`` from :func:`coverage`."""
    return _on_native(_assess_targets, household, cover)


def duplicates(linked: IntoLazyFrameT) -> IntoLazyFrameT:
    """Rows (id_key, itype, kind) for every duplicate enrolment in the linked records."""
    return _on_native(_duplicates, linked)
