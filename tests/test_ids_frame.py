"""The streaming frame form of the citizen-ID checks equals the struct form."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from canbao.ids import citizen_id_struct, with_citizen_id
from tests.match_helpers import pid

AS_OF = date(2017, 6, 30)
VALUES = [
    "34062119800101001X",
    "34062119800101001x",
    "３４０６２１１９８００１０１００１X",
    " 340621 19800101 001X ",
    "340621800101001",
    "340621198001010010",
    "3.40621198E+17",
    "340621198001011200",
    "990621198001010010",
    "340621198002300010",
    "340621202001010010",
    "34062119800101",
    "ABC",
    "",
    None,
]


def test_frame_form_equals_struct_form_on_every_kind_of_value() -> None:
    """Valid, damaged, full-width, 15-digit, empty and null IDs give identical columns."""
    frame = pl.LazyFrame({"id": VALUES, "other": range(len(VALUES))})
    got = with_citizen_id(frame, "id", as_of=AS_OF).collect()
    struct = citizen_id_struct(pl.col("id"), as_of=AS_OF).alias("t")
    expected = frame.with_columns(struct).unnest("t").collect()
    assert_frame_equal(got, expected, check_column_order=False)


def test_frame_form_replaces_existing_id_columns() -> None:
    """Applied again after the ID changed, the columns are recomputed, not duplicated."""
    frame = with_citizen_id(pl.LazyFrame({"id": ["bad"]}), "id", as_of=AS_OF)
    good = pid("19800101", 1)
    fixed = with_citizen_id(frame.with_columns(pl.lit(good).alias("id")), as_of=AS_OF)
    row = fixed.collect().row(0, named=True)
    assert row["id_reason"] is None
    assert row["id_key"] == int(good[:17])
    assert fixed.collect().width == 6


# Characters IDs go wrong with: full-width forms, lower-case x, spaces (also zero-width and
# ideographic), spreadsheet exponents and letters.
_NOISE = "0123456789Xx３Ｘ \u3000\u200b.E+a中"


@st.composite
def id_like(draw: st.DrawFn) -> str | None:
    """A valid ID, a legacy 15-digit number, or either with a few characters changed."""
    if draw(st.booleans()) and draw(st.booleans()):
        return draw(st.none() | st.text(alphabet=_NOISE, max_size=20))
    region = draw(st.sampled_from(["340621", "110101", "990621", "830000"]))
    birth = draw(st.dates(min_value=date(1850, 1, 1), max_value=date(2030, 12, 31)))
    value = pid(birth.strftime("%Y%m%d"), draw(st.integers(0, 999)), region)
    if draw(st.booleans()):
        value = value[:6] + value[8:17]  # the 15-digit form
    elif draw(st.booleans()):
        value = value[:17] + draw(st.sampled_from("Xx"))  # an X check character, either case
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(value)))
        char = draw(st.sampled_from(_NOISE))
        kind = draw(st.sampled_from(["replace", "insert", "delete"]))
        if kind == "insert":
            value = value[:at] + char + value[at:]
        else:
            value = value[:at] + (char if kind == "replace" else "") + value[at + 1 :]
    return value


@given(st.lists(id_like(), min_size=1, max_size=30))
def test_frame_form_equals_struct_form_on_random_values(values: list[str | None]) -> None:
    """The frame form's shortcuts for plain values never change a verdict of the struct form."""
    frame = pl.LazyFrame({"id": values}, schema={"id": pl.String})
    got = with_citizen_id(frame, "id", as_of=AS_OF).collect()
    struct = citizen_id_struct(pl.col("id"), as_of=AS_OF).alias("t")
    expected = frame.with_columns(struct).unnest("t").collect()
    assert_frame_equal(got, expected, check_column_order=False)
