"""``canbao match --shards N`` writes the same result files, byte for byte, as one piece."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from scripts.regenerate_golden import workbook_cells
from typer.testing import CliRunner

from canbao.cells import neutralise_frame
from canbao.cli import app
from canbao.errors import UsageError
from canbao.match import _person_tables, _shards, api, output_stages, present, repairs, run_match
from canbao.match._shards import automatic_shards, shard_count, shard_of
from canbao.synth import generate_city
from tests.test_match_examples import match_args

EXAMPLES = Path(__file__).parent.parent / "examples"
MARKER = ".canbao.json"  # the output folder's marker: it records when it was written


def _rosters(city: Path) -> dict[str, list[Path]]:
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    files: dict[str, list[Path]] = {}
    for name, info in manifest["rosters"].items():
        files.setdefault(info["kind"], []).append(city / name)
    return files


def _contents(folder: Path) -> dict[str, object]:
    """Every file a match wrote: bytes, and a workbook's cells (its zip carries a time stamp)."""
    found: dict[str, object] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MARKER):
        name = str(path.relative_to(folder))
        found[name] = workbook_cells(path) if path.suffix == ".xlsx" else path.read_bytes()
    return found


def _match(city: Path, out: Path, shards: int, **options: object) -> dict[str, object]:
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    run_match(
        _rosters(city),
        as_of=manifest["as_of"],
        output=out,
        shards=shards,
        warn=lambda _: None,
        **options,  # type: ignore[arg-type]
    )
    return _contents(out)


def _assert_same(one: dict[str, object], sharded: dict[str, object], shards: int) -> None:
    assert sorted(one) == sorted(sharded)
    differ = [name for name in one if one[name] != sharded[name]]
    assert not differ, f"{shards} shards changed {differ}"


@pytest.mark.parametrize("example", ["city", "legal"])
def test_the_examples_are_the_same_in_1_2_4_and_7_shards(example: str, tmp_path: Path) -> None:
    """Each example city's result files and summary are byte-identical in 1, 2, 4 and 7 shards."""
    one = _match(EXAMPLES / example, tmp_path / "1", 1)
    for shards in (2, 4, 7):
        _assert_same(one, _match(EXAMPLES / example, tmp_path / str(shards), shards), shards)


@pytest.fixture(scope="module")
def messy_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated messy city of 1500 persons (every kind of finding planted, legal groups too)."""
    city = tmp_path_factory.mktemp("messy") / "city"
    generate_city(
        1500, seed=16, as_of=date(2017, 6, 30), output=city, messy=True, legal_groups=True
    )
    return city


def test_a_messy_city_with_applied_links_is_the_same_in_shards(
    messy_city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A messy generated city, links applied (the sets run twice), in 1, 2, 4 and 7 shards."""
    # The repair step's records in chunks of 3 (20 000 in a real match): many chunks are scored.
    monkeypatch.setattr(repairs, "RECORD_CHUNK", 3)
    # The person tables in batches of 40 persons, read 50 at a time and written when 60 wait:
    # many of each, a batch's rows in several files.
    monkeypatch.setattr(_person_tables, "BATCH_ROWS", 40)
    monkeypatch.setattr(_person_tables, "SPLIT_CHUNK_ROWS", 50)
    monkeypatch.setattr(_person_tables, "SPLIT_HELD_ROWS", 60)
    # The merged linked records in windows of 500 row numbers: several files beside the one
    # staged enrolment (canbao.match._linked_rows).
    monkeypatch.setattr(_shards, "WINDOW_ROWS", 500)
    said: list[str] = []
    options = {"apply_links": 90, "county_lists": True, "progress": said.append}
    one = _match(messy_city, tmp_path / "1", 1, **options)
    assert "applied_links.csv" in one
    assert one["suggested_links.csv"].count(b"\n") > 5  # type: ignore[union-attr]
    assert one["legal_group_gaps.csv"].count(b"\n") > 5  # type: ignore[union-attr]
    assert not [message for message in said if "片" in message]  # no shard (分片) said
    for shards in (2, 4, 7):
        _assert_same(one, _match(messy_city, tmp_path / str(shards), shards, **options), shards)
        # Both runs of the sets (before and after the applied links) went shard by shard.
        assert said.count(f"合并 {shards} 片结果") == 2


