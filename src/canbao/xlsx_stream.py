"""Workbooks written as a stream of rows, their XML built by Polars (:mod:`canbao._xlsx_rows`).

xlsxwriter writes a cell at a time in Python: about 110 µs for a row of 16 cells, so the person
tables of a city of 1 M persons took 150 s as xlsx, ten times the rest of the match. Here
xlsxwriter writes the workbook's frame only (the sheets with what stands above their rows:
headings, a title, widths, the frozen heading row, filter, styles, page setup; a
:data:`Layout`), and the rows go into each sheet's XML as Polars builds it, a chunk of
:data:`CHUNK_ROWS` at a time, compressed on a thread beside the next chunk. A text cell is an
inline string or a shared string, formatted ``@``, quote-prefixed when it begins like a formula
(:mod:`canbao.cells`), so no cell can run as a formula; an integer or float column is numbers.

The number of rows of each sheet is given at the start (the sheets' filters and extents are in
the frame), and must be the number appended. A sheet whose XML passes 4 GiB (a zip part without
ZIP64, which canbao does not write) is an :class:`~canbao.errors.OutputError` naming the fix.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

import polars as pl

from canbao._xlsx_rows import SharedStrings, column_letter, rows_xml
from canbao.errors import OutputError
from canbao.i18n import _
from canbao.shown_path import shown_path

__all__ = [
    "CHUNK_ROWS",
    "Layout",
    "SheetTop",
    "StreamedWorkbook",
    "column_letter",
    "rows_xml",
    "table_layout",
    "write_workbook",
]

# Rows turned into XML at a time: about 55 MB of XML for the person tables' 16 columns.
CHUNK_ROWS: Final = 50_000
# zlib level of the sheets: at 1 M persons' needs-survey sheet (134 MB of XML) level 3 took
# 0.51 s for 13 MB, level 6 (xlsxwriter's) 1.2 s for 11 MB, level 1 0.39 s for 15 MB.
COMPRESS_LEVEL: Final = 3
SHARED_STRINGS: Final = "xl/sharedStrings.xml"


@dataclass(frozen=True)
class SheetTop:
    """What a layout wrote above a sheet's rows: the row they begin at (0-based), and the
    xlsxwriter formats of their text cells and of their number cells."""

    first_row: int
    text: Any
    number: Any


# Writes what stands above and around a sheet's rows (headings, title, widths aside, page
# setup), given the workbook, the sheet, the headings and the sheet's rows; by xlsxwriter.
Layout = Callable[[Any, Any, Sequence[str], int], SheetTop]


@dataclass(frozen=True)
class _SheetPart:
    index: int  # the sheet's place in the workbook (0-based)
    info: zipfile.ZipInfo
    before: bytes  # the sheet's XML before its rows
    after: bytes  # and after
    first: int  # the number of its first row (1-based)
    styles: tuple[int, int, int]  # text, quote-prefixed text, number


class StreamedWorkbook:
    """A workbook of one table: sheets ``sheets`` [(title, rows)], each under ``headings``.

    Rows are appended in order (:meth:`append`) and go to the sheets in turn; :meth:`close`
    writes the end. ``widths``: the columns' widths in characters; ``layout``: what stands
    above the rows and the page setup (:func:`table_layout`: the heading alone).
    """

    def __init__(
        self,
        path: Path,
        sheets: Sequence[tuple[str, int]],
        headings: Sequence[str],
        widths: Sequence[float],
        layout: Layout | None = None,
    ) -> None:
        frame, parts = _frame(sheets, headings, widths, layout or table_layout)
        # The shared strings go last, when the rows have added theirs; without the part (no
        # text in the frame) every text is inline.
        strings = [(i, d) for i, d in frame if i.filename == SHARED_STRINGS]
        frame = [(i, d) for i, d in frame if i.filename != SHARED_STRINGS]
        self._shared = SharedStrings(strings[0][1]) if strings else None
        self._shared_info = strings[0][0] if strings else None
        self._rows = [rows for _, rows in sheets]
        self._titles = [title for title, _ in sheets]
        self._path = path
        self._parts = parts
        self._sheet = 0
        self._written = 0  # rows of the current sheet written
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx")
        self._pending: Future[None] | None = None
        # The file is ours to close: after a failed write the zip may refuse to close it.
        self._file = path.open("wb")
        self._zip = zipfile.ZipFile(
            self._file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
        )
        self._entry: IO[bytes] | None = None
        try:
            for info, data in frame:
                self._zip.writestr(info, data, zipfile.ZIP_DEFLATED, COMPRESS_LEVEL)
            self._submit(self._open_sheet, 0)
        except BaseException:
            self.abort()
            raise

    def _submit(self, work: Any, *args: Any) -> None:
        """Run ``work`` on the writing thread after what was given before (at most one waits)."""
        self._wait()
        self._pending = self._thread.submit(work, *args)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def _open_sheet(self, index: int) -> None:
        part = self._parts[index]
        # By its name: an entry opened by a ZipInfo takes zlib's default level, not the zip's
        # (its date is the same fixed 1980-01-01, so the bytes depend on the rows alone).
        self._entry = self._zip.open(part.info.filename, "w")
        self._entry.write(part.before)

    def _close_sheet(self, index: int) -> None:
        assert self._entry is not None
        self._entry.write(self._parts[index].after)
        try:
            self._entry.close()
        except RuntimeError as exc:  # zipfile: a part past 4 GiB needs ZIP64 (not written)
            message = _(
                "{path}: sheet {sheet} holds more than 4 GiB of text, more than canbao writes"
                " in an xlsx"
            )
            raise OutputError(
                message.format(path=shown_path(self._path), sheet=self._titles[index]),
                fix=_("write the tables as CSV or Parquet (--format csv or --format parquet)"),
            ) from exc
        self._entry = None

    def _write_shared(self, data: bytes) -> None:
        assert self._shared_info is not None
        self._zip.writestr(self._shared_info.filename, data, zipfile.ZIP_DEFLATED, COMPRESS_LEVEL)

    def _write(self, data: bytes) -> None:
        assert self._entry is not None
        self._entry.write(data)

    def append(self, frame: pl.DataFrame, heights: pl.Series | None = None) -> None:
        """Append ``frame``'s rows (its columns in heading order) to the sheets, in turn;
        ``heights``: each row's height in points (None: the default height)."""
        start = 0
        while start < frame.height:
            rows = self._rows[self._sheet]
            if self._written == rows:
                self._submit(self._close_sheet, self._sheet)
                self._sheet += 1
                self._written = 0
                if self._sheet == len(self._rows):
                    raise ValueError("more rows appended than the workbook's sheets hold")
                self._submit(self._open_sheet, self._sheet)
                continue
            piece = frame.slice(start, min(rows - self._written, CHUNK_ROWS))
            part = self._parts[self._sheet]
            tall = None if heights is None else heights.slice(start, piece.height)
            data = rows_xml(piece, part.first + self._written, part.styles, tall, self._shared)
            self._submit(self._write, data)
            self._written += piece.height
            start += piece.height

    def close(self) -> None:
        """End the last sheet and write the file (the rows appended must fill the sheets)."""
        try:
            last = self._sheet == len(self._rows) - 1
            if not last or self._written != self._rows[self._sheet]:
                raise ValueError("fewer rows appended than the workbook's sheets hold")
            self._submit(self._close_sheet, self._sheet)
            if self._shared is not None:
                self._submit(self._write_shared, self._shared.xml())
            self._wait()
        except BaseException:
            self.abort()
            raise
        self._thread.shutdown(wait=True)
        self._zip.close()
        self._file.close()

    def abort(self) -> None:
        """Stop after an error elsewhere: the file is closed, unfinished (the caller removes it)."""
        self._thread.shutdown(wait=True)
        with suppress(Exception):
            if self._entry is not None:
                self._entry.close()
        with suppress(Exception):
            self._zip.close()
        self._file.close()


