"""``canbao rules check``: decision-table analysis of a rule set, in the spirit of Drools.

Errors: gaps (values no band holds), overlaps under hit policy ``unique``, bands masked by
earlier ones, band scores outside [0, points] or against the declared direction, parents whose
points differ from their children's sum, fields no fact declares, unreadable formulas.
Notes: what the file resolves explicitly (an overlap under hit policy ``first``, a band added
beyond the source document) and intervals whose written form needed interpretation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

from canbao.errors import level_word
from canbao.i18n import _
from canbao.score import model as m
from canbao.score.bands import BandTable, default_domain
from canbao.score.intervals import Interval, parse_interval, subtract
from canbao.score.loader import LoadedRules, PathT, line_of, render_path
from canbao.score.relations import FormulaError, parse_formula, resolve
from canbao.score.values import points_text


@dataclass(frozen=True)
class Finding:
    """One result of the analysis."""

    level: str  # "error" or "note"
    file: str
    line: int
    path: str
    message: str
    # The message in English (notes only): the evaluation workbook's 说明 sheet reads the
    # remark from it (canbao.score.workbook_sheets.finding_text), whatever the language.
    english: str = ""

    def render(self, *, short: bool = False) -> str:
        """``file:line: path: level: message`` (``short``: the file's name only)."""
        name = Path(self.file).name if short else self.file
        return f"{name}:{self.line}: {self.path}: {level_word(self.level)}: {self.message}"


class _Checker:
    def __init__(self, loaded: LoadedRules) -> None:
        self.loaded = loaded
        self.rules = loaded.rules
        self.findings: list[Finding] = []
        self.facts = {f.name for f in self.rules.facts} | {
            a for f in self.rules.facts for a in f.aliases
        }
        self.columns = {f.column: f.name for f in self.rules.facts if f.column}

    def add(self, level: str, path: PathT, message: str, english: str | None = None) -> None:
        line = line_of(self.loaded.lines, path)
        where = render_path(path)
        shown = english if english is not None else message
        self.findings.append(Finding(level, str(self.loaded.file), line, where, message, shown))

    def run(self) -> list[Finding]:
        self.tree()
        if self.rules.fee is not None:
            self.fee(self.rules.fee)
        for i, rel in enumerate(self.rules.relations):
            label = _("relation {id}").format(id=rel.id)
            self.formula(rel.formula, ("relations", i, "formula"), label)
        return self.findings

    # -- the indicator tree ---------------------------------------------------------------
    def tree(self) -> None:
        seen: dict[str, PathT] = {}
        for node, path, depth in m.walk(self.rules.indicators):
            label = f"{node.number + ' ' if node.number else ''}{node.name}"
            if depth >= len(self.rules.levels):
                problem = _("{label}: deeper than the {n} levels")
                self.add("error", path, problem.format(label=label, n=len(self.rules.levels)))
            if node.children:
                if node.rule is not None:
                    problem = _("{label}: a parent has no rule of its own").format(label=label)
                    self.add("error", (*path, "rule"), problem)
                self.sums(node, path, label)
                continue
            if node.number is None:
                self.add("error", path, _("{label}: a leaf needs a number").format(label=label))
            elif node.number in seen:
                problem = _("number {number} is used twice").format(number=node.number)
                self.add("error", (*path, "number"), problem)
            else:
                seen[node.number] = path
            if node.rule is None:
                self.add("error", path, _("{label}: a leaf needs a rule").format(label=label))
                continue
            if node.points is None and not isinstance(node.rule, m.RateRule):
                problem = _("{label}: a scored leaf needs points").format(label=f"指标 {label}")
                self.add("error", path, problem)
                continue
            if node.points is not None and isinstance(node.rule, m.RateRule):
                problem = _("{label}: a rate carries no points").format(label=f"指标 {label}")
                self.add("error", (*path, "points"), problem)
            self.leaf(node, (*path, "rule"), f"指标 {label}")

    def sums(self, node: m.Node, path: PathT, label: str) -> None:
        kids = node.children or []
        if node.points is None or any(_points(k) is None for k in kids):
            return
        total = sum((_points(k) or Decimal(0) for k in kids), Decimal(0))
        if total != node.points:
            self.add(
                "error",
                (*path, "points"),
                _("{label}: points {points} differ from the children's sum {total}").format(
                    label=label, points=points_text(node.points), total=points_text(total)
                ),
            )

    def leaf(self, node: m.Node, path: PathT, label: str) -> None:
        rule = node.rule
        points = node.points or Decimal(0)
        for name in _fields(rule):
            if resolve(name, self.columns) not in self.facts:
                problem = _("{label}: unknown field {name!r} (declare it under facts)")
                self.add("error", path, problem.format(label=label, name=name))
        if isinstance(rule, m.YesNoRule):
            self.within(path, label, points, [rule.yes or points, rule.no])
        elif isinstance(rule, m.GradesRule):
            self.within((*path, "grades"), label, points, list(rule.grades.values()))
        elif isinstance(rule, m.DeductionRule):
            if rule.per_item <= 0:
                problem = _("{label}: per_item must be above 0").format(label=label)
                self.add("error", (*path, "per_item"), problem)
            self.within(path, label, points, [rule.floor])
        elif isinstance(rule, m.ManualRule):
            if rule.step <= 0 or points % rule.step != 0:
                problem = _("{label}: points are not a multiple of step").format(label=label)
                self.add("error", (*path, "step"), problem)
        elif isinstance(rule, m.BandsRule | m.DerivedRule | m.ToleranceRule):
            domain = rule.domain if not isinstance(rule, m.ToleranceRule) else None
            policy = rule.hit_policy or self.rules.hit_policy
            table = BandTable.build(rule.bands, policy, rule.unit, domain, rule.direction)
            self.within((*path, "bands"), label, points, [b.score for b in rule.bands])
            self.bands(table, (*path, "bands"), label)

    def within(self, path: PathT, label: str, points: Decimal, scores: list[Decimal]) -> None:
        for s in scores:
            if not Decimal(0) <= s <= points:
                self.add(
                    "error",
                    path,
                    _("{label}: score {score} is outside [0, {top}]").format(
                        label=label, score=points_text(s), top=points_text(points)
                    ),
                )

    # -- band tables ----------------------------------------------------------------------
    def bands(self, table: BandTable, path: PathT, label: str) -> None:
        unit = "" if table.unit == "%" else f" {table.unit}"
        ivs = [iv for iv, _, _, _ in table.bands]
        for i, (iv, _score, lab, added) in enumerate(table.bands):
            where = (*path, i)
            if iv.odd:
                self.add("note", (*where, "range"), f"{label}: {iv.odd} {iv.canonical()}")
            if added:
                problem = _("{label}: band {band} added beyond the seed: {added}")
                english = f"{label}: band {lab} added beyond the seed: {added}"
                self.add("note", where, problem.format(label=label, band=lab, added=added), english)
            if not self.real(table, iv.intersect(table.domain)):
                problem = _("{label}: band {band} lies outside {domain}")
                self.add(
                    "error", where, problem.format(label=label, band=lab, domain=table.domain.label)
                )
        for gap in subtract(table.domain, ivs):
            if self.real(table, gap):
                problem = _("{label}: gap {gap}: no band holds it")
                self.add("error", path, problem.format(label=label, gap=gap.canonical() + unit))
        for j in range(len(ivs)):
            for i in range(j):
                both = ivs[i].intersect(ivs[j])
                if not self.real(table, both) or both is None:
                    continue
                a, b = table.bands[i], table.bands[j]
                parts = {
                    "label": label,
                    "overlap": both.canonical() + unit,
                    "first": f"{a[2]} ({points_text(a[1])})",
                    "second": f"{b[2]} ({points_text(b[1])})",
                }
                if table.hit_policy == "first":
                    problem = _(
                        "{label}: overlap {overlap} between {first} and {second}, resolved by "
                        "hit policy first: {band}"
                    )
                    english = (
                        f"{label}: overlap {parts['overlap']} between {parts['first']} and "
                        f"{parts['second']}, resolved by hit policy first: {a[2]}"
                    )
                    self.add("note", (*path, j), problem.format(band=a[2], **parts), english)
                else:
                    problem = _(
                        "{label}: overlap {overlap} between {first} and {second} under hit "
                        "policy unique"
                    )
                    self.add("error", (*path, j), problem.format(**parts))
        if table.hit_policy == "first":
            for j in range(1, len(ivs)):
                if not any(self.real(table, rest) for rest in subtract(ivs[j], ivs[:j])):
                    self.add(
                        "error",
                        (*path, j),
                        _("{label}: band {band} is masked by earlier bands").format(
                            label=label, band=table.bands[j][2]
                        ),
                    )
        self.direction(table, path, label)

    def real(self, table: BandTable, iv: Interval | None) -> bool:
        """An interval holds a possible value (a whole count where values are counted)."""
        if iv is None:
            return False
        if not table.counted:
            return True
        s = table.scale
        scaled = Interval(
            None if iv.lo is None else iv.lo * s,
            None if iv.hi is None else iv.hi * s,
            iv.lo_closed,
            iv.hi_closed,
        )
        return scaled.has_integer()

    def direction(self, table: BandTable, path: PathT, label: str) -> None:
        if table.direction == "none":
            return
        order = sorted(
            (b for b in table.bands if self.real(table, b[0])),
            key=lambda b: (b[0].lo is not None, b[0].lo or Fraction(0), not b[0].lo_closed),
        )
        scores = [b[1] for b in order]
        rising = table.direction == "increasing"
        for lo, hi in pairwise(scores):
            if (hi < lo) if rising else (hi > lo):
                self.add(
                    "error",
                    path,
                    _(
                        "{label}: scores are declared {direction} but {low} is followed by "
                        "{high} as the value rises"
                    ).format(
                        label=label,
                        direction=table.direction,
                        low=points_text(lo),
                        high=points_text(hi),
                    ),
                )
                return

    # -- fee and relations ------------------------------------------------------------------
    def fee(self, fee: m.FeeRule) -> None:
        if fee.entered not in self.facts:
            problem = _("fee: unknown field {name!r}").format(name=fee.entered)
            self.add("error", ("fee", "entered"), problem)
        top = sum((_points(n) or Decimal(0) for n in self.rules.indicators), Decimal(0))
        bands = [m.Band(range=t.range, score=Decimal(0), label=t.label) for t in fee.tiers]
        table = BandTable.build(bands, fee.hit_policy, "分", f"[0,{top}]", "none")
        self.bands(table, ("fee", "tiers"), _("fee"))
        ratios = [t.ratio for t in fee.tiers]
        for i, r in enumerate(ratios):
            if r < 0:
                self.add("error", ("fee", "tiers", i, "ratio"), _("fee: a ratio below 0"))
        order = sorted(
            zip([parse_interval(t.range) for t in fee.tiers], ratios, strict=True),
            key=lambda p: p[0].lo or Fraction(0),
        )
        if any(b[1] < a[1] for a, b in pairwise(order)):
            problem = _("fee: a higher total pays a smaller ratio")
            self.add("error", ("fee", "tiers"), problem)

    def formula(self, text: str, path: PathT, label: str) -> None:
        try:
            formula = parse_formula(text)
        except FormulaError as exc:
            self.add("error", path, _("{label}: {problem}").format(label=label, problem=exc))
            return
        for name in formula.names():
            if resolve(name, self.columns) not in self.facts:
                problem = _("{label}: unknown field {name!r}")
                self.add("error", path, problem.format(label=label, name=name))


def _points(node: m.Node) -> Decimal | None:
    if node.points is not None:
        return node.points
    if node.children:
        kids = [_points(k) for k in node.children]
        if all(k is not None for k in kids):
            return sum((k or Decimal(0) for k in kids), Decimal(0))
    return None


def _fields(rule: m.Rule | None) -> list[str]:
    out: list[str] = []
    for attr in ("field", "numerator", "denominator"):
        value = getattr(rule, attr, None)
        if isinstance(value, str):
            out.append(value)
    diff = getattr(rule, "difference", None)
    if diff:
        out.extend(diff)
    return out


def check_rules(loaded: LoadedRules) -> list[Finding]:
    """Analyse one loaded rule set; errors first would hide the file order, so keep it."""
    return _Checker(loaded).run()


def total_points(rules: m.RuleSet) -> Decimal | None:
    """The rule set's total points (``None`` for a set of rates only)."""
    values = [_points(n) for n in rules.indicators]
    if all(v is None for v in values):
        return None
    return sum((v or Decimal(0) for v in values), Decimal(0))


__all__ = ["Finding", "check_rules", "default_domain", "total_points"]
