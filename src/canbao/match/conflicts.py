"""The conflicts table (信息错误): one row per record and kind, from every roster.

Enrolment records carry all seven kinds; household rows carry the ones about themselves
(an invalid ID, a sex or birth column that disagrees with the ID).
"""

from __future__ import annotations

import polars as pl

from canbao.codes import ENROLMENT_STATUS_LABELS
from canbao.ids import ID_REASONS
from canbao.match.names import SAME, VARIANT, judge_names
from canbao.match.present import CONFLICT_LABELS, labelled
from canbao.roster.kinds import ROSTER_LABELS

KIND_ORDER = list(CONFLICT_LABELS)
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
    # Appended by issue 6, after the original columns so that readers keyed on position still work.
    "相似度",
    "判定",
    "原记录公民身份号码",
]


def _date_text(expr: pl.Expr) -> pl.Expr:
    return expr.dt.to_string("%Y-%m-%d")


def _rows(
    frame: pl.LazyFrame, kind: str, when: pl.Expr, value: pl.Expr, other: pl.Expr
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
        pl.lit(kind).alias("类别代码"),
        pl.lit(CONFLICT_LABELS[kind]).alias("类别"),
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


def conflicts_table(linked: pl.LazyFrame, household: pl.LazyFrame) -> pl.LazyFrame:
    """All conflicts, sorted by kind (deceased: receiving records first), then file and line."""
    no_value = pl.lit(None, pl.String)
    parts = [
        _rows(
            household, "invalid_id", pl.col("id_reason").is_not_null(), pl.col("id_raw"), no_value
        ),
        _rows(
            household, "sex_mismatch", pl.col("sex_mismatch"), pl.col("sex_col"), pl.col("id_sex")
        ),
        _rows(
            household,
            "birth_mismatch",
            pl.col("birth_mismatch"),
            _date_text(pl.col("birth_col")),
            _date_text(pl.col("id_birth")),
        ),
        _rows(linked, "invalid_id", pl.col("link") == "invalid", pl.col("id_raw"), no_value),
        _rows(linked, "name_mismatch", pl.col("name_mismatch"), pl.col("name"), pl.col("hh_name")),
        _rows(linked, "sex_mismatch", pl.col("sex_mismatch"), pl.col("sex_col"), pl.col("id_sex")),
        _rows(
            linked,
            "birth_mismatch",
            pl.col("birth_mismatch"),
            _date_text(pl.col("birth_col")),
            _date_text(pl.col("id_birth")),
        ),
        _rows(
            linked,
            "deceased_enrolled",
            pl.col("deceased_enrolled"),
            labelled("estatus", ENROLMENT_STATUS_LABELS),
            pl.lit("户籍状态为死亡或注销"),
        ),
        _rows(linked, "repeated_record", pl.col("repeated_record"), pl.col("scheme"), no_value),
        _rows(
            linked,
            "not_in_household",
            pl.col("link") == "not_in_household",
            pl.col("region"),
            no_value,
        ),
    ]
    verdicts = name_verdicts(linked)
    return (
        pl.concat(parts, how="vertical")
        .join(verdicts.lazy(), on=["类别代码", "记录值", "对照值"], how="left")
        .sort("_kind_order", "_not_receiving", "来源文件", "行号")
        .select(COLUMNS)
    )


def name_verdicts(linked: pl.LazyFrame) -> pl.DataFrame:
    """相似度 and 判定 (variant / different) per distinct (record name, household name) pair.

    Judged once per distinct pair (a city has far fewer pairs than records), keyed like the
    name_mismatch rows of the conflicts table so that a left join carries them back.
    """
    pairs = (
        linked.filter(pl.col("name_mismatch"))
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
        pl.lit("name_mismatch").alias("类别代码"),
        judged["name_similarity"].alias("相似度"),
        verdict.alias("判定"),
    )


def non_local_table(linked: pl.LazyFrame) -> pl.LazyFrame:
    """Records of persons in no roster whose ID was issued outside the area: counted, not conflicts.

    By the ID's own region code (SPEC section 3), wherever the record is insured.
    """
    return (
        linked.filter(pl.col("link") == "non_local")
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
