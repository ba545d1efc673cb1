"""Blank tables for counties to fill: the evaluation table (评估表, seed 000 附件3) and the data
table (数据表, 附件4).

The evaluation table is built from a rule file through ``canbao.score`` (titles, grades and
points exactly as ``canbao score`` shows them) and is laid out so that ``canbao score`` reads
it back: one 实际值 heading, one row per third-level indicator starting ``N.``, the county on
the 填报单位名称 line. Every 实际值 cell has a drop-down (是/否, the grades) or a number check.
The data table's 21 columns are seed 000's own; :func:`read_datatable` turns a filled one into
the long table (县区, 指标, 实际值) for the columns the rule file declares as facts.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Final

import polars as pl
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from canbao.atomic import atomic_file
from canbao.cells import text_only_workbook
from canbao.errors import InputError, UsageError
from canbao.forms.roster import BOX, setup_print
from canbao.outputs import mark_workbook
from canbao.score import load_rules
from canbao.score import model as m
from canbao.score.bands import Grades, YesNo, build_leaf
from canbao.score.values import points_text
from canbao.score.workbook import node_titles, tier_cells

KINDS: Final = ("evaluation", "datatable")
UNIT_LINE: Final = "填报单位名称（县区）："
FONT: Final = Font(name="SimSun", size=10)
BOLD: Final = Font(name="SimSun", size=10, bold=True)
TITLE: Final = Font(name="SimSun", size=16, bold=True)
WRAP: Final = Alignment(wrap_text=True, vertical="center")
CENTRE: Final = Alignment(wrap_text=True, vertical="center", horizontal="center")
EVAL_WIDTHS: Final = (44, 10, 10, 10, 6, 6, 6, 9, 7, 40)

# Seed 000 附件4: (group, heading, 是/否 column?) for 甲栏 columns 1..21.
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


def _cell(ws: Worksheet, row: int, col: int, value: object, *, bold: bool = False) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    cell.font = BOLD if bold else FONT
    cell.alignment = CENTRE if bold or col > 1 else WRAP
    cell.border = BOX


def fit_heights(ws: Worksheet, first: int, last: int, widths: tuple[int, ...]) -> None:
    """Set row heights for wrapped text (openpyxl does not measure; CJK is two units wide)."""
    for row in range(first, last + 1):
        lines = 1
        for col, width in enumerate(widths, start=1):
            value = ws.cell(row=row, column=col).value
            if value is None:
                continue
            text = str(value)
            units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
            lines = max(lines, -(-units // max(width - 1, 1)))
        ws.row_dimensions[row].height = 14 * lines + 2


def _validation(leaf_node: m.Node, hit_policy: str) -> DataValidation | None:
    leaf = build_leaf(leaf_node, hit_policy)
    if isinstance(leaf, YesNo | Grades):
        choices = [label for label, _ in leaf.labels()]
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        dv.error = f"请选择：{'、'.join(choices)}"
    elif isinstance(leaf_node.rule, m.ManualRule):
        top = points_text(leaf.max_points)
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2=top)
        dv.error = f"得分在 0 到 {top} 之间"
    else:
        return None
    dv.showErrorMessage = True
    dv.errorTitle = "填写不规范"
    return dv


def write_evaluation(ws: Worksheet, rules: m.RuleSet) -> int:
    """Write the blank evaluation table; return the number of indicator rows."""
    ws.title = "评估表"
    for i, width in enumerate(EVAL_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws["A1"] = rules.title
    ws["A1"].font, ws["A1"].alignment = TITLE, CENTRE
    ws.merge_cells("A1:J1")
    ws["A2"] = UNIT_LINE
    ws["A2"].font = BOLD
    ws.merge_cells("A2:J2")
    heads = [("A3:A4", "指标"), ("B3:D3", "评估等级"), ("E3:G3", "评分标准"), ("H3:H4", "实际值")]
    heads += [("I3:I4", "得分"), ("J3:J4", "备注")]
    for ref, text in heads:
        first = ws[ref.split(":")[0]]
        _cell(ws, first.row, first.column, text, bold=True)
        ws.merge_cells(ref)
    for col, text in enumerate(["一级", "二级", "三级"] * 2, start=2):
        _cell(ws, 4, col, text, bold=True)
    titles = node_titles(rules)
    row = 5
    total = sum((n.points or Decimal(0) for n in rules.indicators), Decimal(0))
    _cell(ws, row, 1, f"总分（{points_text(total)}分）", bold=True)
    for col in range(2, 11):
        _cell(ws, row, col, None)
    validations: dict[str, DataValidation] = {}
    leaves = 0

    def place(nodes: list[m.Node]) -> None:
        nonlocal row, leaves
        for node in nodes:
            row += 1
            _cell(ws, row, 1, titles[id(node)], bold=not node.rule)
            for col in range(2, 11):
                _cell(ws, row, col, None)
            if node.children:
                place(node.children)
                continue
            leaves += 1
            leaf = build_leaf(node, rules.hit_policy)
            for i, (label, score) in enumerate(tier_cells(leaf, 3)):
                _cell(ws, row, 2 + i, label or None)
                _cell(ws, row, 5 + i, score or None)
            _cell(ws, row, 10, node.note)
            ws.cell(row=row, column=10).alignment = WRAP
            dv = _validation(node, rules.hit_policy)
            if dv is not None:
                key = f"{dv.type}|{dv.formula1}|{dv.formula2}"
                dv = validations.setdefault(key, dv)
                dv.add(f"H{row}")

    place(rules.indicators)
    fit_heights(ws, 5, row, EVAL_WIDTHS)
    for dv in validations.values():
        ws.add_data_validation(dv)
    ws.freeze_panes = "B5"
    ws.print_area = f"A1:J{row}"
    setup_print(ws, landscape=False, title_rows="3:4")
    return leaves


def write_datatable(ws: Worksheet) -> None:
    """Write the blank data table: group headings, the 21 column headings, 甲栏, one data row."""
    ws.title = "数据表"
    last = get_column_letter(len(DATATABLE_COLUMNS) + 1)
    ws["A1"] = "全民参保登记工作数据表"
    ws["A1"].font, ws["A1"].alignment = TITLE, CENTRE
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = "填报单位名称[县（区）级单位]："
    ws["A2"].font = BOLD
    ws.merge_cells(f"A2:{last}2")
    _cell(ws, 3, 1, "项目", bold=True)
    ws.merge_cells("A3:A4")
    ws.column_dimensions["A"].width = 8
    start = 2
    for i, (group, heading, _) in enumerate(DATATABLE_COLUMNS):
        col = i + 2
        _cell(ws, 4, col, heading, bold=True)
        _cell(ws, 5, col, i + 1, bold=True)
        _cell(ws, 6, col, None)
        ws.column_dimensions[get_column_letter(col)].width = 7
        if i + 1 == len(DATATABLE_COLUMNS) or DATATABLE_COLUMNS[i + 1][0] != group:
            _cell(ws, 3, start, group, bold=True)
            if col > start:
                ws.merge_cells(start_row=3, start_column=start, end_row=3, end_column=col)
            start = col + 1
    _cell(ws, 5, 1, "甲栏", bold=True)
    _cell(ws, 6, 1, "合计", bold=True)
    ws.row_dimensions[3].height = 30
    ws.row_dimensions[4].height = 150
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
    for i, (_, _, is_yes_no) in enumerate(DATATABLE_COLUMNS):
        (yes_no if is_yes_no else number).add(f"{get_column_letter(i + 2)}6")
    ws.add_data_validation(yes_no)
    ws.add_data_validation(number)
    ws["A8"] = DATATABLE_NOTES
    ws["A8"].font, ws["A8"].alignment = FONT, WRAP
    ws.merge_cells(f"A8:{last}8")
    ws.row_dimensions[8].height = 60
    ws.print_area = f"A1:{last}8"
    setup_print(ws, landscape=True, title_rows=None)


def write_template(kind: str, rules: Path, output: Path, *, force: bool = False) -> Path:
    """Write the blank evaluation table or data table for the rule set in ``rules``.

    An existing ``output`` is overwritten only if canbao wrote it, or with ``force``.
    """
    if kind not in KINDS:
        raise UsageError(f"unknown template {kind!r}", fix="use evaluation or datatable")
    loaded = load_rules(Path(rules))
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if kind == "evaluation":
        write_evaluation(ws, loaded.rules)
    else:
        write_datatable(ws)
    mark_workbook(wb, f"forms template {kind}")
    with atomic_file(Path(output), force=force, inputs=[Path(rules)]) as tmp:
        text_only_workbook(wb).save(tmp)
    return Path(output)


DATATABLE_VALUE_ROW = 6  # the row of a filled data table that holds the values


def read_datatable(path: Path, rules: Path) -> pl.DataFrame:
    """Read a filled data table into (县区, 指标, 实际值) for the columns that are rule facts."""
    facts = {f.column: f.name for f in load_rules(Path(rules)).rules.facts if f.column}
    wb = load_workbook(Path(path), data_only=True)
    ws = wb.worksheets[0]
    unit = str(ws["A2"].value or "")
    county = unit.split("：", 1)[-1].strip() if "：" in unit else ""
    if not county:
        raise InputError(
            f"{path}: no county after 填报单位名称 on row 2",
            fix="write the county after the colon, e.g. 填报单位名称[县（区）级单位]：濉溪县",
        )
    rows = []
    for i in range(len(DATATABLE_COLUMNS)):
        name = facts.get(str(i + 1))
        value = ws.cell(row=DATATABLE_VALUE_ROW, column=i + 2).value
        if name is not None and value not in (None, ""):
            rows.append((county, name, str(value)))
    return pl.DataFrame(rows, schema=["县区", "指标", "实际值"], orient="row")
