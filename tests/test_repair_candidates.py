"""The repair step's ID blocks find exactly the household IDs within two substitutions."""

from __future__ import annotations

import random

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from canbao.match._repair_candidates import (
    ID_GROUP_KEYS,
    ID_GROUPS,
    candidate_pairs,
    id_numbers,
    parse_household_ids,
)

ONE_PREFECTURE = ["340621", "340602", "340603"]
# 810000 and 830000: residence permits of Hong Kong and Taiwan residents, whose first 16
# digits read as hexadecimal (the nibbles compared) pass the largest Int64.
SEVERAL_PREFECTURES = ["340621", "341122", "410102", "411523", "810000", "830000"]


def _ids(regions: list[str], persons: int, rng: random.Random) -> list[str]:
    """Dense IDs: few birth days and short sequence numbers, so that many are neighbours."""
    ids = set()
    while len(ids) < persons:
        day = rng.choice(["19800101", "19800110", "19810101", "20010101"])
        tail = f"{rng.randrange(40):03d}" + rng.choice("0123456789X")
        ids.add(rng.choice(regions) + day + tail)
    return sorted(ids)


def _mistyped(ids: list[str], records: int, rng: random.Random) -> list[str]:
    """Records: household IDs with up to two substitutions or two adjacent characters swapped,
    and a few unrelated IDs."""
    out = []
    for _ in range(records):
        chars = list(rng.choice(ids))
        kind = rng.randrange(4)
        if kind == 3:
            at = rng.randrange(17)
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
        else:
            for at in rng.sample(range(18), kind):
                chars[at] = rng.choice("0123456789" if at < 17 else "0123456789X")
        out.append("".join(chars))
    return out


def _sides(records: list[str], household: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    rec = pl.DataFrame({"_rec": range(len(records)), "_id18": records}).with_columns(
        pl.col("_rec").cast(pl.Int64),
        *id_numbers(pl.col("_id18")),
        pl.lit(None, dtype=pl.String).alias("_name"),
        pl.lit(None, dtype=pl.String).alias("_county"),
        pl.lit(None, dtype=pl.Date).alias("_birth"),
    )
    hh = pl.DataFrame({"_hid": household}).with_columns(
        pl.lit(None, dtype=pl.String).alias("_name"),
        pl.lit(None, dtype=pl.String).alias("_county"),
        pl.lit(None, dtype=pl.Date).alias("_birth"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_hrow"),
    )
    return rec, parse_household_ids(hh.lazy()).collect()


def _found(rec: pl.DataFrame, side: pl.DataFrame) -> set[tuple[int, str]]:
    small = pl.LazyFrame(schema={"_name": pl.String, "_county": pl.String})
    pairs = candidate_pairs(rec, side, small)
    return {(int(r), str(h)) for r, h in pairs.iter_rows()}


def _within_two(records: list[str], household: list[str]) -> set[tuple[int, str]]:
    return {
        (r, h)
        for r, record in enumerate(records)
        for h in household
        if sum(a != b for a, b in zip(record, h, strict=True)) <= 2
    }


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), province=st.booleans())
def test_the_id_blocks_find_every_pair_within_two_substitutions(seed: int, province: bool) -> None:
    """Households of one prefecture and of several: exactly the brute-force pairs."""
    rng = random.Random(seed)
    household = _ids(SEVERAL_PREFECTURES if province else ONE_PREFECTURE, 400, rng)
    records = _mistyped(household, 60, rng) + _ids(SEVERAL_PREFECTURES, 5, rng)
    rec, side = _sides(records, household)
    expected = _within_two(records, household)
    assert expected
    assert _found(rec, side) == expected


def test_the_keys_are_every_choice_of_all_groups_but_two() -> None:
    """Six groups covering the 18 positions once; fifteen keys of four groups each."""
    assert sorted(p for group in ID_GROUPS for p in group) == list(range(18))
    assert len(ID_GROUP_KEYS) == 15 == len(set(ID_GROUP_KEYS))
    assert all(len(set(key)) == 4 for key in ID_GROUP_KEYS)
