"""The rule file as pydantic models (what YAML a rule set may hold, checked field by field).

Points, scores and money are ``Decimal`` (an unquoted ``1.5`` is read through its shortest
text, never through float arithmetic); intervals stay strings in the file and are parsed by
:mod:`canbao.score.intervals` here, so a bad interval is reported with its line.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from canbao.i18n import _
from canbao.score.intervals import IntervalSyntaxError, parse_interval

HitPolicy = Literal["first", "unique"]
Direction = Literal["increasing", "decreasing", "none"]


def _to_decimal(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(_("expected a number, got a yes/no value"))
    if isinstance(value, int | float | str):
        text = repr(value) if isinstance(value, float) else str(value).strip()
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(_("not a number: {text!r}").format(text=text)) from None
    return value


def _to_text(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(_("write the value as a quoted string"))
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return value


Dec = Annotated[Decimal, BeforeValidator(_to_decimal)]
Text = Annotated[str, BeforeValidator(_to_text)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_interval(value: str) -> str:
    try:
        parse_interval(value)
    except IntervalSyntaxError as exc:
        raise ValueError(str(exc)) from None
    return value


class Band(_Model):
    """One row of a band table: an interval, its score, and its label in tables."""

    range: Text
    score: Dec
    label: str | None = None
    added: str | None = Field(
        default=None, description="Why this band is not in the document (makes a gap a note)."
    )

    _v = field_validator("range")(_check_interval)


class YesNoRule(_Model):
    """是 earns the leaf's points (or ``yes``), 否 earns ``no`` (0 by default)."""

    type: Literal["yes_no"]
    field: str | None = None
    yes: Dec | None = None
    no: Dec = Decimal(0)


class GradesRule(_Model):
    """Ordinal grades, best first: ``{好: 2, 中: 1, 差: 0}``."""

    type: Literal["grades"]
    field: str | None = None
    grades: dict[str, Dec]


class BandsRule(_Model):
    """Numeric interval bands on a value in ``unit`` (万元, 场, 百人, 人, %)."""

    type: Literal["bands"]
    field: str | None = None
    unit: str
    hit_policy: HitPolicy | None = None
    direction: Direction = "increasing"
    domain: Text | None = None
    bands: list[Band]

    _v = field_validator("domain")(lambda v: v if v is None else _check_interval(v))


class DerivedRule(_Model):
    """A ratio of two named fields scored by bands (入户率 = 开展入户调查人数 / 需入户调查人数)."""

    type: Literal["derived"]
    numerator: str
    denominator: str
    unit: str = "%"
    hit_policy: HitPolicy | None = None
    direction: Direction = "increasing"
    domain: Text | None = None
    bands: list[Band]

    _v = field_validator("domain")(lambda v: v if v is None else _check_interval(v))


class ToleranceRule(_Model):
    """Bands on an absolute difference |d| (given, or ``difference: [a, b]`` of two fields)."""

    type: Literal["tolerance"]
    field: str | None = None
    difference: tuple[str, str] | None = None
    unit: str = "人"
    hit_policy: HitPolicy | None = None
    direction: Direction = "decreasing"
    bands: list[Band]


class DeductionRule(_Model):
    """``per_item`` off the leaf's points for each counted item, never below ``floor``."""

    type: Literal["deduction"]
    field: str | None = None
    per_item: Dec
    floor: Dec = Decimal(0)
    unit: str = "例"


class ManualRule(_Model):
    """An award from 0 to the leaf's points, in steps of ``step``."""

    type: Literal["manual"]
    step: Dec = Decimal("0.5")


class RateRule(_Model):
    """A reported ratio without points (the nine rates of 人社厅发〔2017〕28号)."""

    type: Literal["rate"]
    numerator: str
    denominator: str


Rule = Annotated[
    YesNoRule
    | GradesRule
    | BandsRule
    | DerivedRule
    | ToleranceRule
    | DeductionRule
    | ManualRule
    | RateRule,
    Field(discriminator="type"),
]


class Node(_Model):
    """An indicator: a parent with children, or a leaf with a rule."""

    number: Text | None = None
    name: str
    points: Dec | None = None
    note: str | None = None
    children: list[Node] | None = None
    rule: Rule | None = None


class Fact(_Model):
    """A named field a submission gives as an extra row (实际录入人数, 开展入户调查人数, ...)."""

    name: str
    column: Text | None = None
    unit: str = "人"
    aliases: list[str] = []
    source: Literal["submission", "task_table"] = "submission"


class FeeTier(_Model):
    """A share of the base paid for totals in ``range``."""

    range: Text
    ratio: Dec
    label: str | None = None

    _v = field_validator("range")(_check_interval)


class FeeRule(_Model):
    """Fee = persons entered x price, times the tier's ratio, rounded once to the fen."""

    entered: str
    price: Dec
    hit_policy: HitPolicy = "unique"
    tiers: list[FeeTier]


class Relation(_Model):
    """A logic relation between fields, e.g. ``(1) = (2) - (3) + (4) + (5)``."""

    id: Text
    formula: str


class RuleSet(_Model):
    """A whole rule file."""

    name: str
    title: str
    source: str | None = None
    levels: list[str] = ["一级指标", "二级指标", "三级指标"]
    hit_policy: HitPolicy = "unique"
    self_heading: str = "自评分"
    review_heading: str = "得分"
    facts: list[Fact] = []
    indicators: list[Node]
    fee: FeeRule | None = None
    relations: list[Relation] = []


def walk(
    nodes: list[Node], path: tuple[str | int, ...] = ("indicators",)
) -> list[tuple[Node, tuple[str | int, ...], int]]:
    """Every node with its path in the file and its depth (0 for the first level)."""
    out: list[tuple[Node, tuple[str | int, ...], int]] = []

    def go(items: list[Node], base: tuple[str | int, ...], depth: int) -> None:
        for i, node in enumerate(items):
            here = (*base, i)
            out.append((node, here, depth))
            if node.children:
                go(node.children, (*here, "children"), depth + 1)

    go(nodes, path, 0)
    return out


def leaves(rules: RuleSet) -> list[Node]:
    """The leaves in file order."""
    return [n for n, _, _ in walk(rules.indicators) if not n.children]
