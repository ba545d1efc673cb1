"""The keyed counts of a sharded match, counted in parts of persons, equal those of one piece.

``keyed_counts(..., parts=N)`` counts the targets and the duplicates part by part of the person
key and sums the parts (docs/scale-measurements.md, seventh round); every count must come out
the same as when counted whole, on any frames and in any number of parts. The duplicates table,
spelled out in parts of persons past a number of them, must have the same rows in the same order.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from canbao.match import present
from canbao.match._shards import shard_of
from canbao.match.keyed_counts import (
    RECORD_KEYS,
    SCHEME_GROUPS,
    TARGET_KEYS,
    KeyedCounts,
    keyed_counts,
    scheme_masks,
)
from canbao.match.vocabulary import DuplicateKind, LinkClass
from tests.test_sets_engines import CITY, _result_sets, _sorted, _staged_inputs

# The targets' own flags (the scheme groups and local_active come from the schemes).
FLAGS = [k for k in TARGET_KEYS if k not in ("county", "_roster", "local_active", *SCHEME_GROUPS)]
RECORD_FLAGS = RECORD_KEYS[2:]
KEYS = st.one_of(st.none(), st.integers(110101190001010000, 110101190001010040))
COUNTIES = st.sampled_from(["340602", "340603", "340621"])


def _assert_same(got: KeyedCounts, want: KeyedCounts) -> None:
    for field in dataclasses.fields(KeyedCounts):
        frames = (getattr(got, field.name), getattr(want, field.name))
        assert_frame_equal(*(_sorted(f) for f in frames), check_dtypes=False)


@st.composite
def _frames(draw: st.DrawFn) -> dict[str, pl.DataFrame]:
    """Small frames with the columns keyed_counts reads: persons sharing keys, keyless rows."""
    people = draw(
        st.lists(
            st.tuples(
                KEYS, COUNTIES, st.lists(st.booleans(), min_size=len(FLAGS), max_size=len(FLAGS))
            ),
            max_size=25,
        )
    )
    targets = pl.DataFrame(
        {
            "id_key": [p[0] for p in people],
            "county": [p[1] for p in people],
            "_roster": ["household"] * len(people),
            **{flag: [p[2][i] for p in people] for i, flag in enumerate(FLAGS)},
        },
        schema_overrides={"id_key": pl.Int64, "county": pl.String, "_roster": pl.String}
        | dict.fromkeys(FLAGS, pl.Boolean),
    )
    rows = draw(
        st.lists(
            st.tuples(
                KEYS,
                COUNTIES,
                st.sampled_from([c.value for c in LinkClass]),
                st.booleans(),
                st.booleans(),
            ),
            max_size=40,
        )
    )
    linked = pl.DataFrame(
        {
            "id_key": [r[0] for r in rows],
            "region": [r[1] + "000" for r in rows],
            "link": [r[2] for r in rows],
            "active": [r[3] for r in rows],
            "in_area": [r[4] for r in rows],
            "itype": ["pension" if r[3] else "medical" for r in rows],
            "scheme": ["11" if r[4] else "22" for r in rows],
            "_file": ["p.csv"] * len(rows),
            **{
                c: [r[4] for r in rows] for c in ("name_mismatch", "sex_mismatch", "birth_mismatch")
            },
            **{c: [r[3] for r in rows] for c in ("deceased_enrolled", "repeated_record")},
        },
    ).cast({"id_key": pl.Int64, "active": pl.Boolean, "in_area": pl.Boolean})
    linked = linked.cast({c: pl.String for c in ("region", "link", "itype", "scheme", "_file")})
    linked = linked.cast({c: pl.Boolean for c in RECORD_FLAGS})
    kinds = [k.value for k in DuplicateKind]
    found = pl.DataFrame(
        {
            "id_key": [r[0] for r in rows if r[0] is not None],
            "itype": ["pension" if r[3] else "medical" for r in rows if r[0] is not None],
            "kind": [kinds[i % len(kinds)] for i, r in enumerate(rows) if r[0] is not None],
        },
        schema={"id_key": pl.Int64, "itype": pl.String, "kind": pl.String},
    ).unique(maintain_order=True)
    household = targets.select(
        "_roster",
        "is_target",
        pl.lit("h.csv").alias("_file"),
        pl.when(pl.col("id_key").is_null()).then(pl.lit("bad")).alias("id_reason"),
        pl.col("needs_survey").alias("sex_mismatch"),
        pl.col("requires_pension").alias("birth_mismatch"),
    )
    return {"household": household, "linked": linked, "targets": targets, "found": found}


@settings(max_examples=40, deadline=None)
@given(frames=_frames(), parts=st.integers(2, 7))
def test_counts_in_parts_equal_the_whole_counts(
    frames: dict[str, pl.DataFrame], parts: int
) -> None:
    """On random frames (shared and missing keys), the counts in 2-7 parts equal one piece's."""
    linked = frames["linked"].lazy()
    inputs: list[Any] = [frames["household"].lazy(), linked, frames["targets"].lazy()]
    inputs += [frames["found"].lazy(), present.current_schemes(linked).lazy()]
    want = keyed_counts(*inputs)
    _assert_same(keyed_counts(*inputs, parts=parts), want)
    assert want.targets["n"].sum() == frames["targets"].height


