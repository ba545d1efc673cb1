"""The data table (数据表) of 淮人社秘〔2017〕376号 附件4: its blank form and its reader.

A county fills one row of 21 numbered columns (甲栏 1..21): 是/否 answers and counts. The
columns are the document's own; a rule file maps some of them to its facts (``facts:`` entries
with ``column: N``), and :func:`read_datatable` turns a filled table into the long table
(县区, 指标, 实际值) ``canbao score`` scores. The layout lives here, beside its reader, so that
scoring never needs the forms package; ``canbao forms template datatable`` writes the blank.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import polars as pl
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from canbao.errors import InputError
from canbao.i18n import _
from canbao.print_layout import text_height
from canbao.score.loader import LoadedRules, load_rules
from canbao.sheet_style import (
    BODY_FONT,
    CENTRE,
    HEAD_FONT,
    TITLE_FONT,
    WRAP,
    boxed_cell,
    fit_heading_height,
    setup_print,
)
from canbao.shown_path import shown_path
from canbao.workbook_guard import check_workbook

DATATABLE_SHEET: Final = "数据表"
DATATABLE_VALUE_ROW: Final = 6  # the row of a filled data table that holds the values

# 附件4: (group, heading, 是/否 column?) for 甲栏 columns 1..21.
DATATABLE_COLUMNS: Final = (
    ("发文情况", "是否以县（区）政府名义印发实施方案", True),
    ("发文情况", "是否以部门联合形式印发实施方案", True),
    ("发文情况", "是否以人社局名义印发实施方案", True),
    ("发文情况", "是否印发实施细则或经办规程", True),
    ("领导重视情况", "是否成立由县（区）级领导任组长的领导小组", True),
    ("领导重视情况", "是否成立由人社局领导任组长的领导小组", True),
    ("领导重视情况", "是否纳入政府考核体系", True),
    ("协作情况", "是否建立跨部门协作机制", True),
    ("经费保障情况", "是否已将工作经费纳入财政预算", True),
    ("经费保障情况", "工作经费投入数额（万元）", False),
    ("入户调查情况", "开展入户调查单位数(户)", False),
    ("入户调查情况", "已通过入户调查确认登记单位数(户)", False),
    ("入户调查情况", "开展入户调查人数(人)", False),
    ("入户调查情况", "已通过入户调查确认登记人数(人)", False),
    ("数据库利用情况", "登记信息入库人数(人)", False),
    ("数据分析利用情况", "通过扩面新增入库人数(人)", False),
    ("数据分析利用情况", "应保未保人数(人)", False),
    ("培训情况", "培训场次", False),
    ("培训情况", "培训人次", False),
    ("宣传情况", "是否制定了宣传方案", True),
    ("宣传情况", "拍摄宣传片或公益广告片个数", False),
)
DATATABLE_NOTES: Final = (
    "填表说明：（1）数据均为累计数。（2）工作经费投入数额是指本县（区）投入的全民参保经费数额。"
    "（3）开展入户调查单位数是指总共入户调查了多少家单位。（4）已通过入户调查确认登记单位数是指开展入户调查的"
    "单位中登记的有多少家。（5）开展入户调查人数是指总共入户调查了多少个人。（6）已通过入户调查确认登记人数是指"
    "开展入户调查的人中登记的有多少人。（7）登记入库人数是指已入户登记的人中有多少人已录入数据库。"
    "（8）通过扩面新增入库人数是指未参保人中通过入户调查而参保的新增入库人数。（9）应保未保人数是指应该参保而未"
    "参保的人数。"
)


def write_datatable(ws: Worksheet) -> None:
    """Write the blank data table: group headings, the 21 column headings, 甲栏, one data row."""
    ws.title = DATATABLE_SHEET
    last = get_column_letter(len(DATATABLE_COLUMNS) + 1)
    ws["A1"] = "全民参保登记工作数据表"
    ws["A1"].font, ws["A1"].alignment = TITLE_FONT, CENTRE
    ws.merge_cells(f"A1:{last}1")
    # 附件4's line: 填报单位名称 (read back from A2: the county after the colon) and 填报时间.
    ws["A2"] = "填报单位名称[县（区）级单位]："
    ws["A2"].font = HEAD_FONT
    ws.merge_cells("A2:O2")
    ws["P2"] = "填报时间：　　　　年　　月　　日"
    ws["P2"].font = HEAD_FONT
    ws.merge_cells(f"P2:{last}2")
    boxed_cell(ws, 3, 1, "项目", bold=True)
    ws.merge_cells("A3:A4")
    ws.column_dimensions["A"].width = 8
    start = 2
    for i, (group, heading, _yes_no) in enumerate(DATATABLE_COLUMNS):
        col = i + 2
        boxed_cell(ws, 4, col, heading, bold=True)
        boxed_cell(ws, 5, col, i + 1, bold=True)
        boxed_cell(ws, DATATABLE_VALUE_ROW, col, None)
        ws.column_dimensions[get_column_letter(col)].width = 7
        if i + 1 == len(DATATABLE_COLUMNS) or DATATABLE_COLUMNS[i + 1][0] != group:
            boxed_cell(ws, 3, start, group, bold=True)
            if col > start:
                ws.merge_cells(start_row=3, start_column=start, end_row=3, end_column=col)
            start = col + 1
    boxed_cell(ws, 5, 1, "甲栏", bold=True)
    boxed_cell(ws, DATATABLE_VALUE_ROW, 1, "合计", bold=True)
    ws.row_dimensions[4].height = 150
    fit_heading_height(ws, 3, len(DATATABLE_COLUMNS) + 1)
    fit_heading_height(ws, 4, len(DATATABLE_COLUMNS) + 1)
    _add_validations(ws)
    ws["A8"] = DATATABLE_NOTES
    ws["A8"].font, ws["A8"].alignment = BODY_FONT, WRAP
    ws.merge_cells(f"A8:{last}8")
    ws.row_dimensions[8].height = text_height(DATATABLE_NOTES, 8 + 7.7 * len(DATATABLE_COLUMNS))
    ws.print_area = f"A1:{last}8"
    setup_print(ws, landscape=True, title_rows=None)


def _add_validations(ws: Worksheet) -> None:
    """A 是/否 drop-down or a non-negative number check on every value cell."""
    yes_no = DataValidation(
        type="list", formula1='"是,否"', allow_blank=True, showErrorMessage=True
    )
    yes_no.error, yes_no.errorTitle = "请选择：是、否", "填写不规范"
    number = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    number.showErrorMessage, number.error, number.errorTitle = (
        True,
        "请填写不小于 0 的数",
        "填写不规范",
    )
    for i, (_group, _heading, is_yes_no) in enumerate(DATATABLE_COLUMNS):
        (yes_no if is_yes_no else number).add(f"{get_column_letter(i + 2)}{DATATABLE_VALUE_ROW}")
    ws.add_data_validation(yes_no)
    ws.add_data_validation(number)


def is_datatable(path: Path) -> bool:
    """Tell whether a file is a data table workbook (its first sheet is named 数据表)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not path.exists():
        return False
    check_workbook(path)
    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # not a readable workbook: read_submission reports it
        return False
    return bool(book.sheetnames) and book.sheetnames[0] == DATATABLE_SHEET


