"""Fonts, borders and print setup of the workbooks people print and fill by hand (openpyxl).

The survey roster, the registration and entry forms (``canbao.forms``) and the blank data table
(``canbao.score.datatable``) share one look: SimSun, thin boxes, A4. It lives below both
packages so that neither has to import the other for it. How a table goes onto paper (page
plan, row heights) is decided in :mod:`canbao.print_layout`, shared with ``canbao score``'s
xlsxwriter workbooks; :func:`print_table` applies it here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from copy import copy
from typing import Any, Final

import polars as pl
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from canbao.print_layout import (
    A4_PAPER,
    FOOTER,
    MARGIN_BOTTOM_IN,
    MARGIN_SIDE_IN,
    MARGIN_TOP_IN,
    Orientation,
    PagePlan,
    height_for_lines,
    plan_pages,
    row_heights,
    text_height,
)

THIN: Final = Side(style="thin")
BOX: Final = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT: Final = Font(name="SimSun", size=16, bold=True)
HEAD_FONT: Final = Font(name="SimSun", size=10, bold=True)
BODY_FONT: Final = Font(name="SimSun", size=10)
WRAP: Final = Alignment(wrap_text=True, vertical="center")
CENTRE: Final = Alignment(horizontal="center", vertical="center", wrap_text=True)


def merge(ws: Worksheet, ref: str) -> None:
    """``ws.merge_cells(ref)`` for a range that overlaps no range merged on ``ws`` before.

    openpyxl's ``merge_cells`` first compares the range with every range already merged on the
    sheet (``MultiCellRange.add`` refuses one inside another), so a sheet of n merges costs
    n² / 2 comparisons: the registration forms merge 15 ranges a person, and one sheet of 1,000
    persons' forms took 120 s to write, 300 persons' 7.2 s (docs/forms.md, "How long it
    takes"). A sheet whose layout never overlaps its merges (each form's block has rows of its
    own) adds the range straight to the set, then clears the covered cells and draws the
    range's borders as ``merge_cells`` does (tests/test_merge_cells.py: the same sheet).
    """
    merged = MergedCellRange(ws, ref)
    ws.merged_cells.ranges.add(merged)
    ws._clean_merge_range(merged)


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


def style_alike(cells: Iterable[Any], apply: Callable[[Any], None]) -> None:
    """``apply(cell)`` (which sets style attributes) to every cell of ``cells``, through openpyxl
    only for the first cell of each style met: the others take that cell's resulting style.

    Setting a font, border, alignment, fill or number format looks it up in the workbook's style
    lists by hashing it; what the attributes make of a cell depends only on the style it had, so
    a cell of a style already met copies the style array that came of it (openpyxl copies
    worksheets this way). The same workbook to the byte (tests/test_style_alike.py). The body of
    a survey roster (15 columns) and entry sheet (25) of 3,000 persons looked styles up 480,000
    times, four a cell.
    """
    became: dict[tuple[int, ...], Any] = {}
    for cell in cells:
        # A cell never styled has no style array yet; openpyxl gives it the default one.
        before = tuple(cell._style if cell._style is not None else StyleArray())
        after = became.get(before)
        if after is None:
            apply(cell)
            became[before] = copy(cell._style)
        else:
            cell._style = copy(after)


def _body_style(cell: Any) -> None:
    cell.font, cell.border, cell.alignment = BODY_FONT, BOX, WRAP
    cell.number_format = "@"


def text_body(ws: Worksheet, first_row: int, last_row: int, ncol: int) -> None:
    """Box and wrap the body cells, formatted as text (IDs and codes must not become numbers)."""
    rows = ws.iter_rows(min_row=first_row, max_row=last_row, max_col=ncol)
    style_alike((cell for row in rows for cell in row), _body_style)


def setup_print(ws: Worksheet, *, landscape: bool, title_rows: str | None) -> None:
    """A4, fit to one page wide, centred, with print titles repeated on every page (the fixed
    forms, laid out by hand to fit; tables use :func:`print_table`)."""
    _apply_plan(ws, PagePlan("landscape" if landscape else "portrait", 100))
    if title_rows:
        ws.print_title_rows = title_rows


def _apply_plan(ws: Worksheet, plan: PagePlan) -> None:
    """A4, margins, centred, page footer; fit to the page width, or the plan's scale and
    column breaks when the sheet is split across pages."""
    ws.page_setup.paperSize = A4_PAPER
    ws.page_setup.orientation = plan.orientation
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = not plan.breaks
    ws.page_setup.scale = plan.scale
    for brk in plan.breaks:
        ws.col_breaks.append(Break(id=brk))
    if plan.breaks:  # the parts of the same rows on consecutive pages
        ws.page_setup.pageOrder = "overThenDown"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = MARGIN_SIDE_IN
    ws.page_margins.top, ws.page_margins.bottom = MARGIN_TOP_IN, MARGIN_BOTTOM_IN
    ws.page_margins.header, ws.page_margins.footer = 0.3, 0.35
    ws.oddFooter.center.text = FOOTER


def column_widths(ws: Worksheet, ncol: int) -> list[float]:
    """The widths (characters) of the first ``ncol`` columns."""
    return [
        float(ws.column_dimensions[get_column_letter(c)].width or 8.43) for c in range(1, ncol + 1)
    ]


def print_table(
    ws: Worksheet,
    *,
    header_row: int,
    last_row: int,
    ncol: int,
    repeat_columns: int = 0,
    break_after: Collection[int] | None = None,
    prefer: Orientation = "landscape",
) -> PagePlan:
    """Print setup of a table with title rows above ``header_row``: the page plan of its column
    widths, the print area, the heading row repeated on every page (and the first
    ``repeat_columns`` columns on every page of a split sheet), the heading row's height."""
    plan = plan_pages(
        column_widths(ws, ncol), repeat=repeat_columns, break_after=break_after, prefer=prefer
    )
    _apply_plan(ws, plan)
    if plan.first_page_columns:  # the title and the unit line centred over the first page
        first_page = get_column_letter(plan.first_page_columns)
        for row in (1, 2):
            for merged in list(ws.merged_cells.ranges):
                if merged.min_row == row and merged.min_col == 1:
                    ws.unmerge_cells(str(merged))
            ws.merge_cells(f"A{row}:{first_page}{row}")
    last = get_column_letter(ncol)
    ws.print_area = f"A1:{last}{last_row}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    if plan.breaks and repeat_columns:
        ws.print_title_cols = f"A:{get_column_letter(repeat_columns)}"
    fit_heading_height(ws, header_row, ncol)
    return plan


