"""The person tables as xlsx, appended batch by batch of townships, never held whole.

Each table is a workbook written row by row as the sorted person rows come (xlsxwriter's
``constant_memory``: a row goes to its file when the next begins, so a workbook holds one row,
not the table). A sheet holds at most :data:`~canbao.match.writers.EXCEL_MAX_ROWS` rows under
its heading; a longer table goes on in sheets ``<table>_2``, ``<table>_3``, ... Every cell is
text (formatted ``@``, as the lists for field teams: an ID stays 18 characters in Excel and WPS),
the heading row is frozen and filtered, the columns as wide as those lists'. The cells depend on
the rows alone, not on how they were batched, so one piece and any number of shards write the
same workbooks (tests/test_shards.py).

Before this, a workbook was written whole by Polars' ``write_excel`` (an Excel table, widths
fitted to the text), which held every cell of the table in memory.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Any

import polars as pl

from canbao.match import present
from canbao.match._kept_tables import Kept, KeptTables
from canbao.match._staging import write_errors
from canbao.match.county_lists import WIDTHS
from canbao.match.writers import EXCEL_MAX_ROWS


class _Workbook:
    """One table's workbook, its rows appended in order, sheet after sheet."""

    def __init__(self, path: Path, name: str, headings: list[str]) -> None:
        # Imported here: xlsxwriter takes 0.3 s, and only the last step of a match writes it.
        from canbao.text_workbook import TextWorkbook

        options = {"constant_memory": True, "strings_to_numbers": False, "strings_to_urls": False}
        self._book = TextWorkbook(path, options)
        base = {"font_name": "SimSun", "font_size": 10}
        self._head = self._book.add_format({**base, "bold": True, "border": 1})
        self._text = self._book.add_format({**base, "num_format": "@"})
        self._name = name
        self._headings = headings
        self._sheets: list[tuple[Any, int]] = []  # (worksheet, rows written under its heading)
        self._new_sheet()

    def _new_sheet(self) -> None:
        title = self._name if not self._sheets else f"{self._name}_{len(self._sheets) + 1}"
        ws = self._book.add_worksheet(title)
        for col, heading in enumerate(self._headings):
            ws.set_column(col, col, WIDTHS.get(heading, 8.0))
        ws.write_row(0, 0, self._headings, self._head)
        ws.freeze_panes(1, 0)
        self._sheets.append((ws, 0))

    def append(self, table: pl.DataFrame) -> None:
        """Append the rows of ``table`` (its columns in heading order), every value as text."""
        text = table.select(pl.all().cast(pl.String))
        start = 0
        while start < text.height:
            ws, written = self._sheets[-1]
            if written == EXCEL_MAX_ROWS:
                self._new_sheet()
                continue
            piece = text.slice(start, EXCEL_MAX_ROWS - written)
            # Row by row: xlsxwriter writes a cell at a time (as write_excel did before).
            for row, values in enumerate(piece.iter_rows(), start=written + 1):
                ws.write_row(row, 0, values, self._text)
            self._sheets[-1] = (ws, written + piece.height)
            start += piece.height

    def close(self) -> None:
        """Filter each sheet's heading over its rows, and write the file."""
        last = len(self._headings) - 1
        for ws, written in self._sheets:
            ws.autofilter(0, 0, max(written, 1), last)
        self._book.close()


class PersonXlsx:
    """The three person tables' workbooks under ``out``, open while sorted rows are appended.

    The same interface as :class:`canbao.match._person_csv.PersonCsv`. ``kept``: the tables to
    keep as well (:mod:`canbao.match._kept_tables`), filled when the files are closed.
    """

    def __init__(
        self, out: Path, kept: Kept | None, like: pl.LazyFrame, kept_in: Path | None = None
    ) -> None:
        # ``like``: person rows of the appended kind (none needed), for the tables' names;
        # ``kept_in``: the folder the kept tables' parts are staged in (None: in memory).
        names = list(present.tables_of_persons(like.head(0)))
        self.paths = {name: out / f"{name}.xlsx" for name in names}
        self._out = out
        self._kept = KeptTables(kept, kept_in)
        self._books: dict[str, _Workbook] = {}

    def __enter__(self) -> PersonXlsx:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None:  # the error stands; the unfinished files are in the output's
            for book in self._books.values():  # staging folder, which goes
                with suppress(Exception):  # the first error is the one to report
                    book.close()
            return
        with write_errors(self._out):
            for book in self._books.values():
                book.close()
        self._kept.close()

    def append(self, rows: pl.LazyFrame, *, first: bool) -> None:
        """Append the tables' rows of the sorted person rows ``rows`` (``first``: the workbooks
        are created, with their headings, also when there are no rows)."""
        for name, frame in present.tables_of_persons(rows).items():
            table = frame.collect()
            with write_errors(self._out):
                if first:
                    self._books[name] = _Workbook(self.paths[name], name, table.columns)
                self._books[name].append(table)
            if self._kept.wanted(name):
                self._kept.add(name, table)
