"""The evaluation workbook's sheets after 评估表: 分项得分, 排名, 考核费用, 逻辑关系核查, 说明.

Each has the rule set's title, the 填报单位 and date line, boxed headings repeated on every
printed page, row heights from its wrapped texts and an A4 page plan
(:mod:`canbao.print_layout`). The 说明 sheet is written for the reader of the tables: in
Chinese, without file names, rule-file paths or program names.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from canbao.print_layout import XlsxTable, apply_to_xlsxwriter, plan_pages, unit_and_date
from canbao.score import model as m
from canbao.score.check import Finding
from canbao.score.evaluate import Evaluation
from canbao.score.fees import ROUNDING_RULE
from canbao.xlsx_charts import ChartSpec, charts_below

HEAD_ROW = 2  # rows 0-1: title and the 填报单位 / date line


def num(value: Decimal | None) -> Any:
    """A decimal as the double Excel stores (0.5 steps and cents are exact enough to show)."""
    return None if value is None else float(value)


def _table(
    book: Any,
    name: str,
    title: str,
    heads: list[str],
    widths: list[float],
    fmt: dict[str, Any],
) -> XlsxTable:
    """A sheet with its title, the unit/date line and the boxed headings on :data:`HEAD_ROW`."""
    t = XlsxTable(book.add_worksheet(name), widths)
    last = (plan_pages(widths).first_page_columns or len(widths)) - 1
    t.put(0, 0, title, fmt["title"], to_col=last, size=16)
    t.put(1, 0, unit_and_date(), fmt["line"], to_col=last)
    for j, h in enumerate(heads):
        t.put(HEAD_ROW, j, h, fmt["head"])
    return t


def _finish(t: XlsxTable, last_row: int, *, freeze_cols: int = 0, filter_: bool = True) -> None:
    """Row heights, frozen headings, filter, print area and the A4 page plan."""
    t.fit_rows()
    last_col = len(t.widths) - 1
    t.ws.freeze_panes(HEAD_ROW + 1, freeze_cols)
    if filter_ and last_row > HEAD_ROW:
        t.ws.autofilter(HEAD_ROW, 0, last_row, last_col)
    plan = plan_pages(t.widths, repeat=freeze_cols)
    apply_to_xlsxwriter(t.ws, plan, title_rows=(HEAD_ROW, HEAD_ROW), repeat_columns=freeze_cols)
    t.ws.print_area(0, 0, max(last_row, HEAD_ROW), last_col)


def _title(rules: m.RuleSet, what: str) -> str:
    """``常州市市本级全民参保登记工作考核表（考核费用）``: the rule set's title and the sheet."""
    return f"{rules.title}（{what}）"


def subtotals_sheet(book: Any, ev: Evaluation, fmt: dict[str, Any]) -> None:
    """分项得分: every level's subtotal per county (self and review when given)."""
    from canbao.score.workbook import node_titles

    rules = ev.loaded.rules
    selfs = any(c.self_scores is not None for c in ev.counties)
    heads = ["层级", "指标", "分值"]
    for c in ev.counties:
        heads += (
            [f"{c.name}{rules.self_heading}", f"{c.name}{rules.review_heading}"]
            if selfs
            else [f"{c.name}{rules.review_heading}"]
        )
    widths = [8.0, 40.0, 6.0] + [10.0] * (len(heads) - 3)
    t = _table(book, "分项得分", _title(rules, "分项得分"), heads, widths, fmt)
    titles = node_titles(rules)
    row = HEAD_ROW + 1
    for node, _, depth in m.walk(rules.indicators):
        numbers = [n.number or "" for n in _leaves_of(node)]
        t.put(row, 0, rules.levels[min(depth, len(rules.levels) - 1)], fmt["cell"])
        t.put(row, 1, titles[id(node)], fmt["cell"])
        t.put(row, 2, num(node.points) if node.points is not None else None, fmt["num"])
        col = 3
        for c in ev.counties:
            review = [c.hits[n].score for n in numbers]
            total = (
                None
                if any(s is None for s in review)
                else sum((s or Decimal(0) for s in review), Decimal(0))
            )
            if selfs:
                own = (
                    None
                    if c.self_scores is None
                    else sum((c.self_scores.get(n, Decimal(0)) for n in numbers), Decimal(0))
                )
                t.put(row, col, num(own), fmt["num"])
                col += 1
            t.put(row, col, num(total), fmt["num"])
            col += 1
        row += 1
    _finish(t, row - 1, freeze_cols=2)


