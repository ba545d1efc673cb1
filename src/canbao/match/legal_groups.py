"""Legal-group gaps (法定群体未参保): persons the rule says should have work-injury, unemployment
or maternity cover and have none of that type (docs/match.md, "Legal groups").

A set of its own, beside the uninsured: the employer answers for it (单位未予参保), so it makes
nobody uninsured and sends nobody to the household survey. A kind whose roster was not given is
not judged. Everything is a Polars expression over the staged targets and linked records.

The group is judged in parts of at most :data:`PART_PERSONS` persons (split by the person key
as :mod:`canbao.match._shards` splits, whatever the match's shards), each part's members
streamed and collected alone and narrow (target row, sex, employer, retirement age, coverage),
so only a part's members and the gap rows are held; the person columns are read for the gap
rows alone, which are sorted by place, ID, kind and then target row, so any parts write the
same files (tests/test_legal_groups_example.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Final

import polars as pl

from canbao.i18n import _
from canbao.match._shards import KEY_MODULUS
from canbao.match.legal_rule import LegalRule, clip_month
from canbao.match.present import PERSON_COLUMNS, PERSON_ROSTER_LABELS, labelled
from canbao.match.summary_model import Equation, LegalGroupsSummary
from canbao.match.vocabulary import LegalKind, LinkClass
from canbao.match.writers import OutputFormat, write_tables

# The survey roster's person columns (present.PERSON_COLUMNS), then the employer and the gap.
_PERSON = ("county", "township", "village", "person_number", "name", "sex_out", "id_norm")
GAP_COLUMNS = {
    **{c: PERSON_COLUMNS[c] for c in (*_PERSON, "birth_out", "roster_out")},
    "employer": "单位编号",
    "retire_at": "法定退休年龄",
    "kind": "类别代码",
    "kind_label": "类别",
}
UNIT_FILE, GAP_FILE = "legal_group_units", "legal_group_gaps"
NOT_JUDGED = "未提供名册，不判断 (no roster given: not judged)"
# Persons judged at a time (:func:`parts_for`). A part holds its members, about 20 MB per
# million persons, and reads the targets and linked records again: at 10 M persons one pass
# peaked 90-190 MiB above four parts and took 2.1 CPU s less (docs/scale-measurements.md,
# sixteenth round), so a part is as large as that memory allows, not one per shard.
PART_PERSONS: Final = 25_000_000
# The target row of a member: the last sort key of the gap rows (one piece's order).
ROW = "_t"


@dataclass(frozen=True)
class LegalGaps:
    """What the rule found: the gap rows, per county and per employer, and the summary part."""

    gaps: pl.DataFrame  # one row per person and missing kind, with the official headings
    per_county: pl.DataFrame | None  # county + a column per judged kind; None: nothing judged
    per_unit: pl.DataFrame
    summary: LegalGroupsSummary
    equations: list[Equation]
    written: dict[str, Path] = field(default_factory=dict)


def _flag(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(False).any()


def members(
    targets: pl.LazyFrame, linked: pl.LazyFrame, rule: LegalRule, as_of: date
) -> pl.LazyFrame:
    """Target rows in the legal group (their row ``_t`` in ``targets``), with their sex, employer,
    retirement age and coverage."""
    records = linked.filter(pl.col("link") == LinkClass.LINKED.value)
    employee = (
        records.filter(
            pl.col("scheme").is_in(rule.schemes) & pl.col("estatus").is_in(rule.statuses)
        )
        .group_by("id_key")
        # One employer per person: of the records naming one, the lowest scheme, then code.
        .agg(pl.col("employer_code").sort_by("scheme", "employer_code").drop_nulls().first())
        .rename({"employer_code": "employer"})
    )
    covered = (
        records.filter(pl.col("active") & pl.col("itype").is_in([k.itype for k in LegalKind]))
        .group_by("id_key")
        .agg(*(_flag(pl.col("itype") == k.itype).alias(f"has_{k.value}") for k in LegalKind))
    )
    birth = pl.coalesce(pl.col("id_birth"), pl.col("birth_col"))
    born_month = birth.dt.year().cast(pl.Int32) * 12 + birth.dt.month().cast(pl.Int32) - 1
    # Age in full months on the as-of date: the day of the month reached counts as reached.
    as_of_month = as_of.year * 12 + as_of.month - 1
    age_months = (
        pl.lit(as_of_month, pl.Int32) - born_month - (birth.dt.day() > as_of.day).cast(pl.Int32)
    )
    ages = rule.retirement_table().lazy()
    return (
        targets.filter(pl.col("id_key").is_not_null())
        .join(employee, on="id_key", how="inner")
        .with_columns(
            sex_out=pl.coalesce(pl.col("id_sex"), pl.col("sex_col")),
            birth_month=clip_month(born_month, rule),
            age_months=age_months,
        )
        .join(ages, left_on=["sex_out", "birth_month"], right_on=["sex", "birth_month"], how="left")
        .filter(pl.col("age_months") < pl.col("retire_months"))
        .join(covered, on="id_key", how="left")
        .with_columns(pl.col(f"has_{k.value}").fill_null(False) for k in LegalKind)
        # Narrow: the members are collected; the gap rows' person columns are looked up after.
        .select(ROW, "sex_out", "employer", "retire_months", *(f"has_{k.value}" for k in LegalKind))
    )


def judge(
    rosters: Mapping[str, Sequence[object]],
    targets: pl.LazyFrame,
    linked: pl.LazyFrame,
    rule: LegalRule | None,
    *,
    as_of: date,
    fmt: OutputFormat,
    out: Path,
    progress: Callable[[str], None],
    insured_units: pl.LazyFrame | None = None,
    persons: int = 0,
    judged_by: Callable[[list[str]], LegalGaps] | None = None,
) -> LegalGaps:
    """The legal-group stage of a match: judge the kinds whose roster was given, write the files.

    With the rule switched off (``rule`` None) nothing is judged and nothing written. With the
    insured units' roster, the unit follow-up names each employer (:func:`name_units`).
    ``persons``: the household's rows, which set the parts judged (:func:`parts_for`; 0: one
    part). ``judged_by``: what judges the persons, given the roster kinds given, instead of
    :func:`assess` over ``targets`` and ``linked`` (a Spark match judges on its workers).
    """
    if rule is None:
        empty = pl.DataFrame()
        return LegalGaps(empty, None, empty, LegalGroupsSummary.off(), [])
    progress(_("judging the legal groups of injury, unemployment and maternity"))
    given = [str(kind) for kind, items in rosters.items() if items]
    if judged_by is None:
        parts = parts_for(persons)
        found = assess(targets, linked, rule, given=given, as_of=as_of, parts=parts)
    else:
        found = judged_by(given)
    if insured_units is not None:
        found = replace(found, per_unit=name_units(found.per_unit, insured_units))
    written = write_tables({GAP_FILE: found.gaps, UNIT_FILE: found.per_unit}, out, fmt)
    return replace(found, written=written)


@dataclass(frozen=True)
class Part:
    """One shard's members counted: how many, how many have each kind, and the gap rows."""

    persons: int
    covered: dict[LegalKind, int]
    long: pl.DataFrame  # a row per member and missing judged kind, with its rank ``_rank``


