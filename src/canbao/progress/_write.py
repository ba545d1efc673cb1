"""The files of ``canbao progress``: the print-ready workbooks and the tables for programs.

- ``progress.xlsx``: 进度表 (人社厅发〔2017〕28号 附件1, a row per county and 合计 for the last
  period: the rate columns filled, the columns answered by hand blank or from ``--manual``) and
  比率明细 (every period and 累计, per unit and rate: numerator, denominator, percentage);
- ``basic_data_tables.xlsx``: tables (一) and (二) with their survey-fed columns filled;
- ``rates.csv`` (比率明细 as a table), ``facts.csv`` (for ``canbao score --facts``) and
  ``progress.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import polars as pl

from canbao.cells import neutralise_frame
from canbao.match.national_book import write_basic_tables
from canbao.match.tables import CODE_COLUMN, TABLE1_COLUMNS, TABLE2_COLUMNS, BasicTables
from canbao.print_layout import XlsxTable, apply_to_xlsxwriter, plan_pages, xlsx_formats
from canbao.progress import _counts as c
from canbao.progress._outside import COMPARISONS
from canbao.progress._template import COLUMNS
from canbao.progress.api import ProgressReport, UnitRates, facts_frame, rates_frame
from canbao.regions import display_name

SHEET: Final = "进度表"
DETAIL: Final = "比率明细"
TITLE: Final = "全民参保登记工作进度表"
TOP: Final = 2  # title and 填报单位 line above the headings
AREA: Final = "合计"
NOTES1: Final = (
    "说明：本表由全民参保登记信息库生成，只填入调查回填的栏：(6)“已核实入库人数”（需入户调查人员中，"
    "在其原因最近一次变化之后经入户调查表确认登记的人数）和各“已整合人数”（曾重复参保、截至统计日已不再"
    "重复的人数）。其余各栏见同期比对结果的基础数据情况表。",
)
NOTES2: Final = (
    "说明：未参保原因各栏按每人截至统计日最近一份通过校验并确认登记的入户调查表所填原因计数，"
    "一人填多个原因的计入各栏；其余各栏见同期比对结果的基础数据情况表。",
)


def _label(unit: str | None) -> str:
    return AREA if unit is None else display_name(unit)


def _progress_sheet(book: Any, report: ProgressReport, fmt: dict[str, Any]) -> None:
    widths = [10.0] + [8.0] * len(COLUMNS)
    groups = {1 + k for k in range(1, len(COLUMNS)) if COLUMNS[k].group != COLUMNS[k - 1].group}
    plan = plan_pages(widths, repeat=1, break_after=groups)
    t = XlsxTable(book.add_worksheet(SHEET), widths)
    top = (plan.first_page_columns or len(widths)) - 1
    t.put(0, 0, TITLE, fmt["title"], to_col=top, size=16)
    last = report.latest()
    period = last[0].period_label if last else ""
    t.put(1, 0, f"填报单位名称：{report.area}　　统计期间：{period}", fmt["line"], to_col=top)
    t.put(TOP, 0, "项目", fmt["head"], to_row=TOP + 1)
    start = 1
    for j in range(1, len(COLUMNS) + 1):
        if j == len(COLUMNS) or COLUMNS[j].group != COLUMNS[start - 1].group:
            end = j
            group = COLUMNS[start - 1].group
            t.put(TOP, start, group, fmt["head"], to_col=end if end > start else None)
            start = j + 1
    for j, column in enumerate(COLUMNS, start=1):
        t.put(TOP + 1, j, column.heading, fmt["head"])
        t.put(TOP + 2, j, column.number, fmt["head"])
    t.put(TOP + 2, 0, "甲栏", fmt["head"])
    row = TOP + 2
    for unit_rates in last:
        row += 1
        _progress_row(t, row, unit_rates, report, fmt)
    t.fit_rows()
    t.ws.freeze_panes(TOP + 3, 1)
    apply_to_xlsxwriter(t.ws, plan, title_rows=(TOP, TOP + 2), repeat_columns=1)
    t.ws.print_area(0, 0, row, len(widths) - 1)


def _progress_row(
    t: XlsxTable, row: int, unit_rates: UnitRates, report: ProgressReport, fmt: dict[str, Any]
) -> None:
    t.put(row, 0, _label(unit_rates.county), fmt["cell"])
    by_rate = {rate.spec.number: rate for rate in unit_rates.rates}
    hand = report.manual.cells.get(unit_rates.county, {})
    for j, column in enumerate(COLUMNS, start=1):
        if column.rate:
            t.put(row, j, by_rate[column.rate].text, fmt["rate"])
        else:
            t.put(row, j, hand.get(column.number, ""), fmt["cell"])


def _detail_sheet(book: Any, report: ProgressReport, fmt: dict[str, Any]) -> None:
    frame = rates_frame(report.rows)
    widths = [13.0, 10.0] + [8.0] * (frame.width - 2)
    plan = plan_pages(widths, repeat=2, break_after={2 + 3 * k for k in range(1, 9)})
    t = XlsxTable(book.add_worksheet(DETAIL), widths)
    top = (plan.first_page_columns or len(widths)) - 1
    t.put(0, 0, f"{TITLE}（{DETAIL}）", fmt["title"], to_col=top, size=16)
    t.put(1, 0, f"填报单位名称：{report.area}　　截至：{report.as_of}", fmt["line"], to_col=top)
    t.put(TOP, 0, "期间", fmt["head"], to_row=TOP + 1)
    t.put(TOP, 1, "县（区）", fmt["head"], to_row=TOP + 1)
    for k, rate in enumerate(report.rows[0].rates):
        first = 2 + 3 * k
        t.put(TOP, first, f"{rate.spec.number}. {rate.spec.name}", fmt["head"], to_col=first + 2)
        t.put(TOP + 1, first, f"分子：{rate.spec.numerator}", fmt["head"])
        t.put(TOP + 1, first + 1, f"分母：{rate.spec.denominator}", fmt["head"])
        t.put(TOP + 1, first + 2, "比率", fmt["head"])
    row = TOP + 1
    for unit_rates in report.rows:
        row += 1
        t.put(row, 0, unit_rates.period_label.replace("—", "\n—"), fmt["cell"])
        t.put(row, 1, _label(unit_rates.county), fmt["cell"])
        for k, rate in enumerate(unit_rates.rates):
            for d, value in enumerate((rate.numerator, rate.denominator)):
                if value is None:
                    t.ws.write_blank(row, 2 + 3 * k + d, None, fmt["num"])
                else:
                    t.ws.write_number(row, 2 + 3 * k + d, value, fmt["num"])
            t.put(row, 4 + 3 * k, rate.text, fmt["rate"])
    t.fit_rows()
    t.ws.freeze_panes(TOP + 2, 2)
    apply_to_xlsxwriter(t.ws, plan, title_rows=(TOP, TOP + 1), repeat_columns=2)
    t.ws.print_area(0, 0, row, len(widths) - 1)


def write_progress_book(report: ProgressReport, path: Path) -> None:
    """``progress.xlsx``: 进度表 and 比率明细."""
    from canbao.text_workbook import TextWorkbook

    with TextWorkbook(path) as book:
        fmt = xlsx_formats(
            book, num={"num_format": "0", "align": "right"}, rate={"align": "center"}
        )
        _progress_sheet(book, report, fmt)
        _detail_sheet(book, report, fmt)


def basic_tables(report: ProgressReport) -> BasicTables:
    """Tables (一) and (二) per county and 合计, the survey-fed columns filled, others empty."""
    survey = report.survey_columns
    labels = survey.select(
        pl.col("county").map_elements(_label, return_dtype=pl.String).alias("县（区）")
        if survey.height
        else pl.lit(None, pl.String).alias("县（区）"),
        pl.col("county").alias(CODE_COLUMN),
    )

    def shaped(columns: list[str]) -> pl.DataFrame:
        return pl.concat(
            [
                labels,
                survey.select(
                    pl.col(n) if n in survey.columns else pl.lit(None, pl.Int64).alias(n)
                    for n in columns
                ),
            ],
            how="horizontal",
        )

    return BasicTables(shaped(TABLE1_COLUMNS), shaped(TABLE2_COLUMNS), [])


def _csv(frame: pl.DataFrame, path: Path) -> None:
    neutralise_frame(frame).write_csv(path, include_bom=True)


def write_all(report: ProgressReport, folder: Path) -> None:
    """Every file of the folder (module docstring)."""
    write_progress_book(report, folder / "progress.xlsx")
    write_basic_tables(basic_tables(report), folder / "basic_data_tables.xlsx", (NOTES1, NOTES2))
    _csv(rates_frame(report.rows), folder / "rates.csv")
    _csv(facts_frame(report), folder / "facts.csv")
    text = json.dumps(as_json(report), ensure_ascii=False, indent=2)
    (folder / "progress.json").write_text(text + "\n", encoding="utf-8")


def as_json(report: ProgressReport) -> dict[str, object]:
    """What ``--json`` prints and progress.json holds: the rows with each rate's counts, and
    with outside rosters given, the persons they list (``outside``) and their unreadable rows."""
    found = [COMPARISONS[name][0] for name in report.outside_unreadable]
    return {
        "area": report.area,
        "as_of": report.as_of.isoformat(),
        "period": report.kind.value,
        "per_county": report.per_county,
        "rows": [
            {
                "period": row.period_label,
                "county": row.county,
                "name": _label(row.county),
                "rates": [
                    {
                        "number": rate.spec.number,
                        "name": rate.spec.name,
                        "numerator": {"name": rate.spec.numerator, "value": rate.numerator},
                        "denominator": {"name": rate.spec.denominator, "value": rate.denominator},
                        "rate": rate.text,
                    }
                    for rate in row.rates
                ],
                **({"outside": {n: row.counts.get(n) for n in found}} if found else {}),
            }
            for row in report.rows
        ],
        **({"outside_unreadable_rows": report.outside_unreadable} if found else {}),
        "survey_columns": {c.VERIFIED_COLUMN: int(report.survey_columns[c.VERIFIED_COLUMN][-1])},
    }
