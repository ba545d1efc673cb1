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
