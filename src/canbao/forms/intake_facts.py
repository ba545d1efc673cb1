"""What intake counts for scoring: a long table (县区, 指标, 实际值) that ``canbao score`` reads.

The names are the source documents' own: 淮人社秘〔2017〕376号's data table (开展入户调查人数 ...
应保未保人数), its indicator 36 (已核实的应保未保人数), 人社厅发〔2017〕28号's table (二) 未参保情况
columns, and the entry-error counts for Changzhou item 11 and Huaibei indicator 34. With a match
directory the denominator 需入户调查人数 comes along, so the rates of indicators 25-27 and 36-38
follow; with a county's summary (汇总表) the difference of indicator 32 does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

import polars as pl

from canbao import regions
from canbao.errors import InputError
from canbao.forms.form_codes import CONFIRMED, LOST_CONTACT, NOT_INSURED, REASON_COLUMNS, VISITED
from canbao.forms.intake_checks import (
    CATEGORY_CODE,
    CATEGORY_LOGIC,
    CATEGORY_MISSING,
    CATEGORY_ROSTER,
)
from canbao.i18n import _
from canbao.match.vocabulary import Reason
from canbao.readfail import check_text_lines, unreadable_file
from canbao.shown_path import shown_path
from canbao.workbook_guard import check_workbook

PENSION_AGE: Final = 16
UNKNOWN_COUNTY: Final = "未知"
TOTAL_ROWS: Final = ("合计", "总计", "全市")  # a summary's total row: not a county
NEEDS_SURVEY: Final = "需入户调查人数"
VISITED_N: Final = "开展入户调查人数"
CONFIRMED_N: Final = "已通过入户调查确认登记人数"
ENTERED_N: Final = "登记信息入库人数"
NEW_N: Final = "通过扩面新增入库人数"
UNINSURED_N: Final = "应保未保人数"
VERIFIED_UNINSURED_N: Final = "已核实的应保未保人数"
ERRORS_N: Final = "录入错误数"
CATEGORY_FACTS: Final = {
    CATEGORY_CODE: "录入不规范数",
    CATEGORY_MISSING: "项目不全数",
    CATEGORY_LOGIC: "逻辑有误数",
    CATEGORY_ROSTER: "名册核对问题数",
}
NEW_AFTER_SURVEY_N: Final = "入户调查后的新参保人数"  # indicator 38's name for NEW_N
DIFFERENCE_N: Final = "汇总表与登记表差异人数"
REPORTED_N: Final = "全民参保登记信息汇总表人数"
FORMS_N: Final = "全民参保登记表人数"
# What a summary may call its total of registrations (indicator 32 compares it with the forms).
REPORTED_ALIASES: Final = (REPORTED_N, "信息汇总表人数", "汇总表人数", CONFIRMED_N)
REASON_FACTS: Final = tuple(dict.fromkeys(REASON_COLUMNS.values()))
FACT_SCHEMA: Final = {"县区": pl.String, "指标": pl.String, "实际值": pl.Int64}


def _flag(heading: str, value: str) -> pl.Expr:
    return (pl.col(f"{heading}__code") == value).fill_null(False)


def person_flags(
    entries: pl.DataFrame, problems: pl.DataFrame, survey: pl.DataFrame | None
) -> pl.DataFrame:
    """One row per entry row (duplicates dropped) with the county and the counting flags."""
    flagged = problems.select(pl.col("文件").alias("_file"), pl.col("行号").alias("_row")).unique()
    # A second entry of a person, or a person not on the survey roster, is not counted.
    dup = problems.filter(pl.col("原因代码").is_in(["duplicate_entry", "not_on_roster"])).select(
        pl.col("文件").alias("_file"), pl.col("行号").alias("_row")
    )
    frame = entries.join(dup, on=["_file", "_row"], how="anti")
    frame = frame.with_columns(
        pl.struct("_file", "_row")
        .is_in(flagged.select(pl.struct("_file", "_row")).to_series().implode())
        .not_()
        .alias("_clean")
    )
    if survey is not None:
        known = survey.select(
            pl.col("公民身份号码").alias("id_norm"),
            pl.col("县区").alias("_survey_county"),
            pl.col("原因代码")
            .fill_null("")
            .str.contains(Reason.UNINSURED.value, literal=True)
            .alias("_was_uninsured"),
            pl.col("现参保险种").fill_null("").str.split(";").alias("_held"),
        ).unique("id_norm")
        frame = frame.join(known, on="id_norm", how="left")
    else:
        frame = frame.with_columns(
            pl.lit(None, dtype=pl.String).alias("_survey_county"),
            pl.lit(False).alias("_was_uninsured"),
            pl.lit(None, dtype=pl.List(pl.String)).alias("_held"),
        )
    schemes = pl.concat_list(
        [pl.col(f"{h}__code") for h in ("养老保险", "医疗保险", "工伤保险", "失业保险", "生育保险")]
    ).list.drop_nulls()
    visited = _flag(VISITED, "是")
    confirmed = visited & _flag(CONFIRMED, "是")
    entered = confirmed & pl.col("_clean")
    new_scheme = schemes.list.set_difference(pl.col("_held").fill_null([])).list.len() > 0
    lacks = ((pl.col("_age") >= PENSION_AGE) & pl.col("养老保险__code").is_null()) | pl.col(
        "医疗保险__code"
    ).is_null()
    reason = pl.col(f"{NOT_INSURED.heading}__code")
    return frame.select(
        pl.coalesce("_survey_county", "县区", pl.lit(UNKNOWN_COUNTY)).alias("县区"),
        visited.alias(VISITED_N),
        confirmed.alias(CONFIRMED_N),
        entered.alias(ENTERED_N),
        (entered & pl.col("_was_uninsured").fill_null(False) & new_scheme).alias(NEW_N),
        (entered & lacks).alias(UNINSURED_N),
        (
            pl.col("_clean")
            & ((confirmed & ~pl.col("_insured")) | (reason == LOST_CONTACT).fill_null(False))
        ).alias(VERIFIED_UNINSURED_N),
        pl.when(pl.col("_clean") & ~pl.col("_insured"))
        .then(reason.replace_strict(REASON_COLUMNS, default=None, return_dtype=pl.String))
        .alias("_reason_fact"),
    )


def count_facts(
    entries: pl.DataFrame, problems: pl.DataFrame, survey: pl.DataFrame | None
) -> pl.DataFrame:
    """Return the long fact table, every fact for every county (zeros written, not left out)."""
    flags = person_flags(entries, problems, survey)
    bools = [VISITED_N, CONFIRMED_N, ENTERED_N, UNINSURED_N, VERIFIED_UNINSURED_N]
    if survey is not None:
        bools[4:4] = [NEW_N, NEW_AFTER_SURVEY_N]
        flags = flags.with_columns(pl.col(NEW_N).alias(NEW_AFTER_SURVEY_N))
    parts = [flags.group_by("县区").agg(pl.col(b).sum().cast(pl.Int64) for b in bools)]
    reasons = (
        flags.filter(pl.col("_reason_fact").is_not_null())
        .group_by("县区", "_reason_fact")
        .len()
        .pivot(on="_reason_fact", index="县区", values="len")
    )
    parts.append(reasons)
    located = _problem_counties(entries, problems, survey)
    errors = located.group_by("县区").agg(
        pl.len().cast(pl.Int64).alias(ERRORS_N),
        *(
            (pl.col("类别") == category).sum().cast(pl.Int64).alias(fact)
            for category, fact in CATEGORY_FACTS.items()
        ),
    )
    parts.append(errors)
    if survey is not None:
        parts.append(
            survey.group_by(pl.col("县区").fill_null(UNKNOWN_COUNTY)).agg(
                pl.len().cast(pl.Int64).alias(NEEDS_SURVEY)
            )
        )
    order = (
        ([NEEDS_SURVEY] if survey is not None else [])
        + bools
        + list(REASON_FACTS)
        + [ERRORS_N, *CATEGORY_FACTS.values()]
    )
    return long_facts(parts, order)


def long_facts(parts: Sequence[pl.DataFrame], order: Sequence[str]) -> pl.DataFrame:
    """Join per-county count tables (县区 + fact columns) into the long facts, every fact of
    ``order`` for every county (zeros written, not left out), in that order per county."""
    wide = parts[0]
    for part in parts[1:]:
        wide = wide.join(part, on="县区", how="full", coalesce=True)
    wide = wide.with_columns(
        pl.lit(0, dtype=pl.Int64).alias(c) for c in order if c not in wide.columns
    ).with_columns(pl.col(order).cast(pl.Int64).fill_null(0))
    rank = {name: i for i, name in enumerate(order)}
    return (
        wide.unpivot(on=order, index="县区", variable_name="指标", value_name="实际值")
        .with_columns(pl.col("指标").replace_strict(rank, return_dtype=pl.Int32).alias("_o"))
        .sort("县区", "_o")
        .drop("_o")
        .cast(FACT_SCHEMA)  # type: ignore[arg-type]
    )


def _problem_counties(
    entries: pl.DataFrame, problems: pl.DataFrame, survey: pl.DataFrame | None
) -> pl.DataFrame:
    rows = entries.select(pl.col("_file").alias("文件"), pl.col("_row").alias("行号"), "id_norm")
    located = problems.join(rows, on=["文件", "行号"], how="left")
    if survey is not None:
        county = survey.select(
            pl.col("公民身份号码").alias("id_norm"), pl.col("县区").alias("_sc")
        ).unique("id_norm")
        located = located.join(county, on="id_norm", how="left")
    else:
        located = located.with_columns(pl.lit(None, dtype=pl.String).alias("_sc"))
    return located.with_columns(pl.coalesce("_sc", "县区", pl.lit(UNKNOWN_COUNTY)).alias("县区"))


def read_summary(path: Path, area: Sequence[str] = ()) -> pl.DataFrame:
    """Read a county's reported totals: long (县区, 指标, 实际值) or wide (县区 + 指标 columns).

    县区 may be a code or a name (杜集区); it becomes the six-digit code that intake counts by,
    the name narrowed to ``area`` (region-code prefixes). A 合计 row stays 合计.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(
            _("{path}: no such file").format(path=shown_path(path)),
            fix=_("give the county's 汇总表 as CSV or xlsx"),
        )
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            check_workbook(path)
            raw = pl.read_excel(path, infer_schema_length=0)
        else:
            check_text_lines(path)
            raw = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except InputError:
        raise
    except Exception as exc:  # polars and calamine raise their own kinds for a broken file
        fix = _("write the summary as 县区, 指标, 实际值")
        raise unreadable_file(path, exc, fix=fix) from None
    raw = raw.rename(lambda c: c.lstrip("\ufeff").strip())
    if "县区" not in raw.columns:
        raise InputError(
            _("{path}: no {column} column (found: {found})").format(
                path=shown_path(path), column="县区", found=", ".join(raw.columns)
            ),
            fix=_("write the summary as 县区, 指标, 实际值 (one row per county and total)"),
        )
    if {"指标", "实际值"} <= set(raw.columns):
        long = raw.select("县区", "指标", "实际值")
    else:
        long = raw.unpivot(index="县区", variable_name="指标", value_name="实际值")
    value = pl.col("实际值").str.strip_chars().str.replace(r"\.0+$", "")
    out = long.with_columns(value.cast(pl.Int64, strict=False).alias("_v"))
    bad = out.filter(pl.col("_v").is_null() & pl.col("实际值").is_not_null())
    if bad.height:
        first = bad.row(0, named=True)
        raise InputError(
            _("{path}: county {county}, {fact}: {value!r} is not a whole number").format(
                path=shown_path(path),
                county=first["县区"],
                fact=first["指标"],
                value=first["实际值"],
            ),
            fix=_("write each reported total as a count of persons"),
        )
    out = out.select("县区", "指标", pl.col("_v").alias("实际值")).drop_nulls("实际值")
    county = pl.col("县区").str.strip_chars()
    named = out.select(pl.when(~county.is_in(TOTAL_ROWS)).then(county)).to_series()
    codes = regions.county_codes(named, within=area, where=lambda _: str(path))
    return out.with_columns(pl.coalesce(pl.lit(codes), county).alias("县区"))


