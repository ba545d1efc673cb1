"""A sample clerk for unit entry sheets (单位信息录入表): fills them in, one mistake of each kind.

For the demo and the round-trip test of the unit survey. Every unit sheet under a forms folder is
copied and filled as a careful clerk would (most units visited and confirmed, a code corrected
where the match found it broken, a contact and a telephone), some units are left unvisited or
visited without confirmation, and one mistake of each kind intake looks for is planted. The
facts a correct intake must count are tallied here in plain Python, independently of intake.

The sheet is read by its headings (as the clerk reads it), so this module needs nothing from
``canbao.forms``: only the heading texts, which are the official ones.
"""

from __future__ import annotations

import random
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import polars as pl
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from canbao.synth._entry_sheets import Planted
from canbao.uscc import ALPHABET, uscc_check_char_expr, validate_uscc

UNIT_SHEET_FILE: Final = "单位信息录入表.xlsx"
UNIT_SHEET: Final = "单位信息录入表"
KINDS: Final = (
    "invalid_uscc",
    "formula",
    "bad_code",
    "missing_item",
    "confirmed_not_visited",
    "not_on_roster",
    "duplicate_entry",
)
# The item intake names for each planted kind.
ITEMS: Final = {
    "invalid_uscc": "统一社会信用代码",
    "formula": "联系电话",
    "bad_code": "单位类型",
    "missing_item": "联系人",
    "confirmed_not_visited": "是否确认登记",
    "not_on_roster": "单位编号",
    "duplicate_entry": "单位编号",
}
UNVISITED_SHARE: Final = 0.15
UNCONFIRMED_SHARE: Final = 0.1
VISITED_N, CONFIRMED_N = "开展入户调查单位数", "已通过入户调查确认登记单位数"
NEEDS_N, ERRORS_N = "需入户调查单位数", "单位录入错误数"


@dataclass
class PlantedUnitMistakes:
    """What the clerk planted, and the facts (county, 指标) -> count a correct intake gives."""

    files: list[Path] = field(default_factory=list)
    planted: list[Planted] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    facts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def expected(self) -> set[tuple[str, int, str, str]]:
        """Every problem intake must report, as (file, row, item, reason)."""
        return {(p.file, p.row, p.item, p.reason) for p in self.planted}


@dataclass
class _Sheet:
    path: Path
    ws: Worksheet
    col: dict[str, int]
    rows: list[int]


