"""The national basic data tables (人社厅发〔2017〕28号 附件2) as a county office prints them.

``basic_data_tables.xlsx`` has a sheet per table, laid out as the notice prints it: the title,
the 填报单位名称 / 填报时间 / 单位 line, the grouped headings (数据比对核查情况 > 养老保险 >
跨制度重复参保人数 …), the 甲栏 row numbering the columns 1, 2 … that the logic relations
``(2) >= (3)`` refer to (甲 the county, 乙 its code), a row per county and 合计, boxed, and the
relations and notes below. Each table is meant to print on one A4 page (:mod:`canbao.print_layout`
picks orientation and scale, never below 70 %); the numeric columns are as narrow as their
headings and numbers allow. The sheet 逻辑关系校验 lists every relation per county with 是/否.

:func:`read_basic_tables` reads the workbook back into frames with the long column names of
:mod:`canbao.match.tables` (for tests and for programs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl

from canbao.match.tables import CODE_COLUMN, TABLE1_COLUMNS, TABLE2_COLUMNS, BasicTables
from canbao.print_layout import (
    MIN_SCALE,
    NARROW_FACTOR,
    XlsxTable,
    apply_to_xlsxwriter,
    plan_pages,
    xlsx_formats,
)

SHEET1: Final = "基础数据情况表(一)"
SHEET2: Final = "基础数据情况表(二)"
CHECK_SHEET: Final = "逻辑关系校验"
LABEL: Final = "县（区）"
TOP: Final = 2  # rows 0-1: title and the 填报单位 line; headings on rows 2-4, 甲栏 on row 5
NUMBER_ROW: Final = TOP + 3
LINE: Final = "　".join(
    ("填报单位名称：" + "　" * 9, "填报时间：　　　　年　　月　　日" + "　" * 3, "单位：人")
)
LABEL_WIDTH: Final = 9.0
CODE_WIDTH: Final = 8.0  # six digits on one line
NUMBER_WIDTHS: Final = (6.5, 6.0, 5.5, 5.0)  # tried in turn until the table fits one page wide
LEGAL_GROUP: Final = "法定人群应参未参"
NO_COUNTY: Final = "县区不明"  # persons counted without a county (duplicates outside the area)


@dataclass(frozen=True)
class Column:
    """One numbered column: its name in the frame, its top and middle group, its short heading."""

    name: str
    top: str
    middle: str | None
    heading: str


def _group1(name: str) -> str:
    """The middle group of a column of table (一): 户籍情况, 登记入库情况 or its insurance."""
    index = TABLE1_COLUMNS.index(name)
    if index == 0:
        return "户籍情况"
    if index < TABLE1_COLUMNS.index("养老保险应参未参人数"):
        return "登记入库情况"
    if index < TABLE1_COLUMNS.index("医疗保险应参未参人数"):
        return "养老保险"
    if index < TABLE1_COLUMNS.index("工伤保险参保人数"):
        return "医疗保险"
    return name[:4]  # 工伤保险, 失业保险, 生育保险


def _short(name: str, middle: str | None) -> str:
    """The heading under its group: the group's name and a ``(…)`` qualifier taken off."""
    text = re.sub(r"\(.*\)$", "", name)
    if middle and text.startswith(middle) and len(text) > len(middle):
        text = text[len(middle) :]
    return text


def table1_columns(names: list[str]) -> list[Column]:
    """Table (一)'s columns in order; legal-group columns last, under a group of their own."""
    out = []
    for name in names:
        if name in TABLE1_COLUMNS:
            middle = _group1(name)
            out.append(Column(name, "数据比对核查情况", middle, _short(name, middle)))
        else:
            out.append(Column(name, "数据比对核查情况", LEGAL_GROUP, name))
    return out


def table2_columns(names: list[str]) -> list[Column]:
    """Table (二)'s columns: 五项社会保险参保情况 (职工, 居民) and 未参保情况."""
    out = []
    for name in names:
        index = TABLE2_COLUMNS.index(name)
        if index < TABLE2_COLUMNS.index("参加居民养老、居民医疗保险人数"):
            out.append(Column(name, "五项社会保险参保情况", "职工", _short(name, "职工")))
        elif index < TABLE2_COLUMNS.index("个人未参保人数"):
            out.append(Column(name, "五项社会保险参保情况", "居民", _short(name, "居民")))
        else:
            out.append(Column(name, "未参保情况", None, name))
    return out


def formats(book: Any) -> dict[str, Any]:
    """SimSun, boxed; numbers without separators as the notice prints them; codes as text."""
    return xlsx_formats(
        book,
        code={"num_format": "@", "align": "center"},
        num={"num_format": "0", "align": "right"},
        flag={"bg_color": "#FCE4D6"},
    )


