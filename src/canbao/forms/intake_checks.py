"""Intake checks: polars expressions over the whole entry frame, no Python per row.

:func:`normalise_entries` adds the parsed ID (``id_*``), each coded item's canonical value(s) and
the age. :func:`find_problems` turns every check into a filter and stacks the hits into one problem
table (one row per person, item and reason). Categories follow indicator 34 of 淮人社秘〔2017〕376号
(录入不规范, 项目不全, 逻辑有误) plus 名册核对 for IDs not on the survey roster or entered twice.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import polars as pl

from canbao.cells import is_formula_text
from canbao.forms.form_codes import (
    CODED_COLUMNS,
    CONFIRMED,
    EMPLOYED,
    ENTRY_HEADINGS,
    FLEXIBLE,
    NOT_INSURED,
    PRESCHOOL,
    RETIRED,
    RETIRED_IDENTITY,
    SCHEME_LISTS,
    STUDENT,
    VISITED,
)
from canbao.ids import ID_REASONS, citizen_id_exprs

# Plausible ages (whole years on the as-of date); documented in docs/forms.md.
PRESCHOOL_MAX_AGE: Final = 6
STUDENT_MIN_AGE, STUDENT_MAX_AGE = 3, 45
WORKING_MIN_AGE: Final = 16
RETIRED_MIN_AGE: Final = 45

CATEGORY_CODE, CATEGORY_MISSING, CATEGORY_LOGIC, CATEGORY_ROSTER = (
    "录入不规范",
    "项目不全",
    "逻辑有误",
    "名册核对",
)
PROBLEMS: Final[dict[str, tuple[str, str]]] = {
    "invalid_id": (CATEGORY_CODE, "公民身份号码无效"),
    "formula": (CATEGORY_CODE, "单元格是公式，未计算：请直接填写内容"),
    "bad_code": (CATEGORY_CODE, "不是登记表代码表中的值"),
    "missing_item": (CATEGORY_MISSING, "必填项目为空"),
    "multiple_schemes": (CATEGORY_LOGIC, "同一险种只能单选"),
    "reason_with_insurance": (CATEGORY_LOGIC, "已填参保险种，不应再填未参保原因"),
    "preschool_age": (CATEGORY_LOGIC, f"学龄前只适用于 {PRESCHOOL_MAX_AGE} 周岁及以下"),
    "student_age": (CATEGORY_LOGIC, f"在校学生年龄应在 {STUDENT_MIN_AGE}-{STUDENT_MAX_AGE} 周岁"),
    "employed_under_age": (CATEGORY_LOGIC, f"未满 {WORKING_MIN_AGE} 周岁不能就业"),
    "retired_too_young": (CATEGORY_LOGIC, f"离退休不应低于 {RETIRED_MIN_AGE} 周岁"),
    "sex_mismatch": (CATEGORY_LOGIC, "性别与公民身份号码不符"),
    "not_on_roster": (CATEGORY_ROSTER, "不在入户调查对象名册中"),
    "duplicate_entry": (CATEGORY_ROSTER, "同一人重复录入"),
}
PROBLEM_COLUMNS: Final = (
    "文件",
    "行号",
    "县区",
    "公民身份号码",
    "姓名",
    "项目",
    "值",
    "类别",
    "原因代码",
    "原因",
)
SCHEME_HEADINGS: Final = tuple(c.heading for c in SCHEME_LISTS)
SPLIT: Final = r"[;；,，、/|]"


def _fold(expr: pl.Expr) -> pl.Expr:
    return expr.str.normalize("NFKC").str.replace_all(r"\s+", "").str.strip_chars("。.;；,，")


def codes_of(heading: str) -> str:
    """Name of the list column holding a coded item's canonical values (null = unknown)."""
    return f"{heading}__codes"


