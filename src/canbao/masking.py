"""Masking of personal data for everything canbao prints or logs.

Citizen IDs keep the region code and the last four characters (``340621********123X``),
names keep their first character (``张*``, ``欧阳**``). Output *files* hold the full
values (they are the work product); terminals, logs and error messages never do.
"""

from __future__ import annotations

import re

import polars as pl

# An 18- or 15-character citizen ID anywhere in a text, delimited by non-digits.
_ID_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])|(?<![0-9])[0-9]{15}(?![0-9])")


def mask_id(value: str | None) -> str:
    """Mask one citizen ID as ``340621********123X``; short or odd values become ``***``."""
    if value is None:
        return ""
    text = str(value).strip()
    if len(text) >= 12:
        return f"{text[:6]}********{text[-4:]}"
    return "***" if text else ""


def mask_name(value: str | None) -> str:
    """Mask one personal name, keeping its first character."""
    if value is None:
        return ""
    text = str(value).strip()
    if len(text) <= 1:
        return "*" if text else ""
    return text[0] + "*" * (len(text) - 1)


def mask_ids_in_text(text: str) -> str:
    """Mask every 15- or 18-digit citizen ID that appears inside free text."""
    return _ID_IN_TEXT.sub(lambda m: mask_id(m.group(0)), text)


def mask_ids_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorised :func:`mask_ids_in_text` for a string column (raw lines, free text)."""
    masked = expr.str.replace_all(r"([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])", "${1}********${2}")
    return masked.str.replace_all(r"([0-9]{6})[0-9]{5}([0-9]{4})", "${1}********${2}")


def mask_id_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorised :func:`mask_id` for a column holding one ID per row."""
    text = expr.str.strip_chars()
    n = text.str.len_chars()
    # A fixed run of stars: the masked form must not reveal the value's length either.
    return (
        pl.when(n >= 12)
        .then(pl.concat_str([text.str.slice(0, 6), pl.lit("********"), text.str.slice(-4)]))
        .when(n > 0)
        .then(pl.lit("***"))
        .otherwise(pl.lit(""))
    )
