"""The conflicts table (信息错误): one row per record and kind, from every roster.

Enrolment records carry all seven kinds; household rows carry the ones about themselves
(an invalid ID, a sex or birth column that disagrees with the ID).
"""

from __future__ import annotations

import polars as pl

from canbao.codes import ENROLMENT_STATUS_LABELS
from canbao.ids import ID_REASONS
from canbao.match._linked_rows import RowsWhere
from canbao.match.names import SAME, VARIANT, judge_names
from canbao.match.present import labelled
from canbao.match.vocabulary import ConflictKind, LinkClass
from canbao.roster.kinds import ROSTER_LABELS

KIND_ORDER = list(ConflictKind)
COLUMNS = [
    "公民身份号码",
    "姓名",
    "名册",
    "来源文件",
    "行号",
    "类别代码",
    "类别",
    "记录值",
    "对照值",
    "无效原因代码",
    "无效原因",
    "险种",
    "参保地",
    "参保状态",
    # Appended after the original columns, so that readers keyed on position still work.
    "相似度",
    "判定",
    "原记录公民身份号码",
]


def _date_text(expr: pl.Expr) -> pl.Expr:
    return expr.dt.to_string("%Y-%m-%d")


def _rows(
    frame: pl.LazyFrame, kind: ConflictKind, when: pl.Expr, value: pl.Expr, other: pl.Expr
) -> pl.LazyFrame:
    columns = frame.collect_schema().names()
    enrol = "scheme" in columns
    status = labelled("estatus", ENROLMENT_STATUS_LABELS) if enrol else pl.lit(None, pl.String)
    return frame.filter(when).select(
        pl.col("id_norm").alias("公民身份号码"),
        pl.col("name").alias("姓名"),
        labelled("_roster", ROSTER_LABELS).alias("名册"),
        pl.col("_file").alias("来源文件"),
        pl.col("_line").alias("行号"),
        pl.lit(kind.value).alias("类别代码"),
        pl.lit(kind.label).alias("类别"),
        value.cast(pl.String).alias("记录值"),
        other.cast(pl.String).alias("对照值"),
        pl.col("id_reason").alias("无效原因代码"),
        pl.col("id_reason")
        .replace_strict(ID_REASONS, default=None, return_dtype=pl.String)
        .alias("无效原因"),
        (pl.col("scheme") if enrol else pl.lit(None, pl.String)).alias("险种"),
        (pl.col("region") if enrol else pl.lit(None, pl.String)).alias("参保地"),
        status.alias("参保状态"),
        # The ID as written, on records whose ID an applied link replaced (--apply-links).
        (
            pl.when(pl.col("link_score").is_not_null()).then(pl.col("id_raw"))
            if "link_score" in columns
            else pl.lit(None, pl.String)
        ).alias("原记录公民身份号码"),
        pl.lit(KIND_ORDER.index(kind)).alias("_kind_order"),
        ((pl.col("estatus") != "receiving") if enrol else pl.lit(True)).alias("_not_receiving"),
    )


def household_conflicts(household: pl.LazyFrame) -> pl.LazyFrame:
    """The conflicts of household rows (an invalid ID, a sex or birth column against the ID),
    unsorted, with the order columns ``_kind_order`` and ``_not_receiving``; row by row."""
    no_value = pl.lit(None, pl.String)
    k = ConflictKind
    parts = [
        _rows(
            household, k.INVALID_ID, pl.col("id_reason").is_not_null(), pl.col("id_raw"), no_value
        ),
        _rows(
            household, k.SEX_MISMATCH, pl.col(k.SEX_MISMATCH), pl.col("sex_col"), pl.col("id_sex")
        ),
        _rows(
            household,
            k.BIRTH_MISMATCH,
            pl.col(k.BIRTH_MISMATCH),
            _date_text(pl.col("birth_col")),
            _date_text(pl.col("id_birth")),
        ),
    ]
    return pl.concat(parts, how="vertical")