def _digits_width(digits: int) -> float:
    """The column width (characters) that shows ``digits`` digits on one line (print_layout)."""
    points = digits * NARROW_FACTOR * 10
    return ((points / 0.98 + 4) / 0.75 - 5) / 7


def _widths(table: pl.DataFrame, columns: list[Column]) -> list[float]:
    """Label, code and numeric widths: the widest base width that prints one page wide."""
    digits = [
        len(str(table[c.name].fill_null(0).abs().max() or 0)) if table.height else 1
        for c in columns
    ]
    best: list[float] = []
    for base in NUMBER_WIDTHS:
        best = [LABEL_WIDTH, CODE_WIDTH] + [max(base, _digits_width(d)) for d in digits]
        # xlsxwriter stores each width with its 5 px of padding (+5/7 character), which is
        # what Excel and openpyxl read back: the table must fit at those widths too.
        if plan_pages([w + 5 / 7 for w in best]).pages_across == 1:
            break
    return best


def _merge_run(
    t: XlsxTable,
    row: int,
    first: int,
    values: list[str | None],
    fmt: Any,
    breaks: tuple[int, ...] = (),
) -> None:
    """Write ``values`` along ``row`` from column ``first``, equal neighbours merged (but never
    across a page break: a group split over two pages is headed on both)."""
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start] or first + i in breaks:
            if values[start] is not None:
                last = first + i - 1 if i - 1 > start else None
                t.put(row, first + start, values[start], fmt, to_col=last)
            start = i


def _heading_rows(
    t: XlsxTable, columns: list[Column], fmt: dict[str, Any], breaks: tuple[int, ...]
) -> None:
    """项目 and 县区代码 over three rows; the groups; the short headings; the 甲栏 numbers."""
    head = fmt["head"]
    t.put(TOP, 0, "项目", head, to_row=TOP + 2)
    t.put(TOP, 1, CODE_COLUMN, head, to_row=TOP + 2)
    _merge_run(t, TOP, 2, [c.top for c in columns], head, breaks)
    _merge_run(t, TOP + 1, 2, [c.middle for c in columns], head, breaks)
    for j, c in enumerate(columns, start=2):
        if c.middle is None:  # no middle group: the heading takes both rows
            t.put(TOP + 1, j, c.heading, head, to_row=TOP + 2)
        else:
            t.put(TOP + 2, j, c.heading, head)
    t.put(NUMBER_ROW, 0, "甲", head)
    t.put(NUMBER_ROW, 1, "乙", head)
    for j in range(len(columns)):
        t.put(NUMBER_ROW, j + 2, j + 1, head)


def _body(t: XlsxTable, table: pl.DataFrame, columns: list[Column], fmt: dict[str, Any]) -> int:
    """The county rows and 合计; return the last row written."""
    row = NUMBER_ROW
    for record in table.iter_rows(named=True):
        row += 1
        label = record[LABEL] or NO_COUNTY
        t.put(row, 0, label, fmt["head"] if label == "合计" else fmt["cell"])
        code = record[CODE_COLUMN]
        if code is None:
            t.ws.write_blank(row, 1, None, fmt["code"])
        else:
            t.ws.write_string(row, 1, code, fmt["code"])
        for j, c in enumerate(columns, start=2):
            value = record[c.name]
            if value is None:
                t.ws.write_blank(row, j, None, fmt["num"])
            else:
                t.ws.write_number(row, j, value, fmt["num"])
    return row


def _table_sheet(
    book: Any,
    name: str,
    table: pl.DataFrame,
    columns: list[Column],
    notes: list[str],
    fmt: dict[str, Any],
) -> None:
    widths = _widths(table, columns)
    plan = plan_pages(widths, repeat=2)
    t = XlsxTable(book.add_worksheet(name), widths)
    top = (plan.first_page_columns or len(widths)) - 1
    t.put(0, 0, f"全民参保登记{name}", fmt["title"], to_col=top, size=16)
    t.put(1, 0, LINE, fmt["line"], to_col=top)
    _heading_rows(t, columns, fmt, plan.breaks)
    last = _body(t, table, columns, fmt)
    row = last + 1
    for note in notes:
        row += 1
        t.put(row, 0, note, fmt["line"], to_col=top)
    t.fit_rows()
    t.ws.freeze_panes(NUMBER_ROW + 1, 2)
    apply_to_xlsxwriter(t.ws, plan, title_rows=(TOP, NUMBER_ROW), repeat_columns=2)
    t.ws.print_area(0, 0, row, len(widths) - 1)


