"""Workbooks (.xlsx, .xls) through calamine (fastexcel), every cell read as text.

fastexcel is called directly rather than through ``pl.read_excel`` because it reports rows
from the sheet's first row, so row numbers are Excel's own even above a title block. A number
typed into an ID cell is shown as calamine renders the float (``340621199001011328``): the
damage happened in Excel and only the check character can reveal it, so nothing is "fixed".
"""

from __future__ import annotations

from pathlib import Path

import fastexcel
import polars as pl

from canbao.errors import InputError
from canbao.i18n import _
from canbao.readfail import unreadable_file
from canbao.roster.fields import alias_index, header_key
from canbao.roster.totals import key_field, total_row
from canbao.roster.unreadable import EMPTY_LINE, TOTAL_ROW, unreadable_frame
from canbao.shown_path import shown_path
from canbao.workbook_guard import check_workbook

_HEADER_SEARCH_ROWS = 20


def load_sheet(path: Path) -> tuple[pl.DataFrame, str]:
    """Return the first sheet as strings (one column per sheet column) and its name."""
    check_workbook(path)
    try:
        reader = fastexcel.read_excel(str(path))
        names = reader.sheet_names
        if not names:
            raise InputError(
                _("{path}: the workbook has no sheet").format(path=shown_path(path)),
                fix=_("export the roster again"),
            )
        sheet = reader.load_sheet(0, header_row=None, dtypes="string")
        data = sheet.to_polars()
    except InputError:
        raise
    except Exception as exc:  # fastexcel raises its own hierarchy; all mean "cannot read it"
        raise unreadable_file(
            path,
            exc,
            fix=_("open it in Excel or WPS, check it is not password-protected, and save it again"),
        ) from exc
    return data.cast(pl.String), names[0]


def header_row(data: pl.DataFrame, kind: str) -> int:
    """Pick the header row: the earliest row (of the first 20) naming most known fields.

    Exports often carry a title block (``XX县户籍人口名册``) above the header row; those rows
    are not data. With no known header at all, the first non-empty row is the header.
    """
    index = alias_index(kind)
    best, best_hits, first_nonempty = -1, 0, -1
    for row_no, row in enumerate(data.head(_HEADER_SEARCH_ROWS).iter_rows()):
        cells = [c for c in row if c is not None and c.strip()]
        if cells and first_nonempty < 0:
            first_nonempty = row_no
        hits = len({index[k] for c in cells if (k := header_key(c)) in index})
        if hits > best_hits:
            best, best_hits = row_no, hits
    if best >= 0:
        return best
    if first_nonempty < 0:
        raise InputError(
            _("the first sheet has no content in its first {n} rows").format(n=_HEADER_SEARCH_ROWS),
            fix=_("put the roster on the workbook's first sheet, headers in the first row"),
        )
    return first_nonempty


def scan_sheet(
    data: pl.DataFrame,
    *,
    header_at: int,
    positions: dict[str, int],
    fields: tuple[str, ...],
    file_name: str,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Return (canonical frame, unreadable rows) of a sheet whose header is row ``header_at``."""
    cols = data.columns
    body = data.lazy().with_row_index("_line", offset=1).filter(pl.col("_line") > header_at + 1)
    blank = pl.all_horizontal(
        [pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in cols]
    )
    key = key_field(fields)
    key_col = pl.col(cols[positions[key]]) if key in positions else None
    body = body.with_columns(
        pl.when(blank)
        .then(pl.lit(EMPTY_LINE))
        .when(total_row([pl.col(c) for c in cols], key_col))
        .then(pl.lit(TOTAL_ROW))
        .alias("_reason")
    )
    out = [
        (pl.col(cols[positions[f]]) if f in positions else pl.lit(None, pl.String)).alias(f)
        for f in fields
    ]
    frame = body.filter(pl.col("_reason").is_null()).select(
        *out, pl.lit(file_name, pl.String).alias("_file"), pl.col("_line").cast(pl.Int64)
    )
    bad = body.filter(pl.col("_reason").is_not_null()).with_columns(
        pl.concat_str([pl.col(c).fill_null("") for c in cols], separator=",").alias("_raw")
    )
    return frame, unreadable_frame(bad, file_name)


def sheet_headers(data: pl.DataFrame, header_at: int) -> tuple[str, ...]:
    """The header cells of row ``header_at`` (empty cells as empty strings)."""
    return tuple("" if c is None else str(c) for c in data.row(header_at))
