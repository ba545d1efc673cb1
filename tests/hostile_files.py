"""Builders of small hostile files (by hand, in a test's tmp_path) for the input-limit tests."""

from __future__ import annotations

import itertools
import zipfile
from pathlib import Path

_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def cell(ref: str, text: str) -> str:
    """An inline-string cell."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = '<row r="1">' + cell("A1", "公民身份号码") + cell("B1", "姓名") + "</row>"


def _parts(book: zipfile.ZipFile) -> None:
    book.writestr("[Content_Types].xml", _CT)
    book.writestr("_rels/.rels", _RELS)
    book.writestr("xl/workbook.xml", _WORKBOOK)
    book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)


def workbook(path: Path, rows: str, *, dimension: str | None) -> Path:
    """A minimal .xlsx whose one sheet holds ``rows`` (``<row>`` elements) under ``dimension``."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        _parts(book)
        book.writestr(
            "xl/worksheets/sheet1.xml",
            f"{_SHEET_HEAD}{dim}<sheetData>{rows}</sheetData></worksheet>",
        )
    return path


def far_cell_workbook(path: Path, *, dimension: bool = True) -> Path:
    """One header row and one cell at XFD1048576: a dense grid of 17 G cells to a reader."""
    far = '<row r="1048576">' + cell("XFD1048576", "x") + "</row>"
    return workbook(path, HEADER_ROW + far, dimension="A1:XFD1048576" if dimension else None)


def inflating_workbook(path: Path, megabytes: int) -> Path:
    """A workbook whose one cell is ``megabytes`` MiB of spaces, deflated (ratio ~1,000).

    The sheet is compressed in 1 MiB steps, so the test never holds the inflated text.
    """
    head = f'{_SHEET_HEAD}<dimension ref="A1:B2"/><sheetData>{HEADER_ROW}<row r="2">'
    head += '<c r="A2" t="inlineStr"><is><t xml:space="preserve">'
    tail = "</t></is></c></row></sheetData></worksheet>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        _parts(book)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with book.open(info, "w", force_zip64=True) as part:
            part.write(head.encode())
            block = b" " * (1024 * 1024)
            for _ in range(megabytes):
                part.write(block)
            part.write(tail.encode())
    return path


def alias_bomb() -> str:
    """A few hundred bytes of nested YAML aliases that expand to 9**9 strings."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghi"
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def deep_yaml(depth: int) -> str:
    """A flow sequence nested ``depth`` levels (deeper than Python's recursion limit at 5000)."""
    return "a: " + "[" * depth + "]" * depth + "\n"
