"""The rows of a streamed workbook (:mod:`canbao.xlsx_stream`) as SpreadsheetML, built by Polars.

A chunk of rows becomes one ``<row>`` element per row, every cell built by column expressions:
an integer or float column a number cell, every other column text; a text cell is an inline
string, or, for a column whose values repeat within the chunk (a county, a village, a sex, a
status), an index into the workbook's shared strings (:class:`SharedStrings`), as Excel itself
writes them: the XML of a person table's row is then about two thirds as long, and a full sheet
of 1,048,575 rows stays under the 1 GiB a part that canbao reads (docs/security.md).

The text is escaped as the format asks: ``&``, ``<`` and ``>`` as entities, the control
characters XML cannot hold as ``_xHHHH_`` (and a literal ``_xHHHH_`` as ``_x005F_xHHHH_``, so it
reads back as written: Excel undoes these, as calamine does, which Polars reads with; openpyxl
does not), leading or trailing spaces kept by ``xml:space="preserve"``; a text longer than a cell
holds (32,767 UTF-16 units) is cut there, as xlsxwriter cuts it. The noncharacters U+FFFE and
U+FFFF are written ``_xFFFE_`` and ``_xFFFF_`` (and calamine shows them so). xlsxwriter's own
``constant_memory`` mode writes control characters into the XML as they are (version 3.3.1:
no longer well-formed XML). The expressions for these rare cases are built only for the columns
of a chunk that have one (:class:`_Found`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Final

import polars as pl

# The most UTF-16 units a cell holds (Excel's limit; xlsxwriter cuts a longer text there).
MAX_CELL_UNITS: Final = 32_767
# Characters XML 1.0 cannot hold (tab, line feed and carriage return it can: Excel reads a
# carriage return back as a line feed, so it is escaped too, as xlsxwriter escapes it).
_CONTROL: Final = "[\x00-\x08\x0b-\x1f\ufffe\uffff]"
_CONTROL_CHARS: Final = [*map(chr, (*range(0x00, 0x09), *range(0x0B, 0x20))), "\ufffe", "\uffff"]
_ESCAPE_LIKE: Final = r"_x[0-9A-Fa-f]{4}_"
_FORMULA_START: Final = r"^[=+\-@\t\r]"  # canbao.cells.FORMULA_STARTS
_EDGE_SPACE: Final = r"^\s|\s$"
_ROW: Final = "_xlsx_row"
# A column of a chunk goes to the shared strings when each value comes this often on average.
REPEATS: Final = 4


def column_letter(index: int) -> str:
    """The letters of a 0-based column: 0 is A, 25 Z, 26 AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class _Found:
    """What some value of a column (in one chunk) has: the expressions for the rest are left
    out. Most columns have no markup, control, formula start or edge space: the XML of 300,000
    rows of the confirmed table (14 columns) took 2.2 CPU s with every expression for every
    cell, 1.1 so."""

    control: bool  # a character XML cannot hold
    escape_like: bool  # a literal _xHHHH_
    long: bool  # more UTF-8 bytes than half a cell's limit of characters: maybe too long
    markup: bool  # &, < or >
    formula: bool  # a formula start (the quote-prefix style)
    edge_space: bool  # a leading or trailing space
    blank: bool  # null or empty
    repeats: bool  # a value repeats four times on average: shared strings


def _found(frame: pl.DataFrame) -> dict[str, _Found]:
    """:class:`_Found` of each column of ``frame`` (every column text): first one pattern of
    all the rare things per column, then each of them for the columns that have one."""
    rare = f"{_CONTROL}|[&<>]|{_ESCAPE_LIKE}|{_FORMULA_START}|{_EDGE_SPACE}"
    first = [
        check.alias(f"{c}\x00{n}")
        for c in frame.columns
        for n, check in enumerate(
            (
                pl.col(c).str.contains(rare).any(),
                pl.col(c).str.len_bytes().max() > MAX_CELL_UNITS // 2,  # bytes: no fewer
                (pl.col(c).is_null() | (pl.col(c) == "")).any(),
                pl.col(c).n_unique() * REPEATS <= pl.len(),
            )
        )
    ]
    values = [bool(v) for v in frame.select(first).row(0)]
    long = {c: values[4 * i + 1] for i, c in enumerate(frame.columns)}
    blank = {c: values[4 * i + 2] for i, c in enumerate(frame.columns)}
    repeats = {c: values[4 * i + 3] for i, c in enumerate(frame.columns)}
    marked = [c for i, c in enumerate(frame.columns) if values[4 * i]]
    kinds = (_CONTROL, "[&<>]", _ESCAPE_LIKE, _FORMULA_START, _EDGE_SPACE)
    second = [
        pl.col(c).str.contains(k).any().alias(f"{c}\x00{n}")
        for c in marked
        for n, k in enumerate(kinds)
    ]
    which = [bool(v) for v in frame.select(second).row(0)] if marked else []
    out = {}
    for c in frame.columns:
        control = markup = escape_like = formula = edge_space = False
        if c in marked:
            at = 5 * marked.index(c)
            control, markup, escape_like, formula, edge_space = which[at : at + 5]
        flags = (control, escape_like, long[c], markup, formula, edge_space, blank[c], repeats[c])
        out[c] = _Found(*flags)
    return out


