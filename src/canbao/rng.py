"""Counter-based random numbers as polars expressions (splitmix64).

Each draw is a pure function of (seed, stream name, row key), so a person's attributes do not
depend on frame order, filtering or the polars version, and no per-row Python runs. numpy is
not a dependency of canbao; wrapping UInt64 arithmetic in polars is enough.

Shared by the synthetic city (canbao.synth) and the seeded spot-check sample (canbao.forms), so
it sits among the shared utilities, below both.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import polars as pl

_U64 = pl.UInt64
_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _c(value: int) -> pl.Expr:
    return pl.lit(value & _MASK, dtype=_U64)


def _mix(z: pl.Expr) -> pl.Expr:
    # Right shifts written as floor division: polars has no shift operator on expressions.
    z = (z ^ (z // _c(1 << 30))) * _c(0xBF58476D1CE4E5B9)
    z = (z ^ (z // _c(1 << 27))) * _c(0x94D049BB133111EB)
    return z ^ (z // _c(1 << 31))


def _mix_int(z: int) -> int:
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


class Rng:
    """Named random streams keyed by a row column (``pid`` for persons)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def _base(self, stream: str) -> int:
        return _mix_int(_mix_int(self.seed * _GOLDEN + 1) ^ zlib.crc32(stream.encode()))

    def bits(self, stream: str, key: pl.Expr | str = "pid") -> pl.Expr:
        """Uniform UInt64 per row."""
        k = pl.col(key) if isinstance(key, str) else key
        return _mix(k.cast(_U64) * _c(_GOLDEN) + _c(self._base(stream)))

    def uniform(self, stream: str, key: pl.Expr | str = "pid") -> pl.Expr:
        """Uniform float in [0, 1) per row."""
        return (self.bits(stream, key) // _c(2048)).cast(pl.Float64) * (2.0**-53)

    def below(self, stream: str, n: int | pl.Expr, key: pl.Expr | str = "pid") -> pl.Expr:
        """Uniform integer in [0, n) per row."""
        scale = n if isinstance(n, pl.Expr) else pl.lit(n)
        return (self.uniform(stream, key) * scale).floor().cast(pl.Int64)

    def pick(self, stream: str, pool: Sequence[str], key: pl.Expr | str = "pid") -> pl.Expr:
        """One element of ``pool`` per row, uniformly."""
        return take(pool, self.below(stream, len(pool), key))


def take(pool: Sequence[str], index: pl.Expr) -> pl.Expr:
    """Element ``index`` of a small pool of strings, vectorised."""
    return index.replace_strict(list(range(len(pool))), list(pool), return_dtype=pl.String)
