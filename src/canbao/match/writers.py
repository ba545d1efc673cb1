"""Write result tables as CSV (UTF-8 with BOM, for Excel on Chinese Windows), Parquet or xlsx.

No formula leaves here (canbao.cells): CSV text that begins like a formula gets a leading ``'``;
xlsx text is a string cell, quote-prefixed when it begins like a formula. Parquet is data for
programs and keeps every value as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import polars as pl

from canbao.cells import neutralise_frame
from canbao.errors import OutputError
from canbao.i18n import _

OutputFormat = Literal["csv", "parquet", "xlsx"]
EXCEL_MAX_ROWS = 1_048_576 - 1  # one row for the heading
XLSX_WIDTH = 12.0  # characters: a column of a table as xlsx that the lists per county do not size


def write_tables(
    frames: dict[str, pl.LazyFrame | pl.DataFrame], directory: Path, fmt: OutputFormat
) -> dict[str, Path]:
    """Write several tables in one pass of the engine, so their shared scans are done once."""
    if fmt == "xlsx":
        return {name: write_table(frame, directory, name, fmt) for name, frame in frames.items()}
    paths = {name: directory / f"{name}.{fmt}" for name in frames}
    queries = [
        neutralise_frame(frame.lazy()).sink_csv(paths[name], include_bom=True, lazy=True)
        if fmt == "csv"
        else frame.lazy().sink_parquet(paths[name], lazy=True)
        for name, frame in frames.items()
    ]
    pl.collect_all(queries)
    return paths


def write_table(
    frame: pl.LazyFrame | pl.DataFrame, directory: Path, name: str, fmt: OutputFormat
) -> Path:
    """Write one table as ``directory/name.<fmt>`` and return its path."""
    path = directory / f"{name}.{fmt}"
    lazy = frame.lazy()
    if fmt == "csv":
        neutralise_frame(lazy).sink_csv(path, include_bom=True)
    elif fmt == "parquet":
        lazy.sink_parquet(path)
    else:
        write_xlsx(name, lazy.collect(), path)
    return path


def excel_sheets(name: str, rows: int) -> list[tuple[str, int]]:
    """The sheets of a table of ``rows`` rows, (title, rows) each: at most
    :data:`EXCEL_MAX_ROWS` under a heading; one sheet ``name`` when the table fits, else
    ``name_1``, ``name_2``, ..."""
    parts = max(1, -(-rows // EXCEL_MAX_ROWS))
    titles = [name] if parts == 1 else [f"{name}_{part + 1}" for part in range(parts)]
    for title in titles:
        if len(title) > 31:
            message = _("sheet name {title!r} is longer than Excel's 31 characters")
            raise OutputError(message.format(title=title))
    return [
        (title, min(EXCEL_MAX_ROWS, rows - part * EXCEL_MAX_ROWS))
        for part, title in enumerate(titles)
    ]


def write_xlsx(name: str, frame: pl.DataFrame, path: Path) -> None:
    """Write a table as a workbook (sheets by :func:`excel_sheets`), streamed by
    :mod:`canbao.xlsx_stream`: numbers as numbers, every other value as text, the heading
    frozen and filtered; columns as wide as the lists per county's, else :data:`XLSX_WIDTH`."""
    # Imported here: xlsxwriter takes 0.3 s, and only the last step of a match writes a workbook
    # (run_match imports it on a thread meanwhile: canbao.match.api.import_in_background).
    from canbao.match.county_lists import WIDTHS  # (county_lists imports this module)
    from canbao.xlsx_stream import write_workbook

    widths = [WIDTHS.get(c, XLSX_WIDTH) for c in frame.columns]
    write_workbook(path, excel_sheets(name, frame.height), frame, widths)