def test_a_sharded_match_records_the_same_person_states(
    messy_city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --db, a sharded match gives the database the same person states and places."""
    recorded: list[tuple[pl.DataFrame, pl.DataFrame]] = []
    person_states = api._person_states

    def kept(*args: object) -> tuple[pl.DataFrame, pl.DataFrame]:
        recorded.append(person_states(*args))  # type: ignore[arg-type]
        return recorded[-1]

    monkeypatch.setattr(api, "_person_states", kept)
    for shards in (1, 3):
        _match(messy_city, tmp_path / str(shards), shards, db=tmp_path / f"{shards}.duckdb")
    (one_states, one_places), (states, places) = recorded
    assert one_states.height > 1000 and one_places.height > 1000
    assert_frame_equal(states.sort(states.columns), one_states.sort(one_states.columns))
    assert_frame_equal(places.sort(places.columns), one_places.sort(one_places.columns))


@pytest.mark.parametrize("options", [{}, {"apply_links": 90, "county_lists": True}])
def test_one_piece_of_a_large_city_writes_the_same_person_tables_by_batches(
    options: dict[str, object], messy_city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One piece above the size where its CSV person tables go by batches of townships (here
    lowered to this city) writes the bytes of the one sort (the enrolment fused with the link;
    links applied and lists kept)."""
    sorted_once = _match(messy_city, tmp_path / "sorted", 1, **options)
    split: list[Path] = []
    original = _person_tables._split

    def counted(persons: pl.LazyFrame, groups: pl.DataFrame, folder: Path) -> object:
        split.append(folder)
        return original(persons, groups, folder)

    monkeypatch.setattr(_person_tables, "_split", counted)
    monkeypatch.setattr(_person_tables, "ONE_PIECE_BATCHES_FROM", 1000)  # the city: 1500
    monkeypatch.setattr(_person_tables, "BATCH_ROWS", 40)
    monkeypatch.setattr(_person_tables, "SPLIT_CHUNK_ROWS", 50)
    monkeypatch.setattr(_person_tables, "SPLIT_HELD_ROWS", 60)
    # The schemes per person staged in parts of 300 persons (2.5 M in a real match).
    monkeypatch.setattr(output_stages, "SCHEME_PART_PERSONS", 300)
    staged: list[int] = []
    stage_schemes = present.stage_current_schemes

    def in_parts(linked: pl.LazyFrame, parts: int, folder: Path) -> pl.LazyFrame:
        staged.append(parts)
        return stage_schemes(linked, parts, folder)

    monkeypatch.setattr(present, "stage_current_schemes", in_parts)
    _assert_same(sorted_once, _match(messy_city, tmp_path / "batches", 1, **options), 1)
    assert len(split) == 1  # the person tables went by batches
    assert len(staged) == 1 and staged[0] >= 5  # the household rows in parts of 300


def test_a_messy_city_as_workbooks_is_the_same_in_shards(messy_city: Path, tmp_path: Path) -> None:
    """The same city written as xlsx: the same cells in 3 shards as in one, and the same parts
    of every workbook but its time stamp (the shared strings in the same order)."""
    one = _match(messy_city, tmp_path / "1", 1, format="xlsx")
    _assert_same(one, _match(messy_city, tmp_path / "3", 3, format="xlsx"), 3)
    assert _workbook_parts(tmp_path / "1") == _workbook_parts(tmp_path / "3")


def _workbook_parts(folder: Path) -> dict[tuple[str, str], bytes]:
    """Every part of every workbook in ``folder`` but docProps/core.xml (its time stamp)."""
    parts = {}
    for path in sorted(folder.glob("*.xlsx")):
        with zipfile.ZipFile(path) as package:
            for info in package.infolist():
                if info.filename != "docProps/core.xml":
                    parts[path.name, info.filename] = package.read(info)
    return parts


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    persons=st.integers(min_value=20, max_value=400),
    seed=st.integers(min_value=0, max_value=10_000),
    shards=st.integers(min_value=2, max_value=9),
)
def test_random_small_cities_are_the_same_in_any_shards(
    persons: int, seed: int, shards: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Random small messy cities (legal-group rosters too) give the same files in any shards."""
    folder = tmp_path_factory.mktemp("city")
    city = folder / "city"
    generate_city(
        persons, seed=seed, as_of=date(2017, 6, 30), output=city, messy=True, legal_groups=True
    )
    one = _match(city, folder / "1", 1, format="parquet")
    _assert_same(one, _match(city, folder / "n", shards, format="parquet"), shards)


def test_a_persons_rows_share_a_shard_and_keyless_rows_go_by_their_row() -> None:
    """Rows of one key land in one shard; rows without a key are dealt by their row number."""
    frame = pl.DataFrame(
        {"id_key": [34062119900101123, 34062119900101123, None, None], "row": [0, 9, 4, 5]}
    )
    got = frame.select(shard_of("row", 3)).to_series().to_list()
    assert got[0] == got[1] == 34062119900101123 % (2**31 - 1) % 3
    assert got[2:] == [1, 2]


def test_staged_shard_numbers_are_those_each_shard_would_compute() -> None:
    """The shard numbers staged with the rows equal shard_of by the key, else the row number."""
    keys = [34062119900101123, None, 11010519491231002, None, 34062119900101123]
    household = pl.LazyFrame({"id_key": keys})
    enrolment = pl.LazyFrame({"id_key": keys[::-1], "e_row": [7, 3, 5, 8, 2]})
    got = _shards.with_shard(household, None, 3).collect().get_column(_shards.SHARD).to_list()
    want = pl.DataFrame({"id_key": keys, "row": range(5)}).select(shard_of("row", 3))
    assert got == want.to_series().to_list()
    got = _shards.with_shard(enrolment, "e_row", 3).collect().get_column(_shards.SHARD).to_list()
    assert got == enrolment.select(shard_of("e_row", 3)).collect().to_series().to_list()
    assert _shards.with_shard(enrolment, "e_row", 1) is enrolment


def test_townships_are_packed_into_batches_in_sort_order() -> None:
    """Consecutive townships fill a batch up to the limit; a larger one is a batch of its own."""
    persons = pl.LazyFrame(
        {
            "county": ["2", "1", "1", "1", None, "1", "2", "2", "2"],
            "township": ["a", "b", "a", "b", "a", None, "a", "a", "a"],
        }
    )
    got = _person_tables.batches(persons, 3)
    expected = pl.DataFrame(
        {
            "county": ["1", "1", "1", "2", None],
            "township": ["a", "b", None, "a", "a"],
            "_batch": [0, 0, 1, 2, 3],
            "len": [1, 2, 1, 4, 1],
        },
        schema_overrides={"len": pl.UInt32},
    )
    assert_frame_equal(got, expected)


def test_automatic_shards_follow_the_input_size_and_the_memory(tmp_path: Path) -> None:
    """One shard while the estimate fits, more as the rosters grow against the memory."""
    roster = tmp_path / "household.csv"
    roster.write_bytes(b"x" * 1000)
    assert automatic_shards([roster], memory=1_000_000) == 1
    assert automatic_shards([roster], memory=1500) == 1
    assert automatic_shards([roster], memory=1000) == 2
    assert automatic_shards([roster], memory=150) == 10
    assert automatic_shards([roster], memory=0) == 1
    assert shard_count("auto", [EXAMPLES / "city" / "household.csv"]) == 1
    assert shard_count(" 4 ", []) == 4


@pytest.mark.parametrize("value", ["0", "-2", "65", "many", "2.5"])
def test_a_wrong_shard_count_is_refused(value: str) -> None:
    """--shards takes auto or a whole number from 1 to 64, and says so."""
    with pytest.raises(UsageError, match="--shards"):
        shard_count(value, [])


def test_the_cli_takes_shards(tmp_path: Path) -> None:
    """canbao match --shards 3 writes the files of --shards 1."""
    runner = CliRunner()
    for shards in ("1", "3"):
        args = [*match_args(tmp_path / shards), "--shards", shards]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    assert _contents(tmp_path / "1") == _contents(tmp_path / "3")
    refused = runner.invoke(app, [*match_args(tmp_path / "x"), "--shards", "0"])
    assert refused.exit_code != 0
    assert "--shards" in refused.stderr


@settings(max_examples=25, deadline=None)
@given(
    places=st.lists(
        st.tuples(st.sampled_from(["1", "2", None]), st.sampled_from(["a", "b", "c", None])),
        max_size=120,
    ),
    limit=st.integers(min_value=1, max_value=30),
    held=st.integers(min_value=1, max_value=40),
    chunk=st.integers(min_value=1, max_value=50),
)
def test_the_split_gives_each_batch_its_rows_in_order(
    places: list[tuple[str | None, str | None]], limit: int, held: int, chunk: int
) -> None:
    """Persons in any order, more batches than rows held: each batch's files are its rows in
    the persons' order."""
    persons = pl.DataFrame(
        {
            "county": [county for county, _ in places],
            "township": [township for _, township in places],
            "row": list(range(len(places))),
        },
        schema={"county": pl.String, "township": pl.String, "row": pl.Int64},
    )
    groups = _person_tables.batches(persons.lazy(), limit)
    tagged = persons.join(
        groups.drop("len"), on=["county", "township"], how="left", nulls_equal=True
    )
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setattr(_person_tables, "SPLIT_HELD_ROWS", held)
        patch.setattr(_person_tables, "SPLIT_CHUNK_ROWS", chunk)
        files = _person_tables._split(persons.lazy(), groups, Path(folder) / "split")
        assert sorted(files) == tagged.get_column("_batch").unique().sort().to_list()
        for number, paths in files.items():
            expected = tagged.filter(pl.col("_batch") == number).drop("_batch").sort("row")
            assert_frame_equal(pl.read_parquet(paths), expected)


def test_parquet_person_tables_go_by_batches_with_the_rows_of_one_sort(
    messy_city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parquet person tables have a row group per batch of townships (here 40 persons), the
    same bytes from one sort (one piece), by batches (one piece of a large city) and in 3
    shards (the county lists too), and the rows of the CSV tables (neutralised as CSV writes
    them)."""
    as_csv = _match(messy_city, tmp_path / "csv", 1)
    monkeypatch.setattr(_person_tables, "BATCH_ROWS", 40)
    monkeypatch.setattr(_person_tables, "SPLIT_CHUNK_ROWS", 50)
    monkeypatch.setattr(_person_tables, "SPLIT_HELD_ROWS", 60)
    lists = {"format": "parquet", "county_lists": True}
    sorted_once = _match(messy_city, tmp_path / "1", 1, **lists)
    _assert_same(sorted_once, _match(messy_city, tmp_path / "3", 3, **lists), 3)
    monkeypatch.setattr(_person_tables, "ONE_PIECE_BATCHES_FROM", 1000)  # the city: 1500
    _assert_same(sorted_once, _match(messy_city, tmp_path / "batches", 1, **lists), 1)
    for name in ("needs_survey", "uninsured", "confirmed"):
        path = tmp_path / "1" / f"{name}.parquet"
        table = pl.read_parquet(path)
        csv = pl.read_csv(io.BytesIO(as_csv[f"{name}.csv"]), infer_schema=False)  # type: ignore[arg-type]
        assert_frame_equal(neutralise_frame(table).fill_null(""), csv.fill_null(""))
        assert pq.ParquetFile(path).metadata.num_row_groups > 10
