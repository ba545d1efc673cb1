"""The reasons of ``canbao changes`` the example city does not plant, on hand-written states."""

from __future__ import annotations

from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from canbao.changes._compute import CHANGE_COLUMNS, change_rows

JUNE, AUGUST = date(2017, 6, 30), date(2017, 8, 31)
A, B, C, D, E, F, G = (f"3406021980010{i}0011" for i in range(1, 8))


def states(rows: list[tuple[str, str, str]], began: date) -> pl.DataFrame:
    """A states frame (person_key, state, detail, began)."""
    frame = pl.DataFrame(rows, schema=["person_key", "state", "detail"], orient="row")
    return frame.with_columns(pl.lit(began).alias("began"))


def places(keys: list[str]) -> pl.DataFrame:
    """Every person of ``keys`` in one village of 340602."""
    return pl.DataFrame(
        {"person_key": keys, "county": "340602", "township": "台矿镇", "village": "吕楼村"},
        schema=dict.fromkeys(["person_key", "county", "township", "village"], pl.String),
    )


def test_lapsed_new_conflicts_new_persons_and_others() -> None:
    """Coverage lapsed, a new conflict and duplicate, a person new or gone, cancelled, other."""
    june = states(
        [
            (A, "confirmed", ""),
            (B, "confirmed", ""),
            (D, "confirmed", ""),
            (E, "confirmed", ""),
            (F, "needs_survey", "uninsured"),
            (F, "uninsured", "no_insurance"),
            (G, "needs_survey", "info_missing"),
        ],
        JUNE,
    )
    august = states(
        [
            (A, "needs_survey", "uninsured"),
            (A, "uninsured", "missing_medical"),
            (B, "needs_survey", "conflict"),
            (B, "conflict", "name_mismatch"),
            (C, "confirmed", ""),
            (E, "confirmed", ""),
            (E, "duplicate", "cross_scheme:2"),
            (F, "excluded", "cancelled"),
            (G, "confirmed", ""),
        ],
        AUGUST,
    )
    survey = pl.DataFrame(
        schema={"person_key": pl.String, "visited": pl.Date, "confirmed": pl.Boolean}
    )
    found = change_rows(
        june,
        august,
        survey,
        (places([A, B, D, E, F, G]), places([A, B, C, E, F, G])),
        (JUNE, AUGUST),
    )
    survey_lists = ("needs_survey", "uninsured", "visit_list")
    expected = [
        (A, "confirmed", "left", "coverage_lapsed"),
        *((A, s, "entered", "coverage_lapsed") for s in survey_lists),
        (B, "confirmed", "left", "new_conflict"),
        *((B, s, "entered", "new_conflict") for s in ("conflict", "needs_survey", "visit_list")),
        (C, "confirmed", "entered", "new_person"),
        (D, "confirmed", "left", "left_rosters"),
        (E, "duplicate", "entered", "new_duplicate"),
        *((F, s, "left", "cancelled") for s in survey_lists),
        (F, "excluded", "entered", "cancelled"),
        (G, "confirmed", "entered", "other"),
        *((G, s, "left", "other") for s in ("needs_survey", "visit_list")),
    ]
    want = pl.DataFrame(
        expected, schema=["person_key", "list", "direction", "reason"], orient="row"
    ).with_columns(
        pl.lit("340602").alias("county"),
        pl.lit("台矿镇").alias("township"),
        pl.lit("吕楼村").alias("village"),
    )
    order = ["person_key", "list", "direction"]
    assert_frame_equal(found.sort(order), want.select(CHANGE_COLUMNS).sort(order))
