"""``canbao.match.sets`` on a second lazy engine: DuckDB through narwhals gives Polars' sets.

The inputs are the staged household and enrolment frames exactly as the orchestrator hands them
to the set functions (captured during a real match), once as Polars LazyFrames and once as
DuckDB relations over the same rows written to Parquet. The set functions take native frames and
return native frames of the same engine, so nothing here converts between narwhals and a native
frame; the results are compared as Polars frames sorted by every column (a lazy engine keeps no
row order), column by column, with their types. The keyed counts that the summary and the
tables sum (``canbao.match.keyed_counts``) are compared the same way.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import narwhals as nw
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from canbao.match import present, run_match, sets
from canbao.match.keyed_counts import KeyedCounts, keyed_counts, scheme_masks
from canbao.synth import generate_city

CITY = Path(__file__).parent.parent / "examples" / "city"
SETS = ("persons", "linked", "coverage", "targets", "duplicates")
# A cast to an unsigned integer in the SQL DuckDB runs: Spark has no unsigned types, so the set
# logic must introduce none (unsigned input columns such as Polars' UInt32 row index pass as is).
UNSIGNED_CAST = re.compile(r"AS U(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)\b")


def _staged_inputs(
    city: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Match ``city`` and keep the staged household and enrolment frames the set logic receives."""
    seen: dict[str, pl.DataFrame] = {}
    persons, link, classes = sets.household_persons, sets.link_records, sets.link_classes

    def spy_persons(household: pl.LazyFrame) -> pl.LazyFrame:
        seen.setdefault("household", household.collect())
        return persons(household)

    def spy_link(enrolment: pl.LazyFrame, found: pl.LazyFrame) -> pl.LazyFrame:
        seen.setdefault("enrolment", enrolment.collect())
        return link(enrolment, found)

    def spy_classes(enrolment: pl.LazyFrame, found: pl.LazyFrame) -> pl.LazyFrame:
        seen.setdefault("enrolment", enrolment.collect())
        return classes(enrolment, found)

    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    files: dict[str, list[Path]] = {}
    for name, info in manifest["rosters"].items():
        files.setdefault(info["kind"], []).append(city / name)
    with monkeypatch.context() as patch:
        patch.setattr(sets, "household_persons", spy_persons)
        patch.setattr(sets, "link_records", spy_link)
        patch.setattr(sets, "link_classes", spy_classes)  # one piece: the enrolment unstaged
        run_match(files, as_of=date.fromisoformat(manifest["as_of"]), output=out)
    return seen["household"], seen["enrolment"]


def _result_sets(household: Any, enrolment: Any) -> dict[str, Any]:
    """The five set functions chained as the orchestrator chains them, on one engine."""
    persons = sets.household_persons(household)
    linked = sets.link_records(enrolment, persons)
    cover = sets.coverage(linked)
    return {
        "persons": persons,
        "linked": linked,
        "coverage": cover,
        "targets": sets.assess_targets(household, cover),
        "duplicates": sets.duplicates(linked),
    }


@pytest.fixture
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB database, closed after the test."""
    con = duckdb.connect()
    yield con
    con.close()


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def _compare_engines(
    household: pl.DataFrame,
    enrolment: pl.DataFrame,
    folder: Path,
    duck: duckdb.DuckDBPyConnection,
) -> dict[str, int]:
    """Assert that DuckDB's result sets equal Polars'; return the row count of each set."""
    relations: list[Any] = []
    for name, frame in (("household", household), ("enrolment", enrolment)):
        frame.write_parquet(folder / f"{name}.parquet")
        relations.append(duck.read_parquet(str(folder / f"{name}.parquet")))
    on_polars = _result_sets(household.lazy(), enrolment.lazy())
    on_duckdb = _result_sets(*relations)
    rows = {}
    for name in SETS:
        assert isinstance(on_duckdb[name], duckdb.DuckDBPyRelation), name
        assert not UNSIGNED_CAST.search(on_duckdb[name].sql_query()), name
        want = on_polars[name].collect()
        got = nw.from_native(on_duckdb[name]).collect("polars").to_native()
        assert_frame_equal(_sorted(got), _sorted(want), check_column_order=True)
        rows[name] = want.height
    return rows


def test_duckdb_gives_polars_sets_on_the_example_city(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, duck: duckdb.DuckDBPyConnection
) -> None:
    """On examples/city's staged frames, DuckDB's five sets equal Polars' column by column."""
    household, enrolment = _staged_inputs(CITY, tmp_path / "out", monkeypatch)
    rows = _compare_engines(household, enrolment, tmp_path, duck)
    # Every set has rows (an empty one would compare vacuously); every record is linked once.
    assert min(rows.values()) >= 10, rows
    assert rows["linked"] == enrolment.height