def _judge_part(group: pl.LazyFrame, judged: list[LegalKind]) -> Part:
    """Collect one shard's members (streamed) and keep their counts and gap rows."""
    members_ = group.collect(engine="streaming")
    rows = [
        members_.filter(~pl.col(f"has_{k.value}"))
        .select(ROW, "sex_out", "employer", "retire_months")
        .with_columns(kind=pl.lit(k.gap.value), kind_label=pl.lit(k.gap.label), _rank=pl.lit(i))
        for i, k in enumerate(judged)
    ]
    long = (
        pl.concat(rows)
        if rows
        else members_.select(ROW, "sex_out", "employer", "retire_months")
        .clear()
        .with_columns(
            kind=pl.lit(None, pl.String), kind_label=pl.lit(None, pl.String), _rank=pl.lit(0)
        )
    )
    covered = {k: int(members_.get_column(f"has_{k.value}").sum()) for k in judged}
    return Part(members_.height, covered, long)


def assess(
    targets: pl.LazyFrame,
    linked: pl.LazyFrame,
    rule: LegalRule,
    *,
    given: Collection[str],
    as_of: date,
    parts: int = 1,
) -> LegalGaps:
    """Judge every kind the rule requires whose roster was ``given`` (roster kinds), in
    ``parts`` parts of the persons (split by the key, as the shards are)."""
    judged = judged_kinds(rule, given)
    indexed = targets.with_row_index(ROW)
    found = []
    for part in range(parts):
        # One part: no division (members() drops the keyless targets either way).
        mine = pl.lit(True) if parts == 1 else pl.col("id_key") % KEY_MODULUS % parts == part
        found.append(judge_part(indexed.filter(mine), linked.filter(mine), rule, as_of, judged))
    long = with_persons(pl.concat([part.long for part in found]), indexed)
    return combine(found, long, rule, judged)


