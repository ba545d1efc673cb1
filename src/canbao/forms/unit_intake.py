"""Intake of filled unit entry sheets (单位信息录入表): checks, problems and the unit facts.

``canbao intake`` takes person and unit sheets together: a sheet whose heading row (among the
first rows) holds 统一社会信用代码 and 单位名称 but no 公民身份号码 is a unit sheet. Its checks are
the persons' kinds, as polars expressions over the whole frame:

- 录入不规范: ``invalid_uscc`` (a confirmed unit's code fails GB 32100, ``canbao.uscc``),
  ``formula``, ``bad_code`` (单位类型 or 是/否 outside the lists);
- 项目不全: ``missing_item`` (always 单位名称, 是否入户调查; if visited 是否确认登记; if confirmed
  行政区划代码, 统一社会信用代码, 单位类型, 联系人, 联系电话);
- 逻辑有误: ``confirmed_not_visited`` (确认登记 without a visit);
- 名册核对: ``not_on_roster`` (with ``--survey``: neither 单位编号 nor code on the unit roster),
  ``duplicate_entry`` (the same 单位编号, else the same valid code, again).

The facts are those of indicators 29 and 30 (淮人社秘〔2017〕376号 附件4 columns 11 and 12):
开展入户调查单位数 (visited), 已通过入户调查确认登记单位数 (visited and confirmed), with
``--survey`` the denominator 需入户调查单位数, and 单位录入错误数; a second entry and a unit
not on the roster are not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl

from canbao import regions
from canbao.cells import is_formula_text, neutralise_frame
from canbao.errors import InputError
from canbao.forms.form_codes import ENTRY_HEADINGS
from canbao.forms.intake_checks import (
    CATEGORY_CODE,
    CATEGORY_LOGIC,
    CATEGORY_MISSING,
    CATEGORY_ROSTER,
)
from canbao.forms.intake_facts import long_facts
from canbao.forms.intake_read import SCAN_ROWS, _dedupe, _raw_csv, _raw_xlsx
from canbao.forms.unit_entry_sheet import (
    NAME,
    NUMBER,
    REGION,
    UNIT_CODED,
    UNIT_CONFIRMED,
    UNIT_HEADINGS,
    UNIT_TYPE,
    UNIT_VISITED,
    USCC,
)
from canbao.forms.unit_survey import read_units_needing_survey
from canbao.i18n import _
from canbao.masking import mask_value_expr
from canbao.uscc import USCC_REASONS, uscc_struct

UNIT_PROBLEMS_FILE: Final = "unit_problems.csv"
UNIT_ENTRIES_FILE: Final = "unit_entries.csv"
UNKNOWN_COUNTY: Final = "未知"
NEEDS_SURVEY_UNITS: Final = "需入户调查单位数"
VISITED_UNITS: Final = "开展入户调查单位数"
CONFIRMED_UNITS: Final = "已通过入户调查确认登记单位数"
UNIT_ERRORS: Final = "单位录入错误数"
UNIT_FACTS: Final = (NEEDS_SURVEY_UNITS, VISITED_UNITS, CONFIRMED_UNITS, UNIT_ERRORS)
OPTIONAL: Final = frozenset({"序号", "调查原因", "经办人", "复核人"})
CONFIRMED_ITEMS: Final = (REGION, USCC, UNIT_TYPE.heading, "联系人", "联系电话")
# reason code -> (category, reason, fix); Chinese first, as every message of canbao.
UNIT_PROBLEMS: Final[dict[str, tuple[str, str, str]]] = {
    "invalid_uscc": (
        CATEGORY_CODE,
        "统一社会信用代码无效",
        "按营业执照或登记证书填写 18 位统一社会信用代码",
    ),
    "formula": (CATEGORY_CODE, "单元格是公式，未计算", "直接填写内容，不要以 = 开头"),
    "bad_code": (CATEGORY_CODE, "不是代码表中的值", "从下拉列表中选择（见“代码表”）"),
    "missing_item": (CATEGORY_MISSING, "必填项目为空", "按入户调查结果填写该项"),
    "confirmed_not_visited": (
        CATEGORY_LOGIC,
        "未入户调查却填了确认登记",
        "核实是否入户调查：未调查的单位不能确认登记",
    ),
    "not_on_roster": (
        CATEGORY_ROSTER,
        "不在需入户调查单位名册中",
        "核对单位编号和统一社会信用代码；名册外的单位另行登记",
    ),
    "duplicate_entry": (CATEGORY_ROSTER, "同一单位重复录入", "删除重复的行"),
}
UNIT_PROBLEM_COLUMNS: Final = (
    "文件",
    "行号",
    REGION,
    NUMBER,
    USCC,
    NAME,
    "项目",
    "值",
    "类别",
    "原因代码",
    "原因",
    "改正方法",
)


@dataclass(frozen=True)
class UnitIntake:
    """What the unit sheets held: entries, problems (one row each) and the long facts."""

    files: list[str]
    entries: pl.DataFrame
    problems: pl.DataFrame
    facts: pl.DataFrame

    def by_reason(self) -> dict[str, int]:
        """Problems per reason code (every code listed, zeros included)."""
        counts = dict(self.problems.group_by("原因代码").len().iter_rows())
        return {code: int(counts.get(code, 0)) for code in UNIT_PROBLEMS}

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (units are employers: their codes and names are not personal)."""
        return {
            "files": self.files,
            "rows": self.entries.height,
            "problems": self.problems.height,
            "by_reason": self.by_reason(),
        }

    def masked_problems(self) -> pl.DataFrame:
        """The problems for terminals and logs: values masked (a contact's name) but the codes."""
        return self.problems.with_columns(
            pl.when(pl.col("项目").is_in([USCC, NUMBER]))
            .then(pl.col("值"))
            .otherwise(mask_value_expr(pl.col("值")))
            .alias("值"),
            mask_value_expr(pl.col(NAME)).alias(NAME),
        )

    def write(self, staging: Path) -> None:
        """Write ``unit_problems.csv`` and ``unit_entries.csv`` (formula-safe CSV)."""
        neutralise_frame(self.problems).write_csv(staging / UNIT_PROBLEMS_FILE, include_bom=True)
        entries = self.entries.select(
            pl.col("_file").alias("文件"), pl.col("_row").alias("行号"), *UNIT_HEADINGS
        )
        neutralise_frame(entries).write_csv(staging / UNIT_ENTRIES_FILE, include_bom=True)


