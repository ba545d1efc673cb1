"""The unit data-entry sheet (单位信息录入表): one row per unit needing a survey, drop-downs.

淮人社秘〔2017〕166号 二(二) names the unit items: 行政区划代码, 单位编号, 统一社会信用代码,
单位名称, 单位类型. The sheet carries them pre-filled from the match (grey), the reason the match
gave, and what the visitor records: whether the unit was visited and confirmed (是/否), a contact
and a telephone. 单位类型 and the 是/否 items are drop-downs whose lists live on sheet 代码表, as on
the persons' entry sheet; the seed prints no codes for unit types, so canbao invents none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import polars as pl
from openpyxl import Workbook

from canbao import regions
from canbao.cells import text_only_workbook
from canbao.forms.entry_sheet import CODE_SHEET, add_validations, fill_rows, write_code_sheet
from canbao.forms.form_codes import YES_NO, CodeList
from canbao.print_layout import unit_and_date
from canbao.sheet_style import print_table, table_head

UNIT_ENTRY_SHEET: Final = "单位信息录入表"
UNIT_TYPE: Final = CodeList(
    "单位类型",
    tuple(
        (label, label)
        for label in (
            "企业",
            "机关",
            "事业单位",
            "社会团体",
            "民办非企业单位",
            "基金会",
            "个体工商户",
            "农民专业合作社",
            "其他",
        )
    ),
    {"公司": "企业", "个体": "个体工商户", "合作社": "农民专业合作社", "民非": "民办非企业单位"},
)
UNIT_VISITED, UNIT_CONFIRMED = "是否入户调查", "是否确认登记"
REGION, USCC, NUMBER, NAME = "行政区划代码", "统一社会信用代码", "单位编号", "单位名称"
UNIT_REASON: Final = "调查原因"
# (heading, code list or None, width), in order.
UNIT_ENTRY_COLUMNS: Final[tuple[tuple[str, CodeList | None, int], ...]] = (
    ("序号", None, 6),
    (REGION, None, 14),
    (NUMBER, None, 15),
    (USCC, None, 23),
    (NAME, None, 30),
    (UNIT_TYPE.heading, UNIT_TYPE, 14),
    (UNIT_REASON, None, 22),
    (UNIT_VISITED, YES_NO, 8),
    (UNIT_CONFIRMED, YES_NO, 8),
    ("联系人", None, 9),
    ("联系电话", None, 13),
    ("经办人", None, 9),
    ("复核人", None, 9),
)
UNIT_HEADINGS: Final = tuple(h for h, _, _ in UNIT_ENTRY_COLUMNS)
UNIT_CODED: Final[dict[str, CodeList]] = {h: c for h, c, _ in UNIT_ENTRY_COLUMNS if c is not None}
UNIT_HEADER_ROW: Final = 3
# units_needing_survey column -> entry heading, for the pre-filled fields.
UNIT_PREFILL: Final = {
    "单位编号": NUMBER,
    "统一社会信用代码": USCC,
    "单位名称": NAME,
    "单位类型": UNIT_TYPE.heading,
    "原因": UNIT_REASON,
}


def unit_prefill_frame(group: pl.DataFrame) -> pl.DataFrame:
    """The entry sheet's rows for a county's units: known items filled, the rest null."""
    exprs = [
        pl.int_range(1, pl.len() + 1).cast(pl.String).alias("序号"),
        # ``340602 杜集区``: the clerk reads the name, intake keys the data on the code.
        regions.code_and_name_expr(pl.col("县区")).alias(REGION),
        *(pl.col(src).alias(dst) for src, dst in UNIT_PREFILL.items()),
    ]
    frame = group.select(exprs)
    missing = [h for h in UNIT_HEADINGS if h not in frame.columns]
    return frame.with_columns(pl.lit(None, dtype=pl.String).alias(h) for h in missing).select(
        UNIT_HEADINGS
    )


def write_unit_entry_workbook(group: pl.DataFrame, place: str, path: Path) -> None:
    """Write the unit entry workbook of one county (录入表 first, then the code lists)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ranges = write_code_sheet(wb.create_sheet(CODE_SHEET), UNIT_CODED)
    ws.title = UNIT_ENTRY_SHEET
    note = unit_and_date(before=place) + "　　灰底为比对结果预填，请按入户调查结果核实录入"
    last_col = table_head(
        ws, "全民参保登记单位信息录入表", note, UNIT_ENTRY_COLUMNS, UNIT_HEADER_ROW
    )
    prefilled = {REGION, "序号", *UNIT_PREFILL.values()}
    last_row = fill_rows(ws, unit_prefill_frame(group), UNIT_HEADER_ROW, prefilled)
    add_validations(ws, ranges, last_row, UNIT_HEADINGS, UNIT_HEADER_ROW + 1)
    ws.freeze_panes = ws.cell(row=UNIT_HEADER_ROW + 1, column=6)
    ws.auto_filter.ref = f"A{UNIT_HEADER_ROW}:{last_col}{last_row}"
    print_table(ws, header_row=UNIT_HEADER_ROW, last_row=last_row, ncol=len(UNIT_HEADINGS))
    text_only_workbook(wb).save(path)
