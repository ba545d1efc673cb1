"""Candidate generation for :mod:`canbao.match.repairs`: blocks, never an all-pairs cross join,
and the edit distance of the IDs of a candidate pair (:func:`id_distance`).

Three blocks propose household persons for an enrolment record:

* the same normalised name, for records whose ID is not 18 characters (a digit dropped or added);
* the same birth date, county and name;
* an ID at most two substitutions or one adjacent transposition away.

For the last, the 18 positions are split into six groups; two edits touch at most two groups, so
at least four stay intact, and joining on each of the fifteen choices of four groups finds every
such neighbour. Three contiguous blocks of six would be simpler, but the first block is the region
code, which every person of a county shares: joining on it alone is a county-wide cross join.
The groups mix low-entropy positions (region, century) with high-entropy ones (sequence digits)
so that every key is selective: about 20 bits, a handful of persons in a million. The region code
is cut after its prefecture: with five groups (the region code, century and first sequence digit
as one) the four triples without it spanned the whole household, and their joins grew with the
square of a province (docs/repairs.md); with six, every key holds the prefecture, the county or
all four other groups.
"""

from __future__ import annotations

from datetime import date
from itertools import combinations
from math import prod
from pathlib import Path
from typing import Final

import polars as pl
from rapidfuzz.distance import OSA

# Six groups of 0-based positions of an 18-character ID, each worth roughly 6 bits within a city
# but the first two (the region code carries only 2-3 bits there; see the module docstring).
ID_GROUPS: Final[tuple[tuple[int, ...], ...]] = (
    (0, 1, 2, 3),  # province and prefecture
    (4, 5, 6, 7, 14),  # county, century + first sequence digit
    (8, 9),  # year within the century
    (10, 11, 15),  # month + second sequence digit
    (12, 13),  # day
    (16, 17),  # last sequence digit + check character
)
# Two edits touch at most two groups: each choice of four groups is a join key that survives them.
ID_GROUP_KEYS: Final = tuple(combinations(range(len(ID_GROUPS)), len(ID_GROUPS) - 2))
EARLIEST_BIRTH: Final = date(1880, 1, 1)
# Household persons sharing one normalised name in one county, above which the name block is
# skipped (docs/repairs.md).
MAX_NAME_BLOCK: Final = 500
# The household side in shards (stage_household_parts): any split finds the same pairs.
SHARD_MODULUS: Final = 2**31 - 1


def clean_id_expr(expr: pl.Expr) -> pl.Expr:
    """Fold an ID as written for comparison: NFKC, no spaces or separators, uppercase."""
    return expr.str.normalize("NFKC").str.replace_all(r"[\s\-_./]+", "").str.to_uppercase()


def birth_from_id_expr(id18: pl.Expr, *, as_of: date) -> pl.Expr:
    """Birth date from characters 7-14 of an ID when they form a plausible date, else null."""
    parsed = id18.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    ok = parsed.is_between(pl.lit(EARLIEST_BIRTH), pl.lit(as_of))
    return pl.when(ok).then(parsed).otherwise(None)


