"""Blank tables for counties to fill: the evaluation table (评估表, 淮人社秘〔2017〕376号 附件3)
and the data table (数据表, 附件4).

The evaluation table is built from a rule file through ``canbao.score`` (titles, grades and
points exactly as ``canbao score`` shows them) and is laid out so that ``canbao score`` reads
it back: one 实际值 heading, one row per third-level indicator starting ``N.``, the county on
the 填报单位名称 line. Every 实际值 cell has a drop-down (是/否, the grades) or a number check.
The data table's layout and its reader live in :mod:`canbao.score.datatable` (scoring reads
filled ones, and the score package never imports forms); this module only writes its blank.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Final

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from canbao.atomic import atomic_file
from canbao.cells import text_only_workbook
from canbao.errors import UsageError
from canbao.i18n import _
from canbao.outputs import mark_workbook
from canbao.score import load_rules
from canbao.score import model as m
from canbao.score.bands import Grades, YesNo
from canbao.score.datatable import write_datatable
from canbao.score.leaves import build_leaf
from canbao.score.values import points_text
from canbao.score.workbook import node_titles, tier_cells
from canbao.sheet_style import CENTRE, HEAD_FONT, TITLE_FONT, WRAP, boxed_cell, setup_print

KINDS: Final = ("evaluation", "datatable")
UNIT_LINE: Final = "填报单位名称（县区）："
EVAL_WIDTHS: Final = (44, 10, 10, 10, 6, 6, 6, 9, 7, 40)


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
    ws["A1"].font, ws["A1"].alignment = TITLE_FONT, CENTRE
    ws.merge_cells("A1:J1")
    ws["A2"] = UNIT_LINE
    ws["A2"].font = HEAD_FONT
    ws.merge_cells("A2:J2")
    heads = [("A3:A4", "指标"), ("B3:D3", "评估等级"), ("E3:G3", "评分标准"), ("H3:H4", "实际值")]
    heads += [("I3:I4", "得分"), ("J3:J4", "备注")]
    for ref, text in heads:
        first = ws[ref.split(":")[0]]
        boxed_cell(ws, first.row, first.column, text, bold=True)
        ws.merge_cells(ref)
    for col, text in enumerate(["一级", "二级", "三级"] * 2, start=2):
        boxed_cell(ws, 4, col, text, bold=True)
    titles = node_titles(rules)
    row = 5
    total = sum((n.points or Decimal(0) for n in rules.indicators), Decimal(0))
    boxed_cell(ws, row, 1, f"总分（{points_text(total)}分）", bold=True)
    for col in range(2, 11):
        boxed_cell(ws, row, col, None)
    validations: dict[str, DataValidation] = {}
    leaves = 0

    def place(nodes: list[m.Node]) -> None:
        nonlocal row, leaves
        for node in nodes:
            row += 1
            boxed_cell(ws, row, 1, titles[id(node)], bold=not node.rule)
            for col in range(2, 11):
                boxed_cell(ws, row, col, None)
            if node.children:
                place(node.children)
                continue
            leaves += 1
            leaf = build_leaf(node, rules.hit_policy)
            for i, (label, score) in enumerate(tier_cells(leaf, 3)):
                boxed_cell(ws, row, 2 + i, label or None)
                boxed_cell(ws, row, 5 + i, score or None)
            boxed_cell(ws, row, 10, node.note)
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


def write_template(kind: str, rules: Path, output: Path, *, force: bool = False) -> Path:
    """Write the blank evaluation table or data table for the rule set in ``rules``.

    An existing ``output`` is overwritten only if canbao wrote it, or with ``force``.
    """
    if kind not in KINDS:
        raise UsageError(
            _("unknown template {kind!r}").format(kind=kind), fix=_("use evaluation or datatable")
        )
    loaded = load_rules(Path(rules))  # the only time the rule file is read
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