def fit_heading_height(ws: Worksheet, row: int, ncol: int) -> None:
    """Make ``row`` tall enough for the wrapped headings in it."""
    widths = column_widths(ws, ncol)
    need = max(
        text_height(ws.cell(row=row, column=c).value, widths[c - 1]) for c in range(1, ncol + 1)
    )
    ws.row_dimensions[row].height = max(need, ws.row_dimensions[row].height or 0)


def fit_body_heights(ws: Worksheet, first_row: int, frame: pl.DataFrame) -> None:
    """Set the height of the rows holding ``frame`` (its columns in sheet order from column A)
    so that every wrapped text fits (a frame's width per column from the sheet)."""
    widths = column_widths(ws, frame.width)
    heights = row_heights(frame, dict(zip(frame.columns, widths, strict=True)))
    for offset, height in enumerate(heights):
        ws.row_dimensions[first_row + offset].height = height


def title_and_headings(
    ws: Worksheet, title: str, subtitle: str, headings: Sequence[tuple[str, float]], row: int
) -> None:
    """A fill-in sheet's top: the title (row 1) and a subtitle (row 2) across the table, then
    the boxed headings on ``row`` with their column widths."""
    last = get_column_letter(len(headings))
    ws["A1"] = title
    ws["A1"].font, ws["A1"].alignment = TITLE_FONT, CENTRE
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = height_for_lines(1, TITLE_FONT.size or 16)
    ws["A2"] = subtitle
    ws["A2"].font, ws["A2"].alignment = BODY_FONT, WRAP
    ws.merge_cells(f"A2:{last}2")
    ws.row_dimensions[2].height = text_height(subtitle, sum(w for _, w in headings))
    for col, (heading, width) in enumerate(headings, start=1):
        cell = ws.cell(row=row, column=col, value=heading)
        cell.font, cell.alignment, cell.border = HEAD_FONT, CENTRE, BOX
        ws.column_dimensions[get_column_letter(col)].width = width