def parts_for(persons: int) -> int:
    """The parts the legal groups of ``persons`` persons are judged in (:data:`PART_PERSONS`)."""
    return max(1, -(-persons // PART_PERSONS))


def judged_kinds(rule: LegalRule, given: Collection[str]) -> list[LegalKind]:
    """The kinds the rule requires whose roster was given (roster kinds)."""
    return [k for k in rule.requires if k.value in given]


def judge_part(
    indexed: pl.LazyFrame,
    linked: pl.LazyFrame,
    rule: LegalRule,
    as_of: date,
    judged: list[LegalKind],
) -> Part:
    """The members of one part of the persons (``indexed``: their target rows with ``_t``, the
    rows' place; ``linked``: their records), counted, and their gap rows (without the person
    columns: :func:`with_persons`)."""
    return _judge_part(members(indexed, linked, rule, as_of), judged)


def combine(
    parts: Sequence[Part], long: pl.DataFrame, rule: LegalRule, judged: list[LegalKind]
) -> LegalGaps:
    """What the rule found, from the parts' counts and all their gap rows with the person
    columns (``long``)."""
    persons = sum(part.persons for part in parts)
    covered = {k: sum(part.covered[k] for part in parts) for k in judged}
    gaps = _gap_rows(long)
    counts = {k: int(gaps.filter(pl.col("类别代码") == k.gap.value).height) for k in judged}
    summary = LegalGroupsSummary(
        rule=rule.name,
        judged=judged,
        not_judged={k: NOT_JUDGED for k in rule.requires if k not in judged},
        persons=persons,
        gap_persons=int(gaps.get_column("公民身份号码").n_unique()) if judged else 0,
        **{k.gap.value: counts.get(k) for k in LegalKind},
    )
    equations = [
        Equation.of(
            f"legal_group = has_{k.value} + {k.gap.value}",
            persons,
            covered[k] + counts[k],
            **{f"has_{k.value}": covered[k], k.gap.value: counts[k]},
        )
        for k in judged
    ]
    return LegalGaps(gaps, _per_county(gaps, judged), _per_unit(gaps, judged), summary, equations)


# The target columns a gap row shows besides what :func:`members` gives.
_LOOKED_UP = (*_PERSON[:5], "id_norm", "id_birth", "birth_col", "_roster")


def with_persons(long: pl.DataFrame, indexed: pl.LazyFrame) -> pl.DataFrame:
    """The gap rows beside their persons' columns, read from the targets for those rows only."""
    rows = long.get_column(ROW).unique()
    persons = (
        indexed.filter(pl.col(ROW).is_in(rows.implode()))
        .select(ROW, *_LOOKED_UP)
        .collect(engine="streaming")
    )
    return long.join(persons, on=ROW, how="left")


def _gap_rows(long: pl.DataFrame) -> pl.DataFrame:
    """The gap rows as written: official headings, sorted by place, ID, kind and target row."""
    retire = pl.format(
        "{}岁{}个月", pl.col("retire_months") // 12, pl.col("retire_months") % 12
    ).str.replace("岁0个月", "岁", literal=True)
    return (
        long.with_columns(
            birth_out=pl.coalesce(pl.col("id_birth"), pl.col("birth_col")).dt.to_string("%Y-%m-%d"),
            roster_out=labelled("_roster", PERSON_ROSTER_LABELS),
            retire_at=retire,
        )
        .sort(
            "county",
            "township",
            "village",
            "id_norm",
            "_rank",
            ROW,
            nulls_last=True,
        )
        .select(*(pl.col(src).alias(dst) for src, dst in GAP_COLUMNS.items()))
    )


def _wide(gaps: pl.DataFrame, key: str, judged: list[LegalKind], name: str) -> pl.DataFrame:
    """Persons per ``key`` and kind, a column per judged kind, with the persons having any gap."""
    return (
        gaps.group_by(key)
        .agg(
            pl.col("公民身份号码").n_unique().cast(pl.Int64).alias(name),
            *(
                (pl.col("类别代码") == k.gap.value).sum().cast(pl.Int64).alias(k.gap.column)
                for k in judged
            ),
        )
        .sort(key, nulls_last=True)
    )


def _per_county(gaps: pl.DataFrame, judged: list[LegalKind]) -> pl.DataFrame | None:
    if not judged:
        return None
    return _wide(gaps, "县区", judged, "_persons").drop("_persons").rename({"县区": "county"})


def _per_unit(gaps: pl.DataFrame, judged: list[LegalKind]) -> pl.DataFrame:
    """The unit follow-up: per employer (单位编号; empty when unknown), persons and gaps."""
    return _wide(gaps, "单位编号", judged, "法定群体未参保人数")


# The insured units' columns the unit follow-up shows after 单位编号 (their roster's fields).
UNIT_NAMES = {"uscc": "统一社会信用代码", "unit_name": "单位名称"}


def name_units(per_unit: pl.DataFrame, insured_units: pl.LazyFrame) -> pl.DataFrame:
    """The unit follow-up with each employer's USCC and name from the insured units' roster.

    Joined on 单位编号 as written; of several rows with one number, the first read. An employer
    the roster does not list keeps both empty.
    """
    names = (
        insured_units.select(
            pl.col("unit_number").str.strip_chars().alias("单位编号"),
            *(pl.col(field).alias(heading) for field, heading in UNIT_NAMES.items()),
        )
        .filter(pl.col("单位编号").is_not_null() & (pl.col("单位编号") != ""))
        .unique("单位编号", keep="first", maintain_order=True)
        .collect()
    )
    if per_unit.is_empty() and "单位编号" not in per_unit.columns:
        return per_unit
    named = per_unit.join(names, on="单位编号", how="left", maintain_order="left")
    counts = [c for c in per_unit.columns if c != "单位编号"]
    return named.select("单位编号", *UNIT_NAMES.values(), *counts)
