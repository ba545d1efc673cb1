"""Leaf rules as small typed objects: each evaluates a whole column and carries its labels.

A leaf object is built from its model (:func:`canbao.score.leaves.build_leaf`, which also holds
the kinds without a band table); ``evaluate`` takes the column of
submitted values (one per county) plus the named facts, and returns one :class:`Hit` per county.
``labels`` gives the (评估等级, 评分标准) pairs shown in the evaluation table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from canbao.i18n import _
from canbao.score import model as m
from canbao.score.intervals import Interval, parse_interval
from canbao.score.values import (
    UNITS,
    ValueProblem,
    ZeroDenominator,
    amount,
    clean,
    percent_text,
    points_text,
    quantity,
    yes_no,
)


@dataclass(frozen=True)
class Inputs:
    """The column to score: counties, each county's own value row, and the named facts."""

    counties: list[str]
    values: list[str | None]
    facts: dict[str, list[str | None]] = field(default_factory=dict)

    def fact(self, name: str, i: int) -> str | None:
        """A fact's raw value for county ``i`` (``None`` when not given)."""
        column = self.facts.get(name)
        return None if column is None else column[i]


@dataclass(frozen=True)
class Hit:
    """One county's result for one leaf."""

    score: Decimal | None
    shown: str
    remark: str = ""
    error: str | None = None


def default_domain(unit: str) -> Interval:
    """[0,1] for shares, [0,+∞) otherwise."""
    return parse_interval("[0,1]") if unit == "%" else parse_interval("[0,+∞)")


@dataclass(frozen=True)
class BandTable:
    """Interval bands with a hit policy, a unit and a domain."""

    bands: list[tuple[Interval, Decimal, str, str | None]]
    hit_policy: str
    unit: str
    domain: Interval
    direction: str

    @classmethod
    def build(
        cls, bands: list[m.Band], hit_policy: str, unit: str, domain: str | None, direction: str
    ) -> BandTable:
        """Parse the bands of a rule."""
        parsed = [(parse_interval(b.range), b.score, b.label or b.range, b.added) for b in bands]
        dom = parse_interval(domain) if domain else default_domain(unit)
        return cls(parsed, hit_policy, unit, dom, direction)

    @property
    def scale(self) -> int:
        """How many base units (人, 元) one rule unit holds (百人: 100)."""
        return UNITS.get(self.unit, ("", 1, False))[1]

    @property
    def counted(self) -> bool:
        """Tell whether values are whole counts of the base unit."""
        return UNITS.get(self.unit, ("", 1, False))[2]

    def find(self, value: Fraction, shown: str) -> tuple[Decimal, str]:
        """The score and band label for ``value``, by the hit policy."""
        hits = [(s, lab) for iv, s, lab, _ in self.bands if iv.contains(value)]
        if not hits:
            listed = ", ".join(lab for _, _, lab, _ in self.bands)
            problem = _("value (实际值) {value} falls in no band ({bands})")
            raise ValueProblem(problem.format(value=shown, bands=listed))
        if len(hits) > 1 and self.hit_policy == "unique":
            both = ", ".join(lab for _, lab in hits)
            problem = _(
                "value (实际值) {value} falls in several bands ({bands}) under hit policy unique"
            )
            raise ValueProblem(problem.format(value=shown, bands=both))
        return hits[0]

    def labels(self) -> list[tuple[str, Decimal]]:
        """(label, score) per band, in listed order."""
        return [(lab, s) for _, s, lab, _ in self.bands]


