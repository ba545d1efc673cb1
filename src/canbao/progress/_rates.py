"""The nine rates of 人社厅发〔2017〕28号 (附件1 主要指标解释 1-9): names, counts, exact values.

Each rate is a numerator count over a denominator count, both named as the notice names them
(and as the rule set ``mohrss-2017`` names its facts), kept as integers and compared as an exact
:class:`~fractions.Fraction`. A rate is shown as a percentage rounded once, half up, to two
decimals (``92.50%``); a denominator of 0 shows ``—``. docs/database.md ("Progress") says how
each count is taken from the register.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Final

from canbao.match.coverage import rate_text

POPULATION: Final = "常住人口数"
ENROLLED: Final = "已完成社保系统内部信息比对人数"
TARGETS: Final = "已完成跨部门信息比对人数"
CROSS_CITY: Final = "已完成跨地市信息比对人数"
CROSS_PROVINCE: Final = "已完成跨省信息比对人数"
VISITED: Final = "开展入户调查人数"
NEEDS_SURVEY: Final = "需入户调查人数"
SURVEY_CONFIRMED: Final = "已通过入户调查确认登记人数"
IN_REGISTER: Final = "已确认登记入库人数"
CORRECTED: Final = "已更正错误信息数"
ERRORS: Final = "已发现错误信息数"
EXPANDED: Final = "通过扩面新增入库人数"
UNINSURED: Final = "应保未保人数"
NOT_SHOWN: Final = "—"


@dataclass(frozen=True)
class RateSpec:
    """One rate: its number (1-9), name, column of the progress table, numerator, denominator."""

    number: int
    name: str
    column: int
    numerator: str
    denominator: str


RATES: Final = (
    RateSpec(1, "社保系统内部登记信息比对完成率", 13, ENROLLED, POPULATION),
    RateSpec(2, "跨部门登记信息比对完成率", 14, TARGETS, POPULATION),
    RateSpec(3, "跨地市登记信息比对完成率", 15, CROSS_CITY, POPULATION),
    RateSpec(4, "跨省登记信息比对完成率", 16, CROSS_PROVINCE, POPULATION),
    RateSpec(5, "入户率", 17, VISITED, NEEDS_SURVEY),
    RateSpec(6, "入户调查完成率", 18, SURVEY_CONFIRMED, NEEDS_SURVEY),
    RateSpec(7, "登记信息入库率", 22, IN_REGISTER, POPULATION),
    RateSpec(8, "错误信息更正率", 27, CORRECTED, ERRORS),
    RateSpec(9, "应保未保人口扩面率", 28, EXPANDED, UNINSURED),
)
# The counts the register gives (the others: the population file and the hand-entered file).
COUNTED: Final = (
    ENROLLED,
    TARGETS,
    VISITED,
    NEEDS_SURVEY,
    SURVEY_CONFIRMED,
    IN_REGISTER,
    CORRECTED,
    ERRORS,
    EXPANDED,
    UNINSURED,
)


@dataclass(frozen=True)
class Rate:
    """A rate's value: its counts (None when unknown) or, for rates 3 and 4 entered by hand as a
    percentage, the given value alone."""

    spec: RateSpec
    numerator: int | None
    denominator: int | None
    given: Fraction | None = None

    @property
    def value(self) -> Fraction | None:
        """The exact rate; None when a count is unknown or the denominator is 0."""
        if self.given is not None:
            return self.given
        if self.numerator is None or not self.denominator:
            return None
        return Fraction(self.numerator, self.denominator)

    @property
    def text(self) -> str:
        """The percentage rounded once, half up, to two decimals; ``—`` when there is none."""
        if self.given is not None:
            return fraction_text(self.given)
        if self.numerator is None or not self.denominator:
            return NOT_SHOWN
        return rate_text(self.numerator, self.denominator) or NOT_SHOWN


def fraction_text(value: Fraction) -> str:
    """A non-negative fraction as a percentage, rounded once half up to two decimals."""
    hundredths = int(value * 10000 + Fraction(1, 2))
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def percent(text: str) -> Fraction | None:
    """``100%``, ``92.5%`` or ``０.925`` as an exact fraction; None when it is not one."""
    word = text.strip().replace("％", "%").translate(_FULL_DIGITS)
    scale = Fraction(1, 100) if word.endswith("%") else Fraction(1)
    try:
        number = Decimal(word.removesuffix("%"))
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0:
        return None
    value = Fraction(number) * scale
    return value if value <= 1 else None


_FULL_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")


def rates_of(counts: dict[str, int | None], given: dict[int, Fraction] | None = None) -> list[Rate]:
    """The nine rates from named counts; ``given`` holds rates entered as percentages (3, 4)."""
    given = given or {}
    return [
        Rate(spec, counts.get(spec.numerator), counts.get(spec.denominator), given.get(spec.number))
        for spec in RATES
    ]
