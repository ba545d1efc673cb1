"""canbao.xlsx_stream: workbooks whose rows Polars writes read back as the frames written."""

from __future__ import annotations

import threading
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from polars.testing import assert_frame_equal

from canbao import xlsx_stream
from canbao.errors import OutputError
from canbao.xlsx_stream import StreamedWorkbook, column_letter, rows_xml

HEADINGS = ["公民身份号码", "姓名", "常住地址"]
# Text of the kinds the escapes are for: XML's own characters, controls, _xHHHH_, edge spaces,
# formula starts, ideographic space, a character above U+FFFF.
PIECES = ["&", "<", ">", '"', "'", "_x0041_", "_x", "\x00", "\x01", "\x0b", "\x1f", "\t", "\n"]
PIECES += ["\r", " ", "\u3000", "=", "+", "-", "@", "张", "A", "1", "𠀀"]
TRICKY = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
# A row of blank cells at the end is no row to a reader: the middle column is never blank.
FILLED = st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join)


def _write(path: Path, frame: pl.DataFrame, sheets: list[tuple[str, int]], pieces: int) -> None:
    book = StreamedWorkbook(path, sheets, frame.columns, [20.0] * frame.width)
    step = max(1, -(-frame.height // pieces))
    for start in range(0, frame.height, step):
        book.append(frame.slice(start, step))
    book.close()


def _read(path: Path) -> list[list[object]]:
    book = load_workbook(path, read_only=True)
    rows = [list(r) for ws in book.worksheets for r in ws.iter_rows(min_row=2, values_only=True)]
    book.close()
    return rows


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(st.tuples(TRICKY, FILLED, st.none() | TRICKY), max_size=30),
    pieces=st.integers(1, 5),
)
def test_any_text_reads_back_as_written(
    values: list[tuple[str, str, str | None]], pieces: int, tmp_path: Path
) -> None:
    """Polars (calamine, which undoes the escapes as Excel does) reads every cell back as its
    text, an empty text as no value, in any pieces appended."""
    frame = pl.DataFrame(values, schema=dict.fromkeys(HEADINGS, pl.String), orient="row")
    path = tmp_path / "t.xlsx"
    _write(path, frame, [("表", frame.height)], pieces)
    back = pl.read_excel(path, infer_schema_length=0, raise_if_empty=False)
    assert back.columns == HEADINGS
    expected = frame.with_columns(pl.when(pl.all() != "").then(pl.all()))
    assert_frame_equal(back, expected, check_dtypes=False)


def test_formula_text_is_a_quote_prefixed_string(tmp_path: Path) -> None:
    """A text beginning like a formula is a string cell with the quote prefix, never a formula."""
    frame = pl.DataFrame({"a": ["=1+1", "+SUM(A1)", "-2", "@x", "plain"]})
    path = tmp_path / "f.xlsx"
    _write(path, frame, [("t", frame.height)], 2)
    ws = load_workbook(path)["t"]
    cells = [ws.cell(row=r, column=1) for r in range(2, 7)]
    assert [c.data_type for c in cells] == ["s"] * 5
    assert [c.quotePrefix for c in cells] == [True, True, True, True, False]
    assert [c.number_format for c in cells] == ["@"] * 5


def test_rows_go_on_in_the_next_sheet_when_one_is_full(tmp_path: Path) -> None:
    """Each sheet gets its rows under the heading, filtered, frozen, with its own extent."""
    frame = pl.DataFrame({"a": [str(i) for i in range(7)], "b": ["x"] * 7})
    path = tmp_path / "s.xlsx"
    _write(path, frame, [("t_1", 3), ("t_2", 3), ("t_3", 1)], 3)
    book = load_workbook(path)
    assert book.sheetnames == ["t_1", "t_2", "t_3"]
    assert [[c.value for c in ws["A"]] for ws in book.worksheets] == [
        ["a", "0", "1", "2"],
        ["a", "3", "4", "5"],
        ["a", "6"],
    ]
    assert [ws.auto_filter.ref for ws in book.worksheets] == ["A1:B4", "A1:B4", "A1:B2"]
    assert all(ws.freeze_panes == "A2" and ws["A1"].font.b for ws in book.worksheets)


def test_a_workbook_of_no_rows_has_its_heading(tmp_path: Path) -> None:
    """No rows: one sheet with the heading alone."""
    path = tmp_path / "e.xlsx"
    _write(path, pl.DataFrame(schema={"a": pl.String, "b": pl.Int64}), [("t", 0)], 1)
    ws = load_workbook(path)["t"]
    assert [c.value for c in ws[1]] == ["a", "b"] and ws.max_row == 1


def test_more_or_fewer_rows_than_the_sheets_hold_is_an_error(tmp_path: Path) -> None:
    """The sheets' lengths are fixed at the start: a different count is refused, not hidden."""
    frame = pl.DataFrame({"a": ["1", "2"]})
    with pytest.raises(ValueError, match="more rows"):
        _write(tmp_path / "m.xlsx", frame, [("t", 1)], 1)
    with pytest.raises(ValueError, match="fewer rows"):
        _write(tmp_path / "f.xlsx", frame, [("t", 3)], 1)


def test_a_text_longer_than_a_cell_holds_is_cut_at_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cut at 32,767 UTF-16 units (a character above U+FFFF is two), as Excel holds."""
    frame = pl.DataFrame({"a": ["a" * 40_000, "𠀀" * 20_000, "short"]})
    path = tmp_path / "l.xlsx"
    _write(path, frame, [("t", 3)], 1)
    got = [r[0] for r in _read(path)]
    assert got[0] == "a" * 32_767
    assert isinstance(got[1], str) and len(got[1].encode("utf-16-le")) // 2 <= 32_767
    assert got[2] == "short"


def test_numbers_are_numbers_and_dates_their_text(tmp_path: Path) -> None:
    """Integer and float columns are number cells (NaN and infinity their text); a date is
    its text, as the CSV writes it."""
    frame = pl.DataFrame(
        {
            "n": [1, None, 3, 4],
            "f": [2.5, float("nan"), float("inf"), None],
            "d": [date(2017, 6, 30), None, None, None],
        }
    )
    xml = rows_xml(frame, 2, (1, 2, 3)).decode()
    assert '<c r="A2" s="3"><v>1</v></c>' in xml and '<c r="A3" s="3"/>' in xml
    assert '<c r="C2" s="1" t="inlineStr"><is><t>2017-06-30</t></is></c>' in xml
    path = tmp_path / "n.xlsx"
    _write(path, frame, [("t", 4)], 2)
    assert _read(path) == [
        [1, 2.5, "2017-06-30"],
        [None, "NaN", None],
        [3, "inf", None],
        [4, None, None],
    ]


def test_column_letters_are_excel_s() -> None:
    """0 is A, 25 Z, 26 AA, 701 ZZ, 702 AAA."""
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert xlsx_stream.CHUNK_ROWS > 0


def test_repeating_values_are_shared_strings_written_once(tmp_path: Path) -> None:
    """A column whose values repeat goes to the shared strings, each value once in the workbook
    across chunks and sheets; IDs stay inline; the cells read back as written."""
    ids = [f"34062119900101{i:04d}" for i in range(32)]
    frame = pl.DataFrame({"id": ids, "county": ["濉溪县", "杜集区", "  相山区", "=1"] * 8})
    path = tmp_path / "s.xlsx"
    _write(path, frame, [("t_1", 16), ("t_2", 16)], 2)
    with zipfile.ZipFile(path) as package:
        strings = package.read("xl/sharedStrings.xml").decode()
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert [strings.count(v) for v in ("濉溪县", "杜集区", "相山区", "=1")] == [1, 1, 1, 1]
    assert 'count="36" uniqueCount="6"' in strings  # 32 values, 2 headings on 2 sheets
    assert '<t xml:space="preserve">  相山区</t>' in strings
    assert f"<t>{ids[0]}</t>" in sheet and ids[0] not in strings
    book = load_workbook(path)
    assert [[c.value for c in ws["B"]][1:] for ws in book.worksheets] == [
        ["濉溪县", "杜集区", "  相山区", "=1"] * 4
    ] * 2
    assert book["t_1"]["B5"].quotePrefix and book["t_1"]["B5"].data_type == "s"


def test_a_sheet_past_4_gib_is_an_output_error_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet too large for a zip part without ZIP64 is exit 7 naming it, not a bug."""
    # Above the frame's largest part (the theme, 7 KB), below the sheet's 60 KB of rows.
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 20_000)
    frame = pl.DataFrame({"a": [f"{i:020d}" for i in range(1000)]})
    with pytest.raises(OutputError, match="t_big") as raised:
        _write(tmp_path / "big.xlsx", frame, [("t_big", 1000)], 1)
    assert raised.value.exit_code == 7 and "--format csv" in str(raised.value.fix)
    assert not [t for t in threading.enumerate() if t.name.startswith("xlsx")]
