"""The evaluation workbook, laid out as 淮人社秘〔2017〕376号's 附件3 (全民参保登记工作评估表).

Sheets: 评估表 (indicator levels in merged cells, 评估等级 and 评分标准 per tier, then 实际值 /
得分 / 备注 per county; with self-evaluations also 自评分 and 差值), 分项得分 (every level's
subtotal), 排名, 考核费用 (with the rounding rule), 逻辑关系核查 and 说明. Values are computed
and written as values, never as formulas.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from canbao.score import model as m
from canbao.score.bands import Leaf
from canbao.score.evaluate import Evaluation
from canbao.score.fees import ROUNDING_RULE
from canbao.score.values import points_text
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


def _num(value: Decimal | None) -> Any:
    return None if value is None else float(value)  # Excel stores doubles; 0.5 steps are exact


def write_workbook(ev: Evaluation, path: Path) -> None:
    """Write the evaluation workbook of one rule set."""
    book = TextWorkbook(path)  # text from submissions and rule files never becomes a formula
    fmt = {
        "title": book.add_format({"bold": True, "font_size": 14, "align": "center"}),
        "head": book.add_format(
            {
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#DDEBF7",
            }
        ),
        "cell": book.add_format({"border": 1, "valign": "vcenter", "text_wrap": True}),
        "num": book.add_format({"border": 1, "valign": "vcenter", "num_format": "0.0##"}),
        "money": book.add_format({"border": 1, "num_format": "#,##0.00"}),
        "flag": book.add_format(
            {"border": 1, "valign": "vcenter", "text_wrap": True, "bg_color": "#FCE4D6"}
        ),
    }
    _evaluation_sheet(book, ev, fmt)
    _subtotals_sheet(book, ev, fmt)
    if any(c.total is not None for c in ev.counties):
        _ranking_sheet(book, ev, fmt)
    if ev.loaded.rules.fee is not None:
        _fee_sheet(book, ev, fmt)
    if ev.loaded.rules.relations:
        _relations_sheet(book, ev, fmt)
    _notes_sheet(book, ev, fmt)
    book.close()


def _county_heads(ev: Evaluation) -> list[str]:
    rules = ev.loaded.rules
    if any(c.self_scores is not None for c in ev.counties):
        return ["实际值", rules.self_heading, rules.review_heading, "差值", "备注"]
    return ["实际值", rules.review_heading, "备注"]


def _evaluation_sheet(book: Any, ev: Evaluation, fmt: dict[str, Any]) -> None:
    rules = ev.loaded.rules
    ws = book.add_worksheet("评估表")
    levels = len(rules.levels)
    tiers = max([3, *(len({s for _, s in leaf.labels()}) for leaf in ev.leaves)])
    heads = _county_heads(ev)
    fixed = levels + 2 * tiers + 1
    width = fixed + len(heads) * len(ev.counties)
    ws.merge_range(0, 0, 0, width - 1, rules.title, fmt["title"])
    ws.merge_range(1, 0, 1, levels - 1, "指标", fmt["head"])
    ws.merge_range(1, levels, 1, levels + tiers - 1, "评估等级", fmt["head"])
    ws.merge_range(1, levels + tiers, 1, levels + 2 * tiers - 1, "评分标准", fmt["head"])
    ws.merge_range(1, fixed - 1, 2, fixed - 1, "说明", fmt["head"])
    for i, name in enumerate(rules.levels):
        ws.write(2, i, name, fmt["head"])
    for t in range(tiers):
        ws.write(2, levels + t, TIERS[t], fmt["head"])
        ws.write(2, levels + tiers + t, TIERS[t], fmt["head"])
    for k, county in enumerate(ev.counties):
        col = fixed + k * len(heads)
        ws.merge_range(1, col, 1, col + len(heads) - 1, county.name, fmt["head"])
        for j, h in enumerate(heads):
            ws.write(2, col + j, h, fmt["head"])
    ws.merge_range(3, 0, 3, fixed - 1, "总分", fmt["head"])
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
            ws.write(3, col + j, v, fmt["num"] if isinstance(v, float) else fmt["cell"])
    titles = node_titles(rules)
    by_number = {leaf.number: leaf for leaf in ev.leaves}
    row = 4

    def place(nodes: list[m.Node], depth: int) -> None:
        nonlocal row
        for node in nodes:
            start = row
            if node.children:
                place(node.children, depth + 1)
                if row - 1 > start:
                    ws.merge_range(start, depth, row - 1, depth, titles[id(node)], fmt["cell"])
                else:
                    ws.write(start, depth, titles[id(node)], fmt["cell"])
                continue
            if depth < levels - 1:
                ws.merge_range(row, depth, row, levels - 1, titles[id(node)], fmt["cell"])
            else:
                ws.write(row, depth, titles[id(node)], fmt["cell"])
            _leaf_row(ws, ev, by_number[node.number or ""], row, levels, tiers, heads, fmt)
            row += 1

    place(rules.indicators, 0)
    ws.set_column(0, levels - 1, 22)
    ws.set_column(levels, fixed - 2, 10)
    ws.set_column(fixed - 1, fixed - 1, 28)
    ws.set_column(fixed, width - 1, 11)
    ws.freeze_panes(4, levels)


def _leaf_row(
    ws: Any,
    ev: Evaluation,
    leaf: Leaf,
    row: int,
    levels: int,
    tiers: int,
    heads: list[str],
    fmt: dict[str, Any],
) -> None:
    for t, (label, score) in enumerate(tier_cells(leaf, tiers)):
        ws.write(row, levels + t, label, fmt["cell"])
        ws.write(row, levels + tiers + t, score, fmt["cell"])
    fixed = levels + 2 * tiers + 1
    ws.write(row, fixed - 1, leaf.note, fmt["cell"])
    for k, county in enumerate(ev.counties):
        col = fixed + k * len(heads)
        hit = county.hits[leaf.number]
        if len(heads) == 3:
            ws.write(row, col, hit.shown, fmt["cell"])
            ws.write(row, col + 1, _num(hit.score), fmt["num"])
            ws.write(row, col + 2, hit.remark, fmt["cell"])
            continue
        own = None if county.self_scores is None else county.self_scores.get(leaf.number)
        diff = None if own is None or hit.score is None else own - hit.score
        above = diff is not None and diff > 0
        remark = "；".join(x for x in (hit.remark, "自评高于上级评估" if above else "") if x)
        ws.write(row, col, hit.shown, fmt["cell"])
        ws.write(row, col + 1, _num(own), fmt["num"])
        ws.write(row, col + 2, _num(hit.score), fmt["num"])
        ws.write(row, col + 3, _num(diff), fmt["flag"] if above else fmt["num"])
        ws.write(row, col + 4, remark, fmt["flag"] if above else fmt["cell"])


def _subtotals_sheet(book: Any, ev: Evaluation, fmt: dict[str, Any]) -> None:
    ws = book.add_worksheet("分项得分")
    rules = ev.loaded.rules
    selfs = any(c.self_scores is not None for c in ev.counties)
    heads = ["层级", "指标", "分值"]
    for c in ev.counties:
        heads += (
            [f"{c.name}{rules.self_heading}", f"{c.name}{rules.review_heading}"]
            if selfs
            else [f"{c.name}{rules.review_heading}"]
        )
    for j, h in enumerate(heads):
        ws.write(0, j, h, fmt["head"])
    titles = node_titles(rules)
    row = 1
    for node, _, depth in m.walk(rules.indicators):
        numbers = [n.number for n in _leaves_of(node)]
        ws.write(row, 0, rules.levels[min(depth, len(rules.levels) - 1)], fmt["cell"])
        ws.write(row, 1, titles[id(node)], fmt["cell"])
        ws.write(row, 2, _num(node.points) if node.points is not None else None, fmt["num"])
        col = 3
        for c in ev.counties:
            review = [c.hits[n or ""].score for n in numbers]
            total = (
                None
                if any(s is None for s in review)
                else sum((s or Decimal(0) for s in review), Decimal(0))
            )
            if selfs:
                own = (
                    None
                    if c.self_scores is None
                    else sum((c.self_scores.get(n or "", Decimal(0)) for n in numbers), Decimal(0))
                )
                ws.write(row, col, _num(own), fmt["num"])
                col += 1
            ws.write(row, col, _num(total), fmt["num"])
            col += 1
        row += 1
    ws.set_column(1, 1, 40)


def _leaves_of(node: m.Node) -> list[m.Node]:
    if not node.children:
        return [node]
    return [leaf for child in node.children for leaf in _leaves_of(child)]


def _ranking_sheet(book: Any, ev: Evaluation, fmt: dict[str, Any]) -> None:
    ws = book.add_worksheet("排名")
    rules = ev.loaded.rules
    selfs = any(c.self_scores is not None for c in ev.counties)
    heads = ["名次", "县区", "县区代码", "总分"] + (
        [f"自评总分（{rules.self_heading}）", "差值"] if selfs else []
    )
    for j, h in enumerate(heads):
        ws.write(0, j, h, fmt["head"])
    for i, (rank, c) in enumerate(ev.ranking(), start=1):
        ws.write(i, 0, rank, fmt["cell"])
        ws.write(i, 1, c.name, fmt["cell"])
        ws.write_string(i, 2, c.county, fmt["cell"])  # the code joins with other tables
        ws.write(i, 3, _num(c.total), fmt["num"])
        if selfs:
            diff = None if c.self_total is None or c.total is None else c.self_total - c.total
            ws.write(i, 4, _num(c.self_total), fmt["num"])
            ws.write(i, 5, _num(diff), fmt["num"])


def _fee_sheet(book: Any, ev: Evaluation, fmt: dict[str, Any]) -> None:
    fee = ev.loaded.rules.fee
    assert fee is not None
    ws = book.add_worksheet("考核费用")
    heads = [
        "县区",
        "考核总分",
        "实际录入人数",
        "入户调查基准费用（元/人）",
        "计发基数（元）",
        "发放比例",
        "考核费用（元）",
    ]
    for j, h in enumerate(heads):
        ws.write(0, j, h, fmt["head"])
    for i, c in enumerate(ev.counties, start=1):
        if c.fee is None:
            continue
        ws.write(i, 0, c.name, fmt["cell"])
        ws.write(i, 1, _num(c.total), fmt["num"])
        ws.write(i, 2, c.fee.entered, fmt["cell"])
        ws.write(i, 3, _num(fee.price), fmt["money"])
        ws.write(i, 4, _num(c.fee.base), fmt["money"])
        ws.write(i, 5, f"{c.fee.ratio * 100:.0f}%", fmt["cell"])
        ws.write(i, 6, _num(c.fee.amount), fmt["money"])
    row = len(ev.counties) + 2
    ws.write(row, 0, "计发基数 = 实际录入人数 × 入户调查基准费用")
    for t in fee.tiers:
        row += 1
        ws.write(
            row,
            0,
            f"考核总分 {t.range}：按计发基数的 {t.ratio * 100:.0f}% 发放"
            + (f"（{t.label}）" if t.label else ""),
        )
    ws.write(row + 1, 0, ROUNDING_RULE)
    ws.set_column(0, 6, 16)


def _relations_sheet(book: Any, ev: Evaluation, fmt: dict[str, Any]) -> None:
    ws = book.add_worksheet("逻辑关系核查")
    heads = ["县区", "关系式编号", "关系式", "左边", "右边", "结果"]
    for j, h in enumerate(heads):
        ws.write(0, j, h, fmt["head"])
    row = 1
    for c in ev.counties:
        for r in c.relations:
            values = [
                c.name,
                r.id,
                r.formula,
                str(r.left),
                str(r.right),
                "通过" if r.holds else "不通过",
            ]
            for j, v in enumerate(values):
                ws.write_string(row, j, v, fmt["cell"] if r.holds else fmt["flag"])
            row += 1
    ws.set_column(2, 2, 60)


def _notes_sheet(book: Any, ev: Evaluation, fmt: dict[str, Any]) -> None:
    ws = book.add_worksheet("说明")
    rules = ev.loaded.rules
    lines = [
        f"规则集：{rules.name}（{ev.loaded.file.name}）",
        f"来源：{rules.source or ''}",
        "以上级评估为主，本级自评为辅：得分为上级评估（考核）分，自评分仅作对照；自评高于上级评估的指标已标出。",
        "分值与金额按十进制精确计算；比率按分数精确比较，不经浮点。",
    ]
    if rules.fee is not None:
        lines.append(ROUNDING_RULE)
    lines += [f"规则检查说明：{f.render(short=True)}" for f in ev.notes]
    for i, line in enumerate(lines):
        ws.write_string(i, 0, line)
    ws.set_column(0, 0, 120)
