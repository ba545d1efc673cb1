"""Tests of the fast path: clean text files read by scan_csv, identical to the exact reader."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import canbao.roster.reader as reader_module
from canbao.roster import read_roster
from canbao.roster.fastpath import native_ok, suspect_line

FORMATS = Path(__file__).resolve().parents[1] / "examples" / "formats"
CLEAN = (
    "身份证号,姓名,县区,常住地址\n"
    "340621199001011234,张三,340621,淮北市\n"
    "340621199001011235,李四,,濉溪县\n"
    "340621199001011236,王五,340602,\n"
)
QUOTED = CLEAN + '340621199001011237,"赵,六","",x\n5,"他说""好""",,y\n'


class Both(NamedTuple):
    """One file read by both paths."""

    used_fast: bool
    fast: pl.DataFrame
    exact: pl.DataFrame
    bad_fast: pl.DataFrame
    bad_exact: pl.DataFrame


def _both(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Both:
    """Read ``path`` as read_roster chooses and by the exact reader only."""
    calls: list[bool] = []

    def spy(utf8_path: Path, *, separator: str, n_headers: int) -> bool:
        calls.append(native_ok(utf8_path, separator=separator, n_headers=n_headers))
        return calls[-1]

    monkeypatch.setattr(reader_module, "native_ok", spy)
    fast = read_roster(path, "household", workdir=tmp_path / "a")
    monkeypatch.setattr(reader_module, "native_ok", lambda *a, **k: False)
    exact = read_roster(path, "household", workdir=tmp_path / "b")
    return Both(
        calls[0],
        fast.frame.collect(),
        exact.frame.collect(),
        fast.unreadable.collect(),
        exact.unreadable.collect(),
    )


@pytest.mark.parametrize(
    "text",
    [
        CLEAN,
        CLEAN.replace("\n", "\r\n"),
        '身份证号,"姓名",县区,常住地址\n' + QUOTED.split("\n", 1)[1],
    ],
)
def test_fast_and_exact_paths_agree_on_clean_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """A clean file (LF or CRLF, quoted separators, "" escapes) reads identically by both paths."""
    path = tmp_path / "clean.csv"
    path.write_text(text, "utf-8", newline="")
    r = _both(path, tmp_path, monkeypatch)
    assert r.used_fast is True
    assert_frame_equal(r.fast, r.exact)
    assert_frame_equal(r.bad_fast, r.bad_exact)


def test_quoted_separator_values_by_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quoted field holding the separator keeps its line number and value on the fast path."""
    path = tmp_path / "q.csv"
    path.write_text(QUOTED, "utf-8")
    r = _both(path, tmp_path, monkeypatch)
    assert r.used_fast is True
    assert_frame_equal(r.fast, r.exact)
    rows = r.fast.select("name", "county", "_line").rows()
    assert rows[3:] == [("赵,六", None, 5), ('他说"好"', None, 6)]


@pytest.mark.parametrize(
    ("extra", "line", "reason"),
    [
        ("1,张三\n", 5, "too_few_fields"),
        ("1,张三,340621,淮北,多\n", 5, "too_many_fields"),
        ("\n", 5, "empty_line"),
        (" , ,,\n", 5, "empty_line"),
        ('1,"淮北\n', 5, "open_quote"),
    ],
)
def test_a_bad_line_takes_the_exact_path_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str, line: int, reason: str
) -> None:
    """One ragged, blank or open-quote line sends the file to the exact reader, which lists it."""
    path = tmp_path / "r.csv"
    path.write_text(CLEAN + extra + "9,末行,340604,x\n", "utf-8")
    r = _both(path, tmp_path, monkeypatch)
    assert r.used_fast is False
    assert_frame_equal(r.fast, r.exact)
    assert r.bad_fast.select("line", "reason").rows() == [(line, reason)]
    assert r.fast["_line"].to_list() == [2, 3, 4, 6]


def test_lines_that_only_look_suspect_stay_on_the_fast_path(tmp_path: Path) -> None:
    """An empty first field or a leading space is checked exactly; the fast path is kept."""
    path = tmp_path / "s.csv"
    path.write_text(CLEAN + ",无号,340621,x\n 2,空格,340621,x\n", "utf-8")
    assert native_ok(path, separator=",", n_headers=4)
    frame = read_roster(path, "household", workdir=tmp_path).frame.collect()
    assert frame.select("id", "_line").rows()[3:] == [(None, 5), (" 2", 6)]


@pytest.mark.parametrize(
    "name", ["household_utf8.csv", "household_utf8_bom.csv", "household_gbk.csv"]
)
def test_example_files_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The example rosters read identically by both paths (the fast one is taken)."""
    r = _both(FORMATS / name, tmp_path, monkeypatch)
    assert r.used_fast is True
    assert_frame_equal(r.fast, r.exact)


def test_header_only_file(tmp_path: Path) -> None:
    """A file with a header and no data lines gives an empty frame with the canonical schema."""
    path = tmp_path / "h.csv"
    path.write_text("身份证号,姓名\n", "utf-8")
    frame = read_roster(path, "household", workdir=tmp_path).frame.collect()
    assert frame.height == 0
    assert frame.schema["_line"] == pl.Int64


def _plain_line_regex(separator: str, n_headers: int) -> str:
    """The definition of a plain line as one regex (the oracle of suspect_line)."""
    sep = f"\\x{{{ord(separator):X}}}"
    body = rf'[^{sep}"\r\x{{FFFD}}计]*'
    first = rf'[^ \t{sep}"\r\x{{FFFD}}计]'
    return f"^{first}{body}(?:{sep}{body}){{{n_headers - 1}}}$"


@given(
    st.sampled_from([",", "\t", ";"]),
    st.integers(1, 4),
    st.lists(st.none() | st.text(alphabet=',;\t "\r\ufffda中计', max_size=10), max_size=20),
)
def test_suspect_line_equals_the_plain_line_regex(
    separator: str, n_headers: int, lines: list[str | None]
) -> None:
    """The literal tests flag exactly the lines the regex of a plain line does not match."""
    frame = pl.DataFrame({"l": lines}, schema={"l": pl.String})
    line = pl.col("l")
    got = frame.select(suspect_line(line, separator, n_headers)).to_series()
    regex = line.is_null() | ~line.str.contains(_plain_line_regex(separator, n_headers))
    assert got.to_list() == frame.select(regex).to_series().to_list()
