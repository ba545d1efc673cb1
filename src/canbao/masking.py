"""Masking of personal data for everything canbao prints or logs.

Citizen IDs keep the region code and the last four characters (``340621********123X``),
names keep their first character (``张*``, ``欧阳**``). Output *files* hold the full
values (they are the work product); terminals, logs and error messages never do.

:func:`mask_text` is the one masker every printed or logged text passes through (the consoles
of :mod:`canbao.cli_common` call it on everything they write). It finds an ID in any spelling a
spreadsheet or a clerk produces: spaced (``340621 1990 0101 123X``), full-width
(``３４０６２１…``), in scientific notation (``3.40621199E+17``), 15 or 18 digits, lower-case
``x``; and birth dates written as eight digits, or after a birth word (出生, 生日, birth).
Names and addresses cannot be told from other words by a pattern: messages never quote a cell
that may hold one (see :func:`canbao.roster.mapping.describe_headers`).
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

# A digit and a check character X in either width (full-width digits come from Chinese IMEs).
_D = "[0-9\uff10-\uff19]"
_X = "[Xx\uff38\uff58]"
_NOT_DIGIT_BEFORE = "(?<![0-9\uff10-\uff19])"
_END = "(?![0-9\uff10-\uff19A-Za-z\uff21-\uff3a\uff41-\uff5a])"
# A citizen ID as one run: 15 or more digits (a damaged ID, one digit too many, a bank card or
# an ID glued to other digits is still personal), or 14 to 17 digits and X.
_ID_IN_TEXT = re.compile(rf"{_NOT_DIGIT_BEFORE}(?:{_D}{{15,}}{_END}|{_D}{{14,17}}{_X}{_END})")
# An ID split into groups of three or more digits by single spaces or hyphens
# (``340621 1990 0101 123X``), the last group possibly shorter when it ends in X
# (``3406 2119 8001 0112 3X``); shorter digit groups are left alone, since dates and times
# are written so. The callback masks runs of 15 characters or more.
_SEP = "[ \t\u00a0\u3000-]"
_ID_SPACED = re.compile(
    rf"{_NOT_DIGIT_BEFORE}{_D}{{3,}}(?:{_SEP}{_D}{{3,}})*(?:{_SEP}{_D}{{0,2}}{_X}|{_X})?{_END}"
)
# An ID as Excel shows it in scientific notation: 3.40621199E+17 (a 15- to 18-digit number).
_ID_SCIENTIFIC = re.compile(
    rf"(?<![0-9\uff10-\uff19.])({_D})[.\uff0e]({_D}+)[Ee\uff25\uff45]\+?0?(1[4-7])(?![0-9])"
)
# A birth date as eight digits (19000101 to 20291231), or any date after a birth word.
_COMPACT_DATE = re.compile(
    r"(?<![0-9\uff10-\uff19])(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"(?![0-9\uff10-\uff19])"
)
_BIRTH_DATE = re.compile(
    r"(出生|生日|birth|born)([^0-9\n]{0,12})"
    r"[0-9\uff10-\uff19]{4}[-/.年\s][0-9\uff10-\uff19]{1,2}[-/.月\s][0-9\uff10-\uff19]{1,2}日?",
    re.IGNORECASE,
)


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


def _mask_spelled_id(match: re.Match[str]) -> str:
    # The masked form is the usual one, whatever the spelling: region code, stars, last four.
    plain = unicodedata.normalize("NFKC", match.group(0))
    return mask_id("".join(c for c in plain if c.isalnum()))


def _mask_scientific(match: re.Match[str]) -> str:
    # The first six significant digits are the region code (not personal); the rest goes.
    lead, decimals, exponent = match.group(1), match.group(2), match.group(3)
    return f"{lead}.{decimals[:5]}***E+{exponent}"


def _mask_spaced_id(match: re.Match[str]) -> str:
    compact = "".join(c for c in unicodedata.normalize("NFKC", match.group(0)) if c.isalnum())
    return mask_id(compact) if len(compact) >= 15 else match.group(0)


def mask_ids_in_text(text: str) -> str:
    """Mask every citizen ID inside free text, in any spelling (spaced, full-width, scientific)."""
    text = _ID_IN_TEXT.sub(_mask_spelled_id, text)
    text = _ID_SPACED.sub(_mask_spaced_id, text)
    return _ID_SCIENTIFIC.sub(_mask_scientific, text)


def mask_text(text: str) -> str:
    """Mask IDs in any spelling and birth dates: the one masker of everything printed or logged."""
    text = mask_ids_in_text(text)
    text = _BIRTH_DATE.sub(lambda m: f"{m.group(1)}{m.group(2)}****-**-**", text)
    return _COMPACT_DATE.sub("********", text)


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


def mask_name_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorised :func:`mask_name`: the first character, then one star per other character."""
    n = expr.str.len_chars()
    stars = pl.lit("*").repeat_by(n - 1).list.join("")
    return (
        pl.when(n > 1)
        .then(pl.concat_str([expr.str.slice(0, 1), stars]))
        .when(expr.is_not_null())
        .then(pl.lit("*"))
    )


# A value a message may quote as it is: a code, a number, a share (``11``, ``A``, ``92.5%``).
# Anything else may be a name, an address or a date typed into the wrong cell.
_PLAIN_VALUE = r"^[+-]?[0-9A-Za-z.,% ]{1,12}$"
_DATE_LIKE = r"[0-9]{4}[./][0-9]{1,2}[./][0-9]{1,2}"


def mask_value_expr(expr: pl.Expr) -> pl.Expr:
    """A cell's value for a message: a code, a number or one character as it is, else masked.

    A value in the wrong column may be a name, an address or a date; a code never is, and one
    character (a grade 优, a tick √) is no one's name. The sink still masks an eight-digit date.
    """
    plain = (expr.str.contains(_PLAIN_VALUE) & ~expr.str.contains(_DATE_LIKE)) | (
        expr.str.strip_chars().str.len_chars() <= 1
    )
    return pl.when(plain).then(expr).otherwise(mask_name_expr(expr))
