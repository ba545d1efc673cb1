"""Delimited text: one streaming scan that both classifies and parses every line.

The file is scanned as a single raw-line column (separator 0x1F, no quoting), so the row index
*is* the physical line number and no line can be skipped or merged behind our back. Each line
is split with polars string functions: a plain ``str.split`` for lines without a quote, and
for lines with one a regex that takes quoted fields whole (``"a,b"`` and ``""`` escapes). The
field count decides whether a line is readable; readable lines are parsed from the same split.
A newline inside a quoted field (Excel's Alt+Enter) is read as RFC 4180 says: the lines from
the opening to the closing quote are joined first into one record at its first line, within a
limit (:mod:`canbao.roster.quoted`); a quote left open past it is an ``open_quote`` row.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

import polars as pl

from canbao.limits import MAX_LINE_BYTES
from canbao.roster.quoted import join_spans, odd_quote_lines, quoted_spans
from canbao.roster.totals import TOTAL_HINT, key_field, total_parts
from canbao.roster.transcode import TextSource
from canbao.roster.unreadable import (
    BAD_ENCODING,
    CONTROL_CHAR,
    CUT_LINE,
    EMPTY_LINE,
    OPEN_QUOTE,
    TOO_FEW,
    TOO_LONG,
    TOO_MANY,
    TOTAL_ROW,
    unreadable_frame,
)

RAW_SEPARATOR = "\x1f"

# Polars' streaming CSV reader reads a local file ahead in chunks of POLARS_CSV_CHUNK_SIZE bytes
# (32 MiB by default, four of them prefetched) and keeps each one until its rows are consumed:
# 240-270 MiB whatever the file's size, half a 575 MiB roster. With 2 MiB chunks a scan holds
# 50-65 MiB for the same CPU time (docs/reading.md). Polars reads the variable at every scan
# and offers no per-scan option.
CSV_CHUNK_BYTES: Final = 2 * 1024 * 1024


def bound_read_ahead() -> None:
    """Make polars read CSV files in small chunks, unless the user has chosen a size."""
    os.environ.setdefault("POLARS_CSV_CHUNK_SIZE", str(CSV_CHUNK_BYTES))


def scan_text(
    source: TextSource,
    *,
    separator: str,
    n_headers: int,
    positions: dict[str, int],
    fields: tuple[str, ...],
    file_name: str,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Return (canonical frame, unreadable rows) of a UTF-8 text roster."""
    source = source.counted()
    raw = raw_lines(source.utf8_path).filter(pl.col("_line") > 1)
    # Quoted fields spanning lines are joined first (canbao.roster.quoted): one record each.
    raw = join_spans(raw, quoted_spans(odd_quote_lines(raw)))
    line = pl.col("_raw").fill_null("")
    has_quote = line.str.contains('"', literal=True)
    # Counting separators is much cheaper than splitting, so lines are classified by count and
    # only readable ones are split. Lines with a quote (rare) go through the quote-aware regex;
    # the other lines are null in that branch, which costs nothing.
    quoted = split_quoted(pl.when(has_quote).then(line), separator)
    n = (
        pl.when(has_quote)
        .then(quoted.list.len())
        .otherwise(line.str.count_matches(separator, literal=True) + 1)
    )
    # Some systems end every data line with a separator the header lacks: an empty extra
    # field is accepted, anything else beyond the header is not.
    trailing_empty = (n == n_headers + 1) & line.str.ends_with(separator)
    cut = pl.lit(not source.ends_with_newline) & (pl.col("_line") == source.lines)
    odd_quotes = pl.when(has_quote).then(line.str.count_matches('"', literal=True) % 2 == 1)
    # Only lines holding 合计/总计/小计 are split for the total-row test (canbao.roster.totals).
    hinted = line.str.contains(TOTAL_HINT, literal=True)
    hinted_parts = pl.coalesce(
        pl.when(hinted & ~has_quote).then(line).str.split(separator),
        pl.when(hinted).then(quoted),
    )
    key = key_field(fields)
    is_total = total_parts(hinted_parts, positions.get(key) if key else None)
    reason = (
        pl.when(too_long())
        .then(pl.lit(TOO_LONG))
        .when(has_control())
        .then(pl.lit(CONTROL_CHAR))
        .when(line.str.strip_chars(f' \t"{separator}') == "")
        .then(pl.lit(EMPTY_LINE))
        .when(line.str.contains("\ufffd", literal=True))
        .then(pl.lit(BAD_ENCODING))
        .when(cut & ((n < n_headers) | odd_quotes.fill_null(False)))
        .then(pl.lit(CUT_LINE))
        .when(odd_quotes.fill_null(False))
        .then(pl.lit(OPEN_QUOTE))
        .when(n < n_headers)
        .then(pl.lit(TOO_FEW))
        .when((n > n_headers) & ~trailing_empty)
        .then(pl.lit(TOO_MANY))
        .when(hinted & is_total.fill_null(False))
        .then(pl.lit(TOTAL_ROW))
        .otherwise(pl.lit(None, pl.String))
        .alias("_reason")
    )
    classified = raw.with_columns(reason)
    parts = pl.coalesce(pl.when(~has_quote).then(line).str.split(separator), quoted)
    columns = []
    for field in fields:
        pos = positions.get(field)
        if pos is None:
            columns.append(pl.lit(None, pl.String).alias(field))
        else:
            value = pl.col("_parts").list.get(pos, null_on_oob=True)
            columns.append(pl.when(value.str.len_bytes() > 0).then(value).alias(field))
    frame = (
        classified.filter(pl.col("_reason").is_null())
        .with_columns(parts.alias("_parts"))
        .select(
            *columns,
            pl.lit(file_name, pl.String).alias("_file"),
            pl.col("_line").cast(pl.Int64),
        )
    )
    bad = classified.filter(pl.col("_reason").is_not_null()).with_columns(
        # The text after a 0x1F byte (the raw scan's separator) belongs to the line shown.
        pl.when(pl.col("_rest").is_not_null())
        .then(pl.concat_str(line, pl.lit(RAW_SEPARATOR), pl.col("_rest")))
        .otherwise(pl.col("_raw"))
        .alias("_raw")
    )
    return frame, unreadable_frame(bad, file_name)


