"""The evaluation workbook, laid out as 淮人社秘〔2017〕376号 附件3 (全民参保登记工作评估表).

Sheets: 评估表 (indicator levels in merged cells, 评估等级 and 评分标准 per tier, then 实际值 /
得分 / 备注 per county; with self-evaluations also 自评分 and 差值), 分项得分 (every level's
subtotal), 排名, 考核费用 (with the rounding rule), 逻辑关系核查 and 说明
(:mod:`canbao.score.workbook_sheets`). Values are computed and written as values, never as
formulas. Every sheet has its title, a 填报单位 and date line, headings repeated on each printed
page and row heights from its wrapped texts; the evaluation table prints split across A4 pages
(the indicator columns repeated) rather than shrunk below 70 % (:mod:`canbao.print_layout`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from canbao.print_layout import (
    XlsxTable,
    apply_to_xlsxwriter,
    plan_pages,
    unit_and_date,
    xlsx_formats,
)
from canbao.score import model as m
from canbao.score.bands import Leaf
from canbao.score.evaluate import Evaluation
from canbao.score.values import points_text
from canbao.score.workbook_sheets import (
    fee_sheet,
    notes_sheet,
    ranking_sheet,
    relations_sheet,
    subtotals_sheet,
)
from canbao.score.workbook_sheets import num as _num
from canbao.text_workbook import TextWorkbook

CN = "一二三四五六七八九十"
TIERS = ("一级", "二级", "三级", "四级", "五级", "六级")


def _cn(i: int) -> str:
    if i < 10:
        return CN[i]
    return ("十" if i < 19 else CN[i // 10 - 1] + "十") + (CN[i % 10 - 1] if i % 10 else "")


def node_titles(rules: m.RuleSet) -> dict[int, str]:
    """The shown title of every node (by id): ``一、组织保障情况（30分）``, ``1.建立…（2分）``."""
    titles: dict[int, str] = {}

    def go(nodes: list[m.Node], depth: int) -> None:
        for i, node in enumerate(nodes):
            pts = f"（{points_text(node.points)}分）" if node.points is not None else ""
            if node.children:
                prefix = f"{_cn(i)}、" if depth == 0 else f"（{_cn(i)}）"
                titles[id(node)] = f"{prefix}{node.name}{pts}"
                go(node.children, depth + 1)
            else:
                titles[id(node)] = f"{node.number}.{node.name}{pts}"

    go(rules.indicators, 0)
    return titles


def tier_cells(leaf: Leaf, tiers: int) -> list[tuple[str, str]]:
    """The leaf's (评估等级, 评分标准) spread over ``tiers`` columns, grouped by score."""
    groups: dict[str, list[str]] = {}
    for label, score in leaf.labels():
        groups.setdefault(score, []).append(label)
    cells = [("；".join(labels), score) for score, labels in groups.items()]
    out = [("", "")] * tiers
    if len(cells) >= tiers:
        out[: tiers - 1] = cells[: tiers - 1]
        rest = cells[tiers - 1 :]
        out[tiers - 1] = ("；".join(c[0] for c in rest), "；".join(c[1] for c in rest))
    elif len(cells) == 1:
        out[0] = cells[0]
    elif cells:
        out[: len(cells) - 1] = cells[:-1]
        out[tiers - 1] = cells[-1]
    return out


def formats(book: Any) -> dict[str, Any]:
    """The cell formats of the evaluation workbook: SimSun, boxed, wrapped."""
    return xlsx_formats(
        book,
        head={"bold": True, "align": "center", "bg_color": "#DDEBF7"},
        num={"num_format": "0.0##"},
        money={"num_format": "#,##0.00"},
        flag={"bg_color": "#FCE4D6"},
    )


def write_workbook(ev: Evaluation, path: Path) -> None:
    """Write the evaluation workbook of one rule set."""
    book = TextWorkbook(path)  # text from submissions and rule files never becomes a formula
    fmt = formats(book)
    _evaluation_sheet(book, ev, fmt)
    subtotals_sheet(book, ev, fmt)
    if any(c.total is not None for c in ev.counties):
        ranking_sheet(book, ev, fmt)
    if ev.loaded.rules.fee is not None:
        fee_sheet(book, ev, fmt)
    if ev.loaded.rules.relations:
        relations_sheet(book, ev, fmt)
    notes_sheet(book, ev, fmt)
    book.close()


def _county_heads(ev: Evaluation) -> list[str]:
    rules = ev.loaded.rules
    if any(c.self_scores is not None for c in ev.counties):
        return ["实际值", rules.self_heading, rules.review_heading, "差值", "备注"]
    return ["实际值", rules.review_heading, "备注"]


HEAD_WIDTHS: dict[str, float] = {"实际值": 10, "差值": 6, "备注": 12}
TOP = 2  # rows 0-1: title and the 填报单位 / date line; headings on rows 2-3