def compare_summary(
    facts: pl.DataFrame, reported: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Compare reported with counted totals; return (comparison rows, indicator 32's facts).

    Indicator 32 compares the summary's total of registrations (全民参保登记信息汇总表人数, or the
    reported 已通过入户调查确认登记人数) with the registration forms counted (全民参保登记表人数:
    the confirmed rows of the entry sheets).
    """
    counted = facts.rename({"实际值": "登记表统计数"})
    table = (
        reported.rename({"实际值": "汇总表上报数"})
        .join(counted, on=["县区", "指标"], how="inner")
        .with_columns((pl.col("汇总表上报数") - pl.col("登记表统计数")).alias("差异"))
        .sort("县区", "指标")
    )
    rank = {name: i for i, name in enumerate(REPORTED_ALIASES)}
    total = (
        reported.filter(pl.col("指标").is_in(list(REPORTED_ALIASES)))
        .with_columns(pl.col("指标").replace_strict(rank, return_dtype=pl.Int32).alias("_o"))
        .sort("县区", "_o")
        .group_by("县区", maintain_order=True)
        .first()
        .select("县区", pl.col("实际值").alias("_reported"))
    )
    forms = facts.filter(pl.col("指标") == CONFIRMED_N).select(
        "县区", pl.col("实际值").alias("_forms")
    )
    both = total.join(forms, on="县区", how="left").with_columns(pl.col("_forms").fill_null(0))
    chosen = pl.concat(
        [
            both.select(
                "县区", pl.lit(name).alias("指标"), pl.col(col).cast(pl.Int64).alias("实际值")
            )
            for name, col in ((REPORTED_N, "_reported"), (FORMS_N, "_forms"))
        ]
        + [
            both.select(
                "县区",
                pl.lit(DIFFERENCE_N).alias("指标"),
                (pl.col("_reported") - pl.col("_forms")).cast(pl.Int64).alias("实际值"),
            )
        ]
    ).sort("县区", maintain_order=True)
    return table, chosen
