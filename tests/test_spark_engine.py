"""``canbao match --engine spark`` on a real Spark ``local[2]`` session gives Polars' result sets.

One Spark session serves every test here (module fixture, one JVM; under ``pytest -n`` the
module's tests run on one worker: tests/conftest.py). Each test matches a city on Polars
(``run_match``, Parquet output) and on Spark and compares the result files as Polars frames sorted
by every column (Spark keeps no row order), column by column: the person tables, the duplicates,
the linked records (less ``e_row``, which Spark derives from file and line) and the counts.
The Spark matches run through ``canbao match --engine spark``, which takes the active session.
"""

from __future__ import annotations

import json
import os
import random
import re
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pyarrow as pa
import pytest
from polars.testing import assert_frame_equal
from pyspark.sql import SparkSession
from typer.testing import CliRunner

from canbao.cli import app
from canbao.errors import InputError
from canbao.match import _repair_candidates, present, run_match, sets
from canbao.match._repairs_in_match import suggest
from canbao.match.spark import _repairs as spark_repairs
from canbao.match.spark import spark_session
from canbao.match.spark._read import Source, read_source
from canbao.match.spark._session import masked_spark_errors
from canbao.match.stages import LINKED_COLUMNS
from canbao.match.vocabulary import ConflictKind
from canbao.roster import ColumnMap, load_column_map, read_roster
from canbao.synth import generate_city
from canbao.workdir import work_folder

CITY = Path(__file__).parent.parent / "examples" / "city"
ID_LIKE = re.compile(r"[0-9]{15,17}[0-9Xx]")
PERSON_TABLES = ("needs_survey", "uninsured", "confirmed")
# The record tables by county and what each file is sorted by (conflicts: kind first).
RECORD_TABLES = {"conflicts": ("_kind",), "non_local": ("来源文件", "行号")}
KIND = pl.Enum([k.value for k in ConflictKind])


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SparkSession, Path, Path]]:
    """One local[2] session as canbao starts it; the JVM's stderr goes to a file read later;
    its folders are gone after it stops."""
    log = tmp_path_factory.mktemp("spark-log") / "stderr.txt"
    saved = os.dup(2)
    with work_folder("spark-test") as work, log.open("wb") as sink:
        os.dup2(sink.fileno(), 2)  # the JVM and its Python workers inherit this stderr
        try:
            with spark_session(work, driver_memory="768m") as session:
                os.dup2(saved, 2)
                yield session, work, log
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    # Spark's local and shuffle folders went with the work folder when the session stopped.
    assert not work.exists()
    # Whatever ran on the session (every test here), its stderr quotes no ID (log4j2 masks
    # digit runs, canbao masks its errors): the promise checked once all of them have run.
    assert not ID_LIKE.search(log.read_text(encoding="utf-8", errors="replace"))


def _files(city: Path) -> dict[str, list[Path]]:
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    files: dict[str, list[Path]] = {}
    for name, info in manifest["rosters"].items():
        if info["kind"] not in ("units", "insured_units"):
            files.setdefault(info["kind"], []).append(city / name)
    return files


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def _folder(path: Path, order: tuple[str, ...] = ()) -> pl.DataFrame:
    """A folder of Parquet partitioned by 县区, with 县区 as text (as in the Polars tables);
    with ``order``, each file is sorted by it (nulls last)."""
    files = sorted(path.rglob("*.parquet"))
    for file in files if order else ():
        part = pl.read_parquet(file).select(
            *(pl.col("类别代码").cast(KIND).alias(c) if c == "_kind" else pl.col(c) for c in order)
        )
        assert_frame_equal(part, part.sort(list(order), nulls_last=True, maintain_order=True))
    parts = [
        pl.read_parquet(f).with_columns(
            pl.lit(None if "__HIVE_DEFAULT" in f.parent.name else f.parent.name.split("=", 1)[1])
            .cast(pl.String)
            .alias("县区")
        )
        for f in files
    ]
    return pl.concat(parts, how="vertical_relaxed")


