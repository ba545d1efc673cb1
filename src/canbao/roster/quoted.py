"""Quoted fields holding line breaks (Excel's Alt+Enter), joined as RFC 4180 says, within a limit.

A line with an odd number of ``"`` opens a quoted field that the next such line closes; the lines
from the one to the other are one record, read at its first line with the breaks kept as ``\\n``.
When the closing line lies more than :data:`canbao.limits.MAX_QUOTED_LINES` lines further, the
quote is taken as stray: its line is an ``open_quote`` row, and the lines after it are read on
their own (each readable or counted unreadable as usual), so that no line is swallowed silently.
Only the few lines with an odd number of quotes are looked at one by one, never the roster's
rows. The lines a record absorbed after its first are its *continuation lines*: rows +
unreadable rows + continuation lines = the data lines of the file.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from canbao.limits import MAX_QUOTED_LINES

Span = tuple[int, int]


def odd_quote_lines(raw: pl.LazyFrame) -> list[int]:
    """The physical lines (after the header) holding an odd number of double quotes."""
    line = pl.col("_raw").fill_null("")
    odd = line.str.contains('"', literal=True) & (
        line.str.count_matches('"', literal=True) % 2 == 1
    )
    found = raw.filter(odd).select(pl.col("_line").cast(pl.Int64)).collect()
    return [int(v) for v in found.to_series()]


def quoted_spans(odd_lines: Sequence[int]) -> list[Span]:
    """Pair each opening line with the next odd line within the limit (the rest are stray)."""
    spans: list[Span] = []
    opened: int | None = None
    for line in odd_lines:  # the few odd-quote lines only, in file order
        if opened is not None and line - opened <= MAX_QUOTED_LINES:
            spans.append((opened, line))
            opened = None
        else:
            opened = line  # the first quote, or a stray one replaced by this line's
    return spans


def join_spans(raw: pl.LazyFrame, spans: Sequence[Span]) -> pl.LazyFrame:
    """``raw`` with each span's lines joined by ``\\n`` into one line at the span's first line."""
    if not spans:
        return raw
    members = pl.LazyFrame(
        {
            "_line": [n for a, b in spans for n in range(a, b + 1)],
            "_start": [a for a, b in spans for _ in range(a, b + 1)],
        },
        schema={"_line": pl.Int64, "_start": pl.Int64},
    )
    lines = raw.with_columns(pl.col("_line").cast(pl.Int64)).join(
        members, on="_line", how="left", maintain_order="left"
    )
    alone = lines.filter(pl.col("_start").is_null()).drop("_start")
    joined = (
        lines.filter(pl.col("_start").is_not_null())
        .sort("_line")
        .group_by("_start", maintain_order=True)
        .agg(
            pl.col("_raw").fill_null("").str.join("\n"),
            pl.col("_rest").drop_nulls().first(),
        )
        .rename({"_start": "_line"})
    )
    return pl.concat([alone, joined], how="diagonal_relaxed").sort("_line")


def continuation_lines(spans: Sequence[Span]) -> int:
    """How many physical lines were absorbed into an earlier line's record."""
    return sum(b - a for a, b in spans)
