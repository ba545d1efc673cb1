"""The lists for field teams: one xlsx per county, IDs stored as text.

A match writes, beside its CSV or Parquet tables (the machine formats), ``lists/<县区>/`` with

- ``需入户调查人员名单.xlsx``: the county's rows of needs_survey (the survey's visits);
- ``应参未参人员名单.xlsx``: the county's rows of uninsured (the agencies' enrolment drive, 扩面);
- ``需入户调查单位名单.xlsx``: the county's rows of units_needing_survey (when units were matched).

Every cell is a text cell formatted ``@``: 公民身份号码, 人员编号, 统一社会信用代码 and the codes
open in Excel or WPS exactly as written (a number column would turn ``340602197506257424`` into
``3.40602197506257E+17`` and round 16-digit 人员编号). A county whose list passes Excel's
1,048,576 rows gets a workbook per township (``需入户调查人员名单_<乡镇>.xlsx``), a township
that passes it one per village. Each sheet has a title, the county and count line, the headings
frozen, filtered and repeated on every printed page, A4 landscape (:mod:`canbao.print_layout`).
These lists carry names and IDs, as the survey needs; they are for the county's field teams only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import polars as pl

from canbao import regions
from canbao.match.writers import EXCEL_MAX_ROWS
from canbao.print_layout import apply_to_xlsxwriter, plan_pages, row_heights

LISTS_DIR: Final = "lists"
NO_COUNTY: Final = "县区不明"
HEAD_ROW: Final = 2
# What each list is called, by the match table it comes from.
LIST_TITLES: Final = {
    "needs_survey": "需入户调查人员名单",
    "uninsured": "应参未参人员名单",
    "units_needing_survey": "需入户调查单位名单",
}
PLACE_KEYS: Final = ("乡镇(街道)", "村(社区)")  # a list too long for one sheet splits by these
# Column widths in characters: IDs on one line (a USCC's capitals are wider than digits),
# places, addresses and reasons wide; others 8.
WIDTHS: Final = {
    "县区": 8.0,
    "乡镇(街道)": 12.0,
    "村(社区)": 12.0,
    "人员编号": 19.0,
    "姓名": 8.0,
    "性别": 5.0,
    "公民身份号码": 21.0,
    "出生日期": 11.0,
    "个人身份": 11.0,
    "户口性质": 10.0,
    "户口所在地": 20.0,
    "常住地址": 30.0,
    "现参保险种": 10.0,
    "原因代码": 14.0,
    "原因": 22.0,
    "统一社会信用代码": 25.0,
    "单位编号": 18.0,
    "单位类型": 13.0,
    "单位名称": 30.0,
    "来源文件": 20.0,
    "名册": 10.0,
    "类别代码": 22.0,
    "类别": 22.0,
    # canbao changes (canbao.changes): the list, the direction and the reason of a change.
    "名单": 14.0,
    "变动": 6.0,
    "变动原因": 16.0,
}


def folder_name(text: str) -> str:
    """A county's name as a folder name (GB/T 2260 names are safe; anything else is cleaned)."""
    cleaned = re.sub(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+', "_", text).strip("._ ")
    return cleaned or "_"


def _parts(frame: pl.DataFrame, depth: int = 0) -> list[tuple[str, pl.DataFrame]]:
    """The frame, or its parts by township (then village) while a part passes Excel's rows."""
    if frame.height <= EXCEL_MAX_ROWS or depth >= len(PLACE_KEYS):
        return [("", frame)]
    key = PLACE_KEYS[depth]
    out: list[tuple[str, pl.DataFrame]] = []
    groups = frame.with_columns(pl.col(key).fill_null("未填写")).partition_by(
        key, as_dict=True, maintain_order=True
    )
    for (place,), part in groups.items():
        for sub, piece in _parts(part, depth + 1):
            out.append(("_".join(x for x in (folder_name(str(place)), sub) if x), piece))
    return out


def write_county_lists(
    tables: Mapping[str, pl.DataFrame | pl.LazyFrame], out: Path
) -> dict[str, Path]:
    """Write every county's lists under ``out/lists``; return them by ``lists/<县区>/<file>``.

    A table is read county by county (a scan of staged parts too: one county held at a time).
    """
    written: dict[str, Path] = {}
    present = {n: t.lazy() for n, t in tables.items() if n in LIST_TITLES}
    # Each table's counties in the order they come (the tables are sorted by county).
    queries = [t.select(pl.col("县区").unique(maintain_order=True)) for t in present.values()]
    found = dict(zip(present, pl.collect_all(queries), strict=True))
    codes = {c for t in found.values() for c in t.get_column("县区").drop_nulls().to_list()}
    names = regions.display_names(codes)
    for name, table in present.items():
        title = LIST_TITLES[name]
        kind = table.collect_schema()["县区"]
        for code in found[name].get_column("县区").to_list():
            county = table.filter(pl.col("县区").eq_missing(pl.lit(code, kind))).collect()
            shown = NO_COUNTY if code is None else names[str(code)]
            folder = out / LISTS_DIR / folder_name(shown)
            folder.mkdir(parents=True, exist_ok=True)
            label = shown if code is None else f"{shown}（{code}）"
            for place, part in _parts(county):
                path = folder / (f"{title}_{place}.xlsx" if place else f"{title}.xlsx")
                write_list(
                    part, path, title, f"县（区）：{label}" + (f"　{place}" if place else "")
                )
                written[path.relative_to(out).as_posix()] = path
    return written


def _formats(book: Any) -> dict[str, Any]:
    base = {"font_name": "SimSun", "font_size": 10, "valign": "vcenter"}
    return {
        "title": book.add_format({**base, "bold": True, "font_size": 16}),
        "line": book.add_format(base),
        "head": book.add_format(
            {**base, "bold": True, "border": 1, "align": "center", "text_wrap": True}
        ),
        "text": book.add_format({**base, "border": 1, "num_format": "@", "text_wrap": True}),
    }


def write_list(frame: pl.DataFrame, path: Path, title: str, place: str) -> None:
    """One list as a workbook: title, place and count, headings, every cell text.

    The rows go into the sheet as XML that Polars builds (:mod:`canbao.xlsx_stream`), each as
    tall as its wrapped text; xlsxwriter writes what stands above them and the page setup. Cell
    by cell through xlsxwriter the lists of 1 M persons took 12-14 s, of 10 M about 350 s
    (docs/performance-measurements.md, twelfth round).
    """
    from canbao.xlsx_stream import SheetTop, write_workbook

    frame = frame.select(pl.all().cast(pl.String))  # every cell text: a line number too
    widths = [WIDTHS.get(c, 8.0) for c in frame.columns]
    last = len(widths) - 1

    def layout(book: Any, ws: Any, headings: Sequence[str], rows: int) -> SheetTop:
        fmt = _formats(book)
        ws.write_string(0, 0, title, fmt["title"])
        ws.set_row(0, 28)
        ws.write_string(1, 0, f"{place}　共 {rows} 条", fmt["line"])
        ws.set_row(HEAD_ROW, 30)
        ws.write_row(HEAD_ROW, 0, list(headings), fmt["head"])
        end = HEAD_ROW + max(rows, 1)
        ws.freeze_panes(HEAD_ROW + 1, 0)
        ws.autofilter(HEAD_ROW, 0, end, last)
        apply_to_xlsxwriter(ws, plan_pages(widths, prefer="landscape"), title_rows=(2, 2))
        ws.print_area(0, 0, end, last)
        return SheetTop(HEAD_ROW + 1, fmt["text"], fmt["text"])

    # Long reasons and addresses wrap; each row as tall as its text (vectorised estimate).
    heights = row_heights(frame, dict(zip(frame.columns, widths, strict=True)))
    tall = pl.Series(heights, dtype=pl.Float64)
    write_workbook(path, [(title, frame.height)], frame, widths, layout, tall)
