"""Read a table of a match directory in whichever format the match wrote it (csv, parquet, xlsx).

``canbao match --format csv|parquet|xlsx`` writes ``needs_survey.csv`` or ``.parquet`` or
``.xlsx``; every command that reads a match directory (``canbao forms survey``, ``canbao intake
--survey``, ``canbao score --from-match``) finds the table here, in that order, every value a
string. An xlsx may be print-ready (a title and a 填报单位 line above the headings: the heading
row is the first that holds the ``key`` column) and a table longer than Excel's rows is split
over numbered sheets (``needs_survey``, ``needs_survey_2`` …), read back in order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import polars as pl

from canbao.cells import restore_frame
from canbao.errors import InputError
from canbao.i18n import _
from canbao.readfail import check_text_lines, unreadable_file
from canbao.shown_path import shown_path
from canbao.workbook_guard import check_workbook

SUFFIXES: Final = ("csv", "parquet", "xlsx")
HEADING_SEARCH_ROWS: Final = 12  # a print-ready sheet's headings are within its first rows


def find_result_table(match_dir: Path, name: str) -> Path | None:
    """The file of table ``name`` in ``match_dir`` (csv, then parquet, then xlsx), if any."""
    for suffix in SUFFIXES:
        path = Path(match_dir) / f"{name}.{suffix}"
        if path.is_file():
            return path
    return None


def read_result_table(path: Path, *, key: str, fix: str) -> pl.DataFrame:
    """Read a result table canbao wrote, every column a string, headings stripped of the BOM.

    ``key``: a column every such table has (it marks the heading row of an xlsx sheet).
    """
    try:
        if path.suffix == ".csv":
            # canbao's own CSV: its neutralised text (canbao.cells) is undone.
            frame = restore_frame(
                pl.read_csv(check_text_lines(path), infer_schema=False, encoding="utf8")
            )
        elif path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            frame = frame.with_columns(pl.all().cast(pl.String))
        else:
            frame = _read_xlsx(path, key)
    except pl.exceptions.PolarsError as exc:
        raise unreadable_file(path, exc, fix=fix) from None
    return frame.rename(lambda c: c.lstrip("\ufeff").strip())


def _read_xlsx(path: Path, key: str) -> pl.DataFrame:
    """Every sheet of ``path`` with a ``key`` heading, from its heading row down, in order."""
    from openpyxl import load_workbook

    check_workbook(path)
    book = load_workbook(path, read_only=True)
    starts: dict[str, int] = {}
    for sheet in book.worksheets:
        rows = sheet.iter_rows(max_row=HEADING_SEARCH_ROWS, values_only=True)
        for index, row in enumerate(rows):
            if key in [str(v).strip() if v is not None else None for v in row]:
                starts[sheet.title] = index
                break
    book.close()
    if not starts:
        raise InputError(
            _("{path}: no sheet with a {column} column").format(path=shown_path(path), column=key),
            fix=_("give the --output directory of a finished `canbao match` run"),
        )
    parts = [
        pl.read_excel(
            path,
            sheet_name=title,
            infer_schema_length=0,
            read_options={"header_row": start},
            raise_if_empty=False,
        )
        for title, start in starts.items()
    ]
    return pl.concat(parts, how="diagonal")