class Leaf:
    """Base of the leaf rules: number, name, points, note, and the fields it reads."""

    def __init__(self, node: m.Node) -> None:
        self.number = node.number or ""
        self.name = node.name
        self.points = node.points
        self.note = node.note or ""

    def fields(self) -> list[str]:
        """Named facts this leaf may read."""
        return []

    def labels(self) -> list[tuple[str, str]]:
        """(评估等级, 评分标准) pairs for the evaluation table."""
        return []

    def one(self, inputs: Inputs, i: int) -> Hit:
        """Score county ``i`` (raise :class:`ValueProblem` for an unusable value)."""
        raise NotImplementedError

    def evaluate(self, inputs: Inputs) -> list[Hit]:
        """Score the whole column; a problem becomes a Hit with ``error`` set."""
        out = []
        for i in range(len(inputs.counties)):
            try:
                out.append(self.one(inputs, i))
            except ValueProblem as exc:
                out.append(Hit(None, clean(inputs.values[i]), error=str(exc)))
        return out

    def raw(self, inputs: Inputs, i: int, name: str | None) -> str:
        """The county's value row, or the named fact; both given and different is an error."""
        own = inputs.values[i]
        fact = inputs.fact(name, i) if name else None
        if own not in (None, "") and fact not in (None, "") and clean(own) != clean(fact):
            problem = _("value (实际值) {value} differs from {name} {fact}")
            raise ValueProblem(problem.format(value=clean(own), name=name, fact=clean(fact)))
        value = own if own not in (None, "") else fact
        if value in (None, ""):
            if name:
                problem = _(
                    "no value (实际值): the indicator is missing and there is no {name} row"
                )
                raise ValueProblem(problem.format(name=name))
            raise ValueProblem(_("no value (实际值): the indicator is missing"))
        return str(value)

    @property
    def max_points(self) -> Decimal:
        """The leaf's points (0 for report-only rates)."""
        return self.points if self.points is not None else Decimal(0)


class YesNo(Leaf):
    """是 / 否."""

    def __init__(self, node: m.Node, rule: m.YesNoRule) -> None:
        super().__init__(node)
        self.field = rule.field
        self.yes = rule.yes if rule.yes is not None else self.max_points
        self.no = rule.no

    def fields(self) -> list[str]:
        return [self.field] if self.field else []

    def labels(self) -> list[tuple[str, str]]:
        return [("是", points_text(self.yes)), ("否", points_text(self.no))]

    def one(self, inputs: Inputs, i: int) -> Hit:
        text = self.raw(inputs, i, self.field)
        ok = yes_no(text)
        return Hit(self.yes if ok else self.no, "是" if ok else "否")


class Grades(Leaf):
    """Ordinal grades such as 好/中/差, 严格/一般/差, 无/有."""

    def __init__(self, node: m.Node, rule: m.GradesRule) -> None:
        super().__init__(node)
        self.field = rule.field
        self.grades = dict(rule.grades)

    def fields(self) -> list[str]:
        return [self.field] if self.field else []

    def labels(self) -> list[tuple[str, str]]:
        return [(g, points_text(s)) for g, s in self.grades.items()]

    def one(self, inputs: Inputs, i: int) -> Hit:
        word = clean(self.raw(inputs, i, self.field))
        if word not in self.grades:
            problem = _("unknown grade {grade!r} (expected {grades})")
            raise ValueProblem(problem.format(grade=word, grades="/".join(self.grades)))
        return Hit(self.grades[word], word)


class Bands(Leaf):
    """Numeric interval bands on a value (or a named field) in a unit."""

    def __init__(self, node: m.Node, rule: m.BandsRule, default_policy: str) -> None:
        super().__init__(node)
        self.field = rule.field
        self.table = BandTable.build(
            rule.bands, rule.hit_policy or default_policy, rule.unit, rule.domain, rule.direction
        )

    def fields(self) -> list[str]:
        return [self.field] if self.field else []

    def labels(self) -> list[tuple[str, str]]:
        return [(lab, points_text(s)) for lab, s in self.table.labels()]

    def read(self, inputs: Inputs, i: int) -> tuple[Fraction, str]:
        """The exact value and its shown text."""
        text = self.raw(inputs, i, self.field)
        return quantity(text, self.table.unit), clean(text)

    def one(self, inputs: Inputs, i: int) -> Hit:
        value, shown = self.read(inputs, i)
        bare = re.fullmatch(r"[-+]?[\d.]+", shown) is not None
        unit = self.table.unit if bare and self.table.unit != "%" else ""
        if not self.table.domain.contains(value):
            problem = _("value (实际值) {value} lies outside {domain}")
            raise ValueProblem(problem.format(value=shown + unit, domain=self.table.domain.label))
        score, label = self.table.find(value, shown + unit)
        return Hit(score, shown + unit, f"按 {label}")