NOTES1: Final = (
    "逻辑关系：(2)≥(3)；(1)=(2)-(3)+(4)+(5)；(5)≥(6)。逐县（区）及合计的校验结果见“逻辑关系校验”表。",
    "说明：(1)至(5)由信息比对得出：(1)为户籍人口，(3)含非本地户籍参保人员和已确认的流动人口。"
    "(6)“已核实入库人数”和各“已整合人数”在入户调查和清理整合后填报，比对时为0。"
    "重复参保人数含户籍名册以外的人员，计入其参保所在县（区）。",
)
NOTES2: Final = (
    "说明：职工指参加职工养老、职工医疗、工伤、失业、生育保险之一的人员，各栏按所参险种的组合计数；"
    "居民指未参加职工保险而参加居民养老、居民医疗或新农合的人员。未参保原因除“缴费中断人数”外"
    "由入户调查填报，比对时为0。",
)


def check_sheet(book: Any, basic: BasicTables, fmt: dict[str, Any]) -> None:
    """逻辑关系校验: each relation of table (一) per county and 合计, 是/否 in Chinese."""
    heads = ["县（区）", "关系式", "左边", "右边", "是否成立"]
    widths = [12.0, 28.0, 12.0, 12.0, 10.0]
    t = XlsxTable(book.add_worksheet(CHECK_SHEET), widths)
    t.put(0, 0, f"全民参保登记基础数据情况表(一){CHECK_SHEET}", fmt["title"], to_col=4, size=16)
    t.put(1, 0, LINE.replace("单位：人", ""), fmt["line"], to_col=4)
    for j, h in enumerate(heads):
        t.put(TOP, j, h, fmt["head"])
    row = TOP
    for r in basic.relations:
        row += 1
        style = fmt["cell"] if r.ok else fmt["flag"]
        t.put(row, 0, r.county or NO_COUNTY, style)
        t.put(row, 1, r.relation, style)
        t.ws.write_number(row, 2, r.left, fmt["num"])
        t.ws.write_number(row, 3, r.right, fmt["num"])
        t.put(row, 4, "是" if r.ok else "否", style)
    t.fit_rows()
    t.ws.freeze_panes(TOP + 1, 0)
    if row > TOP:
        t.ws.autofilter(TOP, 0, row, 4)
    apply_to_xlsxwriter(t.ws, plan_pages(widths), title_rows=(TOP, TOP))
    t.ws.print_area(0, 0, max(row, TOP), 4)


def write_basic_tables(
    basic: BasicTables,
    path: Path,
    notes: tuple[tuple[str, ...], tuple[str, ...]] = (NOTES1, NOTES2),
) -> None:
    """Write ``basic_data_tables.xlsx``: tables (一) and (二) and the sheet 逻辑关系校验;
    ``notes`` go below each table (the match's by default)."""
    from canbao.text_workbook import TextWorkbook

    assert MIN_SCALE == 70  # the notice's tables are laid out for this floor
    with TextWorkbook(path) as book:
        fmt = formats(book)
        names1 = [c for c in basic.table1.columns if c not in (LABEL, CODE_COLUMN)]
        names2 = [c for c in basic.table2.columns if c not in (LABEL, CODE_COLUMN)]
        _table_sheet(book, SHEET1, basic.table1, table1_columns(names1), list(notes[0]), fmt)
        _table_sheet(book, SHEET2, basic.table2, table2_columns(names2), list(notes[1]), fmt)
        check_sheet(book, basic, fmt)


def read_basic_tables(path: Path) -> dict[str, pl.DataFrame]:
    """Read ``basic_data_tables.xlsx`` back: each table with 县（区）, 县区代码 and its long column
    names (by the 甲栏 numbers), and 逻辑关系校验 with its headings (是否成立 as 是/否)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    out: dict[str, pl.DataFrame] = {}
    for sheet, known in ((SHEET1, TABLE1_COLUMNS), (SHEET2, TABLE2_COLUMNS)):
        rows = [list(r) for r in book[sheet].iter_rows(values_only=True)]
        numbers = rows[NUMBER_ROW][2:]
        names = [
            known[int(n) - 1] if int(n) <= len(known) else str(rows[TOP + 2][j + 2])
            for j, n in enumerate(numbers)
        ]
        body = []
        for r in rows[NUMBER_ROW + 1 :]:
            body.append(r[: len(names) + 2])
            if r[0] == "合计":
                break
        schema = {LABEL: pl.String, CODE_COLUMN: pl.String, **dict.fromkeys(names, pl.Int64)}
        out[sheet] = pl.DataFrame(body, schema=schema, orient="row")
    rows = [list(r) for r in book[CHECK_SHEET].iter_rows(values_only=True)]
    heads = [str(h) for h in rows[TOP]]
    out[CHECK_SHEET] = pl.DataFrame(
        rows[TOP + 1 :],
        schema={h: pl.Int64 if h in ("左边", "右边") else pl.String for h in heads},
        orient="row",
    )
    book.close()
    return out
