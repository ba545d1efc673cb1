"""The registration forms: the sheet openpyxl's own calls make, in time linear in the persons."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest
from openpyxl import Workbook
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet

from canbao.forms import registration_form
from canbao.forms.registration_form import write_forms_sheet


def _group(persons: int) -> pl.DataFrame:
    """``persons`` rows of needs_survey's columns, one village, each person a little different."""
    return pl.DataFrame(
        {
            "县区": ["340602"] * persons,
            "乡镇(街道)": ["台矿镇"] * persons,
            "村(社区)": ["吕楼村"] * persons,
            "公民身份号码": [f"34060219900101{n:04d}" for n in range(persons)],
            "姓名": ["许刚枝", "彭伟荔"] * (persons // 2) + ["许刚枝"] * (persons % 2),
            "性别": ["女", ""] * (persons // 2) + ["女"] * (persons % 2),
            "现参保险种": [["11;22", "", "21"][n % 3] for n in range(persons)],
            "个人身份": ["职员"] * persons,
            "户口所在地": ["安徽省淮北市杜集区"] * persons,
            "常住地址": ["安徽省淮北市杜集区台矿镇吕楼村98号"] * persons,
            "人员编号": [str(n) if n % 4 else None for n in range(persons)],
            "原因": ["应参未参"] * persons,
        }
    )


def _workbook_parts(persons: int) -> dict[str, bytes]:
    """Every part of the saved workbook of ``persons`` persons' forms but its time stamps."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    write_forms_sheet(ws, _group(persons))
    saved = io.BytesIO()
    wb.save(saved)
    book = zipfile.ZipFile(saved)
    return {n: book.read(n) for n in book.namelist() if n != "docProps/core.xml"}


def test_the_workbook_is_the_one_openpyxl_s_own_calls_make(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Five persons: every part byte for byte as when each form is styled and merged by openpyxl."""
    ours = _workbook_parts(5)

    def merge_cells(ws: Worksheet, ref: str) -> None:
        ws.merge_cells(ref)

    def styled(ws: Worksheet, first: int, top: int, person: dict[str, str | None]) -> None:
        registration_form.write_form_block(ws, top, person)

    monkeypatch.setattr(registration_form, "merge", merge_cells)
    monkeypatch.setattr(registration_form, "copy_form_block", styled)
    assert _workbook_parts(5) == ours
    sheet = ours["xl/worksheets/sheet1.xml"]
    assert sheet.count(b"<mergeCell ") == 1 + 5 * 15  # the title, and 15 ranges a person


def _calls_while_writing(
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, persons: int
) -> int:
    """How often ``owner.name`` is called while ``persons`` persons' forms are written."""
    calls: list[object] = []
    original: Callable[..., Any] = getattr(owner, name)

    def counted(*args: Any) -> Any:
        calls.append(args)
        return original(*args)

    with monkeypatch.context() as patch:
        patch.setattr(owner, name, counted)
        wb = Workbook()
        assert wb.active is not None
        write_forms_sheet(wb.active, _group(persons))
    return len(calls)


def test_no_merge_is_compared_with_the_earlier_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forty persons' forms look up the sheet's merged ranges at most once (the title's merge)."""
    assert _calls_while_writing(monkeypatch, MultiCellRange, "__contains__", 40) <= 1


def test_only_the_first_form_looks_its_styles_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workbook's style lists are searched as often for forty persons as for one."""
    one = _calls_while_writing(monkeypatch, IndexedList, "add", 1)
    assert one > 0
    assert _calls_while_writing(monkeypatch, IndexedList, "add", 40) == one