def _leaves_of(node: m.Node) -> list[m.Node]:
    if not node.children:
        return [node]
    return [leaf for child in node.children for leaf in _leaves_of(child)]


def ranking_sheet(book: Any, ev: Evaluation, fmt: dict[str, Any]) -> None:
    """排名: the counties by total, ties sharing a rank."""
    rules = ev.loaded.rules
    selfs = any(c.self_scores is not None for c in ev.counties)
    heads = ["名次", "县区", "县区代码", "总分"] + (
        [f"自评总分（{rules.self_heading}）", "差值"] if selfs else []
    )
    widths = [6.0, 12.0, 10.0, 8.0] + ([16.0, 8.0] if selfs else [])
    t = _table(book, "排名", _title(rules, "排名"), heads, widths, fmt)
    row = HEAD_ROW
    for rank, c in ev.ranking():
        row += 1
        t.put(row, 0, rank, fmt["cell"])
        t.put(row, 1, c.name, fmt["cell"])
        t.ws.write_string(row, 2, c.county, fmt["cell"])  # the code joins with other tables
        t.put(row, 3, num(c.total), fmt["num"])
        if selfs:
            diff = None if c.self_total is None or c.total is None else c.self_total - c.total
            t.put(row, 4, num(c.self_total), fmt["num"])
            t.put(row, 5, num(diff), fmt["num"])
    _finish(t, row)
    series = [(heads[3], 3)] + ([(heads[4], 4)] if selfs else [])  # named as their columns
    chart = ChartSpec(
        "总分排名" + ("（审核与自评）" if selfs else ""), HEAD_ROW + 1, row, 1, series
    )
    end = charts_below(book, t.ws, [chart], at_row=row + 2, widths=t.widths)
    t.ws.print_area(0, 0, max(end, HEAD_ROW), len(widths) - 1)


def fee_sheet(book: Any, ev: Evaluation, fmt: dict[str, Any]) -> None:
    """考核费用: base, ratio and amount per county, the tiers and the rounding rule below."""
    fee = ev.loaded.rules.fee
    assert fee is not None
    heads = [
        "县区",
        "考核总分",
        "实际录入人数",
        "入户调查基准费用（元/人）",
        "计发基数（元）",
        "发放比例",
        "考核费用（元）",
    ]
    widths = [10.0, 8.0, 10.0, 13.0, 13.0, 8.0, 14.0]
    t = _table(book, "考核费用", _title(ev.loaded.rules, "考核费用"), heads, widths, fmt)
    row = HEAD_ROW
    for c in ev.counties:
        if c.fee is None:
            continue
        row += 1
        t.put(row, 0, c.name, fmt["cell"])
        t.put(row, 1, num(c.total), fmt["num"])
        t.put(row, 2, c.fee.entered, fmt["cell"])
        t.put(row, 3, num(fee.price), fmt["money"])
        t.put(row, 4, num(c.fee.base), fmt["money"])
        t.put(row, 5, f"{c.fee.ratio * 100:.0f}%", fmt["cell"])
        t.put(row, 6, num(c.fee.amount), fmt["money"])
    last_row = row
    lines = ["计发基数 = 实际录入人数 × 入户调查基准费用"]
    lines += [
        f"考核总分 {tier.range}：按计发基数的 {tier.ratio * 100:.0f}% 发放"
        + (f"（{tier.label}）" if tier.label else "")
        for tier in fee.tiers
    ]
    lines.append(ROUNDING_RULE)
    row += 1
    for line in lines:
        row += 1
        t.put(row, 0, line, fmt["line"], to_col=len(widths) - 1)
    _finish(t, last_row)
    chart = ChartSpec("各县区考核费用（元）", HEAD_ROW + 1, last_row, 0, [("考核费用（元）", 6)],
                      number_format="#,##0.00", axis_format="#,##0")  # fmt: skip
    end = charts_below(book, t.ws, [chart], at_row=row + 2, widths=t.widths)
    t.ws.print_area(0, 0, max(end, row), len(widths) - 1)