def normalise_entries(frame: pl.DataFrame, *, as_of: date) -> pl.DataFrame:
    """Add ID parts, canonical codes (a list per coded item) and the age on ``as_of``."""
    exprs: list[pl.Expr] = list(citizen_id_exprs(pl.col("公民身份号码"), as_of=as_of))
    for heading, codes in CODED_COLUMNS.items():
        lookup = codes.lookup()
        value = pl.col(heading)
        if heading in SCHEME_HEADINGS:
            parts = (
                value.str.replace_all(SPLIT, ";")
                .str.split(";")
                .list.eval(pl.element().filter(pl.element().str.strip_chars() != ""))
            )
        else:
            parts = pl.concat_list([value])
        canon = parts.list.eval(
            _fold(pl.element()).replace_strict(lookup, default=None, return_dtype=pl.String)
        )
        exprs.append(canon.alias(codes_of(heading)))
    out = frame.with_columns(exprs)
    birth = pl.col("id_birth")
    had_birthday = (birth.dt.month() < as_of.month) | (
        (birth.dt.month() == as_of.month) & (birth.dt.day() <= as_of.day)
    )
    age = pl.lit(as_of.year) - birth.dt.year() - pl.when(had_birthday).then(0).otherwise(1)
    return out.with_columns(
        age.alias("_age"),
        *(pl.col(codes_of(h)).list.first().alias(f"{h}__code") for h in CODED_COLUMNS),
        pl.any_horizontal(pl.col(h).is_not_null() for h in SCHEME_HEADINGS).alias("_insured"),
    )


def _is(heading: str, code: str) -> pl.Expr:
    return (pl.col(f"{heading}__code") == code).fill_null(False)


def _hits(
    frame: pl.DataFrame, when: pl.Expr, item: str, value: pl.Expr, reason: str
) -> pl.DataFrame:
    category, text = PROBLEMS[reason]
    return frame.filter(when.fill_null(False)).select(
        pl.col("_file").alias("文件"),
        pl.col("_row").alias("行号"),
        pl.col("县区"),
        pl.col("公民身份号码"),
        pl.col("姓名"),
        pl.lit(item).alias("项目"),
        value.cast(pl.String).alias("值"),
        pl.lit(category).alias("类别"),
        pl.lit(reason).alias("原因代码"),
        pl.lit(text).alias("原因"),
    )


def _required(frame: pl.DataFrame) -> list[pl.DataFrame]:
    visited, confirmed = _is(VISITED, "是"), _is(CONFIRMED, "是")
    empty: pl.Expr = pl.lit(None, dtype=pl.String)
    out = [
        _hits(frame, pl.col("姓名").is_null(), "姓名", empty, "missing_item"),
        _hits(frame, pl.col(VISITED).is_null(), VISITED, empty, "missing_item"),
        _hits(frame, visited & pl.col(CONFIRMED).is_null(), CONFIRMED, empty, "missing_item"),
    ]
    for heading in ("就业状态", "个人身份", "户口所在地", "常住地地址"):
        out.append(
            _hits(frame, confirmed & pl.col(heading).is_null(), heading, empty, "missing_item")
        )
    no_phone = pl.col("手机").is_null() & pl.col("固定电话").is_null()
    out.append(_hits(frame, confirmed & no_phone, "手机/固定电话", empty, "missing_item"))
    nothing = ~pl.col("_insured") & pl.col("未参保原因").is_null()
    out.append(_hits(frame, confirmed & nothing, "现参保情况/未参保原因", empty, "missing_item"))
    no_unit = _is("就业状态", EMPLOYED) & pl.col("工作单位名称").is_null()
    out.append(_hits(frame, confirmed & no_unit, "工作单位名称", empty, "missing_item"))
    return out


def _code_checks(frame: pl.DataFrame) -> list[pl.DataFrame]:
    out = [
        _hits(
            frame,
            pl.col("id_reason").is_not_null() & (pl.col("id_reason") != "missing"),
            "公民身份号码",
            pl.col("公民身份号码"),
            "invalid_id",
        ),
        _hits(
            frame,
            pl.col("id_reason") == "missing",
            "公民身份号码",
            pl.col("公民身份号码"),
            "missing_item",
        ),
    ]
    # A formula is read as its text and never evaluated (canbao.forms.intake_read).
    for heading in ENTRY_HEADINGS:
        out.append(
            _hits(frame, is_formula_text(pl.col(heading)), heading, pl.col(heading), "formula")
        )
    for heading in CODED_COLUMNS:
        unknown = pl.col(codes_of(heading)).list.eval(pl.element().is_null()).list.any()
        out.append(
            _hits(
                frame, pl.col(heading).is_not_null() & unknown, heading, pl.col(heading), "bad_code"
            )
        )
    return out