def _record_kinds() -> list[tuple[ConflictKind, pl.Expr, pl.Expr, pl.Expr]]:
    """Each kind of an enrolment record's conflict: (kind, condition, value, compared value)."""
    no_value = pl.lit(None, pl.String)
    k, link = ConflictKind, pl.col("link")
    return [
        (k.INVALID_ID, link == LinkClass.INVALID.value, pl.col("id_raw"), no_value),
        (k.NAME_MISMATCH, pl.col(k.NAME_MISMATCH), pl.col("name"), pl.col("hh_name")),
        (k.SEX_MISMATCH, pl.col(k.SEX_MISMATCH), pl.col("sex_col"), pl.col("id_sex")),
        (
            k.BIRTH_MISMATCH,
            pl.col(k.BIRTH_MISMATCH),
            _date_text(pl.col("birth_col")),
            _date_text(pl.col("id_birth")),
        ),
        (
            k.DECEASED_ENROLLED,
            pl.col(k.DECEASED_ENROLLED),
            labelled("estatus", ENROLMENT_STATUS_LABELS),
            pl.lit("户籍状态为死亡或注销"),
        ),
        (k.REPEATED_RECORD, pl.col(k.REPEATED_RECORD), pl.col("scheme"), no_value),
        (k.NOT_IN_HOUSEHOLD, link == LinkClass.NOT_IN_HOUSEHOLD.value, pl.col("region"), no_value),
    ]


def record_conflicts(linked: pl.LazyFrame) -> pl.LazyFrame:
    """The conflicts of enrolment records with their name verdicts, unsorted, with the order
    columns; row by row (a name pair is judged alike wherever it is judged)."""
    parts = [_rows(linked, *kind) for kind in _record_kinds()]
    verdicts = name_verdicts(linked)
    return pl.concat(parts, how="vertical").join(
        verdicts.lazy(), on=["类别代码", "记录值", "对照值"], how="left"
    )


# The order of the conflicts table; every (kind, file, line) is one row, so the order is total.
CONFLICT_ORDER = ("_kind_order", "_not_receiving", "来源文件", "行号")


def _conflicting() -> pl.Expr:
    """The records some kind of conflict lists (:func:`record_conflicts`): a null flag is no
    conflict."""
    return pl.any_horizontal(condition for _, condition, _, _ in _record_kinds())


def conflicts_table(
    linked: pl.LazyFrame,
    household: pl.LazyFrame,
    where: RowsWhere | None = None,
) -> pl.LazyFrame:
    """All conflicts, sorted by kind (deceased: receiving records first), then file and line.

    ``where``: the linked records satisfying a condition, read from their files (a sharded
    match's, canbao.match._linked_rows); the conflicting ones are then read once and held.
    One piece filters its one staged file once per kind instead: reading the conflicting
    records once took 1.5 CPU s less at 10 M persons but raised the match's peak from 1.9 to
    2.7 GB (docs/performance-measurements.md, sixteenth round).
    """
    records = linked if where is None else where(_conflicting()).collect().lazy()
    both = [household_conflicts(household), record_conflicts(records)]
    return pl.concat(both, how="diagonal").sort(*CONFLICT_ORDER).select(COLUMNS)


def name_verdicts(linked: pl.LazyFrame) -> pl.DataFrame:
    """相似度 and 判定 (variant / different) per distinct (record name, household name) pair.

    Judged once per distinct pair (a city has far fewer pairs than records), keyed like the
    name_mismatch rows of the conflicts table so that a left join carries them back.
    """
    pairs = (
        linked.filter(pl.col(ConflictKind.NAME_MISMATCH))
        .select(
            pl.col("name").cast(pl.String).alias("记录值"),
            pl.col("hh_name").cast(pl.String).alias("对照值"),
        )
        .unique()
        .collect()
    )
    judged = judge_names(pairs["记录值"], pairs["对照值"])
    # The matcher folds fewer look-alike characters than judge_names (e.g. zero-width spaces),
    # so a pair it calls a mismatch can be "same" here: that is a spelling variant of one name.
    verdict = judged["name_verdict"].replace({SAME: VARIANT})
    return pairs.with_columns(
        pl.lit(ConflictKind.NAME_MISMATCH.value).alias("类别代码"),
        judged["name_similarity"].alias("相似度"),
        verdict.alias("判定"),
    )


def non_local_table(linked: pl.LazyFrame, where: RowsWhere | None = None) -> pl.LazyFrame:
    """Records of persons in no roster whose ID was issued outside the area: counted, not conflicts.

    By the ID's own region code, wherever the record is insured (docs/match.md "The area:
    not_in_household against non_local").
    """
    non_local = pl.col("link") == LinkClass.NON_LOCAL.value
    return (
        (linked.filter(non_local) if where is None else where(non_local))
        .select(
            pl.col("id_norm").alias("公民身份号码"),
            pl.col("name").alias("姓名"),
            labelled("_roster", ROSTER_LABELS).alias("名册"),
            pl.col("scheme").alias("险种"),
            pl.col("region").alias("参保地"),
            labelled("estatus", ENROLMENT_STATUS_LABELS).alias("参保状态"),
            pl.col("_file").alias("来源文件"),
            pl.col("_line").alias("行号"),
        )
        .sort("来源文件", "行号")
    )