def write_workbook(
    path: Path,
    sheets: Sequence[tuple[str, int]],
    frame: pl.DataFrame,
    widths: Sequence[float],
    layout: Layout | None = None,
    heights: pl.Series | None = None,
) -> None:
    """Write a table held whole as a workbook: its rows in the sheets ``sheets`` in turn (the
    file closed, unfinished, if that fails)."""
    book = StreamedWorkbook(path, sheets, frame.columns, widths, layout)
    try:
        book.append(frame, heights)
    except BaseException:
        book.abort()
        raise
    book.close()


def table_layout(book: Any, ws: Any, headings: Sequence[str], rows: int) -> SheetTop:
    """The plain table: its heading in the first row (bold, framed), frozen and filtered over
    the rows; text cells formatted ``@`` (SimSun 10, as the printed tables)."""
    base = {"font_name": "SimSun", "font_size": 10}
    ws.write_row(0, 0, list(headings), book.add_format({**base, "bold": True, "border": 1}))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(rows, 1), len(headings) - 1)
    return SheetTop(1, book.add_format({**base, "num_format": "@"}), book.add_format(base))


def _frame(
    sheets: Sequence[tuple[str, int]],
    headings: Sequence[str],
    widths: Sequence[float],
    layout: Layout,
) -> tuple[list[tuple[zipfile.ZipInfo, bytes]], list[_SheetPart]]:
    """The workbook without its rows, by xlsxwriter: its parts but the sheets, and each sheet's
    part as the XML before and after its rows, with where the rows begin and their styles."""
    from canbao.text_workbook import TextWorkbook  # xlsxwriter: 0.3 s to import

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_urls": False}
    book = TextWorkbook(buffer, options)
    last = column_letter(len(headings) - 1)
    tops = []
    for title, rows in sheets:
        ws = book.add_worksheet(title)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        top = layout(book, ws, headings, rows)
        # Blank cells, so that the styles are in the workbook; the rows replace them.
        ws.write_blank(top.first_row, 0, None, top.text)
        ws.write_blank(top.first_row, 1, None, book.quoted(top.text))
        ws.write_blank(top.first_row, 2, None, top.number)
        tops.append(top.first_row)
    book.close()
    package = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    others, parts = [], []
    for info in package.infolist():
        data = package.read(info)
        if not info.filename.startswith("xl/worksheets/sheet"):
            others.append((info, data))
            continue
        xml = data.decode("utf-8")
        index = int(info.filename.removeprefix("xl/worksheets/sheet").removesuffix(".xml")) - 1
        first = tops[index] + 1  # the first row's number in the sheet (1-based)
        begin, end = xml.index(f'<row r="{first}"'), xml.index("</sheetData>")
        cells = re.finditer(rf'<c r="([ABC]){first}" s="(\d+)"/>', xml[begin:end])
        found = {m[1]: int(m[2]) for m in cells}
        extent = f'<dimension ref="A1:{last}{first - 1 + max(sheets[index][1], 1)}"/>'
        before = re.sub(r'<dimension ref="[^"]*"/>', extent, xml[:begin], count=1)
        styles = (found["A"], found["B"], found["C"])
        parts.append(
            _SheetPart(
                index, info, before.encode("utf-8"), xml[end:].encode("utf-8"), first, styles
            )
        )
    parts.sort(key=lambda part: part.index)
    return others, parts
