"""Elementwise lookups (canbao.elementwise) against a plain dictionary."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from canbao.elementwise import EQUALITY_KEYS, is_one_of, map_values

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


@given(VALUES)
def test_map_values_of_a_column_is_the_same_lookup(values: list[str | None]) -> None:
    """A bare column is compared with each word (is_one_of), with the same result."""
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    got = frame.select(map_values(pl.col("v"), ALIASES)).to_series()
    assert got.to_list() == [ALIASES.get(v) if v is not None else None for v in values]


@given(
    st.lists(st.one_of(st.text(max_size=14), st.none())),
    st.lists(st.text(max_size=14), max_size=EQUALITY_KEYS + 4),
)
def test_is_one_of_is_is_in(values: list[str | None], words: list[str]) -> None:
    """Compared one by one or looked up in a set: the same flags, null for null."""
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    got = frame.select(is_one_of(pl.col("v"), words).alias("v")).to_series()
    assert got.to_list() == frame.select(pl.col("v").is_in(words)).to_series().to_list()
