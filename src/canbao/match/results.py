"""The result tables of a match as lazy frames over the written files, for notebooks.

CSV tables are scanned lazily with every cell as text, as canbao wrote it (an ID stays
``340621…123X``, a rate ``90.85%``); Parquet tables lazily with the types they were written with;
an xlsx table (``--format xlsx``) is read once, as text, and handed
over as a lazy frame. The national basic data tables (several sheets) are a workbook to print,
not a table: read them with ``polars.read_excel(path, sheet_name=...)``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from canbao.errors import UsageError

# Written by the match but not one table each.
NOT_TABLES = frozenset({"basic_data_tables"})


def scan_result(files: dict[str, Path], name: str) -> pl.LazyFrame:
    """The result table ``name`` (``uninsured``, ``needs_survey``, …) as a lazy frame of text."""
    path = files.get(name)
    if path is None or name in NOT_TABLES:
        known = ", ".join(sorted(set(files) - NOT_TABLES))
        raise UsageError(
            f"没有名为 {name!r} 的结果表 (no result table {name!r})", fix=f"use one of: {known}"
        )
    if path.suffix == ".parquet":
        return pl.scan_parquet(path)
    if path.suffix == ".xlsx":
        return pl.read_excel(path, infer_schema_length=0).lazy()
    return pl.scan_csv(path, infer_schema=False, encoding="utf8")


def scan_results(files: dict[str, Path]) -> dict[str, pl.LazyFrame]:
    """Every result table of a match, by name, as lazy frames."""
    return {name: scan_result(files, name) for name in sorted(set(files) - NOT_TABLES)}
