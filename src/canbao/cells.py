"""No formula ever leaves canbao: text cells neutralised for CSV, written as text in xlsx.

A name, address or place from a police export can be written ``=HYPERLINK("http://…"&A2,"…")``;
a spreadsheet that opens a file holding it verbatim runs it (OWASP, "CSV Injection"). So:

- **CSV**: a text cell that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets
  a leading ``'`` (:func:`neutralise_text`), as OWASP advises. A bare ``-`` (the placeholder of
  an empty value) and negative numbers (``-12``, ``-3.5``) are left alone: Excel reads them as
  text and a number, never as a formula. A text that already begins with ``'`` followed, after
  any further ``'``, by one of those characters gets one more ``'``, so :func:`restore_text`
  (drop one leading ``'`` from such text) gives back exactly what was neutralised, whatever it was.
- **xlsx**: text is always a string cell, never a formula, and a text that begins with one of
  those characters carries Excel's quote-prefix style (``quotePrefix``), which marks the cell as
  text without showing an apostrophe: a printed form shows the value as it was, and a clerk who
  edits the cell does not turn it into a formula. :class:`canbao.text_workbook.TextWorkbook`
  (xlsxwriter), :mod:`canbao.xlsx_stream` (rows written as XML by Polars) and
  :func:`text_only_workbook` (openpyxl) do it.

Both are whole-column Polars expressions or whole-workbook passes; nothing is decided per row in
the roster code.
"""

from __future__ import annotations

import re
from typing import Any, Final, TypeVar

import polars as pl

# What makes a spreadsheet read a cell as a formula (or, for tab and CR, hide that it is one).
FORMULA_STARTS: Final = "=+-@\t\r"
_START_CLASS: Final = r"[=+\-@\t\r]"
# Text neutralise_text prefixes: it begins, after any run of apostrophes, with a formula
# character, unless it is the placeholder "-" or a negative number (-12, -3.5). One regex, as
# Rust's has no look-ahead: the "-" branches spell out "a - not followed by a number and the end".
_NEEDS_QUOTE: Final = (
    r"^(?:'*[=+@\t\r]|'+-|-[^0-9]|-[0-9]+[^0-9.]|-[0-9]+\.$|-[0-9]+\.[^0-9]|-[0-9]+\.[0-9]+[^0-9])"
)
# Text restore_text un-prefixes: the image of neutralise_text that got a quote.
_QUOTED: Final = rf"^'+{_START_CLASS}"
_NEEDS_QUOTE_RE: Final = re.compile(_NEEDS_QUOTE)
_QUOTED_RE: Final = re.compile(_QUOTED)
FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def neutralise_text(text: pl.Expr) -> pl.Expr:
    """A String expression with a leading ``'`` on every value a spreadsheet could run."""
    quote = text.str.contains(_NEEDS_QUOTE)
    # name.keep: the result is named after the column, also when ``text`` selects several.
    return pl.when(quote).then(pl.lit("'") + text).otherwise(text).name.keep()


def restore_text(text: pl.Expr) -> pl.Expr:
    """Undo :func:`neutralise_text`: drop the leading ``'`` it added."""
    return pl.when(text.str.contains(_QUOTED)).then(text.str.slice(1)).otherwise(text)


def _may_need_quote(smallest: str | None, largest: str | None) -> bool:
    """Whether a column whose values lie between ``smallest`` and ``largest`` can hold a value
    that needs a quote: every formula character sorts below ``A`` and outside ``0``-``9``."""
    if smallest is None or largest is None or smallest >= "A":
        return False  # empty, or every value begins with a letter, a CJK character, ...
    return not (smallest >= "0" and largest < ":")  # not: every value begins with a digit


def neutralise_frame(frame: FrameT) -> FrameT:
    """Neutralise every String column of a frame for CSV (other columns are left as they are).

    A collected frame is searched only in the columns whose smallest and largest values leave
    room for a formula character at the start (a column of names, or of IDs and codes, does
    not), and rewritten only in the columns with a hit: the result tables of a city then cost
    two cheap passes instead of a regex and a rewrite of every column.
    """
    if isinstance(frame, pl.LazyFrame):
        return frame.with_columns(neutralise_text(pl.col(pl.String)))
    hit = _quote_masks(frame)
    return frame.with_columns(
        pl.when(mask)
        .then(pl.lit("'") + pl.col(mask.name))
        .otherwise(pl.col(mask.name))
        .alias(mask.name)
        for mask in hit
    )


def _quote_masks(frame: pl.DataFrame) -> list[pl.Series]:
    """For each String column of ``frame`` with a value that needs a quote, which values do."""
    text = pl.col(pl.String)
    bounds = frame.select(text.min().name.prefix("min:"), text.max().name.prefix("max:"))
    row = bounds.row(0, named=True) if frame.height else {}
    names = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    search = [c for c in names if _may_need_quote(row.get(f"min:{c}"), row.get(f"max:{c}"))]
    masks = frame.select(pl.col(search).str.contains(_NEEDS_QUOTE))
    return [mask for mask in masks.iter_columns() if mask.any()]


def columns_needing_quotes(frame: pl.DataFrame) -> set[str]:
    """The String columns of ``frame`` that :func:`neutralise_frame` would change: the others
    hold no value a spreadsheet could run, nor does any selection of their rows."""
    return {mask.name for mask in _quote_masks(frame)}


def restore_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Undo :func:`neutralise_frame` on a frame read back from a CSV canbao wrote."""
    return frame.with_columns(restore_text(pl.col(pl.String)))


def neutralised_value(value: str) -> str:
    """:func:`neutralise_text` for one Python string (a file name, a message)."""
    if _NEEDS_QUOTE_RE.match(value):
        return "'" + value
    return value


def restored_value(value: str) -> str:
    """:func:`restore_text` for one Python string."""
    return value[1:] if _QUOTED_RE.match(value) else value


def needs_quote_prefix(value: object) -> bool:
    """Whether an xlsx text cell gets the quote-prefix style: it begins like a formula."""
    return isinstance(value, str) and value != "" and value[0] in FORMULA_STARTS


def is_formula_text(column: pl.Expr) -> pl.Expr:
    """Whether a value read from a filled sheet is a formula (begins with ``=``, has more)."""
    return column.str.contains(r"^\s*=.")


# A formula cell in a worksheet's XML: an <f> element (<f>…</f>, <f t="shared" …/>), which
# <formula1> of a data validation is not.
FORMULA_CELL: Final = re.compile(rb"<f[\s>/]")


def text_only_workbook(book: Any) -> Any:
    """Make every formula-like cell of an openpyxl workbook a quote-prefixed text cell.

    openpyxl stores a value beginning with ``=`` as a formula; canbao's forms hold none of their
    own, so every such cell came from data. Called just before ``save``; returns the workbook.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if needs_quote_prefix(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    return book
