"""Intervals as the seeds write them."""

from __future__ import annotations

from fractions import Fraction

import pytest

from canbao.score.intervals import IntervalSyntaxError, parse_interval, subtract


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("[20,100]", "[20,100]"),
        ("[20,100］", "[20,100]"),
        ("[5,20)", "[5,20)"),
        ("［0,5）", "[0,5)"),
        ("［1,5﹞", "[1,5]"),
        ("[90%,1]", "[90%,1]"),
        ("[60%,90\n%)", "[60%,90%)"),
        ("100+", "[100,+∞)"),
        ("(100,+∞)", "(100,+∞)"),
        ("≥20", "[20,+∞)"),
        ("<5", "(-∞,5)"),
        ("［0）", "{0}"),
    ],
)
def test_seed_spellings_parse(text: str, canonical: str) -> None:
    """Every spelling found in the seeds parses to the expected interval."""
    assert parse_interval(text).canonical() == canonical


def test_percent_is_a_share() -> None:
    """90% is 9/10 and a bare 1 is 100 %."""
    iv = parse_interval("[90%,1]")
    assert iv.lo == Fraction(9, 10) and iv.hi == 1
    assert iv.contains(Fraction(9, 10)) and not iv.contains(Fraction(8999, 10000))


def test_one_bound_form_is_flagged() -> None:
    """淮人社秘〔2017〕376号's ［0） is read as the value 0 and carries a remark."""
    assert parse_interval("［0）").odd is not None
    assert parse_interval("[0,1)").odd is None


@pytest.mark.parametrize("text", ["[5,", "20-100", "[100,20]", "(5,5)", "abc"])
def test_bad_intervals_are_refused(text: str) -> None:
    """Malformed or empty intervals raise with the accepted forms in the message."""
    with pytest.raises(IntervalSyntaxError):
        parse_interval(text)


def test_subtract_finds_the_gap_above_the_top_band() -> None:
    """Removing [0,5), [5,20) and [20,100] from [0,+∞) leaves (100,+∞)."""
    parts = [parse_interval(t) for t in ("[20,100]", "[5,20)", "[0,5)")]
    gaps = subtract(parse_interval("[0,+∞)"), parts)
    assert [g.canonical() for g in gaps] == ["(100,+∞)"]


def test_intersection_of_touching_closed_intervals_is_a_point() -> None:
    """[1,5] and [5,20] share exactly 5."""
    both = parse_interval("[1,5]").intersect(parse_interval("[5,20]"))
    assert both is not None and both.canonical() == "{5}"
    assert parse_interval("[1,5)").intersect(parse_interval("[5,20]")) is None
