"""Citizen ID (公民身份号码, GB 11643-1999) checks as Polars expressions, whole columns at once.

Every check is an expression over a column, so a roster of millions of rows is validated
without a Python call per row (docs/ids.md states the rules).

Precedence: each invalid value gets exactly one reason, the first that applies in the order of
:data:`ID_REASONS` (missing, spreadsheet_scientific, characters, length, province, birth_date,
future_birth, spreadsheet_rounded, check_digit). Structural faults come before the check
character because a check character computed over a broken number says nothing more, and
``spreadsheet_rounded`` is a refinement of ``check_digit`` (it only applies where the check
character is wrong).

:func:`citizen_id_exprs` gives the five columns as separate expressions (the design contract);
each one runs the whole check, so on large rosters :func:`citizen_id_struct`, unnested, is the
one-pass form (about four times faster for the five columns).
"""

from __future__ import annotations

from datetime import date
from typing import Final

import polars as pl

from canbao.elementwise import fold_unless_plain

ID_REASONS: Final[dict[str, str]] = {
    "missing": "公民身份号码为空",
    "spreadsheet_scientific": (
        "号码被电子表格改成了科学计数法（如 3.40621199E+17），后几位已丢失，须按原件重新录入"
    ),
    "characters": "含有数字以外的字符（只有末位可以是 X）",
    "length": "位数不对（应为 18 位，或 15 位旧号码）",
    "province": "前两位不是有效的省级行政区划代码",
    "birth_date": "出生日期不存在（或早于 1880-01-01）",
    "future_birth": "出生日期晚于统计基准日（as-of）",
    "spreadsheet_rounded": (
        "号码疑被电子表格损坏：曾按数值保存，经浮点数转换或 Excel 只保留 15 位有效数字，"
        "末几位被舍入为 0，校验码因此不符；须按原件重新录入"
    ),
    "check_digit": "校验码错误",
}

# GB/T 2260 province-level codes, plus 83: residence permits for Taiwan residents (台湾居民居住证,
# 2018) carry 830000 as their region code and follow the same check rule.
PROVINCE_CODES: Final[frozenset[str]] = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54"}
    | {"61", "62", "63", "64", "65", "71", "81", "82", "83"}
)

# Nobody registered in a campaign roster was born before this; earlier dates are typing errors
# (a year 1099 for 1990 and the like) rather than real persons.
EARLIEST_BIRTH: Final[date] = date(1880, 1, 1)

# Zero-width characters survive copy and paste from web pages and PDF files; \s does not cover them.
_INVISIBLE = r"[\s\x{200B}\x{200C}\x{200D}\x{2060}\x{FEFF}]+"
# What Excel or a float-to-text conversion leaves of a long number: 3.40621199E+17, 3.40621E+17.
_SCIENTIFIC = r"^[0-9]+(\.[0-9]*)?E[+]?[0-9]+$"


def _check_char_unguarded(first17: pl.Expr) -> pl.Expr:
    # The weights are 2**(17 - i) mod 11 and 13 = 2 (mod 11), so the digits read in base 13 give
    # the weighted sum mod 11 up to a factor 2: (12 - sum) mod 11 = (1 - 2 * value) mod 11. One
    # parse instead of 17 slices keeps the expression tree small (it is repeated in every output).
    value = (12 - (first17.str.to_integer(base=13, strict=False) % 11) * 2 % 11) % 11
    # value is 0..10 or null. Not replace_strict: the streaming engine runs it as a whole-column
    # function, so the ID checks held entire columns (520 MiB at 5 million rows, growing with
    # the roster). The first branch names the result after the input, as replace_strict did.
    return pl.when(value < 10).then(value.cast(pl.String)).when(value == 10).then(pl.lit("X"))


def check_char_expr(first17: pl.Expr) -> pl.Expr:
    """Return the ISO 7064 MOD 11-2 check character (``0``-``9`` or ``X``) of 17 digits.

    Weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, ``(12 - sum mod 11) mod 11``, 10 written ``X``.
    The result is null unless the input is exactly 17 ASCII digits.
    """
    char = _check_char_unguarded(first17)
    return pl.when(first17.str.contains(r"^[0-9]{17}$")).then(char).name.keep()