def read_datatable(path: Path, rules: LoadedRules | str | Path) -> pl.DataFrame:
    """Read a filled data table into (县区, 指标, 实际值) for the columns that are rule facts.

    ``rules`` is the loaded rule set (as scoring passes it: the file is parsed once), or a rule
    file or bundled name to load.
    """
    loaded = rules if isinstance(rules, LoadedRules) else load_rules(Path(rules))
    facts = {f.column: f.name for f in loaded.rules.facts if f.column}
    wb = load_workbook(Path(path), data_only=True)
    ws = wb.worksheets[0]
    unit = str(ws["A2"].value or "")
    county = unit.split("：", 1)[-1].strip() if "：" in unit else ""
    if not county:
        raise InputError(
            _("{path}: no county after 填报单位名称 on row 2").format(path=shown_path(path)),
            fix=_("write the county after the colon, e.g. 填报单位名称[县（区）级单位]：濉溪县"),
        )
    rows = []
    for i in range(len(DATATABLE_COLUMNS)):
        name = facts.get(str(i + 1))
        value = ws.cell(row=DATATABLE_VALUE_ROW, column=i + 2).value
        if name is not None and value not in (None, ""):
            rows.append((county, name, str(value)))
    return pl.DataFrame(rows, schema=["县区", "指标", "实际值"], orient="row")
