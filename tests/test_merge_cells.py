"""The registration forms merge their cells without openpyxl's check of every earlier merge."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest
from openpyxl import Workbook
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet

from canbao.forms import registration_form
from canbao.forms.registration_form import write_forms_sheet

SHEET = "xl/worksheets/sheet1.xml"


def _group(persons: int) -> pl.DataFrame:
    """``persons`` rows of needs_survey's columns, one village."""
    return pl.DataFrame(
        {
            "县区": ["340602"] * persons,
            "乡镇(街道)": ["台矿镇"] * persons,
            "村(社区)": ["吕楼村"] * persons,
            "公民身份号码": [f"34060219900101{n:04d}" for n in range(persons)],
            "姓名": ["许刚枝"] * persons,
            "性别": ["女"] * persons,
            "现参保险种": ["11;22"] * persons,
            "个人身份": ["职员"] * persons,
            "户口所在地": ["安徽省淮北市杜集区"] * persons,
            "常住地址": ["安徽省淮北市杜集区台矿镇吕楼村98号"] * persons,
            "人员编号": [str(n) for n in range(persons)],
            "原因": ["应参未参"] * persons,
        }
    )


def _sheet_xml(persons: int) -> bytes:
    """The saved worksheet XML of ``persons`` persons' forms."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    write_forms_sheet(ws, _group(persons))
    saved = io.BytesIO()
    wb.save(saved)
    return zipfile.ZipFile(saved).read(SHEET)


def test_the_sheet_is_the_one_merge_cells_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three persons' forms: the same worksheet XML, byte for byte, as with ``ws.merge_cells``."""
    ours = _sheet_xml(3)

    def merge_cells(ws: Worksheet, ref: str) -> None:
        ws.merge_cells(ref)

    monkeypatch.setattr(registration_form, "merge", merge_cells)
    assert _sheet_xml(3) == ours
    assert ours.count(b"<mergeCell ") == 1 + 3 * 15  # the title, and 15 ranges a person


def test_no_merge_is_compared_with_the_earlier_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forty persons' forms look up the sheet's merged ranges at most once (the title's merge)."""
    calls: list[object] = []
    original: Callable[[MultiCellRange, Any], bool] = MultiCellRange.__contains__

    def counted(self: MultiCellRange, coord: Any) -> bool:
        calls.append(coord)
        return original(self, coord)

    monkeypatch.setattr(MultiCellRange, "__contains__", counted)
    _sheet_xml(40)
    assert len(calls) <= 1
