"""Page plans and row heights of canbao.print_layout."""

from __future__ import annotations

import itertools

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from canbao.print_layout import (
    MIN_SCALE,
    PRINTABLE_PT,
    SAFETY,
    PlacedText,
    column_points,
    fit_heights,
    lines_expr,
    plan_pages,
    text_height,
    text_lines,
    unit_and_date,
)

widths_st = st.lists(st.integers(min_value=4, max_value=40), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(widths=widths_st, repeat=st.integers(min_value=0, max_value=3))
def test_every_printed_page_fits_at_the_plans_scale(widths: list[int], repeat: int) -> None:
    """Whatever the columns, the plan keeps 70 % or more and each page's columns fit its width."""
    repeat = min(repeat, len(widths) - 1)
    plan = plan_pages(widths, repeat=repeat)
    assert MIN_SCALE <= plan.scale <= 100
    room = PRINTABLE_PT[plan.orientation] * SAFETY * 100 / plan.scale
    edges = [0, *plan.breaks, len(widths)]
    for i, (start, end) in enumerate(itertools.pairwise(edges)):
        repeated = sum(column_points(w) for w in widths[:repeat]) if i else 0.0
        assert repeated + sum(column_points(w) for w in widths[start:end]) <= room + 1e-6


def test_breaks_fall_only_where_allowed() -> None:
    """A wide table breaks only after the allowed columns, repeating the first three."""
    widths = [12, 12, 24, *[8] * 6, 30, *[10, 7, 7, 6, 12] * 4]
    allowed = {6, 10, 15, 20, 25}
    plan = plan_pages(widths, repeat=3, break_after=allowed)
    assert plan.breaks and set(plan.breaks) <= allowed
    assert plan.scale >= MIN_SCALE and plan.orientation == "landscape"


def test_a_narrow_table_prints_one_portrait_page_wide_at_full_size() -> None:
    """Seven columns of about ten characters print portrait at 100 %, no breaks."""
    plan = plan_pages([10, 8, 10, 13, 13, 8, 14])
    assert (plan.orientation, plan.scale, plan.breaks) == ("portrait", 100, ())


@given(st.text(alphabet="安徽省淮北市杜集区0123456789号栋室ab ", max_size=80))
def test_the_polars_line_count_equals_the_python_one(text: str) -> None:
    """lines_expr (rosters) counts the same lines as text_lines (small tables)."""
    got = pl.DataFrame({"t": [text]}).select(lines_expr("t", 20))["t"][0]
    assert got == text_lines(text, 20)


def test_a_merged_range_short_of_room_grows_all_its_rows() -> None:
    """A long text merged over two short rows spreads the extra height over both rows."""
    long = "成立相关部门组成的工作领导小组或建立部门之间的联席会议制度均属于建立工作协调机制" * 2
    placed = [PlacedText(0, 0, 1, 1, "是"), PlacedText(1, 1, 1, 1, "否")]
    placed.append(PlacedText(0, 1, 0, 0, long))
    heights = fit_heights(placed, [10, 10])
    assert heights[0] + heights[1] >= text_height(long, 10)
    assert heights[0] == heights[1]


def test_unit_and_date_leaves_the_unit_and_date_to_be_written_by_hand() -> None:
    """The line reads place, 填报单位（章）, count, 填报日期 with blanks for the hand."""
    line = unit_and_date(before="县区：杜集区(340602)", after="共 55 人")
    assert line.startswith("县区：杜集区(340602)")
    assert line.index("填报单位（章）：") < line.index("共 55 人") < line.index("填报日期：")


@given(
    st.text(alphabet="制度内跨地区重复享受待遇人数", min_size=1, max_size=30),
    st.sampled_from([5.0, 5.5, 6.0, 8.0, 12.0]),
)
def test_a_line_of_cjk_holds_whole_characters(text: str, width: float) -> None:
    """A CJK-only text takes ceil(characters / whole characters per line) lines, in both counts."""
    room = (column_points(width) - 4.0) * 0.98
    per_line = max(1, int(room // 10.4))
    assert text_lines(text, width) == -(-len(text) // per_line)
    got = pl.DataFrame({"t": [text]}).select(lines_expr("t", width))["t"][0]
    assert got == text_lines(text, width)


def test_a_narrow_national_heading_gets_seven_lines() -> None:
    """14 characters in a 5-character column (two CJK characters a line) need seven lines."""
    assert text_lines("制度内跨地区重复享受待遇人数", 5.0) == 7
