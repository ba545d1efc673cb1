"""The arithmetic of canbao progress without a database: rates as exact fractions rounded once,
periods, the hand-entered file's refusals, counties summing to the area."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from canbao.errors import InputError
from canbao.match.vocabulary import ProgressPeriod
from canbao.progress import read_manual
from canbao.progress._counts import counties_of, per_county
from canbao.progress._periods import periods
from canbao.progress._rates import RATES, Rate, fraction_text, percent


def test_a_rate_is_rounded_once_half_up() -> None:
    """1/8 is 12.50%, 1/3 33.33%, 2/3 66.67%, 1/200000 0.00%, 1/20000 0.01% (half up)."""
    spec = RATES[0]
    shown = [Rate(spec, n, d).text for n, d in ((1, 8), (1, 3), (2, 3), (1, 200000), (1, 20000))]
    assert shown == ["12.50%", "33.33%", "66.67%", "0.00%", "0.01%"]
    assert Rate(spec, 3, 0).text == "—" and Rate(spec, None, 5).value is None
    assert Rate(spec, 2, 3).value == Fraction(2, 3)


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_the_percentage_is_the_exact_fraction_rounded_half_up(
    numerator: int, denominator: int
) -> None:
    """The shown hundredths of a percent are floor(n/d × 10000 + 1/2), computed in integers."""
    text = fraction_text(Fraction(numerator, denominator))
    hundredths = (numerator * 20000 + denominator) // (2 * denominator)
    assert text == f"{hundredths // 100}.{hundredths % 100:02d}%"


def test_percentages_entered_by_hand() -> None:
    """100%, 92.5%, ０.９ and 0.5 read exactly; above 100 %, negative or words are refused."""
    assert [percent(t) for t in ("100%", "92.5%", "０.９", "0.5")] == [
        Fraction(1),
        Fraction(37, 40),
        Fraction(9, 10),
        Fraction(1, 2),
    ]
    assert [percent(t) for t in ("120%", "-1%", "全部", "")] == [None, None, None, None]


@given(
    st.dates(min_value=date(2016, 1, 1), max_value=date(2019, 12, 31)),
    st.integers(0, 400),
    st.sampled_from(list(ProgressPeriod)),
)
def test_periods_tile_the_time_from_the_first_snapshot(
    first: date, days: int, kind: ProgressPeriod
) -> None:
    """Periods follow each other without gap or overlap, the first holds the first snapshot and
    the last ends on the as-of date."""
    as_of = first + timedelta(days=days)
    found = periods(first, as_of, kind)
    assert found[0].start < first <= found[0].end and found[-1].end == as_of
    assert all(a.end == b.start for a, b in itertools.pairwise(found))
    assert all(p.start < p.end for p in found)


@given(
    st.lists(st.tuples(st.sampled_from("abcdefgh"), st.sampled_from(["x", "y"])), max_size=30),
    st.dictionaries(st.sampled_from("abcdefgh"), st.sampled_from(["340602", "340603", ""])),
)
def test_the_counties_and_the_unknown_add_up_to_the_area(
    rows: list[tuple[str, str]], where: dict[str, str]
) -> None:
    """Each measure's rows are counted once: the county rows (unknown included) sum to them."""
    found = {
        name: pl.DataFrame(
            {"person_key": [k for k, m in rows if m == name]}, schema={"person_key": pl.String}
        )
        for name in ("x", "y")
    }
    places = pl.DataFrame(
        {"person_key": list(where), "county": list(where.values())},
        schema={"person_key": pl.String, "county": pl.String},
    )
    table = per_county(found, counties_of(places))
    for name, frame in found.items():
        assert int(table[name].sum()) == frame.height
    assert "" not in table["county"].to_list()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("县区,项目,值\n合计,13,90%\n", "不能手填"),
        ("县区,项目,值\n合计,26,是\n", "不是进度表的栏"),
        ("县区,项目,值\n合计,已完成跨省信息比对人数,很多\n", "不是人数"),
        ("县区,栏目,值\n合计,1,是\n", "缺少“项目”列"),
    ],
)
def test_the_hand_entered_file_refuses_what_it_cannot_hold(
    tmp_path: Path, text: str, message: str
) -> None:
    """A computed rate, the missing column 26, a count in words, no 项目 column: exit 3."""
    path = tmp_path / "manual.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        read_manual(path)
    assert "manual.csv 第 2 行" in caught.value.message or "第 1 行" in caught.value.message
