"""Tests of unreadable rows: exact line numbers, reasons, masking and the row-count invariant."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from canbao.roster import read_roster

BROKEN = Path(__file__).resolve().parents[1] / "examples" / "formats" / "broken"


def test_ragged_fixture_lines_and_reasons(tmp_path: Path) -> None:
    """The ragged fixture lists each bad line with its reason, including the cut last line."""
    roster = read_roster(BROKEN / "ragged.csv", "household", workdir=tmp_path)
    bad = roster.unreadable.collect()
    assert bad.select("line", "reason").rows() == [
        (4, "too_few_fields"),
        (6, "too_many_fields"),
        (8, "empty_line"),
        (10, "cut_line"),
    ]
    assert bad.columns == ["file", "line", "reason", "原因", "raw"]
    assert set(bad["file"]) == {"ragged.csv"}
    frame = roster.frame.collect()
    assert frame["_line"].to_list() == [2, 3, 5, 7, 9]
    assert frame.height + bad.height == 9  # data lines: 10 physical lines minus the header


def test_raw_lines_are_id_masked(tmp_path: Path) -> None:
    """The raw text of an unreadable row never holds a full citizen ID."""
    bad = read_roster(BROKEN / "ragged.csv", "household", workdir=tmp_path).unreadable.collect()
    raw = bad.filter(pl.col("line") == 4)["raw"][0]
    assert "********" in raw
    assert not any(ch.isdigit() for ch in raw.split(",")[0][6:14])


def test_complete_last_line_without_newline_is_readable(tmp_path: Path) -> None:
    """A last line with every field but no newline is an ordinary row, not a cut line."""
    path = tmp_path / "n.csv"
    path.write_text("身份证号,姓名\n1,张三\n2,李四", "utf-8")
    roster = read_roster(path, "household", workdir=tmp_path)
    assert roster.frame.collect()["_line"].to_list() == [2, 3]
    assert roster.unreadable.collect().height == 0


def test_newline_inside_quotes_is_one_record(tmp_path: Path) -> None:
    """A quoted field spanning two lines (Excel's Alt+Enter) is one row at its first line."""
    path = tmp_path / "q.csv"
    path.write_text('身份证号,姓名,地址\n1,张三,"淮北\n濉溪"\n2,李四,x\n', "utf-8")
    roster = read_roster(path, "household", workdir=tmp_path)
    assert roster.unreadable.collect().height == 0
    frame = roster.frame.collect()
    assert frame.select("address", "_line").rows() == [("淮北\n濉溪", 2), ("x", 4)]


def test_trailing_separator_on_data_lines_is_accepted(tmp_path: Path) -> None:
    """An empty extra field after the last header (a trailing comma) is not an error."""
    path = tmp_path / "t.csv"
    path.write_text("身份证号,姓名\n1,张三,\n2,李四,x\n", "utf-8")
    roster = read_roster(path, "household", workdir=tmp_path)
    assert roster.frame.collect().select("id", "name").rows() == [("1", "张三")]
    assert roster.unreadable.collect()["reason"].to_list() == ["too_many_fields"]


def test_undecodable_bytes_make_a_bad_encoding_row(tmp_path: Path) -> None:
    """A GBK line inside a UTF-8 file is reported as bad_encoding, the rest is read."""
    path = tmp_path / "mixed.csv"
    good = "身份证号,姓名\n" + "1,张三\n" * 20
    path.write_bytes(good.encode() + "2,李四\n".encode("gbk") + "3,王五\n".encode())
    roster = read_roster(path, "household", workdir=tmp_path)
    assert roster.info.encoding == "utf-8"
    assert roster.unreadable.collect().select("line", "reason").rows() == [(22, "bad_encoding")]
    assert roster.frame.collect()["name"].to_list() == ["张三"] * 20 + ["王五"]


def test_invariant_on_a_larger_ragged_file(tmp_path: Path) -> None:
    """Rows in the frame plus unreadable rows equal the data lines, for a generated messy file."""
    lines = ["身份证号,姓名,县区"]
    for i in range(1, 3001):
        lines.append(",".join(["1", "张三", "340621", "x"][: 1 + (i % 4)]))
    path = tmp_path / "m.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    roster = read_roster(path, "household", workdir=tmp_path)
    good = roster.frame.select(pl.len()).collect().item()
    bad = roster.unreadable.collect()
    assert good + bad.height == 3000
    assert good == 750
    assert bad["line"].is_unique().all()
