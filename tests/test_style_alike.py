"""The survey workbooks style each kind of cell once through openpyxl and copy it to the rest."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from benchmarks.bench_forms import needs_survey_of
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.styleable import NumberFormatDescriptor, StyleDescriptor

from canbao import sheet_style
from canbao.forms import entry_sheet, write_survey_forms
from canbao.forms.survey import ENTRY_FILE, FORMS_FILE, ROSTER_FILE

SETTERS = (StyleDescriptor, NumberFormatDescriptor)


def _workbooks(persons: int, folder: Path) -> dict[str, bytes]:
    """Every part of the three workbooks of one group of ``persons``, but their time stamps."""
    out = folder / "forms"
    write_survey_forms(needs_survey_of(persons, folder / "match"), out, by="village")
    parts = {}
    for book in sorted(out.rglob("*.xlsx")):
        with zipfile.ZipFile(book) as opened:
            for name in opened.namelist():
                if name != "docProps/core.xml":
                    parts[f"{book.name}/{name}"] = opened.read(name)
    return parts


def test_the_workbooks_are_those_openpyxl_s_own_calls_make(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seven persons: every part byte for byte as when every cell is styled through openpyxl."""
    ours = _workbooks(7, tmp_path / "ours")

    def each(cells: Iterable[Any], apply: Callable[[Any], None]) -> None:
        for cell in cells:
            apply(cell)

    monkeypatch.setattr(sheet_style, "style_alike", each)
    monkeypatch.setattr(entry_sheet, "style_alike", each)
    assert _workbooks(7, tmp_path / "openpyxl") == ours
    assert {part.split("/")[0] for part in ours} == {ROSTER_FILE, FORMS_FILE, ENTRY_FILE}


def _style_settings(persons: int, folder: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many style attributes are set through openpyxl while writing one group's workbooks."""
    calls: list[object] = []
    with monkeypatch.context() as patch:
        for setter in SETTERS:
            original: Callable[..., None] = setter.__set__

            def counted(*args: Any, _original: Callable[..., None] = original) -> None:
                calls.append(args[2])
                _original(*args)

            patch.setattr(setter, "__set__", counted)
        _workbooks(persons, folder)
    return len(calls)


def test_styles_are_set_as_often_for_forty_persons_as_for_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The roster, forms and entry sheet of one person and of forty: the same style settings."""
    one = _style_settings(1, tmp_path / "one", monkeypatch)
    assert one > 0
    assert _style_settings(40, tmp_path / "forty", monkeypatch) == one


def test_a_cell_keeps_what_its_own_style_had() -> None:
    """Cells of two styles take the same fill: each keeps its own font beside the fill."""
    ws = Workbook().active
    assert ws is not None
    ws["A1"].font = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")

    def shade(cell: Any) -> None:
        cell.fill = fill

    sheet_style.style_alike([ws["A1"], ws["A2"], ws["A3"], ws["A4"]], shade)
    assert [ws[ref].font.b for ref in ("A1", "A2", "A3", "A4")] == [True, False, False, False]
    assert all(ws[ref].fill == fill for ref in ("A1", "A2", "A3", "A4"))