def valid_uscc(county: str, serial: int, kind: str = "91") -> str:
    """A valid unified social credit code of a county, distinct for each ``serial``."""
    body = "".join(ALPHABET[(serial // len(ALPHABET) ** k) % len(ALPHABET)] for k in range(7))
    first17 = f"{kind}{county}MA{body}"
    check: str = pl.select(uscc_check_char_expr(pl.lit(first17))).item()
    return first17 + check


def _open(src: Path, dst: Path) -> tuple[Workbook, _Sheet]:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    wb = load_workbook(dst)
    ws = wb[UNIT_SHEET]
    header = next(r for r in range(1, 11) if any(c.value == "统一社会信用代码" for c in ws[r]))
    col = {str(c.value): c.column for c in ws[header] if c.value is not None}
    rows = []
    row = header + 1
    while ws.cell(row, col["单位名称"]).value is not None:
        rows.append(row)
        row += 1
    return wb, _Sheet(dst, ws, col, rows)


def _county(sheet: _Sheet, row: int) -> str:
    text = str(sheet.ws.cell(row, sheet.col["行政区划代码"]).value or "")
    found = re.match(r"[0-9]{6}", text)
    return found.group(0) if found else text


def _fill(sheet: _Sheet, row: int, state: str, serial: int) -> None:
    """Fill one row as a careful clerk would: ``state`` is unvisited, visited or confirmed."""
    ws, col = sheet.ws, sheet.col
    ws.cell(row, col["是否入户调查"]).value = "否" if state == "unvisited" else "是"
    ws.cell(row, col["经办人"]).value = "王某"
    if state == "unvisited":
        return
    ws.cell(row, col["是否确认登记"]).value = "是" if state == "confirmed" else "否"
    if state != "confirmed":
        return
    code = ws.cell(row, col["统一社会信用代码"]).value
    if code is None or validate_uscc(str(code)) is not None:  # the visit found the right code
        ws.cell(row, col["统一社会信用代码"]).value = valid_uscc(_county(sheet, row), serial)
    if ws.cell(row, col["单位类型"]).value is None:
        ws.cell(row, col["单位类型"]).value = "企业"
    ws.cell(row, col["联系人"]).value = "张经理"
    ws.cell(row, col["联系电话"]).value = f"0561-{3000000 + serial:07d}"


def _spoil(sheet: _Sheet, row: int, kind: str) -> None:
    """Spoil one confirmed row as ``kind`` says."""
    ws, col = sheet.ws, sheet.col
    if kind == "invalid_uscc":
        code = str(ws.cell(row, col["统一社会信用代码"]).value)
        ws.cell(row, col["统一社会信用代码"]).value = code[:17] + ("1" if code[17] == "0" else "0")
    elif kind == "formula":  # openpyxl stores it as a formula cell, as Excel would
        ws.cell(row, col["联系电话"]).value = "=0561+3051111"
    elif kind == "bad_code":
        ws.cell(row, col["单位类型"]).value = "股份制"
    elif kind == "missing_item":
        ws.cell(row, col["联系人"]).value = None
    elif kind == "confirmed_not_visited":
        ws.cell(row, col["是否入户调查"]).value = "否"


def fill_unit_entry_sheets(
    forms_dir: Path, output: Path, *, seed: int = 2017
) -> PlantedUnitMistakes:
    """Copy every unit entry sheet under ``forms_dir`` to ``output``, filled, mistakes planted."""
    rng = random.Random(seed)
    result = PlantedUnitMistakes()
    books: list[tuple[Workbook, _Sheet]] = []
    for src in sorted(Path(forms_dir).rglob(UNIT_SHEET_FILE)):
        books.append(_open(src, Path(output) / src.relative_to(forms_dir)))
        result.files.append(books[-1][1].path)
    units = [(b, row) for b, (_, sheet) in enumerate(books) for row in sheet.rows]
    states = {}
    for unit in units:
        draw = rng.random()
        states[unit] = (
            "unvisited"
            if draw < UNVISITED_SHARE
            else "visited"
            if draw < UNVISITED_SHARE + UNCONFIRMED_SHARE
            else "confirmed"
        )
    confirmed = [u for u in units if states[u] == "confirmed"]
    rng.shuffle(confirmed)
    in_row = KINDS[:5]
    plan = dict(zip(confirmed, in_row, strict=False))
    result.skipped = list(in_row[len(plan) :])
    for serial, unit in enumerate(units, start=1):
        sheet = books[unit[0]][1]
        _fill(sheet, unit[1], states[unit], serial)
        county = _county(sheet, unit[1])
        result.facts[(county, NEEDS_N)] += 1
        kind = plan.get(unit)
        if kind is not None:
            _spoil(sheet, unit[1], kind)
            result.planted.append(Planted(str(sheet.path), unit[1], ITEMS[kind], kind))
            result.facts[(county, ERRORS_N)] += 1
        if states[unit] != "unvisited" and kind != "confirmed_not_visited":
            result.facts[(county, VISITED_N)] += 1
            if states[unit] == "confirmed":
                result.facts[(county, CONFIRMED_N)] += 1
    clean = [u for u in confirmed if u not in plan]
    if clean:
        _extra_rows(books, clean[0], len(units), result)
    else:
        result.skipped += ["not_on_roster", "duplicate_entry"]
    for wb, sheet in books:
        wb.save(sheet.path)
    return result


def _extra_rows(
    books: list[tuple[Workbook, _Sheet]],
    unit: tuple[int, int],
    serial: int,
    result: PlantedUnitMistakes,
) -> None:
    """Below a sheet's units: a unit not on the roster, and a second entry of a clean unit."""
    sheet = books[unit[0]][1]
    ws, col = sheet.ws, sheet.col
    county = _county(sheet, unit[1])
    last = sheet.rows[-1]
    for offset, kind in enumerate(("not_on_roster", "duplicate_entry"), start=1):
        row = last + offset
        for c in col.values():
            ws.cell(row, c).value = ws.cell(unit[1], c).value
        ws.cell(row, col["序号"]).value = str(len(sheet.rows) + offset)
        if kind == "not_on_roster":
            ws.cell(row, col["单位编号"]).value = f"XZ{county}{serial + 1:05d}"
            ws.cell(row, col["统一社会信用代码"]).value = valid_uscc(county, serial + 1)
            ws.cell(row, col["单位名称"]).value = "新发现的某某商店"
        result.planted.append(Planted(str(sheet.path), row, ITEMS[kind], kind))
        result.facts[(county, ERRORS_N)] += 1