def _fold(text: pl.Expr) -> pl.Expr:
    # NFKC goes before the whitespace removal: it turns the ideographic space, full-width digits
    # and Ｘ into ASCII.
    return text.str.normalize("NFKC").str.replace_all(_INVISIBLE, "").str.to_uppercase()


def _clean(text: pl.Expr) -> pl.Expr:
    # Nearly every value is plain ASCII digits: the costly Unicode passes run only on the rest.
    return fold_unless_plain(text, r"^[0-9X]*$", _fold)


def _legacy(cleaned: pl.Expr) -> pl.Expr:
    return pl.when(cleaned.str.contains(r"^[0-9]{15}$")).then(cleaned)


def _upgrade(cleaned: pl.Expr, legacy: pl.Expr) -> pl.Expr:
    # legacy is null except on 15-digit values, so the rewrite costs nothing on the others.
    body = pl.concat_str([legacy.str.slice(0, 6), pl.lit("19"), legacy.str.slice(6)])
    return pl.coalesce(pl.concat_str([body, _check_char_unguarded(body)]), cleaned)


def normalize_id(expr: pl.Expr) -> pl.Expr:
    """Normalise citizen IDs: NFKC, no whitespace anywhere, upper-case ``X``, 15 digits made 18.

    A value of exactly 15 ASCII digits is taken as a legacy (1984-1999) number: ``19`` is inserted
    before the two-digit year and the check character computed. Whether the result is a valid ID
    is decided by :func:`citizen_id_exprs`; this only rewrites the text.
    """
    cleaned = _clean(expr.cast(pl.String))
    return _upgrade(cleaned, _legacy(cleaned))


def _structural_reason(missing: pl.Expr, cleaned: pl.Expr, norm: pl.Expr) -> pl.Expr:
    """The first structural fault (``missing`` to ``length``) of a cleaned value, else null."""
    return (
        pl.when(missing)
        .then(pl.lit("missing"))
        .when(cleaned.str.contains(_SCIENTIFIC))
        .then(pl.lit("spreadsheet_scientific"))
        .when(~cleaned.str.contains(r"^[0-9]+X?$"))
        .then(pl.lit("characters"))
        .when(norm.str.len_bytes() != 18)
        .then(pl.lit("length"))
    )


