"""Print layout shared by every workbook a person prints: page plans and row heights.

One place decides how a table goes onto A4 paper, for the openpyxl workbooks (forms) and the
xlsxwriter ones (``canbao score``) alike:

- **Page plan** (:func:`plan_pages`): portrait or landscape, one page wide when the table fits at
  :data:`MIN_SCALE` percent or more, else split across pages at column boundaries the table
  allows, the first columns repeated on every page (print titles), never below
  :data:`MIN_SCALE`. Widths are estimated from the column widths (Excel's character units).
- **Row heights** (:func:`text_height`, :func:`lines_expr`): the lines a wrapped text needs in
  its column, counting CJK characters full width, so that wrapped texts never overprint.

The numbers are estimates of what Excel and LibreOffice do, kept on the safe side (a little
more room than needed); ``scripts/render_forms.sh`` shows the result as printed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import polars as pl

Orientation = Literal["portrait", "landscape"]

MIN_SCALE: Final = 70  # percent: below this, a sheet is split across pages instead
MIN_FONT_PT: Final = 9
BODY_PT: Final = 10
A4_PAPER: Final = 9  # the paperSize code of A4 in SpreadsheetML
MARGIN_SIDE_IN: Final = 0.5
MARGIN_TOP_IN: Final = 0.6
MARGIN_BOTTOM_IN: Final = 0.8
# The printable width of A4 in points (595.3 x 841.9) less the side margins.
PRINTABLE_PT: Final[dict[Orientation, float]] = {
    "portrait": 595.3 - 2 * 72 * MARGIN_SIDE_IN,
    "landscape": 841.9 - 2 * 72 * MARGIN_SIDE_IN,
}
SAFETY: Final = 0.95  # widths are estimates: leave 5 % of the page free
LINE_FACTOR: Final = 1.5  # line height / font size of the CJK fonts (measured in LibreOffice's PDF)
WIDE_FACTOR: Final = 1.04  # width of a CJK character / font size, with LibreOffice's spacing
NARROW_FACTOR: Final = 0.64  # width of an ASCII character / font size (digits of the CJK fonts)
CELL_PAD_PT: Final = 4.0  # the cell's inner margins, left and right together
WRAP_SLACK: Final = 0.98  # Latin words and numbers do not break at the edge
FOOTER: Final = "第 &P 页，共 &N 页"
_WIDE: Final = re.compile(r"[^\x00-\xff]")


def column_points(width: float) -> float:
    """The printed width in points of a column ``width`` characters wide (Excel's unit: the
    width of a digit of the default font, 7 px, plus 5 px of padding)."""
    return (7 * width + 5) * 0.75


def text_points(text: str, size: float = BODY_PT) -> float:
    """The printed width of one line of text: CJK characters full width, others narrow."""
    wide = len(_WIDE.findall(text))
    return (WIDE_FACTOR * wide + NARROW_FACTOR * (len(text) - wide)) * size


def text_lines(text: object, width: float, size: float = BODY_PT) -> int:
    """The lines ``text`` takes when wrapped in a column ``width`` characters wide.

    A line of CJK characters only holds a whole number of them (2.4 characters of room hold
    2): such a text takes ``ceil(characters / per line)`` lines, never fewer.
    """
    if text is None or text == "":
        return 1
    room = max(column_points(width) - CELL_PAD_PT, size) * WRAP_SLACK
    return sum(_part_lines(part, room, size) for part in str(text).split("\n"))


def _part_lines(part: str, room: float, size: float) -> int:
    wide = len(_WIDE.findall(part))
    if part and wide == len(part):  # CJK only: whole characters per line
        per_line = max(1, math.floor(room / (WIDE_FACTOR * size)))
        return max(1, math.ceil(wide / per_line))
    return max(1, math.ceil(text_points(part, size) / room))


def height_for_lines(lines: int, size: float = BODY_PT) -> float:
    """The row height in points for ``lines`` lines of ``size`` point text."""
    return round(lines * size * LINE_FACTOR + 4, 1)


def text_height(text: object, width: float, size: float = BODY_PT) -> float:
    """The row height in points that shows ``text`` wrapped in a column ``width`` wide."""
    return height_for_lines(text_lines(text, width, size), size)


def lines_expr(column: str, width: float, size: float = BODY_PT) -> pl.Expr:
    """:func:`text_lines` of a string column as a Polars expression (single-line texts)."""
    text = pl.col(column).fill_null("").cast(pl.String)
    wide = text.str.count_matches(r"[^\x00-\xff]")
    narrow = text.str.len_chars() - wide
    points = (WIDE_FACTOR * wide.cast(pl.Float64) + NARROW_FACTOR * narrow.cast(pl.Float64)) * size
    room = max(column_points(width) - CELL_PAD_PT, size) * WRAP_SLACK
    per_line = max(1, math.floor(room / (WIDE_FACTOR * size)))
    cjk_only = (narrow == 0) & (wide > 0)
    lines = pl.when(cjk_only).then(wide.cast(pl.Float64) / per_line).otherwise(points / room)
    return lines.ceil().clip(lower_bound=1).cast(pl.Int64).alias(column)


def row_heights(
    frame: pl.DataFrame, widths: dict[str, float], size: float = BODY_PT
) -> list[float]:
    """The height of every row of ``frame`` printed in columns of the given widths."""
    if frame.height == 0:
        return []
    lines = frame.select(
        pl.max_horizontal(lines_expr(c, w, size) for c, w in widths.items()).alias("n")
    )["n"]
    # One height per distinct number of lines (a few), not a Python call per row.
    heights = {n: height_for_lines(n, size) for n in lines.unique().to_list()}
    return lines.replace_strict(heights, return_dtype=pl.Float64).to_list()


@dataclass(frozen=True)
class PagePlan:
    """How a sheet prints: orientation, scale, and the column breaks of a split sheet.

    ``breaks`` holds, for each vertical page break, the number of columns before it (the
    SpreadsheetML break id); empty means one page wide, printed fit to the page width.
    """

    orientation: Orientation
    scale: int
    breaks: tuple[int, ...] = ()

    @property
    def first_page_columns(self) -> int | None:
        """Columns on the first page of a split sheet (its title is centred over them); None
        when the sheet is one page wide."""
        return self.breaks[0] if self.breaks else None

    @property
    def pages_across(self) -> int:
        """Pages side by side that one band of rows takes."""
        return len(self.breaks) + 1


def _pack(
    points: Sequence[float], repeat: int, allowed: Collection[int], room: float
) -> tuple[int, ...] | None:
    """Column breaks so that each page (repeated columns + its own) fits ``room``: every page
    ends at the furthest allowed break that fits; None when some page cannot fit."""
    fixed = sum(points[:repeat])
    ends = sorted({*allowed, len(points)})
    breaks: list[int] = []
    start = 0
    while True:
        extra = fixed if start else 0.0
        fit = [e for e in ends if e > start and extra + sum(points[start:e]) <= room]
        if not fit:
            return None
        if fit[-1] == len(points):
            return tuple(breaks)
        breaks.append(fit[-1])
        start = fit[-1]


def plan_pages(
    widths: Sequence[float],
    *,
    repeat: int = 0,
    break_after: Collection[int] | None = None,
    prefer: Orientation = "portrait",
) -> PagePlan:
    """Choose orientation, scale and column breaks for columns of ``widths`` (characters).

    Fewest pages across wins, then a scale of 85 % or more, then ``prefer``. A split sheet
    breaks only after the columns counted in ``break_after`` (all, when None), repeating the
    first ``repeat`` columns. Raises ``ValueError`` when no split keeps the scale at
    :data:`MIN_SCALE` (a column wider than a page: a layout bug, not a user error).
    """
    points = [column_points(w) for w in widths]
    allowed = set(range(repeat + 1, len(widths))) if break_after is None else set(break_after)
    plans: list[PagePlan] = []
    for orientation in ("portrait", "landscape"):
        room = PRINTABLE_PT[orientation] * SAFETY
        whole = math.floor(100 * room / sum(points))
        if whole >= MIN_SCALE:
            plans.append(PagePlan(orientation, min(100, whole)))
            continue
        split = [
            PagePlan(orientation, scale, found)
            for scale in range(100, MIN_SCALE - 1, -5)
            if (found := _pack(points, repeat, allowed, room * 100 / scale)) is not None
        ]
        if split:
            fewest = min(p.pages_across for p in split)
            plans.append(max((p for p in split if p.pages_across == fewest), key=_scale))
    if not plans:
        raise ValueError(f"columns {list(widths)} do not print at {MIN_SCALE} % or more")
    return min(
        plans,
        key=lambda p: (
            p.pages_across,
            -min(p.scale, 85),
            p.orientation != prefer,
            -p.scale,
        ),
    )


def _scale(plan: PagePlan) -> int:
    return plan.scale


def apply_to_xlsxwriter(
    ws: Any,
    plan: PagePlan,
    *,
    title_rows: tuple[int, int] | None,
    repeat_columns: int = 0,
    area: tuple[int, int, int, int] | None = None,
) -> None:
    """Page setup of an xlsxwriter worksheet (0-based rows and columns): A4, the plan's
    orientation and scale (fit to width when one page wide), print titles, footer."""
    ws.set_paper(A4_PAPER)
    if plan.orientation == "landscape":
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(
        left=MARGIN_SIDE_IN, right=MARGIN_SIDE_IN, top=MARGIN_TOP_IN, bottom=MARGIN_BOTTOM_IN
    )
    ws.center_horizontally()
    if plan.breaks:
        ws.set_print_scale(plan.scale)
        ws.set_v_pagebreaks(list(plan.breaks))
        ws.print_across()  # the parts of the same rows on consecutive pages
    else:
        ws.fit_to_pages(1, 0)
    if title_rows is not None:
        ws.repeat_rows(*title_rows)
    if repeat_columns:
        ws.repeat_columns(0, repeat_columns - 1)
    if area is not None:
        ws.print_area(*area)
    ws.set_footer(f"&C{FOOTER}")


DATE_BLANK: Final = "填报日期：　　　　年　　月　　日"


def unit_and_date(*, before: str = "", after: str = "") -> str:
    """The line under a table's title: ``before`` (the place of a form), ``填报单位（章）：``
    and ``填报日期：`` left blank to be written by hand when the sheet is signed off, with
    ``after`` (a count) between them."""
    unit = "填报单位（章）：" + "　" * 8
    return "　　".join(x for x in (before, unit, after, DATE_BLANK) if x)


@dataclass(frozen=True)
class PlacedText:
    """A text placed in rows ``first_row..last_row`` and columns ``first_col..last_col``."""

    first_row: int
    last_row: int
    first_col: int
    last_col: int
    text: str
    size: float = BODY_PT


def fit_heights(placed: Sequence[PlacedText], widths: Sequence[float]) -> dict[int, float]:
    """Row heights that show every placed text wrapped in its (merged) columns: single rows
    first, then a merged range of rows short of room gets the shortfall spread over its rows."""
    heights: dict[int, float] = {}
    for p in placed:
        if p.first_row == p.last_row:
            width = _span_width(widths, p.first_col, p.last_col)
            need = text_height(p.text, width, p.size)
            heights[p.first_row] = max(heights.get(p.first_row, 0.0), need)
    for p in placed:
        if p.first_row == p.last_row:
            continue
        rows = range(p.first_row, p.last_row + 1)
        need = text_height(p.text, _span_width(widths, p.first_col, p.last_col), p.size)
        have = sum(heights.get(r, height_for_lines(1)) for r in rows)
        if need > have:
            extra = (need - have) / len(rows)
            for r in rows:
                heights[r] = round(heights.get(r, height_for_lines(1)) + extra, 1)
    return heights


def _span_width(widths: Sequence[float], first: int, last: int) -> float:
    """The width in characters of merged columns (their points, back in characters)."""
    if first == last:
        return widths[first]
    points = sum(column_points(w) for w in widths[first : last + 1])
    return (points / 0.75 - 5) / 7


class XlsxTable:
    """An xlsxwriter worksheet written cell by cell, remembering each text so that the rows can
    be sized to fit (:meth:`fit_rows`) once everything is written. Rows and columns are 0-based."""

    def __init__(self, ws: Any, widths: Sequence[float]) -> None:
        self.ws = ws
        self.widths = list(widths)
        self.placed: list[PlacedText] = []
        for col, width in enumerate(self.widths):
            ws.set_column(col, col, width)

    def put(
        self,
        row: int,
        col: int,
        value: object,
        fmt: Any,
        *,
        to_row: int | None = None,
        to_col: int | None = None,
        size: float = BODY_PT,
    ) -> None:
        """Write ``value`` (merging up to ``to_row``/``to_col`` when given) and remember it."""
        last_row, last_col = (
            to_row if to_row is not None else row,
            to_col if to_col is not None else col,
        )
        if (last_row, last_col) != (row, col):
            self.ws.merge_range(row, col, last_row, last_col, value, fmt)
        else:
            self.ws.write(row, col, value, fmt)
        if value is not None and value != "":
            self.placed.append(PlacedText(row, last_row, col, last_col, str(value), size))

    def fit_rows(self) -> None:
        """Set every written row's height from its texts."""
        for row, height in sorted(fit_heights(self.placed, self.widths).items()):
            self.ws.set_row(row, height)


def xlsx_formats(book: Any, **boxed: dict[str, Any]) -> dict[str, Any]:
    """The xlsxwriter formats every printed table shares: a 16 pt title, the 填报单位 line and
    SimSun 10 pt boxed, wrapped headings and cells; ``boxed`` adds (or overrides) named formats
    as properties on top of the boxed cell, e.g. ``num={"num_format": "0"}``."""
    base = {"font_name": "SimSun", "font_size": BODY_PT, "valign": "vcenter"}
    cell = {**base, "border": 1, "text_wrap": True}
    shared = {
        "title": {**base, "bold": True, "font_size": 16, "align": "center"},
        "line": {**base, "text_wrap": True},
        "head": {**cell, "bold": True, "align": "center"},
        "cell": cell,
    }
    shared |= {name: {**cell, **props} for name, props in boxed.items()}
    return {name: book.add_format(props) for name, props in shared.items()}
