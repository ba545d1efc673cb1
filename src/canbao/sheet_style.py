"""Fonts, borders and print setup of the workbooks people print and fill by hand.

The survey roster, the registration and entry forms (``canbao.forms``) and the blank data table
(``canbao.score.datatable``) share one look: SimSun, thin boxes, A4 fit to one page wide. It
lives below both packages so that neither has to import the other for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

THIN: Final = Side(style="thin")
BOX: Final = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT: Final = Font(name="SimSun", size=16, bold=True)
HEAD_FONT: Final = Font(name="SimSun", size=10, bold=True)
BODY_FONT: Final = Font(name="SimSun", size=10)
WRAP: Final = Alignment(wrap_text=True, vertical="center")
CENTRE: Final = Alignment(horizontal="center", vertical="center", wrap_text=True)


def boxed_cell(ws: Worksheet, row: int, col: int, value: object, *, bold: bool = False) -> None:
    """Write one boxed table cell: headings bold and centred, the first column wrapped left."""
    cell = ws.cell(row=row, column=col, value=value)
    cell.font = HEAD_FONT if bold else BODY_FONT
    cell.alignment = CENTRE if bold or col > 1 else WRAP
    cell.border = BOX


def table_head(
    ws: Worksheet, title: str, note: str, columns: Sequence[tuple[str, Any, int]], row: int = 3
) -> str:
    """``title_and_headings`` for a column table of ``(heading, anything, width)``; return the
    last column's letter."""
    title_and_headings(ws, title, note, [(heading, width) for heading, _, width in columns], row)
    last: str = get_column_letter(len(columns))
    return last


def text_body(ws: Worksheet, first_row: int, last_row: int, ncol: int) -> None:
    """Box and wrap the body cells, formatted as text (IDs and codes must not become numbers)."""
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=ncol):
        for cell in row:
            cell.font, cell.border, cell.alignment = BODY_FONT, BOX, WRAP
            cell.number_format = "@"


def setup_print(ws: Worksheet, *, landscape: bool, title_rows: str | None) -> None:
    """A4, fit to one page wide, centred, with print titles repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.8
    ws.page_margins.header, ws.page_margins.footer = 0.3, 0.35
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def title_and_headings(
    ws: Worksheet, title: str, subtitle: str, headings: Sequence[tuple[str, float]], row: int
) -> None:
    """A fill-in sheet's top: the title (row 1) and a subtitle (row 2) across the table, then
    the boxed headings on ``row`` with their column widths."""
    last = get_column_letter(len(headings))
    ws["A1"] = title
    ws["A1"].font, ws["A1"].alignment = TITLE_FONT, CENTRE
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = subtitle
    ws["A2"].font = BODY_FONT
    ws.merge_cells(f"A2:{last}2")
    for col, (heading, width) in enumerate(headings, start=1):
        cell = ws.cell(row=row, column=col, value=heading)
        cell.font, cell.alignment, cell.border = HEAD_FONT, CENTRE, BOX
        ws.column_dimensions[get_column_letter(col)].width = width