def relations_sheet(book: Any, ev: Evaluation, fmt: dict[str, Any]) -> None:
    """逻辑关系核查: each relation of the submitted numbers, per county, 通过 or 不通过."""
    heads = ["县区", "关系式编号", "关系式", "左边", "右边", "结果"]
    widths = [10.0, 18.0, 34.0, 12.0, 12.0, 8.0]
    t = _table(book, "逻辑关系核查", _title(ev.loaded.rules, "逻辑关系核查"), heads, widths, fmt)
    row = HEAD_ROW
    for c in ev.counties:
        for r in c.relations:
            row += 1
            values = [c.name, r.id, r.formula, str(r.left), str(r.right)]
            values.append("通过" if r.holds else "不通过")
            for j, v in enumerate(values):
                t.put(row, j, v, fmt["cell"] if r.holds else fmt["flag"])
    _finish(t, row)


SEED_MARK = re.compile(r"\s*[（(]seed \d+[）)]")


def notes_sheet(book: Any, ev: Evaluation, fmt: dict[str, Any]) -> None:
    """说明: the rule set, its source document, how scores and money are computed, and the
    rule set's own remarks (bands beyond the document, overlaps) in Chinese."""
    rules = ev.loaded.rules
    lines = [
        f"评估办法：{rules.title}",
        f"依据：{SEED_MARK.sub('', rules.source or '')}",
        "以上级评估为主，本级自评为辅：得分为上级评估（考核）分，自评分仅作对照；"
        "自评高于上级评估的指标已标出。",
        "分值与金额按十进制精确计算；比率按分数精确比较，不经浮点。",
    ]
    if rules.fee is not None:
        lines.append(ROUNDING_RULE)
    lines += [f"评分标准说明：{finding_text(f)}" for f in ev.notes]
    t = XlsxTable(book.add_worksheet("说明"), [90.0])
    t.put(0, 0, _title(rules, "说明"), fmt["title"], size=16)
    for i, line in enumerate(lines, start=1):
        t.put(i, 0, f"{i}. {line}", fmt["line"])
    t.fit_rows()
    plan = plan_pages(t.widths)
    apply_to_xlsxwriter(t.ws, plan, title_rows=None)
    t.ws.print_area(0, 0, len(lines), 0)


_WHO = re.compile(r"^(指标 \S+ [^:：]+)[:：]\s*(.*)$")
_ADDED = re.compile(r"band (\S+) added beyond the seed")
_OVERLAP = re.compile(
    r"overlap (\S+?) ?(\S*) between (\S+) \(([^)]*)\) and (\S+) \(([^)]*)\)"
    r"(?:, resolved by hit policy first: (\S+))?"
)
_ONE_BOUND = re.compile(r"'(.+)' has one bound; read as the single value \{(.+)\}")


def finding_text(finding: Finding) -> str:
    """A rule set's remark in Chinese, for the reader of the evaluation table."""
    who = _WHO.match(finding.english or finding.message)
    if who is None:
        return "评分标准另有补充规定。"
    name, rest = who.groups()
    if added := _ADDED.search(rest):
        return f"{name}：“{added.group(1)}”一档为原文件之外的补充（原文件未规定该区间的得分）。"
    if overlap := _OVERLAP.search(rest):
        both, unit, a, pa, b, pb, first = overlap.groups()
        rule = f"，按先列出的“{first}”计分" if first else ""
        return f"{name}：区间“{a}”（{pa}分）与“{b}”（{pb}分）在 {both}{unit} 处重叠{rule}。"
    if one := _ONE_BOUND.search(rest):
        return f"{name}：区间“{one.group(1)}”只写了一端，按单值 {one.group(2)} 理解。"
    return f"{name}：评分标准另有补充规定。"
