"""Unified social credit code (统一社会信用代码, GB 32100-2015) checks as Polars expressions.

18 characters from :data:`ALPHABET`; characters 3-8 are the region code; the last is a check
character, ``31 - (weighted sum mod 31)`` with 31 written ``0`` (docs/ids.md, "Unified social
credit code").

Precedence, one reason per invalid value: missing, characters, length, check_digit (the order of
:data:`USCC_REASONS`). A stray character is named before the length because the length of a
value holding a hyphen or a letter O says little about what went wrong.
"""

from __future__ import annotations

from typing import Final

import polars as pl

ALPHABET: Final[str] = "0123456789ABCDEFGHJKLMNPQRTUWXY"

USCC_REASONS: Final[dict[str, str]] = {
    "missing": "统一社会信用代码为空",
    "characters": "含有代码字符集以外的字符（不用 I、O、S、V、Z）",
    "length": "位数不对（应为 18 位）",
    "check_digit": "校验码错误",
}

_WEIGHTS: Final[tuple[int, ...]] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE: Final[dict[str, int]] = {char: value for value, char in enumerate(ALPHABET)}
_CHAR: Final[dict[int, str]] = dict(enumerate(ALPHABET))
# Zero-width characters survive copy and paste from web pages and PDF files; \s does not cover them.
_INVISIBLE = r"[\s\x{200B}\x{200C}\x{200D}\x{2060}\x{FEFF}]+"


def _clean(text: pl.Expr) -> pl.Expr:
    # NFKC before removing spaces: it turns the ideographic space and full-width letters into ASCII.
    return text.str.normalize("NFKC").str.replace_all(_INVISIBLE, "").str.to_uppercase()


def uscc_check_char_expr(first17: pl.Expr) -> pl.Expr:
    """Return the check character of 17 code characters; null unless all 17 are in the alphabet."""
    values = [
        first17.str.slice(i, 1).replace_strict(_VALUE, default=None, return_dtype=pl.Int64) * weight
        for i, weight in enumerate(_WEIGHTS)
    ]
    # A plain sum propagates nulls (sum_horizontal would skip them and give a wrong character).
    total = sum(values[1:], values[0])
    check = ((31 - total % 31) % 31).replace_strict(_CHAR, return_dtype=pl.String)
    return pl.when(first17.str.len_chars() == 17).then(check)


def normalize_uscc(expr: pl.Expr) -> pl.Expr:
    """Normalise codes: NFKC (full-width letters and digits), no whitespace anywhere, upper case."""
    return _clean(expr.cast(pl.String))


def uscc_struct(expr: pl.Expr, *, prefix: str = "uscc_") -> pl.Expr:
    """Return one Struct expression whose fields are the three columns of :func:`uscc_exprs`."""
    n_norm, n_reason, n_region = (f"{prefix}{name}" for name in ("norm", "reason", "region"))
    slot_norm, slot_reason, slot_region = pl.field(n_norm), pl.field(n_reason), pl.field(n_region)
    # Each stage reads the fields of the one before, so the cleaned text is computed once, not in
    # each of the 17 positions; the three output fields double as working slots:
    #   stage      norm   reason    region
    #   start      raw    -         -
    #   clean      raw    cleaned   -
    #   check      raw    cleaned   check
    #   verdict    raw    cleaned   reason
    #   outputs    norm   reason    region
    cleaned = slot_reason
    verdict = (
        pl.when(cleaned.is_null() | (cleaned.str.len_bytes() == 0))
        .then(pl.lit("missing"))
        .when(~cleaned.str.contains(f"^[{ALPHABET}]+$"))
        .then(pl.lit("characters"))
        .when(cleaned.str.len_bytes() != 18)
        .then(pl.lit("length"))
        .when(cleaned.str.slice(17, 1) != slot_region)
        .then(pl.lit("check_digit"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    valid = slot_region.is_null()
    return (
        pl.struct(
            expr.cast(pl.String).alias(n_norm),
            pl.lit(None, dtype=pl.String).alias(n_reason),
            pl.lit(None, dtype=pl.String).alias(n_region),
        )
        .struct.with_fields(_clean(slot_norm).alias(n_reason))
        .struct.with_fields(uscc_check_char_expr(cleaned.str.slice(0, 17)).alias(n_region))
        .struct.with_fields(verdict.alias(n_region))
        .struct.with_fields(
            pl.when(valid).then(cleaned).otherwise(slot_norm.str.strip_chars()).alias(n_norm),
            slot_region.alias(n_reason),
            pl.when(valid).then(cleaned.str.slice(2, 6)).alias(n_region),
        )
    )


def uscc_exprs(expr: pl.Expr, *, prefix: str = "uscc_") -> list[pl.Expr]:
    """Return the expressions that validate a USCC column.

    - ``{prefix}norm`` (String): the normalised code; for an invalid value the value as
      written, trimmed.
    - ``{prefix}reason`` (String): null when valid, else one code of :data:`USCC_REASONS`.
    - ``{prefix}region`` (String): characters 3-8, the registering region code (valid only).

    Each expression runs the whole check; on a large table use :func:`uscc_struct` and unnest.
    """
    parts = uscc_struct(expr, prefix=prefix)
    return [parts.struct.field(f"{prefix}{name}") for name in ("norm", "reason", "region")]


def validate_uscc(value: str | None) -> str | None:
    """Return the reason code for one USCC, or None when it is valid (for messages, tests)."""
    frame = pl.DataFrame({"v": [value]}, schema={"v": pl.String})
    reason: str | None = frame.select(uscc_exprs(pl.col("v")))["uscc_reason"][0]
    return reason
