"""Bounded cost for any input: hostile YAML, workbooks and long lines are refused with the limit."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.errors import InputError
from canbao.limits import (
    MAX_COMPRESSION_RATIO,
    MAX_LINE_BYTES,
    MAX_SHEET_CELLS,
    MAX_WORKBOOK_BYTES,
    MAX_YAML_DEPTH,
    MAX_ZIP_ENTRIES,
    RATIO_FLOOR_BYTES,
    long_line_at,
    yaml_limit_hit,
)
from canbao.shown_path import shown_path
from canbao.workbook_guard import check_workbook
from tests.hostile_files import (
    HEADER_ROW,
    alias_bomb,
    cell,
    deep_yaml,
    far_cell_workbook,
    inflating_workbook,
    workbook,
)

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str]) -> tuple[int, str]:
    result = runner.invoke(app, args)
    return result.exit_code, result.output


def test_alias_bomb_rule_file_is_exit_5_with_line_and_fix(tmp_path: Path) -> None:
    """A 400-byte rule file of nested aliases is refused (exit 5) naming file, line and fix."""
    rules = tmp_path / "bomb.yaml"
    rules.write_text(alias_bomb(), encoding="utf-8")
    assert rules.stat().st_size < 500
    code, out = _run(["rules", "check", str(rules)])
    assert code == 5
    assert f"{rules}:1:" in out and "锚点" in out


def test_deep_rule_file_is_exit_5_not_a_recursion_error(tmp_path: Path) -> None:
    """Nesting deeper than Python's recursion limit is exit 5 naming the limit, not exit 1."""
    rules = tmp_path / "deep.yaml"
    rules.write_text(deep_yaml(5000), encoding="utf-8")
    code, out = _run(["score", "--rules", str(rules), "x.csv", "--output", str(tmp_path / "o")])
    assert code == 5
    assert f"嵌套超过 {MAX_YAML_DEPTH} 层" in out and str(rules) in out


@pytest.mark.parametrize("text", [alias_bomb(), deep_yaml(5000)], ids=["aliases", "deep"])
def test_hostile_column_map_is_exit_3(tmp_path: Path, text: str) -> None:
    """A --columns map with aliases or deep nesting is refused with exit 3, naming the map."""
    colmap = tmp_path / "map.yaml"
    colmap.write_text(text, encoding="utf-8")
    code, out = _run(
        ["inspect", str(ROOT / "examples/formats/household_utf8.csv"), "--columns", str(colmap)]
    )
    assert code == 3
    assert "拒绝读取列映射文件" in out and "map.yaml" in out and "第 1 行" in out


def test_yaml_limits_accept_the_bundled_rule_sets() -> None:
    """Every bundled rule set and example rule file stays within the YAML limits."""
    files = [*ROOT.glob("rules/*.yaml"), *ROOT.glob("examples/**/*.yaml")]
    assert files
    for file in files:
        assert yaml_limit_hit(file.read_text(encoding="utf-8")) is None, file


def test_yaml_depth_limit_is_exact() -> None:
    """Nesting of exactly the limit passes; one level more is refused."""
    assert yaml_limit_hit(deep_yaml(MAX_YAML_DEPTH - 1)) is None  # the top mapping is a level
    hit = yaml_limit_hit(deep_yaml(MAX_YAML_DEPTH))
    assert hit is not None and hit.line == 1


@pytest.mark.parametrize(
    "args",
    [
        ["inspect", "{x}"],
        ["match", "--household", "{x}", "--output", "{o}"],
        ["intake", "{x}", "--output", "{o}"],
        ["score", "--rules", "huaibei-2017", "{x}", "--output", "{o}"],
    ],
    ids=["inspect", "match", "intake", "score"],
)
def test_cell_at_xfd1048576_is_refused_by_every_reader(tmp_path: Path, args: list[str]) -> None:
    """The workbook that made calamine ask for 512 GB is exit 3 naming the sheet's range."""
    book = far_cell_workbook(tmp_path / "far.xlsx")
    argv = [a.format(x=book, o=tmp_path / "out") for a in args]
    code, out = _run(argv)
    assert code == 3
    assert f"拒绝读取工作簿 {shown_path(book)}" in out and "1048576 行 x 16384 列" in out
    assert not (tmp_path / "out").exists()


def test_far_cell_without_dimension_is_found_by_the_scan(tmp_path: Path) -> None:
    """A sheet that declares no dimension is scanned for its furthest cell."""
    book = far_cell_workbook(tmp_path / "far.xlsx", dimension=False)
    with pytest.raises(InputError, match="1048576 行 x 16384 列"):
        check_workbook(book)


def test_sheet_at_the_cell_limit_passes_and_one_more_row_does_not(tmp_path: Path) -> None:
    """The declared range is compared with MAX_SHEET_CELLS exactly."""
    cols = 40  # column AN
    rows = MAX_SHEET_CELLS // cols
    check_workbook(workbook(tmp_path / "ok.xlsx", HEADER_ROW, dimension=f"A1:AN{rows}"))
    with pytest.raises(InputError, match=f"{rows + 1} 行 x {cols} 列"):
        check_workbook(workbook(tmp_path / "big.xlsx", HEADER_ROW, dimension=f"A1:AN{rows + 1}"))


