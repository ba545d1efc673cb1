"""The fast path for clean text files: one cheap check, then polars' native CSV scanner.

Most exports are clean: every line has the header's number of fields and no quote spans a
line. For such a file the exact reader of :mod:`canbao.roster.text` (split every line in polars
string functions) gives the same frame as ``pl.scan_csv`` with a row index, which is several
times faster. :func:`native_ok` proves the file clean with one streaming pass over its raw lines
that tests each for the header's number of quote-free fields; the few lines
it cannot clear that way (lines with a quote, or starting with a space, tab or separator) are
collected and checked exactly. Any doubt, and the file goes through the exact reader: the fast
path changes speed, never the result.

A line clears the check when it is not empty-like (only spaces, tabs, quotes, separators), has
no U+FFFD (undecodable bytes) and no carriage return other than the line end, and either has
no quote and ``n_headers - 1`` separators, or consists of exactly ``n_headers`` fields each of
which is either quote-free or quoted whole (RFC 4180, ``""`` escapes). The header line must
clear it too. Then no line is unreadable, no quoted field spans lines, and no line is blank,
so the native scanner's row ``i`` (0-based, header skipped) is physical line ``i + 2``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import polars as pl

from canbao.roster.text import has_control, raw_lines, split_quoted, too_long
from canbao.roster.totals import TOTAL_HINT

# Lines the cheap pass cannot clear are checked exactly; a file with more of them than this is
# simply read by the exact reader (its lines would be checked there anyway).
CANDIDATE_LIMIT: Final = 10_000


def native_ok(path: Path, *, separator: str, n_headers: int) -> bool:
    """True when every line of the UTF-8 file ``path`` is readable and one physical line."""
    line = pl.col("_raw")
    # Lines the exact reader reports as unreadable whatever their fields: never cleared here.
    suspect = suspect_line(line, separator, n_headers) | has_control() | too_long()
    try:
        candidates = (
            raw_lines(path)
            .filter(suspect)
            .select("_raw", "_rest")
            .head(CANDIDATE_LIMIT + 1)
            .collect()
        )
    except pl.exceptions.PolarsError:
        return False  # e.g. a 0x1F byte: the exact reader reports it as it always did
    if candidates.height > CANDIDATE_LIMIT:
        return False
    if candidates.height == 0:
        return True
    return not bool(candidates.select(_bad(line, separator, n_headers).any()).item())


def suspect_line(line: pl.Expr, separator: str, n_headers: int) -> pl.Expr:
    """Tell whether a line is not plain: ``n_headers`` quote-free fields, not starting blank.

    Plain means not empty, no quote, carriage return, U+FFFD or 计 (of 合计, 总计, 小计: a
    possible total row, canbao.roster.totals) anywhere, ``n_headers - 1``
    separators, and a first character that is not a space, tab or separator. Literal searches
    and one count, not one regex: 25-45 % less time on a city's household roster (the regex is
    the oracle in tests/test_roster_fastpath.py).
    """
    return (
        line.is_null()
        | (line.str.len_bytes() == 0)
        | (line.str.count_matches(separator, literal=True) != n_headers - 1)
        | line.str.contains('"', literal=True)
        | line.str.contains("\r", literal=True)
        | line.str.contains("\ufffd", literal=True)
        | line.str.starts_with(" ")
        | line.str.starts_with("\t")
        | line.str.starts_with(separator)
        | line.str.contains(TOTAL_HINT, literal=True)  # 合计, 总计, 小计: a possible total row
    )


def _hex(char: str) -> str:
    return f"\\x{{{ord(char):X}}}"


def _bad(line: pl.Expr, separator: str, n_headers: int) -> pl.Expr:
    """The exact test of a suspect line (few rows: cost does not matter here)."""
    sep = _hex(separator)
    field = f'(?:"(?:[^"]|"")*"|[^{sep}"]*)'
    whole_fields = line.str.contains(f"^{field}(?:{sep}{field})*$")
    has_quote = line.str.contains('"', literal=True)
    fields_ok = (
        pl.when(has_quote)
        .then(whole_fields & (split_quoted(line, separator).list.len() == n_headers))
        .otherwise(line.str.count_matches(separator, literal=True) == n_headers - 1)
    )
    return (
        line.is_null()
        | (line.str.strip_chars(f' \t"{separator}') == "")
        | line.str.contains("\ufffd", literal=True)
        | line.str.contains("\r", literal=True)
        | ~fields_ok
        | line.str.contains(
            TOTAL_HINT, literal=True
        )  # a possible total row: the exact reader decides
        | has_control()
        | too_long()
    ).fill_null(True)


def scan_native(
    path: Path,
    *,
    separator: str,
    n_headers: int,
    positions: dict[str, int],
    fields: tuple[str, ...],
    file_name: str,
) -> pl.LazyFrame:
    """The canonical frame of a file :func:`native_ok` cleared, via ``pl.scan_csv``.

    Same columns, dtypes, values and ``_line`` as :func:`canbao.roster.text.scan_text`:
    columns are taken by position (header names are not used), an empty field, quoted or not,
    is null, and the row index is offset to the physical line (header = line 1).
    """
    names = [f"_c{i}" for i in range(n_headers)]
    scan = pl.scan_csv(
        path,
        has_header=False,
        skip_rows=1,
        schema=dict.fromkeys(names, pl.String),
        separator=separator,
        quote_char='"',
        encoding="utf8",
        raise_if_empty=False,
        glob=False,
        row_index_name="_line",
        row_index_offset=2,
    )
    columns = []
    for field in fields:
        pos = positions.get(field)
        if pos is None:
            columns.append(pl.lit(None, pl.String).alias(field))
        else:
            value = pl.col(names[pos])
            columns.append(pl.when(value.str.len_bytes() > 0).then(value).alias(field))
    return scan.select(
        *columns, pl.lit(file_name, pl.String).alias("_file"), pl.col("_line").cast(pl.Int64)
    )
