"""Reading submissions: a long table (CSV or xlsx) or an evaluation-table workbook.

Long table: columns 县区, 指标 (an indicator's number or name, or a fact such as 实际录入人数)
and 实际值; a self-evaluation may give 自评分 instead of 实际值. An evaluation-table workbook (附件3
layout of 淮人社秘〔2017〕376号, as canbao and the forms writer produce it) has a heading row with
one 实际值 column per county; each indicator row starts with its number (``7.投入经费的数额``).
Every row keeps its file and line for messages.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from canbao.cells import restored_value
from canbao.errors import InputError
from canbao.i18n import _
from canbao.readfail import check_text_lines, unreadable_file
from canbao.score.values import clean
from canbao.shown_path import shown_path
from canbao.workbook_guard import check_workbook

COUNTY = ("县区", "县(区)", "区县", "县区名称", "地区", "单位名称", "county")
INDICATOR = ("指标", "指标编号", "序号", "项目", "考核项目", "indicator")
VALUE = ("实际值", "值", "数值", "value")
SELF = ("自评分", "自评得分", "本级自评", "self")
_LEADING_NUMBER = re.compile(r"^(\d+)\s*[.．、]")


@dataclass(frozen=True)
class Row:
    """One submitted value."""

    county: str
    key: str
    value: str
    file: str
    line: int


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


def _pick(headers: list[str], names: tuple[str, ...]) -> int | None:
    norm = [clean(h).lower() for h in headers]
    for name in names:
        if clean(name).lower() in norm:
            return norm.index(clean(name).lower())
    return None


def _decode(path: Path) -> str:
    data = check_text_lines(path)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        _("{path}: neither UTF-8 nor GB18030 text").format(path=shown_path(path)),
        fix=_("save the file as UTF-8 CSV"),
    )


def _grid(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Sheets of cells as text: one sheet for a CSV."""
    if not path.exists():
        raise InputError(
            _("{path}: no such file").format(path=shown_path(path)),
            fix=_("check the submission path"),
        )
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        reader = csv.reader(io.StringIO(_decode(path)), strict=True)
        try:
            rows = list(reader)
        except csv.Error as exc:
            raise InputError(
                _(
                    "cannot read the file {path}, line {line}: {reason} (a quote that is never "
                    "closed takes the rest of the file with it)"
                ).format(path=shown_path(path), line=reader.line_num, reason=exc),
                fix=_("close the quote or remove it, or save the file again as CSV UTF-8"),
            ) from None
        # An intake's submission.csv is canbao's own CSV: its neutralised text is undone.
        return [(path.stem, [[restored_value(_text(c)) for c in r] for r in rows])]
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        check_workbook(path)
        try:
            book = load_workbook(path, read_only=False, data_only=True)
        except Exception as exc:  # openpyxl raises several kinds for a broken file
            raise unreadable_file(
                path, exc, fix="open it in Excel or WPS and save it again"
            ) from None
        sheets = []
        for sheet in book.worksheets:
            grid = [[_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]
            sheets.append((sheet.title, grid))
        return sheets
    raise InputError(
        _("{path}: unknown format {suffix!r}").format(path=shown_path(path), suffix=suffix),
        fix=_("give a .csv or .xlsx file"),
    )


def read_submission(path: Path, *, self_scores: bool = False) -> list[Row]:
    """All rows of one submission file (long table or evaluation-table workbook)."""
    path = Path(path)
    wanted = SELF if self_scores else VALUE
    out: list[Row] = []
    for title, grid in _grid(path):
        if not grid:
            continue
        headers = grid[0]
        county, key, value = (
            _pick(headers, COUNTY),
            _pick(headers, INDICATOR),
            _pick(headers, wanted),
        )
        if self_scores and value is None:
            value = _pick(headers, ("得分",))
        if county is not None and key is not None and value is not None:
            for n, row in enumerate(grid[1:], start=2):
                cells = [*row, "", "", ""]
                if not any(cells):
                    continue
                out.append(Row(cells[county], cells[key], cells[value], path.name, n))
            continue
        out.extend(_evaluation_sheet(path, title, grid, wanted))
    if not out:
        raise InputError(
            _(
                "{path}: no rows found: expected columns 县区, 指标 and {value}, or an "
                "evaluation table with a 实际值 heading"
            ).format(path=shown_path(path), value=wanted[0]),
            fix=_("see docs/scoring.md for the submission layouts"),
        )
    return out


def _evaluation_sheet(
    path: Path, title: str, grid: list[list[str]], wanted: tuple[str, ...]
) -> list[Row]:
    targets = {clean(w) for w in wanted}
    for r, row in enumerate(grid):
        cols = [c for c, cell in enumerate(row) if clean(cell) in targets]
        if not cols:
            continue
        counties = {
            c: _county_above(grid, r, c) or _county_in_header(grid, r) or title for c in cols
        }
        out = []
        for n in range(r + 1, len(grid)):
            cells = grid[n]
            number = next(
                (
                    m.group(1)
                    for cell in cells[: min(cols)]
                    if (m := _LEADING_NUMBER.match(clean(cell)))
                ),
                None,
            )
            if number is None:
                continue
            for c in cols:
                value = cells[c] if c < len(cells) else ""
                out.append(Row(counties[c], number, value, path.name, n + 1))
        return out
    return []


def _county_above(grid: list[list[str]], r: int, c: int) -> str | None:
    if r == 0:
        return None
    above = grid[r - 1]
    if sum(1 for cell in above if clean(cell)) < 2:
        return None  # a title row, not county headings
    for cc in range(min(c, len(above) - 1), max(-1, c - 5), -1):
        text = clean(above[cc])
        if text:
            generic = {"指标", "评估等级", "评分标准", "得分", "备注", "实际值"}
            return None if text in generic else above[cc].strip()
    return None


def _county_in_header(grid: list[list[str]], r: int) -> str | None:
    for row in grid[:r]:
        for cell in row:
            m = re.search(r"(?:县区|填报单位名称|单位名称)[^:：]*[:：]\s*(\S+)", cell)
            if m:
                return m.group(1)
    return None
