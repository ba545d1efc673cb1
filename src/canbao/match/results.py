"""The result tables of a match as lazy frames over the written files, for notebooks.

CSV tables are scanned lazily with every cell as text, as canbao wrote it (an ID stays
``340621…123X``, a rate ``90.85%``); Parquet tables lazily with the types they were written with;
an xlsx table (``--format xlsx``, print-ready or plain) is read once as text by
:mod:`canbao.result_tables` and handed over as a lazy frame. The national basic data tables
(several sheets) and the print-ready task_table.xlsx beside a CSV task table are workbooks to
print, not tables: read them with ``polars.read_excel(path, sheet_name=...)``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from canbao.cells import restore_text
from canbao.errors import UsageError
from canbao.i18n import N_, _
from canbao.result_tables import HEADING_SEARCH_ROWS, read_result_table

# Written by the match but not one table each.
NOT_TABLES = frozenset({"basic_data_tables", "task_table_xlsx"})
_FIX = N_("give the --output directory of a finished `canbao match` run")


def scan_result(files: dict[str, Path], name: str) -> pl.LazyFrame:
    """The result table ``name`` (``uninsured``, ``needs_survey``, …) as a lazy frame of text."""
    path = files.get(name)
    if path is None or name in NOT_TABLES:
        known = ", ".join(sorted(set(files) - NOT_TABLES))
        raise UsageError(
            _("no result table {name!r}").format(name=name),
            fix=_("use one of: {choices}").format(choices=known),
        )
    if path.suffix == ".parquet":
        return pl.scan_parquet(path)
    if path.suffix == ".xlsx":
        return read_result_table(path, key=_heading_key(path), fix=_(_FIX)).lazy()
    # canbao's own CSV: the quote that keeps a cell from being a formula is undone (canbao.cells).
    scan = pl.scan_csv(path, infer_schema=False, encoding="utf8")
    return scan.with_columns(restore_text(pl.col(pl.String)))


def _heading_key(path: Path) -> str:
    """The first heading of a workbook's first sheet: the earliest fullest row of its top.

    A print-ready sheet has a title and a 填报单位 line above the headings; those rows are
    sparser than the heading row.
    """
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        rows = list(book.worksheets[0].iter_rows(max_row=HEADING_SEARCH_ROWS, values_only=True))
    finally:
        book.close()
    cells = [[str(v).strip() for v in row if v is not None and str(v).strip()] for row in rows]
    fullest = max((len(c) for c in cells), default=0)
    return next((c[0] for c in cells if c and len(c) == fullest), "")


def scan_results(files: dict[str, Path]) -> dict[str, pl.LazyFrame]:
    """Every result table of a match, by name, as lazy frames."""
    return {name: scan_result(files, name) for name in sorted(set(files) - NOT_TABLES)}
