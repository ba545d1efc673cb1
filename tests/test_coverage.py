"""Coverage rates: exact ratios, rounded half-up once, the same in Python and in Polars."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from canbao.match.coverage import rate_expr, rate_text


def test_a_rate_is_rounded_half_up_once_from_the_exact_ratio() -> None:
    """1/20000 is 0.005 % (half: up to 0.01 %), 2/3 is 66.67 %, nobody eligible is None."""
    assert rate_text(1, 20000) == "0.01%"
    assert rate_text(1, 20001) == "0.00%"
    assert rate_text(1, 8) == "12.50%"
    assert rate_text(2, 3) == "66.67%"
    assert rate_text(3, 3) == "100.00%"
    assert rate_text(0, 0) is None


@given(st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 10**7)), min_size=1, max_size=20))
def test_the_table_rate_equals_the_summary_rate(pairs: list[tuple[int, int]]) -> None:
    """The task table's vectorised rate equals the summary's exact one for any counts."""
    pairs = [(min(n, d), d) for n, d in pairs]
    frame = pl.DataFrame(pairs, schema={"n": pl.Int64, "d": pl.Int64}, orient="row")
    got = frame.select(rate_expr(pl.col("n"), pl.col("d"))).to_series().to_list()
    assert got == [rate_text(n, d) for n, d in pairs]
