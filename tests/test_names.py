"""Tests for personal-name normalisation and the same / variant / different judgement."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_series_equal

from canbao.match.names import (
    _fold_name,
    _readings,
    char_pinyin,
    could_be_one_person,
    judge_names,
    normalize_name_expr,
    pinyin_expr,
)

CASES = [
    ("王丽", "王丽", "same"),
    ("王 丽", "王丽", "same"),
    ("ＷＡＮＧ　Ｌｉ", "WANGLi", "same"),  # full-width letters and an ideographic space
    ("阿依古丽•买买提", "阿依古丽·买买提", "same"),  # bullet for the middle dot
    ("阿依古丽・买买提", "阿依古丽∙买买提", "same"),  # katakana dot, bullet operator
    ("阿依古丽.买买提", "阿依古丽●买买提", "same"),  # full stop, black circle
    ("王丽", "王莉", "variant"),  # homophone
    ("李四", "李斯", "variant"),
    ("王明", "王敏", "variant"),  # one pinyin letter apart (ming / min)
    ("阿依古丽·买买提", "阿依古丽买买提", "variant"),  # dropped middle dot
    ("张小明", "张晓明", "variant"),  # one character off in a three-character name
    ("欧阳娜娜", "欧阳娜", "variant"),  # one character dropped
    ("张三", "李四", "different"),
    ("王丽", "王强", "different"),  # one character is half of a two-character name
    ("王丽", "黄丽", "different"),
    ("张伟", "张伟明", "different"),
]


@pytest.mark.parametrize(("a", "b", "verdict"), CASES)
def test_verdict_table(a: str, b: str, verdict: str) -> None:
    """Each pair in the table gets the documented verdict."""
    out = judge_names(pl.Series([a]), pl.Series([b]))
    assert out["name_verdict"].to_list() == [verdict]


def test_whole_table_in_one_batch_keeps_row_order() -> None:
    """Judging all cases at once gives the same verdicts, aligned with the input rows."""
    a = pl.Series([c[0] for c in CASES] * 3)
    b = pl.Series([c[1] for c in CASES] * 3)
    out = judge_names(a, b)
    assert out.height == a.len()
    assert out["name_verdict"].to_list() == [c[2] for c in CASES] * 3


def test_similarity_range_and_nulls() -> None:
    """Similarity is 100 for the same name, lower otherwise, null when a name is missing."""
    out = judge_names(
        pl.Series(["王丽", "张三", None, "  "]), pl.Series(["王 丽", "李四", "王丽", "王丽"])
    )
    assert out["name_similarity"].to_list() == [100.0, 0.0, None, None]
    assert out["name_verdict"].to_list() == ["same", "different", None, None]


def test_unaligned_series_are_refused() -> None:
    """Series of different lengths raise ValueError."""
    with pytest.raises(ValueError, match="aligned"):
        judge_names(pl.Series(["王丽"]), pl.Series(["王丽", "李四"]))


def test_normalize_unifies_dots_and_spaces() -> None:
    """Normalisation trims, folds full-width forms, drops spaces and unifies every middle dot."""
    raw = pl.DataFrame({"n": [" 阿依古丽 • 买买提 ", "ＡＢＣ", "・", "", None, "王\u3000丽"]})
    out = raw.select(normalize_name_expr(pl.col("n")))["n"].to_list()
    assert out == ["阿依古丽·买买提", "ABC", None, None, None, "王丽"]


def test_pinyin_ignores_tones_and_dots() -> None:
    """Pinyin is toneless, space-separated, and ignores middle dots."""
    out = pinyin_expr(pl.Series(["王丽", "王莉", "阿依·古丽"])).to_list()
    assert out[0] == out[1] == "wang li"
    assert out[2] == "a yi gu li"


def test_char_pinyin_equals_pypinyin_for_every_character_of_its_table() -> None:
    """The table read as data gives lazy_pinyin's toneless reading for all of its characters."""
    from pypinyin import Style, lazy_pinyin

    chars = [chr(int(code)) for code in _readings()] + list("Xa1·．　")
    expected = [lazy_pinyin(c, style=Style.NORMAL, errors="default")[0].lower() for c in chars]
    assert char_pinyin(chars) == expected
    assert char_pinyin(["吕", "绿", "张"]) == ["lv", "lv", "zhang"]