def test_inflating_cell_is_refused_by_its_ratio(tmp_path: Path) -> None:
    """A part that inflates ~1,000 times beyond the ratio floor is exit 3 naming the ratio."""
    megabytes = RATIO_FLOOR_BYTES // (1024 * 1024) + 4
    book = inflating_workbook(tmp_path / "inflate.xlsx", megabytes)
    assert book.stat().st_size < megabytes * 1024 * 1024 // MAX_COMPRESSION_RATIO
    code, out = _run(["inspect", str(book)])
    assert code == 3
    assert "压缩比" in out and f"上限 {MAX_COMPRESSION_RATIO}:1" in out


def test_too_many_zip_entries_is_refused(tmp_path: Path) -> None:
    """A workbook of more parts than MAX_ZIP_ENTRIES is refused before reading."""
    book = workbook(tmp_path / "many.xlsx", HEADER_ROW, dimension="A1:B1")
    with zipfile.ZipFile(book, "a", zipfile.ZIP_STORED) as z:
        for i in range(MAX_ZIP_ENTRIES):
            z.writestr(f"xl/media/{i}.bin", b"")
    with pytest.raises(InputError, match="个部件"):
        check_workbook(book)


def test_ordinary_workbooks_pass_the_check() -> None:
    """The example workbooks (written by openpyxl and xlsxwriter) pass the check."""
    for book in [*ROOT.glob("examples/**/*.xlsx")]:
        check_workbook(book)


def test_a_50_mb_single_line_submission_fails_fast(tmp_path: Path) -> None:
    """A 50 MB one-line submission is exit 3 naming line 1 and the limit."""
    sub = tmp_path / "one_line.csv"
    with sub.open("wb") as out:
        out.write("县区,".encode())
        out.write(b"x" * (50 * 1024 * 1024))
    code, out = _run(
        ["score", "--rules", "huaibei-2017", str(sub), "--output", str(tmp_path / "o")]
    )
    assert code == 3
    assert "one_line.csv" in out and f"第 1 行超过 {MAX_LINE_BYTES} 字节" in out


def test_long_line_of_a_roster_is_unreadable_not_read(tmp_path: Path) -> None:
    """A roster line beyond the limit is listed as line_too_long; the other rows are read."""
    roster = tmp_path / "roster.csv"
    long_name = "x" * (MAX_LINE_BYTES + 1)
    roster.write_text(
        f"公民身份号码,姓名\n340621199001011328,{long_name}\n340621199001011328,李四\n",
        encoding="utf-8",
    )
    code, out = _run(["inspect", str(roster)])
    assert code == 0
    assert "第 2 行: line_too_long" in out


def test_long_line_at_finds_the_first_long_line() -> None:
    """long_line_at numbers lines from 1 and ignores lines at the limit."""
    ok = b"a" * MAX_LINE_BYTES
    assert long_line_at(ok + b"\n" + ok) is None
    assert long_line_at(ok + b"\n" + ok + b"b\nc") == 2
    assert long_line_at(b"") is None


def test_intake_summary_xlsx_is_checked(tmp_path: Path) -> None:
    """intake's --summary workbook goes through the same check as every other workbook."""
    from canbao.forms.intake_facts import read_summary

    book = far_cell_workbook(tmp_path / "summary.xlsx")
    with pytest.raises(InputError, match=re.escape(f"拒绝读取工作簿 {shown_path(book)}")):
        read_summary(book)


def test_cells_in_a_normal_row_do_not_count_as_far(tmp_path: Path) -> None:
    """A sheet without a dimension whose cells are near the origin passes the scan."""
    rows = HEADER_ROW + '<row r="2">' + cell("A2", "1") + cell("B2", "张三") + "</row>"
    check_workbook(workbook(tmp_path / "near.xlsx", rows, dimension=None))


@pytest.mark.parametrize(
    ("xml", "furthest"),
    [
        (b'<row r="2"><c r="XFD1048576" t="s"/></row>', (1048576, 16384)),
        (b'<row><c t="s" r = "AB7"/></row>', (7, 28)),
        (b"<x:row r='1048576'><x:c r='A1048576'/></x:row>", (1048576, 26)),
        (b'<row r="3"><c\nr="A1000001"/><c r="B3"/></row>', (1000001, 26)),
        (b'<row r="3"><c\tr\t=\t"ZZ3"/></row>', (3, 702)),
        (b'<row r="3"><c r="B3"/></row>', (3, 26)),
    ],
    ids=["far", "spaced", "prefixed-quoted", "newline", "tabs", "near"],
)
def test_furthest_cell_is_found_however_the_reference_is_written(
    xml: bytes, furthest: tuple[int, int]
) -> None:
    """A reference spaced, single-quoted or in a prefixed element is found like a plain one."""
    from canbao.workbook_guard import _furthest_cell

    assert _furthest_cell(xml, io.BytesIO(b"")) == furthest


def test_lying_dimension_does_not_hide_a_far_cell(tmp_path: Path) -> None:
    """A sheet declaring A1:B2 with a cell at XFD1048576 is refused by the scan."""
    far = '<row r="2"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    book = workbook(tmp_path / "lie.xlsx", HEADER_ROW + far, dimension="A1:B2")
    with pytest.raises(InputError, match="1048576 行 x 16384 列"):
        check_workbook(book)


def test_oversized_xls_is_refused(tmp_path: Path) -> None:
    """An .xls (not a zip) larger than the workbook limit is refused before calamine reads it."""
    book = tmp_path / "huge.xls"
    with book.open("wb") as handle:
        handle.truncate(MAX_WORKBOOK_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(InputError, match=r"huge\.xls"):
        check_workbook(book)
