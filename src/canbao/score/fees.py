"""The fee rule of 常州市市本级全民参保登记工作考核办法 (Changzhou 2016): base x tier ratio.

base = persons entered x price; amount = base x tier ratio.

Arithmetic is ``Decimal`` throughout and the amount is rounded once, to the fen, half up
(:data:`ROUNDING_RULE` is printed with the fee table). A total of exactly 90 or 80 belongs to
the higher tier (以上 includes the number).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from canbao.i18n import _
from canbao.score.intervals import Interval, parse_interval
from canbao.score.model import FeeRule
from canbao.score.values import ValueProblem, count

FEN = Decimal("0.01")
ROUNDING_RULE = (
    "金额 = 计发基数 × 发放比例，按十进制精确计算，最后一次四舍五入到分（分以下半数进位）"
)


@dataclass(frozen=True)
class Fee:
    """One county's fee."""

    entered: int
    base: Decimal
    ratio: Decimal
    amount: Decimal
    tier: str

    def as_json(self) -> dict[str, object]:
        """The JSON form: decimals as strings with two places."""
        return {
            "entered": self.entered,
            "base": str(self.base.quantize(FEN)),
            "ratio": str(self.ratio.quantize(FEN)),
            "amount": str(self.amount),
        }


@dataclass(frozen=True)
class FeeTable:
    """The parsed tiers of a fee rule."""

    rule: FeeRule
    tiers: list[tuple[Interval, Decimal, str]]

    @classmethod
    def build(cls, rule: FeeRule) -> FeeTable:
        """Parse the tiers."""
        return cls(
            rule, [(parse_interval(t.range), t.ratio, t.label or t.range) for t in rule.tiers]
        )

    def ratio_for(self, total: Decimal) -> tuple[Decimal, str]:
        """The ratio of the tier holding ``total`` (exact comparison)."""
        value = Fraction(total)
        hits = [(r, lab) for iv, r, lab in self.tiers if iv.contains(value)]
        if not hits:
            raise ValueProblem(_("total {total} falls in no fee tier").format(total=total))
        if len(hits) > 1 and self.rule.hit_policy == "unique":
            raise ValueProblem(_("total {total} falls in several fee tiers").format(total=total))
        return hits[0]

    def fee(self, total: Decimal, entered_text: str | None) -> Fee:
        """The fee for a total and the persons-entered fact."""
        if entered_text in (None, ""):
            problem = _("no {fact} row (the fee needs it)")
            raise ValueProblem(problem.format(fact=self.rule.entered))
        entered = count(str(entered_text), "人")
        return compute_fee(total, entered, self.rule.price, *self.ratio_for(total))


def compute_fee(total: Decimal, entered: int, price: Decimal, ratio: Decimal, tier: str) -> Fee:
    """base = entered x price; amount = base x ratio rounded once to the fen, half up."""
    base = Decimal(entered) * price
    amount = (base * ratio).quantize(FEN, rounding=ROUND_HALF_UP)
    return Fee(entered, base, ratio, amount, tier)
