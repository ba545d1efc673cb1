"""The task table (淮人社秘〔2017〕166号's 入户调查任务表) as a print-ready workbook.

``task_table.xlsx`` is written by every match, beside the task table in the chosen ``--format``
(the CSV stays the machine's copy): the title, the 填报单位 and date line, boxed headings
repeated on every printed page, a row per county and 合计, 县区代码 stored as text (never a
number Excel could round), rates as the text the CSV has (``96.20%``), frozen headings and a
filter, A4 with the page plan of :mod:`canbao.print_layout`. Read back by
:func:`canbao.result_tables.read_result_table` (the heading row is found by 县区代码).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import polars as pl

from canbao.match.tables import CODE_COLUMN
from canbao.print_layout import (
    XlsxTable,
    apply_to_xlsxwriter,
    plan_pages,
    unit_and_date,
    xlsx_formats,
)
from canbao.xlsx_charts import ChartSpec, charts_below

TITLE: Final = "入户调查任务表"
SHEET: Final = "入户调查任务表"
HEAD_ROW: Final = 2  # rows 0-1: title and the 填报单位 / date line
WIDTHS: Final = {CODE_COLUMN: 8.0, "县（区）": 9.0}
NUMBER_WIDTH: Final = 8.0
SURVEY_SERIES: Final = ("需入户调查人员数", "流动人口需入户调查人员数")
ENROLMENT_SERIES: Final = (
    "养老保险应参人数",
    "养老保险已参人数",
    "医疗保险应参人数",
    "医疗保险已参人数",
)


def formats(book: Any) -> dict[str, Any]:
    """SimSun 10 pt, boxed; codes and rates as text, counts as whole numbers."""
    return xlsx_formats(
        book,
        text={"num_format": "@", "align": "center"},
        num={"num_format": "0", "align": "right"},
        rate={"num_format": "@", "align": "right"},
    )


def _cell(t: XlsxTable, row: int, col: int, value: object, dtype: pl.DataType, fmt: Any) -> None:
    if value is None:
        t.ws.write_blank(row, col, None, fmt["num"])
    elif dtype.is_integer():
        t.ws.write_number(row, col, value, fmt["num"])
    else:
        t.ws.write_string(row, col, str(value), fmt["rate"])


def write_task_table(task: pl.DataFrame, path: Path) -> None:
    """Write the task table (a row per county and 合计) as a print-ready workbook."""
    from canbao.text_workbook import TextWorkbook

    widths = [WIDTHS.get(c, NUMBER_WIDTH) for c in task.columns]
    plan = plan_pages(widths, repeat=2)
    with TextWorkbook(path) as book:
        fmt = formats(book)
        t = XlsxTable(book.add_worksheet(SHEET), widths)
        top = (plan.first_page_columns or len(widths)) - 1
        t.put(0, 0, TITLE, fmt["title"], to_col=top, size=16)
        line = unit_and_date(after=f"共 {max(task.height - 1, 0)} 个县（区）")
        t.put(1, 0, line, fmt["line"], to_col=top)
        for j, heading in enumerate(task.columns):
            t.put(HEAD_ROW, j, heading, fmt["head"])
        row = HEAD_ROW
        for record in task.iter_rows():
            row += 1
            code, label, *rest = record
            if code is None:
                t.ws.write_blank(row, 0, None, fmt["text"])
            else:
                t.ws.write_string(row, 0, str(code), fmt["text"])
            t.put(row, 1, label, fmt["head"] if label == "合计" else fmt["cell"])
            for j, value in enumerate(rest, start=2):
                _cell(t, row, j, value, task.dtypes[j], fmt)
        t.fit_rows()
        t.ws.freeze_panes(HEAD_ROW + 1, 2)
        t.ws.autofilter(HEAD_ROW, 0, max(row, HEAD_ROW), len(widths) - 1)
        apply_to_xlsxwriter(t.ws, plan, title_rows=(HEAD_ROW, HEAD_ROW), repeat_columns=2)
        end = charts_below(book, t.ws, _charts(task, row), at_row=row + 2, widths=widths)
        t.ws.print_area(0, 0, max(end, row, HEAD_ROW), len(widths) - 1)


def _charts(task: pl.DataFrame, last_row: int) -> list[ChartSpec]:
    """Under the table: the survey load and the enrolment (required, enrolled) by county, from
    the county rows (合计, the last row, left out)."""
    col = {name: j for j, name in enumerate(task.columns)}
    first, last = HEAD_ROW + 1, last_row - 1
    load = [(name, col[name]) for name in SURVEY_SERIES if name in col]
    enrolment = [(name, col[name]) for name in ENROLMENT_SERIES if name in col]
    return [
        ChartSpec("各县区需入户调查人数", first, last, 1, load),
        ChartSpec("各县区养老、医疗保险应参与已参人数", first, last, 1, enrolment),
    ]
