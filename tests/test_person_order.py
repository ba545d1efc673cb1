"""The order of the person tables by numbers (``_person_csv.sort_order``) is the order by text;
the columns the tables make are quoted only when they could need it."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from canbao.match import present
from canbao.match._person_csv import ORDER, _sink_tables, made_may_need_quote, sort_order

_PLACES = st.one_of(st.none(), st.sampled_from(["", "0", "A镇", "B镇", "乙村", "甲村", "z"]))
_VALID = st.builds(
    lambda digits, check: digits + check,
    st.text("0123456789", min_size=17, max_size=17),
    st.sampled_from("0123456789X"),
)
_ANY_ID = st.one_of(st.none(), _VALID, st.text("0123456789X-", max_size=20))


def _rows(draw: st.DrawFn, ids: st.SearchStrategy[str | None]) -> pl.DataFrame:
    count = draw(st.integers(0, 40))
    places = {c: draw(st.lists(_PLACES, min_size=count, max_size=count)) for c in ORDER[:3]}
    column = draw(st.lists(ids, min_size=count, max_size=count))
    # Some rows twice, so that ties (one person listed twice in a village) are in the examples.
    frame = pl.DataFrame({**places, ORDER[3]: column}, schema={c: pl.String for c in ORDER})
    return pl.concat([frame, frame.head(draw(st.integers(0, count)))])


@st.composite
def _valid_rows(draw: st.DrawFn) -> pl.DataFrame:
    return _rows(draw, st.one_of(st.none(), _VALID))


@st.composite
def _any_rows(draw: st.DrawFn) -> pl.DataFrame:
    return _rows(draw, _ANY_ID)


def _by_text(rows: pl.DataFrame) -> list[int]:
    by = pl.arg_sort_by(list(ORDER), nulls_last=True, maintain_order=True)
    return rows.select(by).to_series().to_list()


@given(_valid_rows())
def test_number_order_is_text_order_for_valid_ids(rows: pl.DataFrame) -> None:
    """With IDs of the valid form (or none), the numbers sort the rows as their texts do."""
    assert sort_order(rows).to_list() == _by_text(rows)


@given(_any_rows())
def test_order_with_ids_of_any_form(rows: pl.DataFrame) -> None:
    """With IDs of any form the order is still that of the texts (the text sort is used)."""
    assert sort_order(rows).to_list() == _by_text(rows)


def test_made_columns_are_neutralised_only_if_a_code_or_label_could_start_a_formula(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The reasons and categories skip the quote check while no code or label begins like a
    formula, and get it back as soon as one does."""
    assert not made_may_need_quote()
    rows = pl.DataFrame(
        {column: ["1"] for column in present.PERSON_COLUMNS}
        | {flag: [True] for flag in present._PERSON_FLAGS}
    )
    first = next(iter(present.UNINSURED_FLAGS))  # the first of the joined labels
    monkeypatch.setitem(present.UNINSURED_FLAGS, first, "=SUM(A1)")
    assert made_may_need_quote()
    _sink_tables(rows, tmp_path)
    assert "'=SUM(A1)" in (tmp_path / "uninsured.csv").read_text(encoding="utf-8-sig")
