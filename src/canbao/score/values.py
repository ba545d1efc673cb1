"""Reading submitted values: yes/no words, grades, numbers with units, shares.

A number may carry its unit (``35万元``, ``350000元``, ``150人次``, ``1.5百人``, ``92%``); a bare
number is in the rule's own unit. Counts (人, 场, 户, 例 ...) must be whole in their base unit.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from canbao.i18n import _
from canbao.score.intervals import normalise_text

# unit -> (family, scale to the family's base unit, counted in whole base units)
UNITS: dict[str, tuple[str, int, bool]] = {
    "元": ("money", 1, False),
    "万元": ("money", 10000, False),
    "人": ("persons", 1, True),
    "人次": ("persons", 1, True),
    "百人": ("persons", 100, True),
    "百人次": ("persons", 100, True),
    "场": ("sessions", 1, True),
    "场次": ("sessions", 1, True),
    "次": ("sessions", 1, True),
    "户": ("units", 1, True),
    "家": ("units", 1, True),
    "例": ("items", 1, True),
    "个": ("items", 1, True),
    "条": ("items", 1, True),
    "%": ("share", 1, False),
}

YES = frozenset({"是", "yes", "y", "true", "√", "✓", "对"})
NO = frozenset({"否", "no", "n", "false", "×", "✗", "不是"})

_QTY = re.compile(r"^([-+]?(?:\d+(?:\.\d*)?|\.\d+))(%|[^\d.%+-]*)$")


class ValueProblem(ValueError):
    """A submitted value that cannot be read for its rule (the message names the value)."""


class ZeroDenominator(ValueProblem):
    """A ratio whose denominator is 0 (a rate shows it as a remark, a scored ratio refuses it)."""


def clean(text: str | None) -> str:
    """The value as shown: NFKC, trimmed, inner spaces dropped; ``""`` for nothing."""
    if text is None:
        return ""
    return normalise_text(str(text))


def yes_no(text: str) -> bool:
    """是 / 否 (also yes/no, y/n, √/×)."""
    word = clean(text).lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValueProblem(_("{text!r} is not 是 or 否").format(text=text))


def quantity(text: str, unit: str) -> Fraction:
    """A number in ``unit``: converts ``350000元`` to 35 万元, ``150人次`` to 1.5 百人, ``92%``."""
    word = clean(text).replace(",", "")
    m = _QTY.match(word)
    if not m:
        raise ValueProblem(_("{text!r} is not a number").format(text=text))
    number, given = m.groups()
    if unit not in UNITS:
        raise ValueProblem(_("unknown unit {unit!r}").format(unit=unit))
    family, scale, counted = UNITS[unit]
    if family == "share":
        if given == "%":
            return Fraction(number) / 100
        if given:
            raise ValueProblem(_("{text!r} is not a share (write 0.92 or 92%)").format(text=text))
        value = Fraction(number)
        if value > 1:
            problem = _("{text!r} is not a share (write {fraction} or {text}%)")
            raise ValueProblem(problem.format(text=text, fraction=value / 100))
        return value
    value = Fraction(number)
    if given and given != unit:
        if given not in UNITS or UNITS[given][0] != family:
            raise ValueProblem(_("{text!r} is not in {unit}").format(text=text, unit=unit))
        value = value * UNITS[given][1] / scale
    if counted and (value * scale).denominator != 1:
        problem = _("{text!r} is not a whole count of {unit}")
        raise ValueProblem(problem.format(text=text, unit=unit))
    return value


def amount(text: str) -> Fraction:
    """A count or sum in its base unit, whatever unit it carries (``120户``, ``1.5百人``)."""
    word = clean(text).replace(",", "")
    m = _QTY.match(word)
    if not m or (m.group(2) and (m.group(2) not in UNITS or m.group(2) == "%")):
        raise ValueProblem(_("{text!r} is not a number").format(text=text))
    number, given = m.groups()
    return Fraction(number) * (UNITS[given][1] if given else 1)


def count(text: str, unit: str = "例") -> int:
    """A whole, non-negative count."""
    value = quantity(text, unit if unit in UNITS else "例")
    if value < 0 or value.denominator != 1:
        raise ValueProblem(_("{text!r} is not a count (0, 1, 2, ...)").format(text=text))
    return int(value)


def decimal(text: str) -> Decimal:
    """A points value such as ``4.5`` (exact, from its text)."""
    word = clean(text)
    if not re.fullmatch(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)", word):
        raise ValueProblem(_("{text!r} is not a number").format(text=text))
    return Decimal(word)


def points_text(value: Decimal) -> str:
    """Points without trailing zeros: ``2``, ``1.5``, ``4``."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def total_text(value: Decimal, places: int = 1) -> str:
    """A total with at least one decimal: ``73.0``, ``71.5``."""
    return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def percent_text(value: Fraction, places: int = 2) -> str:
    """A share as a percentage, rounded half up for display: ``92.50%``."""
    scaled = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return f"{scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"