def _polars_linked(
    files: dict[str, list[Path]], day: date, out: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The Polars match of ``files`` (Parquet): its linked records (as the sets give them)."""
    seen: list[pl.DataFrame] = []
    cover = sets.coverage

    # The coverage is computed from the linked records, however the match staged them.
    def spy(linked: pl.LazyFrame) -> pl.LazyFrame:
        if not seen:
            seen.append(linked.select(LINKED_COLUMNS).collect())
        return cover(linked)

    with monkeypatch.context() as patch:
        patch.setattr(sets, "coverage", spy)
        result = run_match(files, as_of=day, output=out, format="parquet")
    return seen[0], json.loads(result.summary.to_json())


def _cli_args(files: dict[str, list[Path]], day: date, out: Path) -> list[str]:
    """``canbao match --engine spark`` of ``files``."""
    args = ["match", "--engine", "spark", "--as-of", day.isoformat(), "--output", str(out)]
    for kind, paths in files.items():
        for path in paths:
            args += [f"--{kind}", str(path)]
    return args


def _compare(
    spark: SparkSession, city: Path, tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, int]:
    """Match ``city`` on both engines, assert equal result sets; the row count of each."""
    assert SparkSession.getActiveSession() is spark  # the session the command line takes
    files = _files(city)
    day = date.fromisoformat(json.loads((city / "manifest.json").read_text())["as_of"])
    linked, summary = _polars_linked(files, day, tmp / "polars", monkeypatch)
    # Through the command line, which takes this process's active session (the fixture's).
    ran = CliRunner().invoke(app, [*_cli_args(files, day, tmp / "spark"), "--json"])
    assert ran.exit_code == 0, ran.stderr
    counts = json.loads(ran.stdout)
    rows = {}
    for name in PERSON_TABLES:
        want = pl.read_parquet(tmp / "polars" / f"{name}.parquet")
        got = _folder(tmp / "spark" / name, tuple(present.SORT_KEYS[1:])).select(want.columns)
        assert_frame_equal(_sorted(got), _sorted(want))
        rows[name] = want.height
    want = pl.read_parquet(tmp / "polars" / "duplicates.parquet")
    got = pl.read_parquet(tmp / "spark" / "duplicates.parquet")
    assert_frame_equal(_sorted(got), _sorted(want))
    rows["duplicates"] = want.height
    for name, order in RECORD_TABLES.items():  # written by county on Spark, like person tables
        want = pl.read_parquet(tmp / "polars" / f"{name}.parquet")
        got = _folder(tmp / "spark" / name, order).select(want.columns)
        assert_frame_equal(_sorted(got), _sorted(want))
        rows[name] = want.height
    columns = [c for c in LINKED_COLUMNS if c != "e_row"]
    got = _folder(tmp / "spark" / "linked_records", ("e_row",)).select(columns)
    assert_frame_equal(_sorted(got), _sorted(linked.select(columns)))
    rows["linked"] = linked.height
    _compare_small_files(tmp / "polars", tmp / "spark", summary, counts)
    rows["legal_group_gaps"] = pl.read_parquet(tmp / "spark" / "legal_group_gaps.parquet").height
    return rows


# The small results, written by the same Polars writers from the keyed counts on both engines.
SMALL_FILES = (
    *("task_table.parquet", "unreadable.parquet", "suggested_links.parquet"),
    *("legal_group_gaps.parquet", "legal_group_units.parquet"),
)
WORKBOOKS = ("task_table.xlsx", "basic_data_tables.xlsx")


def _cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}
    finally:
        book.close()


def _compare_small_files(
    polars: Path, spark: Path, summary: dict[str, Any], printed: dict[str, Any]
) -> None:
    """The suggested links, legal groups, task table, national tables and summary.json are
    Polars'."""
    for name in SMALL_FILES:
        assert (spark / name).read_bytes() == (polars / name).read_bytes(), name
    for name in WORKBOOKS:  # every cell of every sheet (the files' bytes carry a timestamp)
        assert _cells(spark / name) == _cells(polars / name), name
    spark_summary = json.loads((spark / "summary.json").read_text(encoding="utf-8"))
    assert spark_summary == printed  # what --json printed is the file
    assert summary["suggested_links"] > 0
    assert spark_summary == summary
    assert all(eq["ok"] for eq in spark_summary["conservation"])


def test_spark_gives_polars_results_on_the_example_city(
    spark: tuple[SparkSession, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On examples/city, Spark's person tables, duplicates and linked records equal Polars'."""
    rows = _compare(spark[0], CITY, tmp_path, monkeypatch)
    assert rows.pop("legal_group_gaps") == 0  # no injury, unemployment or maternity roster
    assert min(rows.values()) >= 5, rows  # every set has rows: none compares vacuously


@pytest.mark.slow
def test_spark_gives_polars_results_on_a_messy_generated_city(
    spark: tuple[SparkSession, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a generated messy city of 20,000 persons with legal-group rosters, Spark's result
    sets and legal-group gaps equal Polars'."""
    city = tmp_path / "city"
    day = date(2017, 6, 30)
    generate_city(20_000, seed=16, as_of=day, output=city, messy=True, legal_groups=True)
    rows = _compare(spark[0], city, tmp_path, monkeypatch)
    assert rows["linked"] > 20_000 and min(rows.values()) >= 20, rows


def _read_by_spark(
    spark: SparkSession, text: str, work: Path, columns: ColumnMap | None = None
) -> pl.DataFrame:
    frame = read_source(spark, Source(text, "household"), columns=columns, work=work, index=0)
    got = pl.from_arrow(frame.toArrow())
    assert isinstance(got, pl.DataFrame)
    return got.sort("_line")


def test_spark_reads_csv_and_parquet_uris_and_tables_as_canbaos_reader_does(
    spark: tuple[SparkSession, Path, Path], tmp_path: Path
) -> None:
    """Spark's own readers (file:// CSV and Parquet, a catalog table) give canbao's fields and
    lines: a CSV line counts the header, a Parquet or table row is its number + 1."""
    path = tmp_path / "household.csv"
    generate_city(300, seed=3, as_of=date(2017, 6, 30), output=tmp_path / "c", messy=False)
    (tmp_path / "c" / "household.csv").rename(path)
    want = read_roster(path, "household", workdir=tmp_path).frame.collect().sort("_line")
    assert_frame_equal(_read_by_spark(spark[0], f"file://{path}", tmp_path), want)
    # --columns' values: a word of the export replaced in Spark's read as in canbao's.
    path.write_text(path.read_text(encoding="utf-8").replace(",正常,", ",在册,"), encoding="utf-8")
    (tmp_path / "columns.yaml").write_text("values:\n  status:\n    在册: 正常\n", encoding="utf-8")
    assert ",在册," in path.read_text(encoding="utf-8")
    colmap = load_column_map(tmp_path / "columns.yaml")
    mapped = read_roster(path, "household", columns=colmap, workdir=tmp_path).frame.collect()
    assert mapped.get_column("status").to_list() == want.get_column("status").to_list()
    assert_frame_equal(_read_by_spark(spark[0], f"file://{path}", tmp_path, colmap), want)
    parquet = tmp_path / "household.parquet"
    pl.read_csv(path, infer_schema=False).write_parquet(parquet)
    want = read_roster(parquet, "household", workdir=tmp_path).frame.collect().sort("_line")
    assert_frame_equal(_read_by_spark(spark[0], f"file://{parquet}", tmp_path), want)
    spark[0].read.parquet(str(parquet)).createOrReplaceTempView("household_view")
    got = _read_by_spark(spark[0], "table:household_view", tmp_path)
    assert_frame_equal(got, want.with_columns(pl.lit("household_view").alias("_file")))


def test_spark_keeps_its_folders_private_and_its_logs_free_of_rows(
    spark: tuple[SparkSession, Path, Path],
) -> None:
    """Spark's local folder is 0700 inside the run's work folder; its stderr quotes no ID."""
    session, work, log = spark
    local = Path(session.sparkContext.getConf().get("spark.local.dir") or "")
    assert local.parent == work and local.is_dir()
    assert stat.S_IMODE(local.stat().st_mode) == 0o700
    assert stat.S_IMODE(work.stat().st_mode) == 0o700
    # The JVM's temporary files and PySpark's own temporary folder are inside it too.
    jvm = session.sparkContext._jvm
    assert jvm is not None
    assert Path(jvm.System.getProperty("java.io.tmpdir")).is_relative_to(local)
    assert Path(session.sparkContext._temp_dir).is_relative_to(local)
    # The catalog's folder too (Spark's default is ./spark-warehouse in the user's folder).
    warehouse = (session.conf.get("spark.sql.warehouse.dir") or "").removeprefix("file:")
    assert Path(warehouse).is_relative_to(local)
    ids = pl.read_csv(CITY / "household.csv", infer_schema=False).to_series(0).drop_nulls()
    text = log.read_text(encoding="utf-8", errors="replace")
    assert not [i for i in ids.to_list() if len(i) >= 15 and i in text]


def test_match_cli_refuses_polars_only_options_with_spark(tmp_path: Path) -> None:
    """``--engine spark`` with an option only a Polars match runs (--db) is a usage error; a
    legal-group rule is not one (Spark judges the legal groups)."""
    args = [*_cli_args(_files(CITY), date(2017, 6, 30), tmp_path / "o"), "--db", "r.duckdb"]
    refused = CliRunner().invoke(app, [*args, "--legal-groups", "none"])
    assert refused.exit_code == 2 and "--db" in refused.stderr
    assert "--legal-groups" not in refused.stderr
    assert not (tmp_path / "o").exists()


def test_a_missing_table_is_an_input_error_naming_it(
    spark: tuple[SparkSession, Path, Path], tmp_path: Path
) -> None:
    """A roster table the catalog does not have stops the match with exit 3, output untouched."""
    args = ["match", "--engine", "spark", "--household", "table:nowhere.household"]
    ran = CliRunner().invoke(app, [*args, "--output", str(tmp_path / "o")])
    assert ran.exit_code == 3, ran.stderr
    assert "Spark" in ran.stderr and "nowhere" in ran.stderr
    assert not (tmp_path / "o").exists()


def _fail_on_a_row(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """On a worker: an error that quotes the row's values, as a bug in a step might."""
    for batch in batches:
        row = batch.to_pylist()[0]
        raise ValueError(f"bad row {row['id']} {row['name']}")
        yield batch


def test_an_error_on_a_worker_reaches_neither_the_user_nor_the_log_with_its_row(
    spark: tuple[SparkSession, Path, Path],
) -> None:
    """A worker's error quoting an ID and a name stops the run as an InputError naming its class
    only, and Spark's stderr (log4j2) carries neither the ID nor the name."""
    session, _, log = spark
    person = "34060219800101123X", "欧阳测试"
    frame = session.createDataFrame([person], "id string, name string")
    with pytest.raises(InputError) as raised, masked_spark_errors():
        frame.mapInArrow(_fail_on_a_row, frame.schema).collect()
    assert "PythonException" in raised.value.message
    text = log.read_text(encoding="utf-8", errors="replace")
    for value in person:
        assert value not in raised.value.message and value not in text


def _repair_city(rng: random.Random) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A household (few names, two counties, IDs listed twice in other counties) and records
    that are typos of its IDs (one or two digits changed, swapped, dropped) or garbage."""
    names = ["张伟", "王芳", "李娜", "刘洋", "陈静"]
    ids = [
        f"3406{rng.choice('0203')}{rng.randrange(10**11, 10**12)}{rng.choice('0123X')}"
        for _ in range(80)
    ]
    people = [(i, rng.choice(names), rng.choice(["340602", "340603"])) for i in ids]
    people += [(i, n, "340604") for i, n, _ in people[:6]]  # listed twice, another county
    people += [(i[:15] + "9" + i[16:], n, c) for i, n, c in people[6:16]]  # a namesake twin
    household = pl.DataFrame(
        {
            "id_norm": [p[0] for p in people],
            "name": [p[1] for p in people],
            "county": [p[2] for p in people],
            "_roster": ["household"] * 80 + ["floating"] * 16,
            "_file": ["hh.csv"] * 80 + ["fl.csv"] * 16,
            "_line": list(range(96)),
        },
    ).with_columns(
        pl.lit(None, pl.String).alias("id_reason"),
        pl.col("id_norm").str.slice(6, 8).str.to_date("%Y%m%d", strict=False).alias("id_birth"),
    )
    typos = []
    for n, (hid, name, county) in enumerate(people[:60]):
        digits = list(hid)
        at = rng.randrange(17)
        if n % 4 == 0:
            digits[at], digits[at + 1] = digits[at + 1], digits[at]
        elif n % 4 == 1:
            del digits[at]  # 17 characters: the name block
        else:
            for k in {at, rng.randrange(17)} if n % 4 == 3 else {at}:
                digits[k] = str((int(digits[k]) + 1) % 10) if digits[k] != "X" else "1"
        typos.append(("".join(digits), rng.choice([name, name, "张玮"]), county))
    typos.append(("garbage", "王芳", "340602"))
    records = pl.DataFrame(
        {
            "e_row": [5 * n for n in range(len(typos))],
            "id_raw": [t[0] for t in typos],
            "name": [t[1] for t in typos],
            "region": [t[2] + "001" for t in typos],
            "_file": "p.csv",
            "_line": [5 * n + 2 for n in range(len(typos))],
        },
    ).with_columns(
        pl.col("id_raw").alias("id_norm"),
        pl.lit(sets.INVALID).alias("link"),
        pl.lit(None, pl.Date).alias("birth_col"),
    )
    return records, household


def test_spark_repair_scoring_by_household_parts_gives_polars_proposals(
    spark: tuple[SparkSession, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The repair scoring on the workers, the household in many parts and name blocks above
    a lowered limit, proposes exactly what the Polars step proposes, in the same order."""
    records, household = _repair_city(random.Random(16))
    monkeypatch.setattr(_repair_candidates, "MAX_NAME_BLOCK", 6)  # the Polars step's limit
    monkeypatch.setattr(spark_repairs, "MAX_NAME_BLOCK", 6)  # counted by Spark
    monkeypatch.setattr(spark_repairs, "PART_ROWS", 10)  # ten household parts
    day = date(2017, 6, 30)
    want = suggest(records.lazy(), household.lazy(), as_of=day).links
    to_spark = spark[0].createDataFrame
    got = spark_repairs.suggest_on_spark(
        to_spark(records.to_arrow()), to_spark(household.to_arrow()), as_of=day
    ).links
    assert_frame_equal(got, want)
    evidence = want["依据"].to_list()
    assert any("漏1位" in e for e in evidence) and any("颠倒" in e for e in evidence)
    assert want.height > 30 and want["rank"].max() > 1  # records with several candidates
