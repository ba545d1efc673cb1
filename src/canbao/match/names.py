"""Personal names: normalisation and a same / variant / different judgement, vectorised.

Rosters spell one person's name in several ways: full-width letters, stray spaces, any of five
middle dots in minority names (NFKC does not unify them), a dropped dot, a homophone typed by an
input method (王丽 / 王莉). :func:`judge_names` tells such variants from another person.

Everything is batched: pinyin is looked up once per distinct *character* (a city has a few
thousand), mapped onto the names with ``replace_strict``; the string metrics run once per
distinct name pair. ``rapidfuzz.process.cpdist`` would need numpy, which canbao does not depend
on, so the C scorers are driven by the built-in ``map`` (no per-row Python bytecode). The rules
are in ``docs/repairs.md``.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import unicodedata
from pathlib import Path
from typing import Final

import polars as pl
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from canbao.elementwise import fold_unless_plain

MIDDLE_DOT: Final = "\u00b7"

# Dots typed or pasted in place of U+00B7: bullet, bullet operator, katakana middle dot and its
# half-width form, black circle, hyphenation point, dot operator, one dot leader, full stops.
_DOT_CLASS: Final = (
    r"[\x{00B7}\x{2022}\x{2219}\x{30FB}\x{FF65}\x{25CF}"  # dots of minority names
    r"\x{2027}\x{22C5}\x{2024}.。\x{FF0E}\x{0387}]+"  # full stops and other look-alikes
)
# NFKC leaves U+3000 as a plain space and zero-width characters untouched; all are noise in a name.
_SPACE_CLASS: Final = r"[\s\x{200B}\x{200C}\x{200D}\x{2060}\x{FEFF}]+"

SAME: Final = "same"
VARIANT: Final = "variant"
DIFFERENT: Final = "different"
NAME_VERDICTS: Final[dict[str, str]] = {
    SAME: "姓名相同",
    VARIANT: "姓名疑似同一人的不同写法",
    DIFFERENT: "姓名不同(疑似他人)",
}

# A one-character slip counts as a variant only when both names have this many characters: in a
# two-character name one character is half the name (王丽 / 王强, 张伟 / 张伟明 are two people).
MIN_LEN_ONE_CHAR_OFF: Final = 3
# Toneless pinyin one letter apart (l/n, z/zh, an/ang, in/ing) is a mishearing, not a new person.
MAX_PINYIN_EDITS: Final = 1


def normalize_name_expr(expr: pl.Expr) -> pl.Expr:
    """Normalise names: NFKC, no spaces, every middle-dot variant as U+00B7; empty -> null."""
    # A name of CJK Unified Ideographs alone (nearly every name) is its own normal form: NFKC
    # leaves those characters as they are and there is no space or dot (half the time on a
    # city's household roster).
    return fold_unless_plain(expr, r"^[\u4e00-\u9fff]+$", _fold_name)


def _fold_name(expr: pl.Expr) -> pl.Expr:
    text = (
        expr.str.strip_chars()
        .str.normalize("NFKC")
        .str.replace_all(_SPACE_CLASS, "")
        .str.replace_all(_DOT_CLASS, MIDDLE_DOT)
        .str.strip_chars(MIDDLE_DOT)
    )
    return pl.when(text.str.len_chars() > 0).then(text).otherwise(None)


@functools.cache
def _readings() -> dict[str, str]:
    # pypinyin's single-character table, read as data: importing pypinyin loads its phrase
    # dictionary too (0.4 s), which names never use. Keys are code points, values the readings
    # with tone marks, the usual one first.
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("pypinyin is not installed")
    table = Path(spec.origin).parent / "pinyin_dict.json"
    readings: dict[str, str] = json.loads(table.read_text(encoding="utf-8"))
    return readings


def _toneless(reading: str) -> str:
    # pypinyin's Style.NORMAL: no tone marks, ü written v (ǚ is u, diaeresis, caron in NFD).
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def char_pinyin(chars: list[str]) -> list[str]:
    """Toneless pinyin of single characters (pypinyin's lazy_pinyin, Style.NORMAL, lower case).

    Per character, not per name: names carry little phrase context, and the character set is
    bounded (a few thousand) whatever the roster size. Other characters map to themselves.
    """
    readings = _readings()
    out = []
    for char in chars:
        reading = readings.get(str(ord(char))) if len(char) == 1 else None
        out.append(char.lower() if reading is None else _toneless(reading.split(",")[0]))
    return out


def pinyin_expr(names: pl.Series) -> pl.Series:
    """Toneless pinyin of already-normalised names, syllables separated by spaces."""
    bare = names.str.replace_all(MIDDLE_DOT, "", literal=True)
    chars = bare.str.split("").explode().drop_nulls().unique()
    chars = chars.filter(chars.str.len_chars() > 0)
    if chars.len() == 0:
        return pl.Series(names.name, [None] * names.len(), dtype=pl.String)
    mapping = dict(zip(chars.to_list(), char_pinyin(chars.to_list()), strict=True))
    out = (
        bare.to_frame("n")
        .select(
            pl.col("n")
            .str.split("")
            .list.eval(pl.element().replace_strict(mapping, default=pl.element()))
            .list.join(" ")
        )
        .to_series()
    )
    return out.alias(names.name)


def judge_names(a: pl.Series, b: pl.Series) -> pl.DataFrame:
    """Compare two aligned name columns: ``name_similarity`` (0-100) and ``name_verdict`` per row.

    Rows where either name is missing get nulls in both columns.
    """
    if a.len() != b.len():
        raise ValueError(f"judge_names needs aligned series, got {a.len()} and {b.len()} rows")
    norm = pl.DataFrame({"a": a.cast(pl.String), "b": b.cast(pl.String)}).select(
        normalize_name_expr(pl.col("a")).alias("a"), normalize_name_expr(pl.col("b")).alias("b")
    )
    pairs = norm.drop_nulls().unique()
    if pairs.height == 0:
        return pl.DataFrame(
            {
                "name_similarity": pl.Series([None] * a.len(), dtype=pl.Float64),
                "name_verdict": pl.Series([None] * a.len(), dtype=pl.String),
            }
        )
    judged = _judge_pairs(pairs)
    return norm.join(
        judged, on=["a", "b"], how="left", nulls_equal=False, maintain_order="left"
    ).select("name_similarity", "name_verdict")


def _judge_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    # One row per distinct (a, b) pair of normalised, non-null names.
    names = pl.concat([pairs["a"], pairs["b"]]).unique()
    pinyin = dict(zip(names.to_list(), pinyin_expr(names).to_list(), strict=True))
    bare = pairs.select(
        pl.col("a").str.replace_all(MIDDLE_DOT, "", literal=True).alias("a0"),
        pl.col("b").str.replace_all(MIDDLE_DOT, "", literal=True).alias("b0"),
        pl.col("a").replace_strict(pinyin, return_dtype=pl.String).alias("pa"),
        pl.col("b").replace_strict(pinyin, return_dtype=pl.String).alias("pb"),
    )
    similarity = list(map(fuzz.ratio, pairs["a"].to_list(), pairs["b"].to_list()))
    char_edits = list(map(Levenshtein.distance, bare["a0"].to_list(), bare["b0"].to_list()))
    pinyin_edits = list(map(Levenshtein.distance, bare["pa"].to_list(), bare["pb"].to_list()))
    metrics = pl.DataFrame(
        {
            "sim": pl.Series(similarity, dtype=pl.Float64),
            "char_edits": pl.Series(char_edits, dtype=pl.Int64),
            "pinyin_edits": pl.Series(pinyin_edits, dtype=pl.Int64),
            "la": bare["a0"].str.len_chars(),
            "lb": bare["b0"].str.len_chars(),
            "same": pairs["a"] == pairs["b"],
        }
    )
    longest = pl.max_horizontal("la", "lb")
    shortest = pl.min_horizontal("la", "lb")
    variant = (
        (pl.col("char_edits") == 0)  # only dots differ: 阿依古丽·买买提 / 阿依古丽买买提
        | ((pl.col("char_edits") == 1) & (shortest >= MIN_LEN_ONE_CHAR_OFF))
        | ((pl.col("pinyin_edits") <= MAX_PINYIN_EDITS) & (shortest >= 2) & (longest == shortest))
    )
    metrics = metrics.select(
        pl.col("sim").round(1).alias("name_similarity"),
        pl.when(pl.col("same"))
        .then(pl.lit(SAME))
        .when(variant)
        .then(pl.lit(VARIANT))
        .otherwise(pl.lit(DIFFERENT))
        .alias("name_verdict"),
    )
    return pl.concat([pairs, metrics], how="horizontal")


def could_be_one_person(a: pl.Series, b: pl.Series) -> pl.Series:
    """Whether :func:`judge_names` may say ``same`` or ``variant`` of the aligned names ``a``
    and ``b`` (False where it surely says ``different``, or where a name is missing).

    A necessary condition, cheap enough for every candidate pair of the repair step (97 % of its
    pairs are different names at 10 M persons, and judging them was a fifth of the step):

    * same: the names equal, so do their forms without middle dots;
    * a variant by the dots alone: those forms equal;
    * a one-character slip (three characters or more): the lengths differ by at most one, and
      one of the first two characters equals one of the other name's first two (one edit moves
      at most one of them out of place);
    * a pinyin slip (equal lengths, two or more): the pinyin strings differ by one letter at
      most, and both have their syllables in the same places (one per character, a space
      between), so one edit touches one syllable: the first or the second character has the
      same pinyin in both (this holds for MAX_PINYIN_EDITS = 1; tests/test_names.py checks the
      condition against the judgement).
    """
    pairs = pl.DataFrame({"a": a.cast(pl.String), "b": b.cast(pl.String)}).select(
        normalize_name_expr(pl.col(side)).str.replace_all(MIDDLE_DOT, "", literal=True).alias(side)
        for side in ("a", "b")
    )
    heads = pairs.select(
        pl.col(side).str.slice(at, 1).alias(f"{side}{at}") for side in ("a", "b") for at in (0, 1)
    )
    found = pl.concat([heads.get_column(c) for c in heads.columns]).drop_nulls().unique()
    chars = found.filter(found.str.len_chars() > 0).to_list()
    reading = dict(zip(chars, char_pinyin(chars), strict=True))
    pinyin = heads.select(
        pl.col(c).replace_strict(reading, default=pl.col(c)).alias(f"p{c}") for c in heads.columns
    )
    # Signed: the lengths' difference of unsigned counts would wrap around below zero.
    la, lb = (pl.col(side).str.len_chars().cast(pl.Int64) for side in ("a", "b"))
    shortest = pl.min_horizontal(la, lb)
    slip = (
        ((la - lb).abs() <= 1)
        & (shortest >= MIN_LEN_ONE_CHAR_OFF)
        & pl.any_horizontal(
            pl.col("a0") == pl.col("b0"),
            pl.col("a1") == pl.col("b1"),
            pl.col("a0") == pl.col("b1"),
            pl.col("a1") == pl.col("b0"),
        )
    )
    homophone = (
        (la == lb)
        & (shortest >= 2)
        & ((pl.col("pa0") == pl.col("pb0")) | (pl.col("pa1") == pl.col("pb1")))
    )
    return (
        pl.concat([pairs, heads, pinyin], how="horizontal")
        .select(((pl.col("a") == pl.col("b")) | slip | homophone).fill_null(False).alias("maybe"))
        .get_column("maybe")
    )
