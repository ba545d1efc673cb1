"""The data-entry sheet (信息录入表): one row per person, a drop-down on every coded item.

The clerk types what the paper forms say. Known fields are pre-filled from the match; the
current enrolment is pre-filled only where the match found exactly one active scheme of a type
(the form says 同一险种单选, so two would be a contradiction for the visitor to settle). The
drop-down lists live on a sheet of their own (代码表) and are referenced by range, so a list is
never cut at Excel's 255-character limit for inline lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from canbao import regions
from canbao.cells import text_only_workbook
from canbao.forms.form_codes import (
    CODED_COLUMNS,
    ENTRY_COLUMNS,
    ENTRY_HEADER_ROW,
    ENTRY_HEADINGS,
    ENTRY_REPEAT,
    SCHEME_LISTS,
    CodeList,
)
from canbao.print_layout import unit_and_date
from canbao.sheet_style import (
    HEAD_FONT,
    fit_body_heights,
    print_table,
    style_alike,
    table_head,
    text_body,
)

ENTRY_SHEET: Final = "信息录入表"
CODE_SHEET: Final = "代码表"
SPARE_ROWS: Final = 20  # validated blank rows below the roster, for persons found on the visit
PREFILL_FILL: Final = PatternFill("solid", fgColor="EEEEEE")
# needs_survey column -> entry heading, for the pre-filled fields.
PREFILL: Final = {
    "县区": "县区",
    "乡镇(街道)": "乡镇(街道)",
    "村(社区)": "村(社区)",
    "人员编号": "人员编号",
    "姓名": "姓名",
    "公民身份号码": "公民身份号码",
    "性别": "性别",
    "户口所在地": "户口所在地",
    "常住地址": "常住地地址",
}


def prefill_frame(group: pl.DataFrame) -> pl.DataFrame:
    """Return the entry sheet's rows for a group: known fields filled, the rest null."""
    schemes = pl.col("现参保险种").fill_null("").str.split(";")
    exprs: list[pl.Expr] = [pl.int_range(1, pl.len() + 1).cast(pl.String).alias("序号")]
    exprs += [pl.col(src).alias(dst) for src, dst in PREFILL.items() if src != "县区"]
    # ``340602 杜集区``: the clerk reads the name, intake keys the data on the code.
    exprs.append(regions.code_and_name_expr(pl.col("县区")).alias(PREFILL["县区"]))
    for codes in SCHEME_LISTS:
        prefix = codes.values[0][0][0]
        of_type = schemes.list.eval(pl.element().filter(pl.element().str.starts_with(prefix)))
        single = pl.when(of_type.list.len() == 1).then(of_type.list.first())
        label = single.replace_strict(dict(codes.values), default=None)
        exprs.append(pl.concat_str([single, pl.lit(" "), label]).alias(codes.heading))
    frame = group.select(exprs)
    missing = [h for h in ENTRY_HEADINGS if h not in frame.columns]
    frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(h) for h in missing)
    return frame.select(ENTRY_HEADINGS)


def write_code_sheet(
    ws: Worksheet, coded: Mapping[str, CodeList] = CODED_COLUMNS
) -> dict[str, str]:
    """Write every drop-down list in a column of its own; return heading -> range formula."""
    ws.title = CODE_SHEET
    ranges: dict[str, str] = {}
    seen: dict[int, str] = {}
    col = 0
    for heading, codes in coded.items():
        if id(codes) in seen:
            ranges[heading] = seen[id(codes)]
            continue
        col += 1
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=codes.heading).font = HEAD_FONT
        choices = codes.choices()
        for i, choice in enumerate(choices, start=2):
            ws.cell(row=i, column=col, value=choice)
        ws.column_dimensions[letter].width = max(10, *(len(c) * 2 for c in choices))
        ranges[heading] = seen[id(codes)] = (
            f"'{CODE_SHEET}'!${letter}$2:${letter}${len(choices) + 1}"
        )
    return ranges


def add_validations(
    ws: Worksheet,
    ranges: dict[str, str],
    last_row: int,
    headings: Sequence[str] = ENTRY_HEADINGS,
    first: int = ENTRY_HEADER_ROW + 1,
) -> None:
    """Attach a list validation (drop-down, stop on a value outside the list) to coded columns."""
    for col, heading in enumerate(headings, start=1):
        if heading not in ranges:
            continue
        dv = DataValidation(type="list", formula1=ranges[heading], allow_blank=True)
        dv.showErrorMessage = True
        dv.errorTitle = "录入不规范"
        dv.error = f"{heading}：请从下拉列表中选择（见“{CODE_SHEET}”）。"
        dv.showInputMessage = True
        dv.promptTitle = heading
        dv.prompt = "请从下拉列表中选择"
        letter = get_column_letter(col)
        dv.add(f"{letter}{first}:{letter}{last_row}")
        ws.add_data_validation(dv)


def write_entry_sheet(
    ws: Worksheet, group: pl.DataFrame, place: str, ranges: dict[str, str]
) -> None:
    """Fill the entry worksheet of a group: title, headings, pre-filled rows, validations."""
    ws.title = ENTRY_SHEET
    note = unit_and_date(before=place) + "　　灰底为比对结果预填，请按《全民参保登记表》核实录入"
    table_head(ws, "全民参保登记信息录入表", note, ENTRY_COLUMNS, ENTRY_HEADER_ROW)
    rows = prefill_frame(group)
    last_row = fill_rows(ws, rows, ENTRY_HEADER_ROW, {*PREFILL.values(), "序号"})
    add_validations(ws, ranges, last_row)
    ws.freeze_panes = ws.cell(row=ENTRY_HEADER_ROW + 1, column=8)
    ws.auto_filter.ref = f"A{ENTRY_HEADER_ROW}:{get_column_letter(rows.width)}{last_row}"
    print_table(
        ws,
        header_row=ENTRY_HEADER_ROW,
        last_row=last_row,
        ncol=rows.width,
        repeat_columns=ENTRY_REPEAT,
    )


def _shade(cell: Any) -> None:
    cell.fill = PREFILL_FILL


def fill_rows(ws: Worksheet, rows: pl.DataFrame, header_row: int, prefilled: set[str]) -> int:
    """Write the pre-filled rows below the headings, box them and SPARE_ROWS more as text, shade
    the pre-filled columns; return the last row."""
    for values in rows.iter_rows():
        ws.append(list(values))
    last_row = header_row + rows.height + SPARE_ROWS
    text_body(ws, header_row + 1, last_row, rows.width)
    fit_body_heights(ws, header_row + 1, rows)
    shaded = (
        ws.cell(r, col)
        for col, heading in enumerate(rows.columns, start=1)
        if heading in prefilled
        for r in range(header_row + 1, header_row + rows.height + 1)
    )
    style_alike(shaded, _shade)
    return last_row


def write_entry_workbook(group: pl.DataFrame, place: str, path: Path) -> None:
    """Write the entry workbook of one group (录入表 first, then the code lists)."""
    wb = Workbook()
    entry = wb.active
    assert entry is not None
    codes = wb.create_sheet(CODE_SHEET)
    ranges = write_code_sheet(codes)
    write_entry_sheet(entry, group, place, ranges)
    text_only_workbook(wb).save(path)