def birth_column_expr(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A roster's own birth column as a Date: a Date, or 8 digits once separators are dropped."""
    if dtype == pl.Date:
        return expr
    if dtype == pl.Datetime:
        return expr.dt.date()
    digits = expr.cast(pl.String).str.replace_all(r"[^0-9]", "")
    return pl.when(digits.str.len_chars() == 8).then(digits.str.to_date("%Y%m%d", strict=False))


def id_numbers(id18: pl.Expr) -> list[pl.Expr]:
    """An ID as numbers: ``_d`` (first 17 characters), ``_l`` (the last, X = 10), ``_x``, and
    ``_h`` (the first 16 characters read as hexadecimal: one digit a nibble, compared by
    :func:`_nibbles_differing`).

    Integer arithmetic on one parsed number is several times cheaper than slicing strings for
    every key and every comparison. An ``X`` in the first 17 positions (a typing error) is read
    as 0 and flagged in ``_x``: where the characters of two IDs agree their numbers agree, so the
    integer keys find every pair the character keys find, and flagged IDs are compared as text.
    """
    first = id18.str.slice(0, 17)
    last = id18.str.slice(17, 1)
    return [
        first.str.replace_all("X", "0", literal=True).cast(pl.Int64).alias("_d"),
        last.replace_strict({"X": 10}, default=last).cast(pl.Int64).alias("_l"),
        first.str.contains("X", literal=True).alias("_x"),
        # IDs of residence permits begin with 8 or 9, above the largest Int64 when read so:
        # read unsigned, kept as the Int64 of the same bits (every engine has Int64; the bits
        # are all the nibbles' comparison reads, :func:`_nibbles_differing`).
        id18.str.slice(0, 16)
        .str.to_integer(base=16, dtype=pl.UInt64, strict=False)
        .reinterpret(signed=True)
        .alias("_h"),
    ]


def _digit(number: pl.Expr, position: int) -> pl.Expr:
    digit: pl.Expr = number // 10 ** (16 - position) % 10
    return digit


def _runs(group: tuple[int, ...]) -> list[tuple[int, int]]:
    """The group's positions as runs of neighbours (first, last): (4, 5, 6, 7, 14) is two."""
    runs: list[tuple[int, int]] = []
    for p in group:
        if runs and runs[-1][1] == p - 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    return runs


def _group_values() -> list[pl.Expr]:
    """Each group of :data:`ID_GROUPS` as one number, ``_g0`` to ``_g5`` (from ``_d``, ``_l``):
    its digits one after another (X = 10 last), each run of neighbouring positions taken from
    ``_d`` by one division and one remainder, not digit by digit (half the time: 0.79 against
    0.38 CPU s for the 10.3 M persons of a 10 M city)."""
    values = []
    for i, group in enumerate(ID_GROUPS):
        value: pl.Expr = pl.lit(0, pl.Int64)
        for first, last in _runs(group):
            digits_end = min(last, 16)  # the check character is not in _d
            if first <= digits_end:
                width = 10 ** (digits_end - first + 1)
                value = value * width + pl.col("_d") // 10 ** (16 - digits_end) % width
            if last == 17:
                value = value * 11 + pl.col("_l")
        values.append(value.alias(f"_g{i}"))
    return values


def _group_key(groups: tuple[int, ...]) -> pl.Expr:
    """The given groups' numbers (``_g*``) as one Int64 join key, equal exactly when they are.

    The digits are taken apart once per ID (:func:`_group_values`), not once per key: the ten keys
    of the five groups used then (nine to thirteen digits each) took four times as long on a
    city's household.
    """
    key: pl.Expr = pl.lit(0, pl.Int64)
    for g in groups:
        bound = prod(11 if p == 17 else 10 for p in ID_GROUPS[g])
        key = key * bound + pl.col(f"_g{g}")
    return key


def _within_two_substitutions(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    # An adjacent transposition is two substitutions, so it passes too.
    return pl.sum_horizontal(a.str.slice(i, 1) != b.str.slice(i, 1) for i in range(18)) <= 2


# One bit in each nibble of a 64-bit word.
_NIBBLE_BITS: Final = int("1" * 16, 16)


def _nibbles_differing(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """How many nibbles of the 64-bit words ``a`` and ``b`` differ: each nibble of their
    exclusive or folded onto its lowest bit, the bits counted. With the 16 digits of an ID read
    as hexadecimal (``_h``), the positions 0-15 where two IDs differ. A floor division by a
    power of two is the arithmetic shift also for a negative Int64 (a word whose top bit is
    set): the sign bits it shifts in land above bit 60, outside every nibble's lowest bit."""
    x = a.xor(b)
    folded = (x | x // 2 | x // 4 | x // 8) & _NIBBLE_BITS
    return folded.bitwise_count_ones().cast(pl.Int64)


def _numbers_within_two_substitutions() -> pl.Expr:
    """The same test on the numbers of a joined pair (``_h``/``_d``/``_l`` beside
    ``_hh``/``_hd``/``_hl``): the first 16 positions by their nibbles, then the 17th and the
    last. Over the pairs an ID key joins (28 M at 10 M persons) comparing digit by digit
    (34 divisions a pair) cost twice the joins themselves."""
    differ = (
        _nibbles_differing(pl.col("_h"), pl.col("_hh"))
        + (pl.col("_d") % 10 != pl.col("_hd") % 10).cast(pl.Int64)
        + (pl.col("_l") != pl.col("_hl")).cast(pl.Int64)
    )
    return differ <= 2


def _character(number: str, last: str, position: int) -> pl.Expr:
    """Character ``position`` (0-17) of an ID as a number: a digit of ``number``, or ``last``."""
    return pl.col(last) if position == 17 else _digit(pl.col(number), position)


def _number_edits() -> tuple[pl.Expr, pl.Expr]:
    """Of a pair's IDs as numbers (``_d``/``_l``, ``_hd``/``_hl``, no X among the first 17):
    the positions that differ, and whether two adjacent characters are swapped.

    The same as comparing the 18 characters (a character and its number are equal together),
    at a fraction of the cost of slicing strings.
    """
    a = [_character("_d", "_l", p) for p in range(18)]
    b = [_character("_hd", "_hl", p) for p in range(18)]
    differ = pl.sum_horizontal(x != y for x, y in zip(a, b, strict=True))
    swapped = pl.any_horizontal(
        (a[i] != b[i]) & (a[i] == b[i + 1]) & (a[i + 1] == b[i]) for i in range(17)
    )
    return differ, swapped


def _by_name(lazy_rec: pl.LazyFrame) -> pl.LazyFrame:
    # Only for IDs that are not 18 characters (a digit dropped or added, spreadsheet damage):
    # with 18, a candidate worth keeping is within two substitutions or shares name, birth date
    # and county, and both are found below.
    return (
        lazy_rec.filter(pl.col("_id18").is_null()).select("_rec", "_name", "_county").drop_nulls()
    )


def _namesakes(lazy_rec: pl.LazyFrame, hh: pl.LazyFrame) -> pl.LazyFrame:
    """The household persons sharing name and county with a record of the name block."""
    # Namesakes of those records only (a semi join against a few names, not a count of every
    # name in the roster).
    return hh.select("_hid", "_name", "_county").join(
        _by_name(lazy_rec).select("_name", "_county").unique(), on=["_name", "_county"], how="semi"
    )


def _small_name_blocks(lazy_rec: pl.LazyFrame, hh: pl.LazyFrame) -> pl.LazyFrame:
    """The (name, county) blocks of at most MAX_NAME_BLOCK persons: a larger one cannot single
    out a person and is skipped (such records still get the birth-date and ID blocks)."""
    return (
        _namesakes(lazy_rec, hh)
        .group_by("_name", "_county")
        .len()
        .filter(pl.col("len") <= MAX_NAME_BLOCK)
        .select("_name", "_county")
    )


def _name_blocks(
    lazy_rec: pl.LazyFrame, hh: pl.LazyFrame, small: pl.LazyFrame | None = None
) -> list[pl.LazyFrame]:
    """Pairs by name and county (IDs not 18 characters), and by name, birth date and county.

    ``small``: the blocks small enough, counted over the whole household when ``hh`` is a part
    of it; by default counted over ``hh``.
    """
    by_name = _by_name(lazy_rec)
    namesakes = _namesakes(lazy_rec, hh)
    small = _small_name_blocks(lazy_rec, hh) if small is None else small
    return [
        by_name.join(
            namesakes.join(small, on=["_name", "_county"], how="semi"), on=["_name", "_county"]
        ).select("_rec", "_hid"),
        # The keep rule asks for the same name as well, so it is part of the join key.
        lazy_rec.select("_rec", "_birth", "_county", "_name")
        .drop_nulls()
        .join(
            hh.select("_hid", "_birth", "_county", "_name").drop_nulls(),
            on=["_birth", "_county", "_name"],
        )
        .select("_rec", "_hid"),
    ]


def _id_blocks(lazy_rec: pl.LazyFrame, hh: pl.LazyFrame) -> list[pl.LazyFrame]:
    """Pairs whose 18-character IDs are within two substitutions, one block per key group.

    Both sides come with their IDs parsed (``_d``, ``_l``, ``_x``, ``_h`` of the records;
    ``_d``, ``_l``, ``_h`` and the group values ``_g*`` of the household, staged once): each
    of the fifteen keys is arithmetic on the numbers.
    """
    rec_ids = (
        lazy_rec.select("_rec", "_id18", "_d", "_l", "_x", "_h")
        .filter(pl.col("_id18").is_not_null())
        .with_columns(_group_values())
    )
    exact = (
        pl.when(pl.col("_x"))
        .then(_within_two_substitutions(pl.col("_id18"), pl.col("_hid")))
        .otherwise(_numbers_within_two_substitutions())
    )
    parts: list[pl.LazyFrame] = []
    for groups in ID_GROUP_KEYS:
        key = _group_key(groups).alias("_k")
        parts.append(
            rec_ids.select("_rec", "_id18", "_d", "_l", "_x", "_h", key)
            .join(
                hh.select(
                    "_hid",
                    pl.col("_d").alias("_hd"),
                    pl.col("_l").alias("_hl"),
                    pl.col("_h").alias("_hh"),
                    key,
                ),
                on="_k",
                # The records are the small side: a table of their keys, probed by the persons
                # (not fifteen tables of a million persons, docs/performance-measurements.md
                # eleventh round).
                build_side="force_left",
            )
            .filter(exact)
            .select("_rec", "_hid")
        )
    return parts


def parse_household_ids(hh: pl.LazyFrame) -> pl.LazyFrame:
    """The prepared household side with its IDs parsed: ``_d``, ``_l``, ``_h`` and the group
    values ``_g*`` the ID blocks join on (its IDs are well formed: no ``_x``)."""
    numbers = [n for n in id_numbers(pl.col("_hid")) if n.meta.output_name() != "_x"]
    return hh.with_columns(numbers).with_columns(_group_values())


def stage_household_parts(hh: pl.LazyFrame, parts: int, work: Path) -> list[str]:
    """The prepared household side staged in one pass as ``parts`` parts, as it is (its IDs
    are parsed when a part is read, :func:`household_sides`: the parsed numbers took 2.6 times
    the bytes and twice the time to write, 5.9 against 2.8 CPU s at 10 M persons); the parts'
    file patterns (a part without rows has none).

    Any split finds the same pairs (each block joins on the pair's own values): by the
    well-formed ID's first 17 digits, an Int64.
    """
    part = pl.col("_hid").str.slice(0, 17).cast(pl.Int64) % SHARD_MODULUS % parts
    folder = work / "household"
    hh.sink_parquet(
        pl.PartitionBy(folder, key={"_part": part}, include_key=False),
        compression="uncompressed",
    )
    found = [folder / f"_part={n}" for n in range(parts)]
    return [str(path / "*.parquet") for path in found if path.is_dir()]


def household_sides(hh: pl.LazyFrame, parts: int, work: Path) -> list[pl.LazyFrame]:
    """The prepared household side with its IDs parsed (:func:`parse_household_ids`) in
    ``parts`` parts: in one part, collected in memory (every part is held whole while its pairs
    are found, so staging one part only wrote and read it again: 0.16 CPU-s at 1 M persons); in
    more, staged (:func:`stage_household_parts`) and parsed part by part as each is read. A
    side without rows is no part at all.
    """
    if parts > 1:
        staged = stage_household_parts(hh, parts, work)
        return [parse_household_ids(pl.scan_parquet(path)) for path in staged]
    side = parse_household_ids(hh).collect()
    return [side.lazy()] if side.height else []


def small_name_blocks(rec: pl.DataFrame, hh: pl.LazyFrame) -> pl.LazyFrame:
    """The name blocks small enough (:data:`MAX_NAME_BLOCK`), counted over the whole ``hh``."""
    return _small_name_blocks(rec.lazy(), hh).collect().lazy()


def candidate_pairs(rec: pl.DataFrame, side: pl.DataFrame, small: pl.LazyFrame) -> pl.DataFrame:
    """Distinct (``_rec``, ``_hid``) pairs from the three blocks, against one part of the
    household (``side``: one of :func:`household_sides`, collected), one block at a time (a
    block's join grows with records x persons before its filter); ``small`` from
    :func:`small_name_blocks` of the whole household.

    ``rec`` has ``_rec``, ``_name``, ``_id18`` (null unless 18 characters), its numbers (``_d``,
    ``_l``, ``_x``, ``_h``: :func:`id_numbers`), ``_birth``, ``_county``. Every block is narrowed
    inside its join, so no intermediate grows with the roster: at 10 M persons an unfiltered
    triple block proposes hundreds of persons per record and the name block thousands (common
    names), which exhausted 24 GB before any scoring.
    """
    lazy_rec, lazy_side = rec.lazy(), side.lazy()
    blocks = _name_blocks(lazy_rec, lazy_side, small) + _id_blocks(lazy_rec, lazy_side)
    return pl.concat([block.collect() for block in blocks]).unique()


def id_distance(cand: pl.DataFrame) -> pl.DataFrame:
    """Add ``_ham`` and ``_osa`` (substitutions, adjacent transpositions, indels) to candidates.

    Two 18-character IDs are compared as numbers (``_d``/``_l`` beside ``_hd``/``_hl``), or as
    characters when the record has an X among its first 17 (``_x``); other IDs need a real edit
    distance.
    """
    both18 = pl.col("_id18").is_not_null()
    numbers = cand.filter(both18 & ~pl.col("_x"))
    texts = cand.filter(both18 & pl.col("_x"))
    differ, swapped = _number_edits()
    a, b = pl.col("_id"), pl.col("_hid")
    text_differ = pl.sum_horizontal(a.str.slice(i, 1) != b.str.slice(i, 1) for i in range(18))
    text_swapped = pl.any_horizontal(
        (a.str.slice(i, 1) != b.str.slice(i, 1))
        & (a.str.slice(i, 1) == b.str.slice(i + 1, 1))
        & (a.str.slice(i + 1, 1) == b.str.slice(i, 1))
        for i in range(17)
    )
    found = [
        _with_edits(numbers, differ, swapped),
        _with_edits(texts, text_differ, text_swapped),
        _odd_distance(cand.filter(~both18)),
    ]
    return pl.concat(found, how="vertical")


def _with_edits(cand: pl.DataFrame, differ: pl.Expr, swapped: pl.Expr) -> pl.DataFrame:
    """``_ham`` (positions that differ) and ``_osa`` (a swap of two neighbours is one edit)."""
    ham = differ.cast(pl.Int64)
    return cand.with_columns(ham.alias("_ham")).with_columns(
        pl.when((pl.col("_ham") == 2) & swapped).then(1).otherwise(pl.col("_ham")).alias("_osa")
    )


def _odd_distance(odd: pl.DataFrame) -> pl.DataFrame:
    """``_osa`` of IDs that are not 18 characters (a digit dropped or added): the optimal string
    alignment distance. They are few, so the C scorer runs under map() (rapidfuzz's cpdist
    would need numpy)."""
    dist = map(OSA.distance, odd["_id"].fill_null("").to_list(), odd["_hid"].to_list())
    return odd.with_columns(
        pl.lit(None, pl.Int64).alias("_ham"), pl.Series("_osa", list(dist), dtype=pl.Int64)
    )