def _logic_checks(frame: pl.DataFrame) -> list[pl.DataFrame]:
    age = pl.col("_age")
    job = pl.col("就业状态")
    out = []
    for heading in SCHEME_HEADINGS:
        codes = pl.col(codes_of(heading))
        several = codes.list.drop_nulls().list.n_unique() > 1
        out.append(_hits(frame, several, heading, pl.col(heading), "multiple_schemes"))
    reason_ok = pl.col(f"{NOT_INSURED.heading}__code").is_not_null()
    out.append(
        _hits(
            frame,
            reason_ok & pl.col("_insured"),
            "未参保原因",
            pl.col("未参保原因"),
            "reason_with_insurance",
        )
    )
    job_checks = [
        (_is("就业状态", PRESCHOOL) & (age > PRESCHOOL_MAX_AGE), "preschool_age"),
        (
            _is("就业状态", STUDENT) & ((age < STUDENT_MIN_AGE) | (age > STUDENT_MAX_AGE)),
            "student_age",
        ),
        (
            (_is("就业状态", EMPLOYED) | _is("就业状态", FLEXIBLE)) & (age < WORKING_MIN_AGE),
            "employed_under_age",
        ),
        (_is("就业状态", RETIRED) & (age < RETIRED_MIN_AGE), "retired_too_young"),
    ]
    for when, reason in job_checks:
        value = pl.format("{}（{}周岁）", job, age)
        out.append(_hits(frame, when, "就业状态", value, reason))
    young_retiree = _is("个人身份", RETIRED_IDENTITY) & (age < RETIRED_MIN_AGE)
    out.append(
        _hits(
            frame,
            young_retiree,
            "个人身份",
            pl.format("{}（{}周岁）", pl.col("个人身份"), age),
            "retired_too_young",
        )
    )
    sex = pl.col("性别__code")
    out.append(
        _hits(
            frame,
            sex.is_not_null() & (sex != pl.col("id_sex")),
            "性别",
            pl.col("性别"),
            "sex_mismatch",
        )
    )
    return out


def _roster_checks(frame: pl.DataFrame, roster_ids: pl.Series | None) -> list[pl.DataFrame]:
    valid = pl.col("id_reason").is_null()
    nth = pl.int_range(pl.len()).over("id_norm", order_by=["_file", "_row"])
    out = [
        _hits(frame, valid & (nth > 0), "公民身份号码", pl.col("公民身份号码"), "duplicate_entry")
    ]
    if roster_ids is not None:
        absent = valid & ~pl.col("id_norm").is_in(roster_ids.implode())
        out.append(_hits(frame, absent, "公民身份号码", pl.col("公民身份号码"), "not_on_roster"))
    return out


def find_problems(entries: pl.DataFrame, roster_ids: pl.Series | None = None) -> pl.DataFrame:
    """Run every check over normalised entries; one row per problem, ordered by file and row."""
    parts = [
        *_code_checks(entries),
        *_required(entries),
        *_logic_checks(entries),
        *_roster_checks(entries, roster_ids),
    ]
    order = {code: i for i, code in enumerate(PROBLEMS)}
    return (
        pl.concat(parts, how="vertical")
        .with_columns(pl.col("原因代码").replace_strict(order, return_dtype=pl.Int32).alias("_o"))
        .sort(["文件", "行号", "_o", "项目"])
        .drop("_o")
    )


def id_reason_label(code: str) -> str:
    """Return the Chinese text of an ID reason code (for messages)."""
    return ID_REASONS.get(code, code)
