"""Lookups and folds as elementwise expressions, so that Polars' streaming engine keeps streaming.

In Polars 2.1 ``replace`` and ``replace_strict`` run as *columnar* functions in the streaming
engine: the node waits for the whole column before it maps it, so a roster read through them
is held in memory whole (seen with ``POLARS_VERBOSE=1`` and in the peak memory of a 1 M-row
household roster: +60 MB for one mapped column). One ``is_in`` per distinct result is
elementwise, streams, and for the small code tables of a roster costs no more CPU.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from functools import reduce
from operator import or_
from typing import Final

import polars as pl
from polars._typing import PolarsDataType

# Up to this many values, a column is compared with each (``is_one_of``) rather than looked up
# in a hash set: a code column's 3-4 words at a third of ``is_in``'s time (docs/performance.md).
EQUALITY_KEYS: Final = 16


def is_one_of(expr: pl.Expr, values: Collection[str]) -> pl.Expr:
    """``expr.is_in(values)`` (null for null), for a String column: a few values compared one
    by one, which Polars does on the strings' inline prefixes without hashing them; more values,
    or an expression that is not a bare column (each comparison would compute it again unless
    Polars notices), by ``is_in``."""
    if not values or len(values) > EQUALITY_KEYS or not expr.meta.is_column():
        return expr.is_in(list(values))
    return reduce(or_, (expr == value for value in values))


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
        mapped = pl.when(is_one_of(expr, keys)).then(pl.lit(result, dtype)).otherwise(mapped)
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