def too_long() -> pl.Expr:
    """A raw line beyond :data:`canbao.limits.MAX_LINE_BYTES`: unreadable, never split."""
    return pl.col("_raw").str.len_bytes().fill_null(0) > MAX_LINE_BYTES


def has_control() -> pl.Expr:
    """A raw line holding a NUL or a 0x1F byte (the raw scan cut it there: ``_rest``)."""
    return pl.col("_rest").is_not_null() | pl.col("_raw").str.contains(
        "\x00", literal=True
    ).fill_null(False)


def raw_lines(path: Path) -> pl.LazyFrame:
    """Every physical line of a UTF-8 file as ``_raw`` (null when empty), ``_line`` from 1.

    A line holding the raw separator 0x1F is cut there: ``_rest`` holds the text after it
    (null for every other line), so that such a line is reported, not a scan error.
    """
    return pl.scan_csv(
        path,
        separator=RAW_SEPARATOR,
        quote_char=None,
        has_header=False,
        schema={"_raw": pl.String, "_rest": pl.String},
        missing_columns="insert",
        extra_columns="ignore",
        truncate_ragged_lines=True,
        encoding="utf8-lossy",
        glob=False,
        row_index_name="_line",
        row_index_offset=1,
    )


def split_quoted(line: pl.Expr, separator: str) -> pl.Expr:
    """Split lines holding quotes: RFC 4180 fields on one line, quotes removed, ``""`` -> ``"``."""
    sep = re.escape(separator)
    # Every match starts with the separator (one is prepended), so empty fields are matched
    # too; text after a closing quote stays in its field instead of vanishing.
    pattern = f'{sep}(?:"(?:[^"]|"")*"[^{sep}]*|[^{sep}]*)'
    fields = pl.concat_str(pl.lit(separator), line).str.extract_all(pattern)
    return fields.list.eval(_unquote(pl.element().str.slice(1)))


def _unquote(field: pl.Expr) -> pl.Expr:
    quoted = field.str.starts_with('"') & field.str.ends_with('"') & (field.str.len_chars() >= 2)
    inner = field.str.slice(1, field.str.len_chars() - 2).str.replace_all('""', '"', literal=True)
    return pl.when(quoted).then(inner).otherwise(field)
