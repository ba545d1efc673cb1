"""The typed fields the matcher derives from raw roster strings."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_series_equal

from canbao.match.prepare import age_reached, parse_any_date, parse_date


def test_dates_in_every_export_spelling_parse_and_impossible_ones_are_null() -> None:
    """ISO, compact, slashed, Chinese, dotted and date-time spellings parse; Feb 30 is null."""
    raw = [
        "2017-06-30",
        "20170630",
        "2017/6/30",
        "2017年6月30日",
        "2017-06-30 00:00:00",
        "2017.6.3",
    ]
    raw += ["2017-02-30", "abc", None, " 1999-1-2 "]
    got = pl.Series("d", raw).to_frame().select(parse_date(pl.col("d"))).to_series()
    june30 = date(2017, 6, 30)
    expected = [june30] * 5 + [date(2017, 6, 3), None, None, None, date(1999, 1, 2)]
    assert_series_equal(got, pl.Series("d", expected, dtype=pl.Date), check_names=False)


@given(st.lists(st.tuples(*(st.integers(0, n) for n in (9999, 99, 99))), min_size=1, max_size=40))
def test_iso_dates_parse_as_the_general_parser_parses_them(ymd: list[tuple[int, int, int]]) -> None:
    """The direct parse of YYYY-MM-DD (possible or impossible dates) equals the regex path."""
    raw = pl.Series("d", [f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in ymd]).to_frame()
    fast = raw.select(parse_date(pl.col("d"))).to_series()
    general = raw.select(parse_any_date(pl.col("d"))).to_series()
    assert_series_equal(fast, general, check_names=False)


def test_a_leap_day_birthday_is_reached_on_the_first_of_march() -> None:
    """Born on 29 February: 17 full years are reached on 1 March of a common year."""
    births = pl.Series("b", [date(2000, 2, 29)] * 2)
    frame = pl.DataFrame({"b": births, "on": ["feb28", "mar1"]})
    feb = frame.select(age_reached(pl.col("b"), date(2017, 2, 28), 17)).to_series().to_list()
    mar = frame.select(age_reached(pl.col("b"), date(2017, 3, 1), 17)).to_series().to_list()
    assert feb == [False, False]
    assert mar == [True, True]
