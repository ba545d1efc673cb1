"""Leaf rules without a band table, and the one place that builds a leaf from its model.

Deductions (points off per counted item), manual awards and reported rates; the banded kinds
live in :mod:`canbao.score.bands`. :func:`build_leaf` picks the class for a node's rule.
"""

from __future__ import annotations

from canbao.i18n import _
from canbao.score import model as m
from canbao.score.bands import (
    Bands,
    Derived,
    Grades,
    Hit,
    Inputs,
    Leaf,
    Tolerance,
    YesNo,
    ratio,
)
from canbao.score.values import (
    ValueProblem,
    ZeroDenominator,
    count,
    decimal,
    percent_text,
    points_text,
    quantity,
)


class Deduction(Leaf):
    """``per_item`` off the points per counted item, not below ``floor``."""

    def __init__(self, node: m.Node, rule: m.DeductionRule) -> None:
        super().__init__(node)
        self.field = rule.field
        self.per_item = rule.per_item
        self.floor = rule.floor
        self.unit = rule.unit

    def fields(self) -> list[str]:
        return [self.field] if self.field else []

    def labels(self) -> list[tuple[str, str]]:
        per = points_text(self.per_item)
        return [
            (f"0{self.unit}", points_text(self.max_points)),
            (
                f"每{self.unit}扣{per}分，扣至{points_text(self.floor)}分为止",
                points_text(self.floor),
            ),
        ]

    def one(self, inputs: Inputs, i: int) -> Hit:
        text = self.raw(inputs, i, self.field)
        n = count(text, self.unit)
        score = max(self.floor, self.max_points - self.per_item * n)
        return Hit(score, f"{n}{self.unit}", f"扣{points_text(self.max_points - score)}分")


class Manual(Leaf):
    """An award from 0 to the points, given as the 实际值."""

    def __init__(self, node: m.Node, rule: m.ManualRule) -> None:
        super().__init__(node)
        self.step = rule.step

    def labels(self) -> list[tuple[str, str]]:
        return [(f"评定（0至{points_text(self.max_points)}分）", points_text(self.max_points))]

    def one(self, inputs: Inputs, i: int) -> Hit:
        award = decimal(self.raw(inputs, i, None))
        if award > self.max_points:
            problem = _("award {award} is above the maximum {top}")
            raise ValueProblem(
                problem.format(award=points_text(award), top=points_text(self.max_points))
            )
        if award < 0:
            raise ValueProblem(_("award {award} is below 0").format(award=points_text(award)))
        if award % self.step != 0:
            problem = _("award {award} is not a multiple of {step}")
            raise ValueProblem(
                problem.format(award=points_text(award), step=points_text(self.step))
            )
        return Hit(award, points_text(award))


class Rate(Leaf):
    """A reported ratio without points; ``None`` score, the rate as the shown value."""

    def __init__(self, node: m.Node, rule: m.RateRule) -> None:
        super().__init__(node)
        self.numerator = rule.numerator
        self.denominator = rule.denominator

    def fields(self) -> list[str]:
        return [self.numerator, self.denominator]

    def labels(self) -> list[tuple[str, str]]:
        return [(f"{self.numerator}/{self.denominator}", "")]

    def one(self, inputs: Inputs, i: int) -> Hit:
        own = inputs.values[i]
        if own not in (None, ""):
            return Hit(None, percent_text(quantity(str(own), "%")))
        try:
            value, parts = ratio(inputs, i, self.numerator, self.denominator)
        except ZeroDenominator:
            return Hit(None, "—", f"{self.denominator}为0，无法计算")
        remark = "超过100%，请核对" if value > 1 else ""
        return Hit(None, percent_text(value), f"{parts}{'；' + remark if remark else ''}")


def build_leaf(node: m.Node, default_policy: str) -> Leaf:
    """The leaf object for a node's rule."""
    rule = node.rule
    if isinstance(rule, m.YesNoRule):
        return YesNo(node, rule)
    if isinstance(rule, m.GradesRule):
        return Grades(node, rule)
    if isinstance(rule, m.DerivedRule):
        return Derived(node, rule, default_policy)
    if isinstance(rule, m.BandsRule):
        return Bands(node, rule, default_policy)
    if isinstance(rule, m.ToleranceRule):
        return Tolerance(node, rule, default_policy)
    if isinstance(rule, m.DeductionRule):
        return Deduction(node, rule)
    if isinstance(rule, m.ManualRule):
        return Manual(node, rule)
    if isinstance(rule, m.RateRule):
        return Rate(node, rule)
    raise ValueError(f"leaf {node.number} {node.name} has no rule")
