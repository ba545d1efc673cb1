"""The unit survey (需入户调查单位): a roster and an entry sheet per county from a match.

``canbao match --units --insured-units`` writes ``units_needing_survey.csv``: units of the market
registry that are not insured, and insured units with an invalid USCC (淮人社秘〔2017〕166号
counts both). ``canbao forms survey`` turns it into, per county, ``单位/<县区>/`` with

- ``单位入户调查名册.xlsx``: the unit items of 淮人社秘〔2017〕166号 (行政区划代码, 单位编号,
  统一社会信用代码, 单位名称, 单位类型) with 序号 and the reason, printed like the persons' roster;
- ``单位信息录入表.xlsx``: the entry sheet (``canbao.forms.unit_entry_sheet``).

A match run without units writes no such file; the forms then have no unit part.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl
from openpyxl import Workbook

from canbao import regions
from canbao.cells import neutralise_frame, text_only_workbook
from canbao.errors import InputError
from canbao.forms.survey_roster import safe_name
from canbao.forms.unit_entry_sheet import write_unit_entry_workbook
from canbao.i18n import _
from canbao.match.units import UNIT_COLUMNS
from canbao.print_layout import unit_and_date
from canbao.result_tables import find_result_table, read_result_table
from canbao.sheet_style import (
    fit_body_heights,
    print_table,
    table_head,
    text_body,
)
from canbao.shown_path import shown_path

UNITS_TABLE: Final = "units_needing_survey"
UNITS_FILE: Final = f"{UNITS_TABLE}.csv"
UNITS_DIR: Final = "单位"
UNIT_ROSTER_FILE: Final = "单位入户调查名册.xlsx"
UNIT_ENTRY_FILE: Final = "单位信息录入表.xlsx"
UNIT_INDEX_FILE: Final = "index.csv"
# The match's columns but where each unit was read from (来源文件, 行号).
UNIT_SOURCE_COLUMNS: Final = UNIT_COLUMNS[:7]
# (heading, source column in units_needing_survey, width)
UNIT_ROSTER_COLUMNS: Final = (
    ("序号", None, 6),
    ("行政区划代码", "县区", 12),
    ("单位编号", "单位编号", 15),
    ("统一社会信用代码", "统一社会信用代码", 23),
    ("单位名称", "单位名称", 34),
    ("单位类型", "单位类型", 14),
    ("调查原因", "原因", 30),
)


@dataclass(frozen=True)
class UnitGroup:
    """One county's unit survey: its code, number of units and folder (relative to the output)."""

    county: str
    units: int
    directory: str


def read_units_needing_survey(match_dir: Path) -> pl.DataFrame | None:
    """Read a match's units_needing_survey (.csv, .parquet or .xlsx) as strings; None when the
    match had no units."""
    path = find_result_table(Path(match_dir), UNITS_TABLE)
    if path is None:
        return None
    frame = read_result_table(
        path, key="统一社会信用代码", fix="rerun `canbao match --units … --insured-units …`"
    )
    missing = [c for c in UNIT_SOURCE_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            _("{path}: columns missing: {missing} (found: {found})").format(
                path=shown_path(path), missing=", ".join(missing), found=", ".join(frame.columns)
            ),
            fix=_("rerun `canbao match` with --units and --insured-units"),
        )
    return frame.select(UNIT_SOURCE_COLUMNS).with_columns(
        pl.col(c).str.strip_chars() for c in UNIT_SOURCE_COLUMNS
    )


def write_unit_roster(group: pl.DataFrame, place: str, path: Path) -> None:
    """Write one county's unit survey roster (A4 landscape, heading on every page, filter)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ncol = len(UNIT_ROSTER_COLUMNS)
    ws.title = "单位入户调查名册"
    note = unit_and_date(before=place, after=f"共 {group.height} 家单位")
    last = table_head(ws, "需入户调查单位名册", note, UNIT_ROSTER_COLUMNS)
    sources = [src for _, src, _ in UNIT_ROSTER_COLUMNS if src is not None]
    shown = group.select(sources)
    for i, values in enumerate(shown.iter_rows(), start=1):
        ws.append([i, *values])
    end = 3 + max(group.height, 1)
    text_body(ws, 4, 3 + group.height, ncol)
    fit_body_heights(ws, 4, shown.select(pl.lit("").alias("序号"), pl.all()))
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:{last}{end}"
    print_table(ws, header_row=3, last_row=end, ncol=ncol)
    text_only_workbook(wb).save(path)


def write_unit_forms(units: pl.DataFrame, staging: Path) -> list[UnitGroup]:
    """Write ``单位/<县区>/`` (roster and entry sheet) per county, and ``单位/index.csv``."""
    filled = units.with_columns(pl.col("县区").fill_null("未填写"))
    parts = sorted(
        filled.partition_by("县区", as_dict=True, maintain_order=True).items(),
        key=lambda kv: str(kv[0][0]),
    )
    shown = regions.display_names(str(key[0]) for key, _ in parts)
    written: list[UnitGroup] = []
    for key, part in parts:
        county = str(key[0])
        rel = Path(UNITS_DIR, safe_name(shown[county]))
        (staging / rel).mkdir(parents=True, exist_ok=True)
        name = regions.county_name(county)
        place = f"县区：{name}({county})" if name else f"县区：{county}"
        ordered = part.sort("单位编号", "统一社会信用代码", nulls_last=True)
        write_unit_roster(ordered, place, staging / rel / UNIT_ROSTER_FILE)
        write_unit_entry_workbook(ordered, place, staging / rel / UNIT_ENTRY_FILE)
        written.append(UnitGroup(county, part.height, rel.as_posix()))
    if written:
        index = pl.DataFrame(
            {
                "行政区划代码": [g.county for g in written],
                "县区名称": [regions.display_name(g.county) for g in written],
                "单位数": [g.units for g in written],
                "目录": [g.directory for g in written],
            },
            schema={
                "行政区划代码": pl.String,
                "县区名称": pl.String,
                "单位数": pl.Int64,
                "目录": pl.String,
            },
        )
        neutralise_frame(index).write_csv(staging / UNITS_DIR / UNIT_INDEX_FILE, include_bom=True)
    return written