def _text(column: str, found: _Found) -> pl.Expr:
    """The column's text as the content of a ``<t>`` element."""
    text = pl.col(column)
    if found.long:  # cut at the cell's limit: a character above U+FFFF is two UTF-16 units
        wide = text.str.count_matches("[\U00010000-\U0010ffff]")
        text = text.str.slice(0, pl.lit(MAX_CELL_UNITS) - wide)  # (at most: a little sooner)
    if found.escape_like:
        text = text.str.replace_all(f"({_ESCAPE_LIKE})", "_x005F$1")
    if found.control:
        for char in _CONTROL_CHARS:
            text = text.str.replace_all(char, f"_x{ord(char):04X}_", literal=True)
    if found.markup:
        for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            text = text.str.replace_all(char, entity, literal=True)
    return text


def _space(column: str, found: _Found) -> pl.Expr:
    """The end of a ``<t>`` tag: keeping the text's leading or trailing spaces where it has."""
    if not found.edge_space:
        return pl.lit(">")
    edge = pl.col(column).str.contains(_EDGE_SPACE)
    return pl.when(edge).then(pl.lit(' xml:space="preserve">')).otherwise(pl.lit(">"))


def _number_cell(column: str, letter: str, styles: tuple[int, int, int]) -> pl.Expr:
    """The ``<c>`` element of a number (a styled blank for none; a text cell for NaN or an
    infinity, which a cell cannot hold as a number)."""
    value = pl.col(column)
    start = [pl.lit(f'<c r="{letter}'), pl.col(_ROW)]
    shown = value.cast(pl.String)
    number = pl.concat_str(*start, pl.lit(f'" s="{styles[2]}"><v>'), shown, pl.lit("</v></c>"))
    blank = pl.concat_str(*start, pl.lit(f'" s="{styles[2]}"/>'))
    text = pl.concat_str(
        *start, pl.lit(f'" s="{styles[0]}" t="inlineStr"><is><t>'), shown, pl.lit("</t></is></c>")
    )
    finite = value.cast(pl.Float64).is_finite()
    return pl.when(value.is_null()).then(blank).when(finite).then(number).otherwise(text)


def _cell(
    column: str,
    letter: str,
    styles: tuple[int, int, int],
    found: _Found,
    shared: str | None = None,
) -> pl.Expr:
    """The ``<c>`` element of the column's text (a styled blank for none): an inline string,
    or the index in the column ``shared`` of its shared string."""
    value = pl.col(column)
    text_style, quoted_style = (f'" s="{s}"' for s in styles[:2])
    start = [pl.lit(f'<c r="{letter}'), pl.col(_ROW)]
    style: pl.Expr = pl.lit(text_style)
    if found.formula:
        style = pl.when(value.str.contains(_FORMULA_START)).then(pl.lit(quoted_style))
        style = style.otherwise(pl.lit(text_style))
    if shared is not None:
        full = pl.concat_str(
            *start, style, pl.lit(' t="s"><v>'), pl.col(shared), pl.lit("</v></c>")
        )
    else:
        full = pl.concat_str(
            *start,
            style,
            pl.lit(' t="inlineStr"><is><t'),
            _space(column, found),
            _text(column, found),
            pl.lit("</t></is></c>"),
        )
    if not found.blank:
        return full
    blank = pl.concat_str(*start, pl.lit(f"{text_style}/>"))
    return pl.when(value.is_null() | (value == "")).then(blank).otherwise(full)


