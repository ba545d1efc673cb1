"""Keyed counts: the small frames that the summary, its conservation checks and the tables count.

Every count a match reports (the summary, its conservation equations, the task table, the
national basic data tables and their logic relations) is a sum over a few small frames: the
result sets grouped by the keys the counts read (county, roster, link class, flags, scheme
groups) with the number of rows (or distinct persons) of each key in ``n``. They are computed
here once, with narwhals, the same code on every engine (a Polars match hands its staged frames,
a Spark match its DataFrames, docs/engines.md), and collected as Polars frames of a few hundred
rows; the Polars code of :mod:`canbao.match.tables`, :mod:`canbao.match.coverage` and
:mod:`canbao.match._summary_counts` sums them. So both engines report the same counts by
construction, and no count depends on the order of rows.

A sharded match (``parts`` > 1) counts the targets and the duplicates in parts of persons (the
person key's shard, :func:`in_part`) and sums them: a person is in one part, so every count,
distinct persons included, is the sum of the parts' counts. The joins of those two counts
held their inputs whole (the engine buffers both sides to choose which one to hash): at 10 M
persons 0.8 GB each over the step's start, now a part's share (docs/scale-measurements.md,
seventh round).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any, Final, Literal

import narwhals as nw
import polars as pl
from narwhals.typing import IntoLazyFrame

from canbao.match._shards import KEY_MODULUS
from canbao.match.present import SCHEME_BITS
from canbao.match.vocabulary import ConflictKind, LinkClass, Reason, UninsuredFlag

N: Final = "n"
# The scheme groups the national tables count, each a set of scheme codes (人社厅发〔2017〕28号).
SCHEME_GROUPS: Final = {
    "e_pension": ["11", "13"],
    "e_medical": ["21", "24"],
    "injury": ["30"],
    "unemployment": ["40"],
    "maternity": ["50"],
    "r_pension": ["12"],
    "r_medical": ["22"],
    "ncms": ["23"],
    "other_scheme": ["14", "15", "25", "26"],
}
# What a target person is counted by: place, roster, survey, coverage, flags, scheme groups.
TARGET_KEYS: Final = (
    *("county", "_roster", "needs_survey", Reason.UNINSURED.column, *UninsuredFlag.codes()),
    *("requires_pension", "is_target", "p_active", "m_active", "local_active", *SCHEME_GROUPS),
)
# The household rows' conflicts (the conflicts table lists them) beside the rows per file.
HOUSEHOLD_KEYS: Final = (
    *("_file", "_roster", "is_target", "id_invalid"),
    *(ConflictKind.SEX_MISMATCH.value, ConflictKind.BIRTH_MISMATCH.value),
)
# The enrolment records' conflicts that are flags of their own (columns named as the kind).
RECORD_FLAGS: Final = (
    ConflictKind.NAME_MISMATCH,
    ConflictKind.SEX_MISMATCH,
    ConflictKind.BIRTH_MISMATCH,
    ConflictKind.DECEASED_ENROLLED,
    ConflictKind.REPEATED_RECORD,
)
RECORD_KEYS: Final = ("_file", "link", *(k.value for k in RECORD_FLAGS))


@dataclass(frozen=True)
class KeyedCounts:
    """The keyed counts of one match, each a Polars frame with its keys and ``n`` (Int64).

    - ``targets``: target persons per :data:`TARGET_KEYS`;
    - ``household``: household and floating rows per :data:`HOUSEHOLD_KEYS` (``id_invalid``: the
      ID is invalid);
    - ``records``: enrolment records per :data:`RECORD_KEYS`;
    - ``outsiders``: distinct non-local persons insured here (active, in the area) per county
      of their record's region;
    - ``duplicates``: distinct persons per county, insurance type and duplicate kind (a target
      person in their county, anyone else in that of their active records, see
      :func:`canbao.match.tables.duplicate_counts`);
    - ``duplicate_kinds``: distinct persons per duplicate kind, whatever the insurance type.
    """

    targets: pl.DataFrame
    household: pl.DataFrame
    records: pl.DataFrame
    outsiders: pl.DataFrame
    duplicates: pl.DataFrame
    duplicate_kinds: pl.DataFrame


def in_part(frame: nw.LazyFrame[Any], part: int, parts: int) -> nw.LazyFrame[Any]:
    """The rows of ``frame`` whose person key is in ``part`` of ``parts`` (the key's shard,
    :func:`canbao.match._shards.shard_of`); the rows without a key are in part 0."""
    shard = (nw.col("id_key") % KEY_MODULUS % parts).fill_null(0)
    return frame.filter(shard == part)


def summed(pieces: list[pl.DataFrame]) -> pl.DataFrame:
    """The keyed counts of disjoint parts added up per key (the keys of the first piece)."""
    keys = [c for c in pieces[0].columns if c != N]
    return pl.concat(pieces, how="vertical").group_by(keys).agg(pl.col(N).sum())


def _plain(
    left: nw.LazyFrame[Any], right: nw.LazyFrame[Any], on: str, how: Literal["left", "semi"]
) -> nw.LazyFrame[Any]:
    return left.join(right, on=on, how=how)


def _join(
    left: nw.LazyFrame[Any], right: nw.LazyFrame[Any], on: str, how: Literal["left", "semi"]
) -> nw.LazyFrame[Any]:
    """``left`` joined to ``right`` (one part's, see the module), hashing ``right``: Polars'
    streaming join otherwise buffers both sides whole to choose the side to hash."""
    if not left.implementation.is_polars():
        return left.join(right, on=on, how=how)
    native = left.to_native().join(right.to_native(), on=on, how=how, build_side="force_right")
    joined: nw.LazyFrame[Any] = nw.from_native(native)
    return joined


Join = Callable[[nw.LazyFrame[Any], nw.LazyFrame[Any], str, Literal["left", "semi"]], Any]


def counted(condition: pl.Expr) -> pl.Expr:
    """The number of counted rows (persons, records) for which ``condition`` holds."""
    return pl.col(N).filter(condition).sum()


def _collect(frame: nw.LazyFrame[Any]) -> pl.DataFrame:
    out: pl.DataFrame = frame.collect(backend="polars").to_native()
    return out.with_columns(pl.col(N).cast(pl.Int64))


def _count(frame: nw.LazyFrame[Any], keys: tuple[str, ...] | list[str]) -> pl.DataFrame:
    return _collect(frame.group_by(*keys).agg(nw.len().alias(N)))


def _any_bit(codes: list[str]) -> nw.Expr:
    """Whether the person's scheme mask has the bit of any of ``codes``."""
    bits = [(nw.col("mask") // SCHEME_BITS[c]) % 2 == 1 for c in codes]
    return reduce(lambda a, b: a | b, bits)


def _targets(
    targets: nw.LazyFrame[Any], schemes: nw.LazyFrame[Any], join: Join = _plain
) -> pl.DataFrame:
    """Target persons per :data:`TARGET_KEYS`, with their scheme groups from ``schemes``."""
    groups = [_any_bit(codes).alias(name) for name, codes in SCHEME_GROUPS.items()]
    by_key = schemes.select("id_key", "local_active", *groups)
    flags = ["local_active", *SCHEME_GROUPS]
    persons = targets.select("id_key", *(k for k in TARGET_KEYS if k not in flags))
    joined: nw.LazyFrame[Any] = join(persons, by_key, "id_key", "left")
    return _count(joined.with_columns(nw.col(f).fill_null(False) for f in flags), TARGET_KEYS)


def _household(household: nw.LazyFrame[Any]) -> pl.DataFrame:
    invalid = (~nw.col("id_reason").is_null()).alias("id_invalid")
    return _count(household.with_columns(invalid), HOUSEHOLD_KEYS)


def _records(linked: nw.LazyFrame[Any]) -> pl.DataFrame:
    return _count(linked, RECORD_KEYS)


def _kinds(found: nw.LazyFrame[Any]) -> pl.DataFrame:
    """Distinct persons per duplicate kind."""
    return _count(found.select("id_key", "kind").unique(["id_key", "kind"]), ["kind"])


def _outsiders(linked: nw.LazyFrame[Any]) -> pl.DataFrame:
    """Distinct non-local persons insured here (active, in the area) per county of the region."""
    here = (nw.col("link") == LinkClass.NON_LOCAL.value) & nw.col("active") & nw.col("in_area")
    persons = linked.filter(here).select(nw.col("region").str.slice(0, 6).alias("county"), "id_key")
    return _count(persons.unique(["county", "id_key"]), ["county"])


def _duplicates(
    targets: nw.LazyFrame[Any],
    linked: nw.LazyFrame[Any],
    found: nw.LazyFrame[Any],
    join: Join = _plain,
) -> pl.DataFrame:
    """Persons per county, insurance type and kind (tables.duplicate_counts has the rule)."""
    # Only the persons with a duplicate (a few per thousand) are grouped, not the whole city.
    keys = found.select("id_key").unique(["id_key"])
    home = (
        join(targets, keys, "id_key", "semi")
        .group_by("id_key")
        .agg(nw.col("county").min().alias("_home"))
    )
    active = ~nw.col("id_key").is_null() & nw.col("active") & nw.col("in_area")
    insured = (
        join(linked.filter(active), keys, "id_key", "semi")
        .select("id_key", "itype", nw.col("region").str.slice(0, 6).alias("_region"))
        .group_by("id_key", "itype")
        .agg(nw.col("_region").min().alias("_insured"))
    )
    per_person = (
        found.unique(["id_key", "itype", "kind"])
        .join(home, on="id_key", how="left")
        .join(insured, on=["id_key", "itype"], how="left")
        .with_columns(nw.coalesce("_home", "_insured").alias("county"))
    )
    return _count(per_person, ["county", "itype", "kind"])


def scheme_masks(linked: IntoLazyFrame) -> IntoLazyFrame:
    """Per person key with an active linked record: the scheme codes as bits of
    :data:`~canbao.match.present.SCHEME_BITS` (``mask``) and whether one is in the area
    (``local_active``): :func:`~canbao.match.present.current_schemes` on any engine."""
    frame = nw.from_native(linked)
    active = frame.filter((nw.col("link") == LinkClass.LINKED.value) & nw.col("active"))
    codes = list(SCHEME_BITS)
    flags = [(nw.col("scheme") == c).fill_null(False).cast(nw.Int8).max().alias(c) for c in codes]
    local = nw.col("in_area").fill_null(False).cast(nw.Int8).max().alias("_local")
    masks = active.group_by("id_key").agg(*flags, local)
    mask = reduce(lambda a, b: a + b, (nw.col(c).cast(nw.Int64) * SCHEME_BITS[c] for c in codes))
    out = masks.select("id_key", mask.alias("mask"), (nw.col("_local") == 1).alias("local_active"))
    result: IntoLazyFrame = out.to_native()
    return result


def keyed_counts(
    household: IntoLazyFrame,
    linked: IntoLazyFrame,
    targets: IntoLazyFrame,
    duplicates: IntoLazyFrame,
    schemes: IntoLazyFrame,
    *,
    parts: int = 1,
    linked_parts: Sequence[IntoLazyFrame] = (),
) -> KeyedCounts:
    """The keyed counts of a match, from native frames of one engine (see :class:`KeyedCounts`).

    ``schemes``: :func:`~canbao.match.present.current_schemes` (Polars) or
    :func:`scheme_masks` of ``linked`` (any engine): ``id_key``, ``mask``, ``local_active``.
    ``parts``: the targets and duplicates are counted in that many parts of persons and summed
    (a sharded match: its shards; the same counts, see the module). ``linked_parts``: a
    sharded match's shards' own linked records, one per part, each every record of the part's
    persons (:func:`in_part` is the shard of a valid key): a part's records are read from its
    file, not filtered out of ``linked`` once per part.
    """
    h, lk, t, d, s = (nw.from_native(f) for f in (household, linked, targets, duplicates, schemes))
    if linked_parts and len(linked_parts) != parts:
        raise ValueError(f"{len(linked_parts)} linked parts for {parts} parts")
    if parts == 1:
        per_person = _targets(t, s), _duplicates(t, lk, d)
    else:
        shards = [nw.from_native(f) for f in linked_parts]
        per_person = _in_parts(t, lk, d, s, parts, shards)
    return KeyedCounts(
        targets=per_person[0],
        household=_household(h),
        records=_records(lk),
        outsiders=_outsiders(lk),
        duplicates=per_person[1],
        duplicate_kinds=_kinds(d),
    )


def _in_parts(
    targets: nw.LazyFrame[Any],
    linked: nw.LazyFrame[Any],
    found: nw.LazyFrame[Any],
    schemes: nw.LazyFrame[Any],
    parts: int,
    shards: Sequence[nw.LazyFrame[Any]] = (),
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The counts of the targets and the duplicates, part by part of persons, summed; a part's
    records from ``shards`` when given (the duplicates read only records with a valid key,
    which are in the part of their key's shard)."""
    counts: tuple[list[pl.DataFrame], list[pl.DataFrame]] = ([], [])
    for part in range(parts):
        persons = in_part(targets, part, parts)
        counts[0].append(_targets(persons, in_part(schemes, part, parts), _join))
        records = shards[part] if shards else in_part(linked, part, parts)
        duplicates = in_part(found, part, parts)
        counts[1].append(_duplicates(persons, records, duplicates, _join))
    return summed(counts[0]), summed(counts[1])


def record_counts(linked: IntoLazyFrame) -> pl.DataFrame:
    """The enrolment records per :data:`RECORD_KEYS` (:attr:`KeyedCounts.records`)."""
    return _count(nw.from_native(linked), RECORD_KEYS)
