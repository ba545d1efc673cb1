"""The two small files a progress report reads besides the register (docs/database.md).

- **Resident population** (``--population``): CSV or xlsx, a heading row with a county column
  (县区 / 县区代码 / 县（区）) and 常住人口 (or 常住人口数); a row per county, the county by its
  six-digit code or its name, the population a whole number. No roster holds it.
- **Entered by hand** (``--manual``): CSV or xlsx with 县区, 项目 and 值. 县区 is a county
  (code or name) or 合计 / empty for the whole area; 项目 is a column of the progress table
  answered by hand (its number 1-32 or its heading) with any text as 值 (是, 否, 12.5 …), or
  rates 3 and 4: the count 已完成跨地市信息比对人数 / 已完成跨省信息比对人数 (over the population),
  or column 15 / 16 as a percentage (100%, for a province with its data in one place).

Every problem names the file, the row, the column and the value, Chinese first (exit 3).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Final

from canbao import regions
from canbao.errors import InputError
from canbao.i18n import _
from canbao.progress._rates import CROSS_CITY, CROSS_PROVINCE, RATES, percent
from canbao.progress._template import BY_NUMBER, COLUMNS
from canbao.readfail import check_text_lines, unreadable_file
from canbao.workbook_guard import check_workbook

COUNTY: Final = ("县区", "县区代码", "县（区）", "县(区)", "区县", "county")
POPULATION: Final = ("常住人口", "常住人口数", "population")
ITEM: Final = ("项目", "栏", "指标", "item")
VALUE: Final = ("值", "填报值", "实际值", "value")
AREA_WORDS: Final = ("", "合计", "全市", "全区")
Unit = str | None  # a county code, or None for the whole area


def _cells(path: Path) -> list[list[str]]:
    """The first sheet (or the CSV) as rows of stripped text."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(
            _("no such file: {path}").format(path=path), fix=_("check the path and the file name")
        )
    if suffix in (".csv", ".txt"):
        data = check_text_lines(path)
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InputError(
                _("{path}: neither UTF-8 nor GB18030 text").format(path=path),
                fix=_("save the file as UTF-8 CSV"),
            )
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        check_workbook(path)
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several kinds for a broken file
            raise unreadable_file(path, exc, fix="用 Excel 或 WPS 打开后重新保存") from None
        rows = book.worksheets[0].iter_rows(values_only=True)
        grid = [["" if c is None else _number_text(c) for c in row] for row in rows]
        book.close()
        return grid
    raise InputError(
        _("{path}: unknown format {suffix!r}").format(path=path, suffix=suffix),
        fix=_("give a .csv or .xlsx file"),
    )


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column(path: Path, heads: list[str], names: tuple[str, ...]) -> int:
    for name in names:
        if name in heads:
            return heads.index(name)
    raise InputError(
        _("{path}: no {column} column in row 1 (found: {found})").format(
            path=path, column=names[0], found=", ".join(h for h in heads if h) or _("none")
        ),
        fix=_("write the heading {column} in row 1 (or one of: {others})").format(
            column=names[0], others=", ".join(names[1:])
        ),
    )


def _unit(text: str, where: str, area: list[str]) -> Unit:
    if text in AREA_WORDS:
        return None
    return regions.county_code(text, within=area, where=where)


def read_population(path: Path, *, area: list[str] | None = None) -> dict[str, int]:
    """County code -> resident population, from the file described in the module docstring."""
    grid = [row for row in _cells(Path(path)) if any(row)]
    if not grid:
        raise InputError(
            _("{path}: the file is empty").format(path=path),
            fix=_("write a row of headings and one row per county"),
        )
    heads = grid[0]
    county, people = _column(path, heads, COUNTY), _column(path, heads, POPULATION)
    out: dict[str, int] = {}
    for line, row in enumerate(grid[1:], start=2):
        cells = [*row, "", ""]
        where = _("{file}, line {line}").format(file=path, line=line)
        code = _unit(cells[county], where, area or [])
        if code is None:
            continue  # an area total row: the area's population is the counties' sum
        text = cells[people].replace(",", "")
        if not text.isdigit():
            raise InputError(
                _("{where}: {column}: {value!r} is not a whole number of persons").format(
                    where=where, column=heads[people], value=cells[people]
                ),
                fix=_("write a whole number of persons, such as 318000"),
            )
        if code in out:
            raise InputError(
                _("{where}: the county {county} is given twice").format(
                    where=where, county=cells[county]
                ),
                fix=_("write one row per county"),
            )
        out[code] = int(text)
    if not out:
        raise InputError(
            _("{path}: no county's resident population").format(path=path),
            fix=_("write one row per county"),
        )
    return out


@dataclass
class Manual:
    """What was entered by hand, per unit (a county code, or None for the area)."""

    cells: dict[Unit, dict[int, str]] = field(default_factory=dict)
    counts: dict[Unit, dict[str, int]] = field(default_factory=dict)
    rates: dict[Unit, dict[int, Fraction]] = field(default_factory=dict)


_COUNTED: Final = {CROSS_CITY: 3, CROSS_PROVINCE: 4}
_BY_HEADING: Final = {c.heading: c.number for c in COLUMNS}


def read_manual(path: Path, *, area: list[str] | None = None) -> Manual:
    """The hand-entered columns and rates 3 and 4 (module docstring)."""
    grid = [row for row in _cells(Path(path)) if any(row)]
    manual = Manual()
    if not grid:
        return manual
    heads = grid[0]
    cols = [_column(path, heads, names) for names in (COUNTY, ITEM, VALUE)]
    for line, row in enumerate(grid[1:], start=2):
        unit_text, item, value = ([*row, "", "", ""][c] for c in cols)
        where = _("{file}, line {line}").format(file=path, line=line)
        unit = _unit(unit_text, where, area or [])
        if item in _COUNTED:
            text = value.replace(",", "")
            if not text.isdigit():
                raise InputError(
                    _("{where}: {column}: {value!r} is not a whole number of persons").format(
                        where=where, column=item, value=value
                    ),
                    fix=_("write a whole number of persons, such as 318000"),
                )
            manual.counts.setdefault(unit, {})[item] = int(text)
            continue
        number = _item_number(item, where)
        rate = BY_NUMBER[number].rate
        if rate is None:
            manual.cells.setdefault(unit, {})[number] = value
        elif rate in (3, 4) and (given := percent(value)) is not None:
            manual.rates.setdefault(unit, {})[rate] = given
        else:
            raise InputError(
                _(
                    "{where}: column {number} {heading}: {value!r} cannot be entered by hand "
                    "(a computed rate; only columns 15 and 16 take a percentage)"
                ).format(
                    where=where, number=number, heading=BY_NUMBER[number].heading, value=value
                ),
                fix=_(
                    "delete this row; write columns 15 and 16 as a percentage (such as 100%) "
                    "or as the counts"
                ),
            )
    return manual


def _item_number(item: str, where: str) -> int:
    if item.isdigit() and int(item) in BY_NUMBER:
        return int(item)
    if item in _BY_HEADING:
        return _BY_HEADING[item]
    raise InputError(
        _("{where}: the item (项目) {item!r} is not a column of the progress table").format(
            where=where, item=item
        ),
        fix=_(
            "write a column number 1-32 (there is no 26) or a column name, or {counted}; the "
            "columns that can be entered: {columns} and the hand-filled ones"
        ).format(
            counted=", ".join(_COUNTED),
            columns=", ".join(str(s.column) for s in RATES if s.number in (3, 4)),
        ),
    )