def _semantic_reason(norm: pl.Expr, birth: pl.Expr, wrong_check: pl.Expr, as_of: date) -> pl.Expr:
    """The first fault (``province`` to ``check_digit``) of a structurally sound ID, else null."""
    return (
        pl.when(~norm.str.slice(0, 2).is_in(sorted(PROVINCE_CODES)))
        .then(pl.lit("province"))
        .when(birth.is_null() | (birth < pl.lit(EARLIEST_BIRTH)))
        .then(pl.lit("birth_date"))
        .when(birth > pl.lit(as_of))
        .then(pl.lit("future_birth"))
        # Here norm is 17 digits and a digit or X; an X would have kept the value text in a sheet.
        .when(wrong_check & norm.str.ends_with("00"))
        .then(pl.lit("spreadsheet_rounded"))
        .when(wrong_check)
        .then(pl.lit("check_digit"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def _reason(
    cleaned: pl.Expr, norm: pl.Expr, birth: pl.Expr, check: pl.Expr, as_of: date
) -> pl.Expr:
    # The order of ID_REASONS: a structural fault first, then the others.
    missing = cleaned.is_null() | (cleaned.str.len_bytes() == 0)
    return pl.coalesce(
        _structural_reason(missing, cleaned, norm),
        _semantic_reason(norm, birth, norm.str.slice(17, 1) != check, as_of),
    )


def citizen_id_struct(expr: pl.Expr, *, as_of: date, prefix: str = "id_") -> pl.Expr:
    """Return one Struct expression whose fields are the five columns of :func:`citizen_id_exprs`.

    ``frame.with_columns(citizen_id_struct(col, as_of=d).alias("t")).unnest("t")`` runs the
    checks once for all five columns: use it on large rosters.
    """
    # Built stage by stage inside one struct, each stage reading the fields of the one before, so
    # no intermediate is computed twice: nested expressions would repeat the early passes in every
    # later one, and Polars' common-subexpression elimination does not reach inside them. A struct
    # field cannot be dropped, so the five output fields double as the working slots:
    #   stage        norm   reason   key      sex    birth
    #   start        raw    -        -        -      -
    #   clean        raw    cleaned  -        -      -
    #   15 -> 18     raw    cleaned  legacy   -      -
    #                raw    cleaned  norm     -      -
    #   parts        raw    cleaned  norm     check  birth
    #   verdict      raw    reason   norm     check  birth
    #   outputs      norm   reason   key      sex    birth
    n_norm, n_reason, n_key, n_sex, n_birth = (
        f"{prefix}{name}" for name in ("norm", "reason", "key", "sex", "birth")
    )
    slot_norm, slot_reason, slot_key = pl.field(n_norm), pl.field(n_reason), pl.field(n_key)
    slot_sex, slot_birth = pl.field(n_sex), pl.field(n_birth)
    valid = slot_reason.is_null()
    sequence = slot_key.str.slice(16, 1).cast(pl.Int64, strict=False)
    return (
        pl.struct(
            expr.cast(pl.String).alias(n_norm),
            *(pl.lit(None, dtype=pl.String).alias(name) for name in (n_reason, n_key, n_sex)),
            pl.lit(None, dtype=pl.Date).alias(n_birth),
        )
        .struct.with_fields(_clean(slot_norm).alias(n_reason))
        .struct.with_fields(_legacy(slot_reason).alias(n_key))
        .struct.with_fields(_upgrade(slot_reason, slot_key).alias(n_key))
        .struct.with_fields(
            _check_char_unguarded(slot_key.str.slice(0, 17)).alias(n_sex),
            slot_key.str.slice(6, 8).str.to_date("%Y%m%d", strict=False).alias(n_birth),
        )
        .struct.with_fields(
            _reason(slot_reason, slot_key, slot_birth, slot_sex, as_of).alias(n_reason)
        )
        .struct.with_fields(
            pl.when(valid).then(slot_key).otherwise(slot_norm.str.strip_chars()).alias(n_norm),
            pl.when(valid)
            .then(slot_key.str.slice(0, 17).cast(pl.Int64, strict=False))
            .alias(n_key),
            pl.when(valid)
            .then(pl.when(sequence % 2 == 1).then(pl.lit("男")).otherwise(pl.lit("女")))
            .alias(n_sex),
            pl.when(valid).then(slot_birth).alias(n_birth),
        )
    )


# An ID as nearly every export writes it: 18 ASCII characters, digits and a final digit or X.
# Cleaning leaves such a value unchanged and it passes every structural check, so the frame form
# runs the cleaning, the 15-digit upgrade and the structural regexes only on the other values
# (a null-masked column costs nothing per skipped row).
_PLAIN_18 = r"^[0-9]{17}[0-9X]$"


def _check_value(first17: pl.Expr) -> pl.Expr:
    # The check character's value (10 for X) as an integer: see _check_char_unguarded.
    return (12 - (first17.str.to_integer(base=13, strict=False) % 11) * 2 % 11) % 11


def with_citizen_id(
    frame: pl.LazyFrame, column: str = "id", *, as_of: date, prefix: str = "id_"
) -> pl.LazyFrame:
    """Add (or replace) the five columns of :func:`citizen_id_exprs` to a frame, streaming.

    The same verdicts as :func:`citizen_id_struct` (tests/test_ids_frame.py holds them equal),
    written as successive ``with_columns`` on temporary columns: each stage is elementwise, so
    the streaming engine processes the roster batch by batch, whereas ``struct.with_fields``
    runs as a whole-column function and holds the entire column in memory. Use this on rosters.
    Plain 18-character values (nearly all) skip cleaning, the 15-digit upgrade and the
    structural regexes, and the check character is compared as a number: 35 % less time than
    the struct's stages on 2 million IDs.
    """
    names = ("plain", "other", "other18", "norm18", "check", "birth")
    tmp = {name: f"__{prefix}{name}" for name in names}
    raw = pl.col(column).cast(pl.String)
    plain, other, other18 = pl.col(tmp["plain"]), pl.col(tmp["other"]), pl.col(tmp["other18"])
    norm18, check, birth = pl.col(tmp["norm18"]), pl.col(tmp["check"]), pl.col(tmp["birth"])
    staged = (
        frame.with_columns(raw.str.contains(_PLAIN_18).alias(tmp["plain"]))
        # other, other18: the cleaned and the upgraded value, null for plain values.
        .with_columns(_fold(pl.when(~plain).then(raw)).alias(tmp["other"]))
        .with_columns(_upgrade(other, _legacy(other)).alias(tmp["other18"]))
        .with_columns(pl.coalesce(other18, raw).alias(tmp["norm18"]))
        .with_columns(
            _check_value(norm18.str.slice(0, 17)).alias(tmp["check"]),
            norm18.str.slice(6, 8)
            .str.to_date("%Y%m%d", strict=False, cache=False)
            .alias(tmp["birth"]),
        )
    )
    written = (
        pl.when(norm18.str.ends_with("X"))
        .then(pl.lit(10, pl.Int64))
        .otherwise(norm18.str.slice(17, 1).cast(pl.Int64, strict=False))
    )
    # The order of ID_REASONS; only other values can have a structural fault.
    reason = pl.coalesce(
        _structural_reason(raw.is_null() | (other.str.len_bytes() == 0), other, other18),
        _semantic_reason(norm18, birth, written != check, as_of),
    )
    valid = pl.col(f"{prefix}reason").is_null()
    key = pl.col(f"{prefix}key")
    return (
        staged.with_columns(reason.alias(f"{prefix}reason"))
        .with_columns(
            pl.when(valid).then(norm18).otherwise(raw.str.strip_chars()).alias(f"{prefix}norm"),
            pl.when(valid)
            .then(norm18.str.slice(0, 17).cast(pl.Int64, strict=False))
            .alias(f"{prefix}key"),
        )
        # The key's last digit is the sequence digit, odd for men.
        .with_columns(
            pl.when(key % 2 == 1)
            .then(pl.lit("男"))
            .when(valid)
            .then(pl.lit("女"))
            .alias(f"{prefix}sex"),
            pl.when(valid).then(birth).alias(f"{prefix}birth"),
        )
        .drop(list(tmp.values()))
    )


def citizen_id_exprs(expr: pl.Expr, *, as_of: date, prefix: str = "id_") -> list[pl.Expr]:
    """Return the expressions that validate a citizen-ID column and derive its parts.

    Columns (names start with ``prefix``):

    - ``norm`` (String): the normalised 18-character ID; for an invalid value the value as
      written, trimmed, so a report shows what the roster holds.
    - ``reason`` (String): null when valid, else one code of :data:`ID_REASONS`.
    - ``key`` (Int64): the first 17 digits as an integer, valid IDs only (the compact join key;
      :func:`key_to_id` turns it back).
    - ``sex`` (String): ``男`` for an odd sequence digit, ``女`` for an even one, valid only.
    - ``birth`` (Date): the birth date in the ID, valid only.

    ``as_of`` is the reference date: a birth date after it is ``future_birth``. Each expression
    runs the whole check (Polars does not share the work between them); on a large roster use
    :func:`citizen_id_struct` and unnest it instead, which gives the same columns in one pass.
    """
    parts = citizen_id_struct(expr, as_of=as_of, prefix=prefix)
    names = ("norm", "reason", "key", "sex", "birth")
    return [parts.struct.field(f"{prefix}{name}") for name in names]


def key_to_id(expr: pl.Expr) -> pl.Expr:
    """Turn an Int64 key (first 17 digits) back into the 18-character ID; null if out of range."""
    key = expr.cast(pl.Int64, strict=False)
    first17 = pl.when((key >= 0) & (key < 10**17)).then(key.cast(pl.String).str.zfill(17))
    return pl.concat_str([first17, check_char_expr(first17)])


def validate_id(value: str | None, as_of: date) -> str | None:
    """Return the reason code for one citizen ID, or None when it is valid (for messages, tests)."""
    frame = pl.DataFrame({"v": [value]}, schema={"v": pl.String})
    parts = frame.select(citizen_id_struct(pl.col("v"), as_of=as_of).alias("t")).unnest("t")
    reason: str | None = parts["id_reason"][0]
    return reason


def normalize_id_value(value: str | None) -> str | None:
    """Return the normalised form of one citizen ID (the single-value twin of normalize_id)."""
    frame = pl.DataFrame({"v": [value]}, schema={"v": pl.String})
    result: str | None = frame.select(normalize_id(pl.col("v")))["v"][0]
    return result
