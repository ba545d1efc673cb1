"""Check an .xlsx workbook before any reader opens it: a small file must not cost gigabytes.

calamine (roster, intake) and openpyxl (submissions, data tables) trust a workbook: a sheet
with one cell at XFD1048576 makes calamine allocate the dense grid of 17 G cells (512 GB,
then SIGABRT) and a part of 800 MB of spaces, 877 KB compressed, costs 6.6 GB. Here the zip's
central directory is read (entry count, uncompressed sizes, compression ratios) and each
worksheet's declared ``<dimension ref=...>``; a sheet without one is scanned for its furthest
cell, which costs a bounded pass (its size is capped first). The limits are in
:mod:`canbao.limits` and docs/security.md.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from typing import IO, Final

from canbao.errors import InputError
from canbao.i18n import N_, _
from canbao.limits import (
    MAX_COMPRESSION_RATIO,
    MAX_ENTRY_BYTES,
    MAX_SHEET_CELLS,
    MAX_WORKBOOK_BYTES,
    MAX_ZIP_ENTRIES,
    RATIO_FLOOR_BYTES,
)
from canbao.shown_path import shown_path

_HEAD_BYTES: Final = 64 * 1024
_SCAN_CHUNK: Final = 4 * 1024 * 1024
_DIMENSION: Final = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?\"")
_ROW_REF: Final = re.compile(rb' r="(\d+)"')
# A cell beyond column Z (letters captured) or at row 1,000,000 and beyond (row captured).
_FAR_CELL: Final = re.compile(rb' r="([A-Z]{2,})(\d+)"| r="[A-Z](\d{7,})"')
_SPACES: Final = bytes.maketrans(b"\t\n\r", b"   ")
_ANY_REF: Final = re.compile(rb"""\sr\s*=\s*["']([A-Z]*)(\d+)""")
_RESAVE: Final = N_(
    "open it in Excel or WPS, delete the stray rows and columns, and save it again as .xlsx "
    "or as CSV UTF-8"
)


