"""The blocked fuzzy unit-name match against the per-unit ``process.extract`` loop it replaced."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from canbao.match.units import _NUMERALS, UNIT_NAME_CUTOFF, _fuzzy_matched

# Few letters, company words, Arabic and Chinese numerals: near-duplicates and numerals abound.
ALPHABET = "华晨商贸有限公司一二十百0129"
COUNTIES = ("340602", "340603", None)


def extract_loop(left: pl.DataFrame, insured: pl.DataFrame) -> list[int]:
    """The loop _fuzzy_matched replaced: one process.extract per unit, top 5 hits checked."""
    matched: list[int] = []
    choices_by_county = {
        county: names["_name"].to_list()
        for (county,), names in insured.filter(
            pl.col("_county").is_not_null() & pl.col("_name").is_not_null()
        )
        .select("_county", "_name")
        # Was .unique(), whose order changes from run to run; the order decides ties at the cut.
        .unique(maintain_order=True)
        .partition_by("_county", as_dict=True)
        .items()
    }
    for row, county, name in left.select("_row", "_county", "_name").iter_rows():
        choices = choices_by_county.get(county)
        if not choices or name is None:
            continue
        hits = process.extract(
            name, choices, scorer=fuzz.ratio, score_cutoff=UNIT_NAME_CUTOFF, limit=5
        )
        if any(_NUMERALS.findall(hit[0]) == _NUMERALS.findall(name) for hit in hits):
            matched.append(row)
    return matched


def prepared(units: list[tuple[str | None, str | None]]) -> pl.DataFrame:
    """The columns _fuzzy_matched reads (_row, _county, _name) from (county, name) pairs."""
    schema = {"_county": pl.String, "_name": pl.String}
    return pl.DataFrame(units, schema=schema, orient="row").with_row_index("_row")


@st.composite
def unit_names(draw: st.DrawFn, bases: list[str], crowded: bool) -> str | None:
    """A base name with a few single-character edits, a fresh name, or null."""
    kind = "edited" if crowded else draw(st.sampled_from(["edited"] * 3 + ["fresh", "null"]))
    if kind == "null":
        return None
    if kind == "fresh":
        return draw(st.text(ALPHABET, min_size=1, max_size=14))
    name = list(draw(st.sampled_from(bases)))
    for _ in range(draw(st.sampled_from([1] if crowded else [0, 1, 1, 1, 2]))):
        op = draw(st.sampled_from(["sub", "ins", "del"]))
        at = draw(st.integers(0, len(name)))
        char = draw(st.sampled_from(ALPHABET))
        if op == "ins":
            name.insert(at, char)
        elif at < len(name):
            if op == "sub":
                name[at] = char
            else:
                del name[at]
    return "".join(name) or None


@st.composite
def rosters(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A registry and an insured roster sharing base names; crowded: many near-twins, one county."""
    crowded = draw(st.booleans())
    size = (10, 16) if crowded else (8, 16)
    name = st.text(ALPHABET, min_size=size[0], max_size=size[1])
    bases = draw(st.lists(name, min_size=1, max_size=1 if crowded else 3))
    counties = st.sampled_from(COUNTIES[: draw(st.integers(1, 1 if crowded else len(COUNTIES)))])
    unit = st.tuples(counties, unit_names(bases, crowded))
    registry = draw(st.lists(unit, min_size=1 if crowded else 0, max_size=12))
    insured = draw(st.lists(unit, min_size=6 if crowded else 0, max_size=30))
    return prepared(registry), prepared(insured)


@given(rosters())
def test_blocked_match_equals_the_extract_loop(frames: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    """The blocked computation matches exactly the registry rows the extract loop matched."""
    registry, insured = frames
    assert sorted(_fuzzy_matched(registry, insured).to_list()) == extract_loop(registry, insured)


def test_only_the_five_best_hits_count_ties_in_insured_order() -> None:
    """A sixth equal hit with the right numerals is ignored; listed first, it matches."""
    query = "华晨商贸有限公司一分部"
    others = [f"华晨商贸有限公司{n}分部" for n in "二三四五六"]
    same_numerals = "华晨商贸有限公X一分部"
    assert {fuzz.ratio(query, name) for name in [*others, same_numerals]} == {
        fuzz.ratio(query, others[0])
    }
    registry = prepared([("340602", query)])
    late = prepared([("340602", name) for name in [*others, same_numerals]])
    early = prepared([("340602", name) for name in [same_numerals, *others]])
    assert _fuzzy_matched(registry, late).to_list() == []
    assert _fuzzy_matched(registry, early).to_list() == [0]
