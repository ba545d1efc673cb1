"""Citizen IDs for the synthetic city: valid ones, and the damage real rosters show.

The check character is computed here rather than with :mod:`canbao.ids`, so that the expected
sets do not rest on the code they are meant to test.
"""

from __future__ import annotations

import polars as pl

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index: weighted sum mod 11

# Kinds of damage, in the order of an ``enrol_invalid_id`` story's variants.
DAMAGE_KINDS = ("typo", "transposition", "wrong_check", "excel_scientific", "excel_zeroed")


def _digit(s: pl.Expr, i: int | pl.Expr) -> pl.Expr:
    return s.str.slice(i, 1).cast(pl.Int64, strict=False)


def check_char(first17: pl.Expr) -> pl.Expr:
    """ISO 7064 MOD 11-2 check character of a 17-digit string."""
    total = pl.sum_horizontal([_digit(first17, i) * w for i, w in enumerate(WEIGHTS)])
    return (total % 11).replace_strict(list(range(11)), list(CHECK_CHARS), return_dtype=pl.String)


def is_valid(id18: pl.Expr) -> pl.Expr:
    """True when a string is 17 digits and the right check character (region/date not checked)."""
    shaped = id18.str.contains(r"^[0-9]{17}[0-9X]$")
    return shaped & (check_char(id18.str.slice(0, 17)) == id18.str.slice(17, 1))


def _splice(s: pl.Expr, pos: pl.Expr, text: pl.Expr) -> pl.Expr:
    return pl.concat_str([s.str.slice(0, pos), text, s.str.slice(pos + text.str.len_chars())])


def damage(frame: pl.DataFrame, *, kind: str, u1: pl.Expr, u2: pl.Expr, out: str) -> pl.DataFrame:
    """Add column ``out``: column ``id`` damaged as column ``kind`` says; never a valid ID.

    ``u1``/``u2`` are uniforms choosing the position and the wrong digit. A damage that would
    change nothing (transposing equal digits) or stay valid by chance (zeroing the last three
    digits) falls back to a wrong check character, which is always invalid. Built in stages:
    one nested expression would evaluate the candidates many times over.
    """
    id18 = pl.col("id")
    pos = (u1 * 17).floor().cast(pl.Int64)
    tpos = (u1 * 16).floor().cast(pl.Int64)
    staged = frame.with_columns(
        _pos=pos,
        _tpos=tpos,
        _d=_digit(id18, pos),
        _u2=u2,
        _a=id18.str.slice(tpos, 1),
        _b=id18.str.slice(tpos + 1, 1),
    )
    check_idx = id18.str.slice(17, 1).replace_strict(
        list(CHECK_CHARS), list(range(11)), return_dtype=pl.Int64
    )
    wrong_idx = (check_idx + 1 + (pl.col("_u2") * 10).floor().cast(pl.Int64)) % 11
    new_digit = ((pl.col("_d") + 1 + (pl.col("_u2") * 9).floor().cast(pl.Int64)) % 10).cast(
        pl.String
    )
    staged = staged.with_columns(
        _typo=_splice(id18, pl.col("_pos"), new_digit),
        _swap=pl.when(pl.col("_a") != pl.col("_b")).then(
            _splice(id18, pl.col("_tpos"), pl.concat_str([pl.col("_b"), pl.col("_a")]))
        ),
        _wrong=pl.concat_str(
            [
                id18.str.slice(0, 17),
                wrong_idx.replace_strict(
                    list(range(11)), list(CHECK_CHARS), return_dtype=pl.String
                ),
            ]
        ),
        # Excel shows a long number in General format with nine significant digits.
        _sci=pl.concat_str(
            [id18.str.slice(0, 1), pl.lit("."), id18.str.slice(1, 8), pl.lit("E+17")]
        ),
        _zero=pl.concat_str([id18.str.slice(0, 15), pl.lit("000")]),
    )
    k = pl.col(kind)
    staged = staged.with_columns(
        pl.when(k == "typo")
        .then(pl.col("_typo"))
        .when(k == "transposition")
        .then(pl.col("_swap"))
        .when(k == "excel_scientific")
        .then(pl.col("_sci"))
        .when(k == "excel_zeroed")
        .then(pl.col("_zero"))
        .otherwise(pl.col("_wrong"))
        .fill_null(pl.col("_wrong"))
        .alias("_out")
    )
    staged = staged.with_columns(
        pl.when(is_valid(pl.col("_out")))
        .then(pl.col("_wrong"))
        .otherwise(pl.col("_out"))
        .alias(out)
    )
    return staged.drop(
        "_pos",
        "_tpos",
        "_d",
        "_u2",
        "_a",
        "_b",
        "_typo",
        "_swap",
        "_wrong",
        "_sci",
        "_zero",
        "_out",
    )