def ratio(inputs: Inputs, i: int, numerator: str, denominator: str) -> tuple[Fraction, str]:
    """numerator / denominator of two count facts, exactly."""
    texts = [inputs.fact(numerator, i), inputs.fact(denominator, i)]
    missing = [n for n, t in zip((numerator, denominator), texts, strict=True) if t in (None, "")]
    if missing:
        problem = _("no value (实际值) and no {facts} row")
        raise ValueProblem(problem.format(facts=" / ".join(missing)))
    num, den = (amount(str(t)) for t in texts)
    if den == 0:
        problem = _("{denominator} is 0: the ratio cannot be computed")
        raise ZeroDenominator(problem.format(denominator=denominator))
    return num / den, f"{num}/{den}"


class Derived(Bands):
    """A ratio of two named fields (or the ratio given directly), scored by bands."""

    def __init__(self, node: m.Node, rule: m.DerivedRule, default_policy: str) -> None:
        Leaf.__init__(self, node)
        self.field = None
        self.numerator = rule.numerator
        self.denominator = rule.denominator
        self.table = BandTable.build(
            rule.bands, rule.hit_policy or default_policy, rule.unit, rule.domain, rule.direction
        )

    def fields(self) -> list[str]:
        return [self.numerator, self.denominator]

    def read(self, inputs: Inputs, i: int) -> tuple[Fraction, str]:
        own = inputs.values[i]
        have = all(inputs.fact(n, i) not in (None, "") for n in self.fields())
        if own in (None, "") or have:
            value, parts = ratio(inputs, i, self.numerator, self.denominator)
            if own not in (None, "") and quantity(str(own), self.table.unit) != value:
                formula = f"{self.numerator}/{self.denominator}"
                problem = _("value (实际值) {value} differs from {formula} = {parts}")
                raise ValueProblem(problem.format(value=clean(own), formula=formula, parts=parts))
            shown = percent_text(value) if self.table.unit == "%" else str(value)
            return value, f"{shown}（{parts}）"
        return quantity(str(own), self.table.unit), clean(own)


class Tolerance(Leaf):
    """Bands on an absolute difference |d| (indicator 32 of 淮人社秘〔2017〕376号)."""

    def __init__(self, node: m.Node, rule: m.ToleranceRule, default_policy: str) -> None:
        super().__init__(node)
        self.field = rule.field
        self.difference = rule.difference
        self.table = BandTable.build(
            rule.bands, rule.hit_policy or default_policy, rule.unit, None, rule.direction
        )

    def fields(self) -> list[str]:
        return [*([self.field] if self.field else []), *(self.difference or ())]

    def labels(self) -> list[tuple[str, str]]:
        return [(lab, points_text(s)) for lab, s in self.table.labels()]

    def one(self, inputs: Inputs, i: int) -> Hit:
        own = inputs.values[i]
        if own in (None, "") and self.difference and not self.field:
            a, b = (inputs.fact(n, i) for n in self.difference)
            if a in (None, "") or b in (None, ""):
                problem = _("no value (实际值) and no {facts} rows")
                raise ValueProblem(problem.format(facts=" / ".join(self.difference)))
            d = amount(str(a)) - amount(str(b))
            shown = f"{d}（{clean(a)}-{clean(b)}）"
        else:
            text = self.raw(inputs, i, self.field)
            d, shown = quantity(text, self.table.unit), clean(text)
        score, label = self.table.find(abs(d), shown)
        return Hit(score, shown, f"|差值| 按 {label}")