def _heading_at(cells: pl.DataFrame) -> int | None:
    """The row of a unit sheet's headings among the first rows, None if it is no unit sheet."""
    for i, row in enumerate(cells.head(SCAN_ROWS).iter_rows()):
        if USCC in row and NAME in row and "公民身份号码" not in row:
            return i
    return None


def _raw(path: Path) -> pl.DataFrame:
    if not path.is_file():
        raise InputError(
            _("{path}: no such file").format(path=path),
            fix=_("give the filled 信息录入表 (.xlsx or .csv)"),
        )
    raw = _raw_xlsx(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else _raw_csv(path)
    return raw.with_columns(pl.all().str.strip_chars().str.strip_chars("\ufeff"))


@dataclass(frozen=True)
class SortedSheets:
    """``files`` sorted into unit sheets (read and stacked) and the others (person sheets)."""

    units: pl.DataFrame | None
    unit_files: list[str]
    others: list[Path]


def split_unit_sheets(files: Sequence[Path]) -> SortedSheets:
    """Read the unit sheets among ``files``; the other files are left for the persons' reader."""
    frames: list[pl.DataFrame] = []
    others: list[Path] = []
    for path in map(Path, files):
        if path.suffix.lower() not in {".xlsx", ".xlsm", ".csv", ".txt"}:
            others.append(path)  # the persons' reader names the unknown format
            continue
        cells = _raw(path)
        at = _heading_at(cells)
        if at is None:
            others.append(path)
            continue
        frames.append(_unit_frame(path, cells, at))
    names = [str(f) for f in files if Path(f) not in others]
    return SortedSheets(pl.concat(frames) if frames else None, names, others)


def no_person_entries() -> pl.DataFrame:
    """An empty persons' entry frame, for an intake of unit sheets only."""
    schema = {**dict.fromkeys(ENTRY_HEADINGS, pl.String), "_file": pl.String, "_row": pl.Int64}
    return pl.DataFrame(schema=schema)


def _unit_frame(path: Path, cells: pl.DataFrame, at: int) -> pl.DataFrame:
    headings = [str(h) if h is not None else f"_blank{i}" for i, h in enumerate(cells.row(at))]
    missing = [h for h in UNIT_HEADINGS if h not in headings and h not in OPTIONAL]
    if missing:
        raise InputError(
            _("{path}, row {row}: headings missing: {missing}").format(
                path=path, row=at + 1, missing=", ".join(missing)
            ),
            fix=_("keep the headings of the 单位信息录入表 written by `canbao forms survey`"),
        )
    body = cells.slice(at + 1)
    body.columns = _dedupe(headings)
    body = body.select(
        pl.col(h) if h in body.columns else pl.lit(None, pl.String).alias(h) for h in UNIT_HEADINGS
    ).with_columns(
        pl.all().replace("", None).str.replace(r"^([0-9]+)\.0$", "${1}"),
        pl.lit(str(path)).alias("_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + at + 2).alias("_row"),
    )
    filled = pl.any_horizontal(pl.col(h).is_not_null() for h in UNIT_HEADINGS if h not in OPTIONAL)
    return body.filter(filled)


def _fold(expr: pl.Expr) -> pl.Expr:
    return expr.str.normalize("NFKC").str.replace_all(r"\s+", "").str.strip_chars("。.;；,，")


def normalise_units(raw: pl.DataFrame, area: Sequence[str]) -> pl.DataFrame:
    """Add the county code, the code's check (``_u_*``) and each coded item's canonical value."""
    first = raw.filter(pl.col(REGION).is_not_null()).unique(
        REGION, keep="first", maintain_order=True
    )
    where = {v: f"{f} 第 {r} 行" for v, f, r in first.select(REGION, "_file", "_row").iter_rows()}
    county = regions.county_codes(raw[REGION], within=area, where=where.__getitem__)
    return (
        raw.with_columns(
            county.alias("_county"),
            uscc_struct(pl.col(USCC), prefix="_u_").alias("_u"),
            *(
                _fold(pl.col(h))
                .replace_strict(codes.lookup(), default=None, return_dtype=pl.String)
                .alias(f"{h}__code")
                for h, codes in UNIT_CODED.items()
            ),
        )
        .unnest("_u")
        .with_columns(
            # One key per unit: its number, else its valid code.
            pl.coalesce(
                pl.col(NUMBER), pl.when(pl.col("_u_reason").is_null()).then(pl.col("_u_norm"))
            ).alias("_key")
        )
    )


def _is(heading: str, value: str) -> pl.Expr:
    return (pl.col(f"{heading}__code") == value).fill_null(False)


def _hits(frame: pl.DataFrame, when: pl.Expr, item: str, value: pl.Expr, code: str) -> pl.DataFrame:
    category, reason, fix = UNIT_PROBLEMS[code]
    return frame.filter(when.fill_null(False)).select(
        pl.col("_file").alias("文件"),
        pl.col("_row").alias("行号"),
        pl.col("_county").alias(REGION),
        NUMBER,
        USCC,
        NAME,
        pl.lit(item).alias("项目"),
        value.cast(pl.String).alias("值"),
        pl.lit(category).alias("类别"),
        pl.lit(code).alias("原因代码"),
        pl.lit(reason).alias("原因"),
        pl.lit(fix).alias("改正方法"),
    )


def find_unit_problems(units: pl.DataFrame, roster: pl.DataFrame | None) -> pl.DataFrame:
    """Every check over normalised unit entries; one row per problem, by file and row."""
    visited, confirmed = _is(UNIT_VISITED, "是"), _is(UNIT_CONFIRMED, "是")
    empty = pl.lit(None, dtype=pl.String)
    reason = pl.col("_u_reason").replace_strict(USCC_REASONS, default=pl.col("_u_reason"))
    parts = [
        _hits(
            units,
            confirmed & pl.col("_u_reason").is_not_null() & (pl.col("_u_reason") != "missing"),
            USCC,
            pl.format("{}（{}）", pl.col(USCC), reason),
            "invalid_uscc",
        ),
        *(_hits(units, is_formula_text(pl.col(h)), h, pl.col(h), "formula") for h in UNIT_HEADINGS),
        *(
            _hits(
                units,
                pl.col(h).is_not_null() & pl.col(f"{h}__code").is_null(),
                h,
                pl.col(h),
                "bad_code",
            )
            for h in UNIT_CODED
        ),
        _hits(units, pl.col(NAME).is_null(), NAME, empty, "missing_item"),
        _hits(units, pl.col(UNIT_VISITED).is_null(), UNIT_VISITED, empty, "missing_item"),
        _hits(
            units, visited & pl.col(UNIT_CONFIRMED).is_null(), UNIT_CONFIRMED, empty, "missing_item"
        ),
        *(
            _hits(units, confirmed & pl.col(h).is_null(), h, empty, "missing_item")
            for h in CONFIRMED_ITEMS
        ),
        _hits(
            units,
            confirmed & _is(UNIT_VISITED, "否"),
            UNIT_CONFIRMED,
            pl.col(UNIT_CONFIRMED),
            "confirmed_not_visited",
        ),
        _hits(
            units,
            pl.col("_key").is_not_null()
            & (pl.int_range(pl.len()).over("_key", order_by=["_file", "_row"]) > 0),
            NUMBER,
            pl.col("_key"),
            "duplicate_entry",
        ),
    ]
    if roster is not None:
        numbers = roster["单位编号"].drop_nulls().implode()
        codes = roster["统一社会信用代码"].drop_nulls().implode()
        absent = ~pl.col(NUMBER).is_in(numbers).fill_null(False) & ~pl.col("_u_norm").is_in(
            codes
        ).fill_null(False)
        parts.append(_hits(units, absent, NUMBER, pl.coalesce(NUMBER, USCC), "not_on_roster"))
    order = {code: i for i, code in enumerate(UNIT_PROBLEMS)}
    return (
        pl.concat(parts)
        .with_columns(pl.col("原因代码").replace_strict(order, return_dtype=pl.Int32).alias("_o"))
        .sort("文件", "行号", "_o", "项目")
        .drop("_o")
    )


def count_unit_facts(
    units: pl.DataFrame, problems: pl.DataFrame, roster: pl.DataFrame | None
) -> pl.DataFrame:
    """The long facts (县区, 指标, 实际值) of the unit sheets, every fact for every county."""
    skip = problems.filter(pl.col("原因代码").is_in(["duplicate_entry", "not_on_roster"]))
    counted = units.join(
        skip.select(pl.col("文件").alias("_file"), pl.col("行号").alias("_row")),
        on=["_file", "_row"],
        how="anti",
    )
    if roster is not None:
        known = roster.select(
            pl.col("单位编号").alias(NUMBER), pl.col("县区").alias("_roster_county")
        ).unique(NUMBER)
        counted = counted.join(known, on=NUMBER, how="left")
    else:
        counted = counted.with_columns(pl.lit(None, pl.String).alias("_roster_county"))
    county = pl.coalesce("_roster_county", "_county", pl.lit(UNKNOWN_COUNTY)).alias("县区")
    visited = _is(UNIT_VISITED, "是")
    parts = [
        counted.group_by(county).agg(
            visited.sum().cast(pl.Int64).alias(VISITED_UNITS),
            (visited & _is(UNIT_CONFIRMED, "是")).sum().cast(pl.Int64).alias(CONFIRMED_UNITS),
        ),
        problems.group_by(pl.col(REGION).fill_null(UNKNOWN_COUNTY).alias("县区")).agg(
            pl.len().cast(pl.Int64).alias(UNIT_ERRORS)
        ),
    ]
    if roster is not None:
        parts.append(
            roster.group_by(pl.col("县区").fill_null(UNKNOWN_COUNTY)).agg(
                pl.len().cast(pl.Int64).alias(NEEDS_SURVEY_UNITS)
            )
        )
    order = [f for f in UNIT_FACTS if roster is not None or f != NEEDS_SURVEY_UNITS]
    return long_facts(parts, order)


def run_unit_intake(
    sheets: SortedSheets, *, survey: Path | None, area: Sequence[str]
) -> UnitIntake | None:
    """Check the stacked unit sheets (against the match's unit roster, with ``survey``)."""
    if sheets.units is None:
        return None
    roster = None
    if survey is not None:
        roster = read_units_needing_survey(survey)
        if roster is None:
            raise InputError(
                _(
                    "{folder}: no units_needing_survey.csv (the match ran without units), so "
                    "the unit entry sheets cannot be checked"
                ).format(folder=survey),
                fix=_(
                    "rerun `canbao match` with --units and --insured-units, or leave out --survey"
                ),
            )
    cities = area or sorted(
        roster["县区"].drop_nulls().str.slice(0, 4).unique().to_list() if roster is not None else []
    )
    entries = normalise_units(sheets.units, cities)
    problems = find_unit_problems(entries, roster)
    facts = count_unit_facts(entries, problems, roster)
    return UnitIntake(sheets.unit_files, entries, problems, facts)
