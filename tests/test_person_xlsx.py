"""The person tables as xlsx: streamed chunk by chunk, sheet after sheet, the same cells as CSV."""

from __future__ import annotations

import errno
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from canbao.cli import app
from canbao.match import _person_xlsx, writers
from canbao.result_tables import read_result_table
from tests.test_match_examples import match_args

PERSON_TABLES = ("needs_survey", "uninsured", "confirmed")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """examples/city matched as CSV, and as xlsx with sheets of at most 150 rows."""
    base = tmp_path_factory.mktemp("person_xlsx")
    out = {"csv": base / "csv", "xlsx": base / "xlsx"}
    result = CliRunner().invoke(app, match_args(out["csv"]))
    assert result.exit_code == 0, result.output
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(writers, "EXCEL_MAX_ROWS", 150)
        result = CliRunner().invoke(app, [*match_args(out["xlsx"]), "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("table", PERSON_TABLES)
def test_a_long_person_table_goes_on_in_numbered_sheets(
    outputs: dict[str, Path], table: str
) -> None:
    """Each sheet holds at most the row limit under its heading; the sheets are named in turn."""
    book = load_workbook(outputs["xlsx"] / f"{table}.xlsx", read_only=True)
    rows = [ws.max_row - 1 for ws in book.worksheets]
    names = [ws.title for ws in book.worksheets]
    book.close()
    assert len(rows) > 1 and all(r == 150 for r in rows[:-1]) and 0 < rows[-1] <= 150
    assert names == [f"{table}_{n}" for n in range(1, len(rows) + 1)]


@pytest.mark.parametrize("table", PERSON_TABLES)
def test_the_sheets_read_back_as_the_csv_table(outputs: dict[str, Path], table: str) -> None:
    """The workbook's sheets, read as canbao reads a match, are the CSV table cell for cell."""
    csv, xlsx = (
        read_result_table(outputs[fmt] / f"{table}.{fmt}", key="公民身份号码", fix="")
        for fmt in ("csv", "xlsx")
    )
    assert xlsx.height == csv.height > 150
    assert_frame_equal(xlsx, csv)


def test_every_cell_is_text_under_a_frozen_filtered_heading(outputs: dict[str, Path]) -> None:
    """IDs stay text (formatted @), the heading is bold, frozen and filtered over the rows."""
    book = load_workbook(outputs["xlsx"] / "needs_survey.xlsx")
    ws = book["needs_survey_1"]
    assert ws.max_row == 151 and ws.dimensions == "A1:P151"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:P151"
    assert all(c.font.b for c in ws[1])
    ids = [c for c in next(ws.iter_cols(min_col=7, max_col=7, min_row=2))]
    assert ws["G1"].value == "公民身份号码"
    assert all(c.data_type == "s" and c.number_format == "@" for c in ids)
    assert all(len(str(c.value)) == 18 for c in ids if c.value)


def test_a_full_disk_in_a_person_workbook_is_exit_7_naming_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person workbook's rows failing on their thread is exit 7, the output named, nothing
    left, no thread running."""

    def full_disk(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_person_xlsx.StreamedWorkbook, "_write", full_disk)  # on its thread
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [*match_args(out), "--format", "xlsx", "--quiet"])
    assert result.exit_code == 7, result.output
    assert f"无法写入 {out}" in result.output and "No space left on device" in result.output
    assert "内部错误" not in result.output
    assert list(tmp_path.iterdir()) == []
    assert not [t for t in threading.enumerate() if t.name.startswith("xlsx")]