@pytest.mark.slow
def test_duckdb_gives_polars_sets_on_a_messy_generated_city(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, duck: duckdb.DuckDBPyConnection
) -> None:
    """On a generated messy city with a signed row number (as Spark needs), DuckDB equals Polars."""
    city = tmp_path / "city"
    generate_city(2000, seed=16, as_of=date(2017, 6, 30), output=city, messy=True)
    household, enrolment = _staged_inputs(city, tmp_path / "out", monkeypatch)
    enrolment = enrolment.with_columns(pl.col("e_row").cast(pl.Int64))
    rows = _compare_engines(household, enrolment, tmp_path, duck)
    # Every set has rows (an empty one would compare vacuously); every record is linked once.
    assert min(rows.values()) >= 10, rows
    assert rows["linked"] == enrolment.height


def test_keyed_counts_are_the_same_on_duckdb_and_polars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, duck: duckdb.DuckDBPyConnection
) -> None:
    """The keyed counts every summary count and table sums, computed by the same narwhals code on
    DuckDB (schemes by scheme_masks) and on Polars (schemes by present.current_schemes), agree."""
    household, enrolment = _staged_inputs(CITY, tmp_path / "out", monkeypatch)
    relations = []
    for name, frame in (("household", household), ("enrolment", enrolment)):
        frame.write_parquet(tmp_path / f"{name}.parquet")
        relations.append(duck.read_parquet(str(tmp_path / f"{name}.parquet")))
    polars_sets = _result_sets(household.lazy(), enrolment.lazy())
    duck_sets = _result_sets(*relations)
    schemes = present.current_schemes(polars_sets["linked"])
    masks = nw.from_native(scheme_masks(polars_sets["linked"])).collect("polars").to_native()
    assert_frame_equal(_sorted(masks), _sorted(schemes.drop("schemes_now")), check_dtypes=False)
    want = keyed_counts(
        household.lazy(),
        polars_sets["linked"],
        polars_sets["targets"],
        polars_sets["duplicates"],
        schemes.lazy(),
    )
    got = keyed_counts(
        relations[0],
        duck_sets["linked"],
        duck_sets["targets"],
        duck_sets["duplicates"],
        scheme_masks(duck_sets["linked"]),
    )
    for field in dataclasses.fields(KeyedCounts):
        frames = (getattr(got, field.name), getattr(want, field.name))
        assert_frame_equal(*(_sorted(f) for f in frames), check_dtypes=False)
        assert frames[1].height > 0, field.name
    assert want.targets["n"].sum() == polars_sets["targets"].collect().height


def test_link_in_two_steps_gives_the_linked_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """link_classes, then its repeated_rows flagged by row number, give link_records' records."""
    household, enrolment = _staged_inputs(CITY, tmp_path / "out", monkeypatch)
    persons = sets.household_persons(household.lazy())
    want = sets.link_records(enrolment.lazy(), persons).collect()
    classes = sets.link_classes(enrolment.lazy(), persons).collect()
    rows = sets.repeated_rows(classes.lazy()).collect().get_column("e_row")
    repeated = pl.col("e_row").is_in(rows.implode()).alias("repeated_record")
    got = classes.with_columns(repeated).select(want.columns)
    assert_frame_equal(got, want)
    assert got.get_column("repeated_record").sum() > 0


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.integers(1, 4)), st.sampled_from(["1", "2", "11"])),
        max_size=30,
    )
)
def test_records_sharing_a_code_on_polars_and_duckdb(rows: list[tuple[int | None, str]]) -> None:
    """Polars' filter on the collected pairs keeps the records DuckDB's semi join keeps."""
    frame = pl.DataFrame(
        {"id_key": [k for k, _ in rows], "scheme": [c for _, c in rows], "e_row": range(len(rows))},
        schema={"id_key": pl.Int64, "scheme": pl.String, "e_row": pl.Int64},
    )
    counts = Counter((k, c) for k, c in rows if k is not None)
    want = sorted(i for i, (k, c) in enumerate(rows) if k is not None and counts[(k, c)] > 1)
    on_polars = sets._sharing_a_code(nw.from_native(frame.lazy()), "scheme", 2)
    relation = duckdb.connect().from_arrow(frame.to_arrow())
    on_duckdb = sets._sharing_a_code(nw.from_native(relation), "scheme", 2)
    for found in (on_polars, on_duckdb):
        got = found.collect("polars").to_native().get_column("e_row").sort().to_list()
        assert got == want
