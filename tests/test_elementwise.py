"""Elementwise lookups (canbao.elementwise) against a plain dictionary."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from canbao.elementwise import map_values

ALIASES = {
    "参保缴费": "paying",
    "正常缴费": "paying",
    "领取待遇": "receiving",
    "暂停缴费": "suspended",
}
VALUES = st.lists(st.one_of(st.sampled_from([*ALIASES, "其他", ""]), st.none(), st.text()))


@given(VALUES)
def test_map_values_is_a_dictionary_lookup(values: list[str | None]) -> None:
    """Every value maps to its entry, or to null when it has none."""
    got = pl.select(map_values(pl.lit(pl.Series(values, dtype=pl.String)), ALIASES)).to_series()
    assert got.to_list() == [ALIASES.get(v) if v is not None else None for v in values]


def test_map_values_default_and_empty_mapping() -> None:
    """A missing value takes the default; an empty mapping gives the default everywhere."""
    frame = pl.DataFrame({"v": ["参保缴费", "x", None]})
    out = frame.select(
        mapped=map_values(pl.col("v"), ALIASES, default=pl.col("v")),
        empty=map_values(pl.col("v"), {}),
    )
    assert out["mapped"].to_list() == ["paying", "x", None]
    assert out["empty"].to_list() == [None, None, None]


def test_map_values_streams_like_the_in_memory_engine() -> None:
    """The streaming engine gives the same result as the in-memory one."""
    frame = pl.LazyFrame({"v": list(ALIASES) * 1000 + ["其他"]})
    query = frame.select(map_values(pl.col("v"), ALIASES))
    assert query.collect(engine="streaming").equals(query.collect(engine="in-memory"))
