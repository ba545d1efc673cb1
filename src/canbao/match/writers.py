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
        write_xlsx({name: lazy.collect()}, path)
    return path


def write_xlsx(sheets: dict[str, pl.DataFrame], path: Path) -> None:
    """Write frames as sheets; a frame above Excel's row limit is split into numbered sheets."""
    # Imported here: xlsxwriter takes 0.3 s, and only the last step of a match writes a workbook
    # (run_match imports it on a thread meanwhile: canbao.match.api.import_in_background).
    from canbao.text_workbook import TextWorkbook

    with TextWorkbook(path, {"strings_to_numbers": False, "strings_to_urls": False}) as book:
        for name, frame in sheets.items():
            parts = max(1, -(-frame.height // EXCEL_MAX_ROWS))
            for part in range(parts):
                chunk = frame.slice(part * EXCEL_MAX_ROWS, EXCEL_MAX_ROWS)
                title = name if parts == 1 else f"{name}_{part + 1}"
                if len(title) > 31:
                    message = _("sheet name {title!r} is longer than Excel's 31 characters")
                    raise OutputError(message.format(title=title))
                chunk.write_excel(
                    book, worksheet=title, autofit=chunk.height < 20_000, float_precision=2
                )