@given(st.lists(st.none() | st.text(alphabet="王丽阿依古丽买·•. 　\u200bＷAa龥一", max_size=8)))
def test_plain_names_skip_folding_without_changing_any_result(names: list[str | None]) -> None:
    """The shortcut for names of Han characters alone gives what folding every name gives."""
    frame = pl.DataFrame({"n": names}, schema={"n": pl.String})
    got = frame.select(normalize_name_expr(pl.col("n"))).to_series()
    assert_series_equal(got, frame.select(_fold_name(pl.col("n"))).to_series())


# Characters that make variants likely: homophones (丽莉力李 li, 王汪 wang, 明敏 ming/min),
# a middle dot and its look-alikes, a space, a Latin letter.
_NAME_CHARS = "王汪丽莉力李明敏张章小晓阿依古买提·•. A"


def _edited(name: str, edits: list[tuple[int, int, str]]) -> str:
    """``name`` after each edit (kind 0 substitutes, 1 inserts, 2 deletes at a position)."""
    chars = list(name)
    for kind, at, char in edits:
        where = at % (len(chars) + 1)
        if kind == 1:
            chars.insert(where, char)
        elif chars:
            where = min(where, len(chars) - 1)
            if kind == 0:
                chars[where] = char
            else:
                del chars[where]
    return "".join(chars)


_EDITS = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 7), st.sampled_from(_NAME_CHARS)), max_size=2
)
_NAMES = st.text(alphabet=_NAME_CHARS, max_size=6)


@given(
    st.lists(
        st.one_of(
            st.tuples(st.none() | _NAMES, st.none() | _NAMES),
            st.tuples(_NAMES, _EDITS).map(lambda made: (made[0], _edited(*made))),
        ),
        max_size=40,
    )
)
def test_could_be_one_person_keeps_every_same_or_variant(
    pairs: list[tuple[str | None, ...]],
) -> None:
    """Every pair judged same or variant passes the cheap condition the repair step filters by
    (pairs of any two names, and names beside themselves after one or two edits)."""
    a = pl.Series([x for x, _ in pairs], dtype=pl.String)
    b = pl.Series([y for _, y in pairs], dtype=pl.String)
    verdicts = judge_names(a, b)["name_verdict"]
    maybe = could_be_one_person(a, b)
    assert maybe.len() == a.len() and maybe.null_count() == 0
    missed = [
        pair
        for pair, verdict, kept in zip(pairs, verdicts, maybe, strict=True)
        if verdict in ("same", "variant") and not kept
    ]
    assert missed == []


@pytest.mark.parametrize(
    ("a", "b", "kept"),
    [
        *((a, b, True) for a, b, verdict in CASES if verdict != "different"),
        ("张三", "李四", False),  # nothing in common
        ("王丽", "王强", True),  # the same surname: the pinyin slip is not ruled out cheaply
        ("王丽", "黄丽", True),  # the same second character
        ("张伟", "张伟明", False),  # two characters against three: neither slip is possible
        ("欧阳娜", "欧阳娜娜", True),  # the shorter name first (its length minus the other's < 0)
        ("AAA", "王AAA", True),  # a character added in front
    ],
)
def test_could_be_one_person_on_the_verdict_table(a: str, b: str, kept: bool) -> None:
    """The table's same and variant pairs pass; its different pairs pass only when their
    first two characters leave a slip possible."""
    assert could_be_one_person(pl.Series([a]), pl.Series([b])).to_list() == [kept]
