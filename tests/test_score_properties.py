"""Properties of scoring, checked with hypothesis."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from canbao.score import compute_fee, evaluate, load_rules
from canbao.score.bands import (
    Bands,
    Derived,
    Grades,
    Inputs,
    Leaf,
    Tolerance,
    YesNo,
)
from canbao.score.fees import FeeTable
from canbao.score.leaves import Deduction, Manual
from canbao.score.submissions import Row

ROOT = Path(__file__).resolve().parent.parent
HUAIBEI = load_rules(ROOT / "rules" / "huaibei-2017.yaml")
CHANGZHOU = load_rules(ROOT / "rules" / "changzhou-2016.yaml")


def _value(leaf: Leaf) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Rows (指标 or fact, 实际值) that give one leaf a valid value."""
    if isinstance(leaf, YesNo):
        return st.sampled_from([[(leaf.number, "是")], [(leaf.number, "否")]])
    if isinstance(leaf, Grades):
        return st.sampled_from([[(leaf.number, g)] for g in leaf.grades])
    if isinstance(leaf, Derived):  # the share given directly (facts are shared between leaves)
        return st.integers(0, 10000).map(lambda k: [(leaf.number, f"{k // 100}.{k % 100:02d}%")])
    if isinstance(leaf, Bands):
        return st.integers(0, 5000).map(lambda n: [(leaf.number, str(n))])
    if isinstance(leaf, Tolerance):
        return st.integers(-100, 100).map(lambda n: [(leaf.number, str(n))])
    if isinstance(leaf, Deduction):
        return st.integers(0, 30).map(lambda n: [(leaf.number, str(n))])
    if isinstance(leaf, Manual):
        steps = int(leaf.max_points / leaf.step)
        return st.integers(0, steps).map(lambda k: [(leaf.number, str(leaf.step * k))])
    raise AssertionError(leaf)


def _submission(loaded: object, extra: list[tuple[str, str]]) -> st.SearchStrategy[list[Row]]:
    from canbao.score.leaves import build_leaf
    from canbao.score.model import leaves

    rules = loaded.rules  # type: ignore[attr-defined]
    objs = [build_leaf(n, rules.hit_policy) for n in leaves(rules)]
    return st.tuples(*(_value(o) for o in objs)).map(
        lambda parts: (
            [Row("新北区", k, v, "h", 1) for part in parts for k, v in part]
            + [Row("新北区", k, v, "h", 1) for k, v in extra]
        )
    )


@given(_submission(HUAIBEI, []))
def test_huaibei_total_is_the_sum_of_leaves_within_points(rows: list[Row]) -> None:
    """Total = sum of leaf scores, and every score lies in [0, points]."""
    ev = evaluate(HUAIBEI, rows)
    county = ev.counties[0]
    assert county.total == sum((h.score or Decimal(0) for h in county.hits.values()), Decimal(0))
    for leaf in ev.leaves:
        score = county.hits[leaf.number].score
        assert score is not None and Decimal(0) <= score <= leaf.max_points
    assert county.total is not None and Decimal(0) <= county.total <= Decimal(100)


@given(_submission(CHANGZHOU, [("实际录入人数", "1000")]))
def test_changzhou_total_and_fee_tier(rows: list[Row]) -> None:
    """Changzhou totals add exactly in 0.5 steps and pick the fee tier by 90 and 80."""
    county = evaluate(CHANGZHOU, rows).counties[0]
    total = county.total
    assert total is not None and total * 2 == int(total * 2)
    assert county.fee is not None
    expected = "1.00" if total >= 90 else "0.90" if total >= 80 else "0.80"
    assert county.fee.as_json()["ratio"] == expected


def _increasing_leaves() -> list[Bands]:
    from canbao.score.leaves import build_leaf
    from canbao.score.model import leaves

    out = []
    for node in leaves(HUAIBEI.rules):
        leaf = build_leaf(node, HUAIBEI.rules.hit_policy)
        if isinstance(leaf, Bands) and leaf.table.direction == "increasing":
            out.append(leaf)
    return out


INCREASING = _increasing_leaves()


@given(
    st.sampled_from(INCREASING),
    st.fractions(min_value=0, max_value=1, max_denominator=1000),
    st.fractions(min_value=0, max_value=1, max_denominator=1000),
)
def test_increasing_bands_never_fall(leaf: Bands, a: Fraction, b: Fraction) -> None:
    """For increasing bands the score never falls as the value rises."""
    lo, hi = sorted((a, b))
    if leaf.table.unit != "%":  # spread over the count range, whole counts of the base unit
        lo, hi = (Fraction(int(x * 400 * leaf.table.scale), leaf.table.scale) for x in (lo, hi))
    s_lo, _ = leaf.table.find(lo, str(lo))
    s_hi, _ = leaf.table.find(hi, str(hi))
    assert s_lo <= s_hi


@given(
    st.integers(0, 10**7),
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=1, places=2, allow_nan=False, allow_infinity=False),
)
def test_fees_are_non_negative_and_exact_to_the_fen(
    entered: int, price: Decimal, ratio: Decimal
) -> None:
    """The fee is ≥ 0, a whole number of fen, and the exact product rounded once half up."""
    fee = compute_fee(Decimal(90), entered, price, ratio, "t")
    exact = Fraction(entered) * Fraction(price) * Fraction(ratio)
    assert fee.amount >= 0
    fen = Fraction(fee.amount) * 100
    assert fen.denominator == 1
    diff = exact * 100 - fen
    assert -Fraction(1, 2) < diff <= Fraction(1, 2) or diff == -Fraction(1, 2)
    assert diff != Fraction(1, 2)  # a tie rounds up, never down


@given(st.integers(0, 200).map(lambda k: Decimal(k) / 2))
def test_tier_edges_belong_to_the_higher_tier(total: Decimal) -> None:
    """90 pays 100 % and 80 pays 90 %: 以上 includes the number."""
    assert CHANGZHOU.rules.fee is not None
    ratio, _ = FeeTable.build(CHANGZHOU.rules.fee).ratio_for(total)
    assert ratio == (
        Decimal("1.00") if total >= 90 else Decimal("0.90") if total >= 80 else Decimal("0.80")
    )


def test_exact_edges() -> None:
    """The literal edges 90 and 80 and the 90 % band edge of indicator 25."""
    assert CHANGZHOU.rules.fee is not None
    table = FeeTable.build(CHANGZHOU.rules.fee)
    assert table.ratio_for(Decimal("90"))[0] == Decimal("1.00")
    assert table.ratio_for(Decimal("89.5"))[0] == Decimal("0.90")
    assert table.ratio_for(Decimal("80"))[0] == Decimal("0.90")
    assert table.ratio_for(Decimal("79.5"))[0] == Decimal("0.80")
    leaf = next(x for x in INCREASING if x.number == "25")
    hits = leaf.evaluate(
        Inputs(["甲"], [None], {"开展入户调查人数": ["1800"], "需入户调查人数": ["2000"]})
    )
    assert hits[0].score == Decimal(3)
