"""The person tables as xlsx, appended batch by batch of townships, never held whole.

Each table is a workbook whose rows are written as the sorted person rows come
(:mod:`canbao.xlsx_stream`: the rows' XML built by Polars, a chunk at a time). The tables' rows
are counted first, so each workbook's sheets are known from the start: one sheet when the table
fits under Excel's row limit, else ``<table>_1``, ``<table>_2``, ... as the other tables are
split (:func:`canbao.match.writers.excel_sheets`). Every cell is text (formatted ``@``, as the
lists for field teams: an ID stays 18 characters in Excel and WPS), the heading row is frozen and
filtered, the columns as wide as those lists'. The cells depend on the rows alone, not on how
they were batched, so one piece and any number of shards write the same workbooks
(tests/test_shards.py).

Before this, a workbook was written whole by Polars' ``write_excel`` (an Excel table, widths
fitted to the text): at 1 M persons the match peaked at 5.3 GB and wrote the three workbooks in
150 s (docs/performance-measurements.md, twelfth round).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from canbao.match import present
from canbao.match._kept_tables import Kept, KeptTables
from canbao.match._staging import write_errors
from canbao.match.county_lists import WIDTHS
from canbao.match.writers import excel_sheets
from canbao.xlsx_stream import StreamedWorkbook


class PersonXlsx:
    """The three person tables' workbooks under ``out``, open while sorted rows are appended.

    The same interface as :class:`canbao.match._person_csv.PersonCsv`. ``kept``: the tables to
    keep as well (:mod:`canbao.match._kept_tables`), filled when the files are closed.
    """

    def __init__(
        self, out: Path, kept: Kept | None, like: pl.LazyFrame, kept_in: Path | None = None
    ) -> None:
        # ``like``: every person row that will be appended: each table's rows are counted
        # first, since the sheets' lengths are in the workbooks' frames; ``kept_in``: the
        # folder the kept tables' parts are staged in (None: in memory).
        tables = present.tables_of_persons(like)
        counts = pl.collect_all([table.select(pl.len()) for table in tables.values()])
        self._rows = {name: int(c.item()) for name, c in zip(tables, counts, strict=True)}
        self.paths = {name: out / f"{name}.xlsx" for name in tables}
        self._out = out
        self._kept = KeptTables(kept, kept_in)
        self._books: dict[str, StreamedWorkbook] = {}

    def __enter__(self) -> PersonXlsx:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None:  # the error stands; the unfinished files are in the output's
            for book in self._books.values():  # staging folder, which goes
                book.abort()
            return
        try:
            with write_errors(self._out):
                for book in self._books.values():
                    book.close()
        except BaseException:
            for book in self._books.values():  # those not closed yet (again: no harm)
                book.abort()
            raise
        self._kept.close()

    def append(self, rows: pl.LazyFrame, *, first: bool) -> None:
        """Append the tables' rows of the sorted person rows ``rows`` (``first``: the workbooks
        are created, with their headings, also when there are no rows)."""
        for name, frame in present.tables_of_persons(rows).items():
            table = frame.collect()
            with write_errors(self._out):
                if first:
                    sheets = excel_sheets(name, self._rows[name])
                    widths = [WIDTHS.get(c, 8.0) for c in table.columns]
                    self._books[name] = StreamedWorkbook(
                        self.paths[name], sheets, table.columns, widths
                    )
                self._books[name].append(table)
            if self._kept.wanted(name):
                self._kept.add(name, table)