def rows_xml(
    frame: pl.DataFrame,
    first_row: int,
    styles: tuple[int, int, int],
    heights: pl.Series | None = None,
    shared: SharedStrings | None = None,
) -> bytes:
    """The ``<row>`` elements of ``frame``, its first row numbered ``first_row`` (1-based, as
    in the sheet); ``styles``: the text cell style, its quote-prefix twin and the number style;
    ``heights``: each row's height in points (None: the sheet's default); ``shared``: the
    workbook's shared strings, which the chunk's repeating columns are added to (None: every
    text inline).

    Integer and float columns are numbers; every other column is its text (a date as
    ``2017-06-30``, as the CSV writes it)."""
    numbers = [c for c, kind in frame.schema.items() if kind.is_numeric() and not kind.is_decimal()]
    text = frame.select(pl.col(numbers), pl.exclude(numbers).cast(pl.String)).select(frame.columns)
    found = _found(text.drop(numbers))
    indices = {}  # column -> the column of its shared strings' indices
    if shared is not None:
        for n, c in enumerate(c for c in found if found[c].repeats):
            indices[c] = f"_xlsx_shared_{n}"
            text = text.with_columns(shared.indices(text.get_column(c)).alias(indices[c]))
    cells = [
        _number_cell(c, column_letter(i), styles)
        if c in numbers
        else _cell(c, column_letter(i), styles, found[c], indices.get(c))
        for i, c in enumerate(frame.columns)
    ]
    opened: list[pl.Expr] = [pl.lit('<row r="'), pl.col(_ROW)]
    if heights is not None:  # as xlsxwriter's set_row writes a height: in whole pixels
        pixels = (heights.cast(pl.Float64) * 4.0 / 3.0 + 0.5).floor()
        shown = pl.lit(pixels * 0.75).cast(pl.String)
        opened += [pl.lit('" ht="'), shown, pl.lit('" customHeight="1')]
    row = pl.concat_str(*opened, pl.lit('">'), *cells, pl.lit("</row>"))
    numbered = text.with_columns(
        pl.int_range(first_row, first_row + pl.len(), dtype=pl.Int64).cast(pl.String).alias(_ROW)
    )
    return _joined(numbered.select(row))


class SharedStrings:
    """A workbook's shared strings (``xl/sharedStrings.xml``): those xlsxwriter wrote (the
    headings, a title), then each repeating value of the rows once, in the order first met.

    ``xml``: the part as xlsxwriter wrote it (its count of uses and its items are kept).
    """

    def __init__(self, xml: bytes) -> None:
        text = xml.decode("utf-8")
        found = re.fullmatch(r"(?s)(.*?<sst\b[^>]*>)(.*)</sst>\s*", text)
        if found is None:
            raise ValueError("not a shared strings part")
        used = re.search(r'\scount="(\d+)"', found[1])
        self._head = re.sub(r'\s(?:count|uniqueCount)="\d+"', "", found[1])
        self._items = [found[2].encode("utf-8")]
        self._unique = found[2].count("<si>")
        self._used = int(used[1]) if used else self._unique
        self._index: dict[str, int] = {}

    def indices(self, values: pl.Series) -> pl.Series:
        """The index of each value's shared string, as text (null for none or an empty text),
        adding the values not met before."""
        met = values.filter(values.is_not_null() & (values != "")).unique(maintain_order=True)
        keys = met.to_list()
        fresh = [v for v in keys if v not in self._index]  # the distinct values only
        if fresh:
            items = pl.DataFrame({"v": fresh}, schema={"v": pl.String})
            found = _found(items)["v"]
            item = pl.concat_str(
                pl.lit("<si><t"), _space("v", found), _text("v", found), pl.lit("</t></si>")
            )
            self._items.append(_joined(items.select(item)))
            for value in fresh:
                self._index[value] = self._unique
                self._unique += 1
        self._used += values.filter(values.is_not_null() & (values != "")).len()
        numbers = [str(self._index[k]) for k in keys]
        return values.replace_strict(keys, numbers, default=None, return_dtype=pl.String)

    def xml(self) -> bytes:
        """The part, with its counts."""
        counts = f' count="{self._used}" uniqueCount="{self._unique}">'
        head = self._head.removesuffix(">") + counts
        return head.encode("utf-8") + b"".join(self._items) + b"</sst>"


def _joined(column: pl.DataFrame) -> bytes:
    """The texts of a one-column frame one after the other, as UTF-8."""
    out = io.BytesIO()
    # Never quoted, no line ends: the values one after the other.
    column.write_csv(out, include_header=False, quote_style="never", line_terminator="")
    return out.getvalue()
