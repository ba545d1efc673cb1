"""Lookups and folds as elementwise expressions, so that Polars' streaming engine keeps streaming.

In Polars 2.1 ``replace`` and ``replace_strict`` run as *columnar* functions in the streaming
engine: the node waits for the whole column before it maps it, so a roster read through them
is held in memory whole (seen with ``POLARS_VERBOSE=1`` and in the peak memory of a 1 M-row
household roster: +60 MB for one mapped column). One ``is_in`` per distinct result is
elementwise, streams, and for the small code tables of a roster costs no more CPU.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl
from polars._typing import PolarsDataType


def map_values(
    expr: pl.Expr,
    mapping: Mapping[str, str],
    *,
    default: pl.Expr | None = None,
    dtype: PolarsDataType = pl.String,
) -> pl.Expr:
    """``mapping[value]`` for each value of a String ``expr``; ``default`` (null) when missing."""
    keys_by_result: dict[str, list[str]] = {}
    for key, result in mapping.items():
        keys_by_result.setdefault(result, []).append(key)
    mapped = pl.lit(None, dtype) if default is None else default
    for result, keys in reversed(keys_by_result.items()):
        mapped = pl.when(expr.is_in(keys)).then(pl.lit(result, dtype)).otherwise(mapped)
    return mapped


def fold_unless_plain(expr: pl.Expr, plain: str, fold: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
    """``fold(expr)``, computed only on values not matching the regex ``plain`` (kept as they are).

    ``plain`` must describe values that ``fold`` leaves unchanged. Nearly every value of an
    export is plain (a digit code, an ID, a Han name), and the NFKC and regex passes of a fold
    cost far more than one regex test: the fold runs on a column masked to null except for the
    rest, so a clean roster pays for the test alone.
    """
    is_plain = expr.str.contains(plain)
    return pl.when(is_plain).then(expr).otherwise(fold(pl.when(~is_plain).then(expr)))
