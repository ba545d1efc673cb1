"""Native Excel charts under a printed table (xlsxwriter), for the workbooks officials open.

The charts of ``canbao report`` also appear where officials look for them: under the task
table (survey load and enrolment by county), the ranking (review against self) and the fees
of the evaluation workbook. Each chart reads the table's own cells (no hidden copy of the
numbers), sits below the table as wide as it, and the sheet's print area grows to hold it, so
it prints on the page with its table. Colours are the report's (:mod:`canbao.report._svg`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

PALETTE: Final = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
CHART_HEIGHT_PX: Final = 280
DEFAULT_ROW_PX: Final = 20  # a row of the default height (15 pt)
FONT: Final = {"name": "SimSun", "size": 9}
# Past these, values over neighbouring columns would overprint each other.
LABELLED_SERIES: Final = 2
LABELLED_BARS: Final = 24


@dataclass(frozen=True)
class ChartSpec:
    """A clustered column chart of table rows ``first_row..last_row`` (0-based): categories
    from ``category_col``, one series per (name, column)."""

    title: str
    first_row: int
    last_row: int
    category_col: int
    series: Sequence[tuple[str, int]]
    number_format: str = "General"
    axis_format: str = "General"


def _ref(sheet: str, row: int, col: int, last_row: int | None = None) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell  # loaded with the workbook being written

    first = xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)
    quoted = "'" + sheet.replace("'", "''") + "'"
    if last_row is None:
        return f"={quoted}!{first}"
    last = xl_rowcol_to_cell(last_row, col, row_abs=True, col_abs=True)
    return f"={quoted}!{first}:{last}"


def _labels(spec: ChartSpec) -> dict[str, Any]:
    """Values over the columns while they have room (the numbers are in the table above)."""
    bars = len(spec.series) * (spec.last_row - spec.first_row + 1)
    if len(spec.series) > LABELLED_SERIES or bars > LABELLED_BARS:
        return {"value": False}
    return {"value": True, "num_format": spec.number_format, "font": FONT}


def table_width_px(widths: Sequence[float]) -> int:
    """The width in pixels of columns ``widths`` characters wide (Excel: 7 px a digit + 5)."""
    return int(sum(7 * w + 5 for w in widths))


def charts_below(
    book: Any, ws: Any, specs: Sequence[ChartSpec], *, at_row: int, widths: Sequence[float]
) -> int:
    """Insert each chart under the previous one from row ``at_row``; return the last row used."""
    row = at_row
    rows_per_chart = math.ceil(CHART_HEIGHT_PX / DEFAULT_ROW_PX) + 1
    for spec in specs:
        if spec.last_row < spec.first_row:
            continue
        chart = book.add_chart({"type": "column"})
        labels = _labels(spec)
        for index, (name, col) in enumerate(spec.series):
            colour = PALETTE[index % len(PALETTE)]
            chart.add_series(
                {
                    "name": name,
                    "categories": _ref(ws.name, spec.first_row, spec.category_col, spec.last_row),
                    "values": _ref(ws.name, spec.first_row, col, spec.last_row),
                    "fill": {"color": colour},
                    "border": {"none": True},
                    "data_labels": labels,
                }
            )  # fmt: skip
        chart.set_title({"name": spec.title, "name_font": {**FONT, "size": 11, "bold": True}})
        chart.set_x_axis({"num_font": FONT})
        grid = {"visible": True, "line": {"color": "#D9D9D9"}}
        chart.set_y_axis(
            {"num_font": FONT, "num_format": spec.axis_format, "major_gridlines": grid}
        )
        chart.set_legend({"position": "bottom", "font": FONT})
        chart.set_size({"width": table_width_px(widths), "height": CHART_HEIGHT_PX})
        ws.insert_chart(row, 0, chart, {"x_offset": 0, "y_offset": 4, "object_position": 1})
        row += rows_per_chart
    return row - 1