def column_number(letters: bytes) -> int:
    """``A`` -> 1, ``XFD`` -> 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def check_workbook(path: Path) -> None:
    """Refuse (exit 3) a workbook beyond the limits; a non-zip file is left to the reader."""
    path = Path(path)
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        # Not a zip (an .xls, a broken file): the reader reports it in its own words. An .xls
        # sheet holds at most 65,536 x 256 cells, so only its size needs a bound here.
        size = path.stat().st_size if path.exists() else 0
        if size > MAX_WORKBOOK_BYTES:
            raise _refuse(
                path,
                _("the file has {n} bytes").format(n=size),
                _("{n} bytes").format(n=MAX_WORKBOOK_BYTES),
            ) from None
        return
    with book:
        entries = book.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise _refuse(
                path,
                _("it holds {n} zip entries").format(n=len(entries)),
                _("{n} entries").format(n=MAX_ZIP_ENTRIES),
            )
        total = 0
        for entry in entries:
            total += entry.file_size
            _check_entry(path, entry)
        if total > MAX_WORKBOOK_BYTES:
            raise _refuse(
                path,
                _("it has {n} bytes uncompressed").format(n=total),
                _("{n} bytes").format(n=MAX_WORKBOOK_BYTES),
            )
        for entry in entries:
            if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
                _check_sheet(path, book, entry)


def _check_entry(path: Path, entry: zipfile.ZipInfo) -> None:
    name, size = entry.filename, entry.file_size
    if size > MAX_ENTRY_BYTES:
        raise _refuse(
            path,
            _("the part {name} has {n} bytes uncompressed").format(name=name, n=size),
            _("{n} bytes").format(n=MAX_ENTRY_BYTES),
        )
    if size > RATIO_FLOOR_BYTES and size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
        ratio = size // max(entry.compress_size, 1)
        raise _refuse(
            path,
            _("the part {name} inflates {ratio} times ({n} bytes)").format(
                name=name, ratio=ratio, n=size
            ),
            _("{ratio}:1 (genuine sheets compress 5 to 30 times)").format(
                ratio=MAX_COMPRESSION_RATIO
            ),
        )


def _check_sheet(path: Path, book: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    name = entry.filename
    try:
        with book.open(entry) as part:
            head = part.read(_HEAD_BYTES)
            match = _DIMENSION.search(head)
            rows, cols = _dimension_size(match) if match is not None else (1, 1)
            if rows * cols <= MAX_SHEET_CELLS:
                # A declared range can lie: the reader sizes its grid by the furthest cell.
                far_rows, far_cols = _furthest_cell(head, part)
                rows, cols = max(rows, far_rows), max(cols, far_cols)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
        return  # a damaged part: the reader refuses the workbook with its own message
    if rows * cols > MAX_SHEET_CELLS:
        raise _refuse(
            path,
            _("the sheet {name} spans {rows} rows x {cols} columns = {cells} cells").format(
                name=name, rows=rows, cols=cols, cells=rows * cols
            ),
            _("{n} cells").format(n=MAX_SHEET_CELLS),
        )


def _dimension_size(match: re.Match[bytes]) -> tuple[int, int]:
    first_col, first_row, last_col, last_row = match.groups()
    last_col, last_row = last_col or first_col, last_row or first_row
    rows = int(last_row or 1) - int(first_row or 1) + 1
    cols = column_number(last_col or b"A") - column_number(first_col or b"A") + 1
    return max(rows, 1), max(cols, 1)


def _furthest_cell(head: bytes, part: IO[bytes]) -> tuple[int, int]:
    """The furthest row and column any row or cell names, in one streaming pass.

    Written as Excel, WPS, openpyxl and xlsxwriter write it (`` r="B7"``), a reference is
    found by literal-prefixed regular expressions in C: one match per row, and one per cell
    only beyond column Z or row 999,999, so a roster costs no Python per cell. A chunk whose
    holds an ``r`` attribute written any other way (other spacing or quoting) is read with the
    lenient pattern instead, which costs a match per cell.
    """
    max_row, max_col, carry = 1, 1, b""
    chunk = head
    while chunk:
        data = carry + chunk
        cut = data.rfind(b">") + 1  # whole tags only; the rest goes with the next chunk
        # Whitespace is all one to XML: as spaces, `` r="`` is the only way to write a reference.
        data, carry = data[:cut].translate(_SPACES), data[cut:]
        if _odd_references(data):
            found = [(c, int(r)) for c, r in _ANY_REF.findall(data)]
            rows = [r for c, r in found if not c]
            cells = found
        else:
            rows = [int(r) for r in _ROW_REF.findall(data)]
            cells = [(c, int(r or far or 0)) for c, r, far in _FAR_CELL.findall(data)]
        if rows:
            max_row = max(max_row, *rows)
        for letters, row in cells:
            max_row = max(max_row, row)
            if letters:
                max_col = max(max_col, column_number(letters))
        chunk = part.read(_SCAN_CHUNK)
        if not chunk and carry:
            chunk, carry = carry + b">", b""  # a last unterminated tag: scan it too
    if max_row > 1 or max_col > 1:
        max_col = max(max_col, 26)  # single letters are not matched: up to Z
    return max_row, max_col


def _odd_references(data: bytes) -> bool:
    """True when some ``r=`` in ``data`` is not written `` r="``, or a space precedes ``=``.

    Counted in C over the chunk; a genuine sheet has a few other names ending in r at most
    (``header=`` and ``footer=`` of the page margins, ``operator=`` of a validation), which
    send one chunk to the lenient pattern.
    """
    return data.count(b"r=") != data.count(b' r="') or data.find(b" =") >= 0


def _refuse(path: Path, found: str, limit: str) -> InputError:
    return InputError(
        _(
            "the workbook {path} is refused: {found}, beyond the limit of {limit} "
            "(see docs/security.md)"
        ).format(path=shown_path(path), found=found, limit=limit),
        fix=_(_RESAVE),
    )