@settings(max_examples=25, deadline=None)
@given(frames=_frames(), parts=st.integers(1, 7))
def test_staged_schemes_are_the_schemes_held_in_memory(
    frames: dict[str, pl.DataFrame], parts: int
) -> None:
    """The schemes per person staged part by part are the rows of the ones held in memory."""
    linked = frames["linked"].lazy()
    held = present.current_schemes(linked, parts=parts).sort("id_key")
    with tempfile.TemporaryDirectory() as folder:
        staged = present.stage_current_schemes(linked, parts, Path(folder) / "schemes")
        assert_frame_equal(staged.collect().sort("id_key"), held)


@settings(max_examples=25, deadline=None)
@given(frames=_frames(), groups=st.integers(1, 5), parts=st.integers(1, 3))
def test_schemes_by_group_are_the_schemes_held_in_memory(
    frames: dict[str, pl.DataFrame], groups: int, parts: int
) -> None:
    """The schemes per person staged from records grouped by person (as a sharded match's
    shards hold them), each group in parts, are the rows of the ones held in memory."""
    linked = frames["linked"].lazy()
    held = present.current_schemes(linked, parts=parts).sort("id_key")
    # By the key's hash, as the shards deal persons (a null key hashes to one fixed group).
    group = pl.col("id_key").hash(seed=7) % groups
    grouped = [linked.filter(group == number) for number in range(groups)]
    with tempfile.TemporaryDirectory() as folder:
        staged = present.stage_schemes_by_group(grouped, parts, Path(folder) / "schemes")
        assert_frame_equal(staged.collect().sort("id_key"), held)


def test_the_example_city_counts_the_same_in_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On examples/city's sets, Polars and DuckDB in 2, 4 and 7 parts give one piece's counts."""
    household, enrolment = _staged_inputs(CITY, tmp_path / "out", monkeypatch)
    found = _result_sets(household.lazy(), enrolment.lazy())
    schemes = present.current_schemes(found["linked"]).lazy()
    frames = (household.lazy(), found["linked"], found["targets"], found["duplicates"], schemes)
    want = keyed_counts(*frames)
    assert want.duplicates.height > 0 and want.targets.height > 0
    with duckdb.connect() as duck:
        for name, frame in (("household", household), ("enrolment", enrolment)):
            frame.write_parquet(tmp_path / f"{name}.parquet")
        paths = [str(tmp_path / f"{n}.parquet") for n in ("household", "enrolment")]
        relations = [duck.read_parquet(p) for p in paths]
        on_duckdb = _result_sets(*relations)
        masks = scheme_masks(on_duckdb["linked"])
        ducks = (relations[0], on_duckdb["linked"], on_duckdb["targets"], on_duckdb["duplicates"])
        for parts in (2, 4, 7):
            _assert_same(keyed_counts(*frames, parts=parts), want)
            _assert_same(keyed_counts(*ducks, masks, parts=parts), want)
            # Each part's records from its own frame, as a sharded match's shards hold them.
            shard = shard_of("e_row", parts)
            own = [found["linked"].filter(shard == part) for part in range(parts)]
            _assert_same(keyed_counts(*frames, parts=parts, linked_parts=own), want)
    # The duplicates table in parts of persons (past DUPLICATE_KEYS_PER_PART): the same rows.
    table = present.duplicates_table(found["duplicates"], found["linked"]).collect()
    for per_part in (1, 2, 5):
        monkeypatch.setattr(present, "DUPLICATE_KEYS_PER_PART", per_part)
        parted = present.duplicates_table(found["duplicates"], found["linked"]).collect()
        assert_frame_equal(parted, table)
    assert table.height >= 5