def _evaluation_sheet(book: Any, ev: Evaluation, fmt: dict[str, Any]) -> None:
    rules = ev.loaded.rules
    levels = len(rules.levels)
    tiers = max([3, *(len({s for _, s in leaf.labels()}) for leaf in ev.leaves)])
    heads = _county_heads(ev)
    fixed = levels + 2 * tiers + 1
    width = fixed + len(heads) * len(ev.counties)
    level_widths = [12.0] * (levels - 1) + [24.0]
    widths = level_widths + [8.0] * (2 * tiers) + [30.0]
    widths += [HEAD_WIDTHS.get(h, 7) for h in heads] * len(ev.counties)
    county_breaks = {fixed + k * len(heads) for k in range(len(ev.counties))}
    plan = plan_pages(widths, repeat=levels, break_after={levels + tiers, fixed, *county_breaks})
    # The title and the unit line over the first page's columns (centred on the printed page).
    top = (plan.first_page_columns or width) - 1
    t = XlsxTable(book.add_worksheet("评估表"), widths)
    t.put(0, 0, rules.title, fmt["title"], to_col=top, size=16)
    t.put(1, 0, unit_and_date(), fmt["line"], to_col=top)
    t.put(TOP, 0, "指标", fmt["head"], to_col=levels - 1)
    t.put(TOP, levels, "评估等级", fmt["head"], to_col=levels + tiers - 1)
    t.put(TOP, levels + tiers, "评分标准", fmt["head"], to_col=levels + 2 * tiers - 1)
    t.put(TOP, fixed - 1, "说明", fmt["head"], to_row=TOP + 1)
    for i, name in enumerate(rules.levels):
        t.put(TOP + 1, i, name, fmt["head"])
    for k in range(tiers):
        t.put(TOP + 1, levels + k, TIERS[k], fmt["head"])
        t.put(TOP + 1, levels + tiers + k, TIERS[k], fmt["head"])
    for k, county in enumerate(ev.counties):
        col = fixed + k * len(heads)
        t.put(TOP, col, county.name, fmt["head"], to_col=col + len(heads) - 1)
        for j, h in enumerate(heads):
            t.put(TOP + 1, col + j, h, fmt["head"])
    _total_row(t, ev, fixed, heads, fmt)
    _place_leaves(t, ev, levels, tiers, heads, fmt)
    t.fit_rows()
    ws = t.ws
    ws.freeze_panes(TOP + 3, levels)
    apply_to_xlsxwriter(ws, plan, title_rows=(TOP, TOP + 1), repeat_columns=levels)
    ws.print_area(0, 0, TOP + 2 + len(ev.leaves), width - 1)


def _total_row(
    t: XlsxTable, ev: Evaluation, fixed: int, heads: list[str], fmt: dict[str, Any]
) -> None:
    row = TOP + 2
    # The label within the indicator columns, which every printed page of a split table repeats
    # (merged over the tier columns too, it was centred off the later pages and clipped).
    levels = len(ev.loaded.rules.levels)
    t.put(row, 0, "总分", fmt["head"], to_col=levels - 1)
    t.put(row, levels, "", fmt["head"], to_col=fixed - 1)
    for k, county in enumerate(ev.counties):
        col = fixed + k * len(heads)
        values: list[Any] = ["", _num(county.total), ""]
        if len(heads) == 5:
            diff = (
                None
                if county.self_total is None or county.total is None
                else (county.self_total - county.total)
            )
            values = ["", _num(county.self_total), _num(county.total), _num(diff), ""]
        for j, v in enumerate(values):
            t.put(row, col + j, v, fmt["num"] if isinstance(v, float) else fmt["cell"])


def _place_leaves(
    t: XlsxTable, ev: Evaluation, levels: int, tiers: int, heads: list[str], fmt: dict[str, Any]
) -> None:
    rules = ev.loaded.rules
    titles = node_titles(rules)
    by_number = {leaf.number: leaf for leaf in ev.leaves}
    row = TOP + 3

    def place(nodes: list[m.Node], depth: int) -> None:
        nonlocal row
        for node in nodes:
            start = row
            if node.children:
                place(node.children, depth + 1)
                t.put(start, depth, titles[id(node)], fmt["cell"], to_row=max(start, row - 1))
                continue
            t.put(row, depth, titles[id(node)], fmt["cell"], to_col=max(depth, levels - 1))
            _leaf_row(t, ev, by_number[node.number or ""], row, levels, tiers, heads, fmt)
            row += 1

    place(rules.indicators, 0)


def _leaf_row(
    t: XlsxTable,
    ev: Evaluation,
    leaf: Leaf,
    row: int,
    levels: int,
    tiers: int,
    heads: list[str],
    fmt: dict[str, Any],
) -> None:
    for k, (label, score) in enumerate(tier_cells(leaf, tiers)):
        t.put(row, levels + k, label, fmt["cell"])
        t.put(row, levels + tiers + k, score, fmt["cell"])
    fixed = levels + 2 * tiers + 1
    t.put(row, fixed - 1, leaf.note, fmt["cell"])
    for k, county in enumerate(ev.counties):
        col = fixed + k * len(heads)
        hit = county.hits[leaf.number]
        if len(heads) == 3:
            t.put(row, col, hit.shown, fmt["cell"])
            t.put(row, col + 1, _num(hit.score), fmt["num"])
            t.put(row, col + 2, hit.remark, fmt["cell"])
            continue
        own = None if county.self_scores is None else county.self_scores.get(leaf.number)
        diff = None if own is None or hit.score is None else own - hit.score
        above = diff is not None and diff > 0
        remark = "；".join(x for x in (hit.remark, "自评高于上级评估" if above else "") if x)
        t.put(row, col, hit.shown, fmt["cell"])
        t.put(row, col + 1, _num(own), fmt["num"])
        t.put(row, col + 2, _num(hit.score), fmt["num"])
        t.put(row, col + 3, _num(diff), fmt["flag"] if above else fmt["num"])
        t.put(row, col + 4, remark, fmt["flag"] if above else fmt["cell"])
