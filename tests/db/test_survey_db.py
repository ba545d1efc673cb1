"""Survey results flow back: ``intake --db`` records visits, ``forms survey --db`` leaves out the
confirmed; on DuckDB and on a real PostgreSQL server (the ``engine`` fixture)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from canbao.cli import app
from canbao.db import (
    SCHEMA_VERSION,
    SnapshotMeta,
    confirmed_by_survey,
    open_database,
    record_snapshot,
    record_survey_results,
    survey_results,
)
from canbao.match.vocabulary import PersonState
from canbao.synth._entry_sheets import fill_sample_entry_sheet
from tests.db.test_db_open import run_sql, update_version
from tests.db.test_match_db import AREA, run

runner = CliRunner()
VISITED = date(2017, 7, 15)
PERSON_A, PERSON_B = "340602199001011234", "340602198502023456"
NEEDS = PersonState.NEEDS_SURVEY.value


def cli(*args: str) -> None:
    """Run canbao and require exit 0."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output


def test_intake_records_forms_and_survey_leaves_out_the_confirmed(
    engine: str, new_database: Callable[[], str], tmp_path: Path
) -> None:
    """match --db, forms, a clerk fills them, intake --db: forms survey --db omits the confirmed."""
    url = new_database()
    match, forms, filled = tmp_path / "match", tmp_path / "forms", tmp_path / "filled"
    assert run(match, url).exit_code == 0
    cli("forms", "survey", "--from", str(match), "--output", str(forms), "--quiet")
    planted = fill_sample_entry_sheet(forms, filled, seed=5, as_of=VISITED)
    intake = tmp_path / "intake"
    cli(
        "intake", *map(str, planted.files), "--survey", str(match), "--output", str(intake),
        "--as-of", VISITED.isoformat(), "--db", url, "--quiet",
    )  # fmt: skip
    entries = pl.read_csv(intake / "entries.csv", infer_schema=False)
    visited = entries.filter(pl.col("是否入户调查代码") == "是")
    valid = visited.filter(
        (pl.col("是否确认登记代码") == "是") & (pl.col("通过") == "true")
    ).select("公民身份号码")
    with open_database(url) as db:
        stored = survey_results(db)
        left_out = set(
            confirmed_by_survey(db, date(2017, 6, 30), area=AREA, state=NEEDS)["person_key"]
        )
    assert stored["visited"].unique().to_list() == [VISITED]
    confirmed = set(stored.filter(pl.col("confirmed"))["person_key"])
    assert confirmed and confirmed <= set(valid["公民身份号码"])
    assert set(stored["person_key"]) <= set(visited["公民身份号码"])
    needs = set(pl.read_csv(match / "needs_survey.csv", infer_schema=False)["公民身份号码"])
    assert left_out == confirmed & needs and left_out
    again = tmp_path / "again"
    cli("forms", "survey", "--from", str(match), "--output", str(again), "--db", url, "--quiet")
    written = json.loads((again / "forms.json").read_text(encoding="utf-8"))
    assert written["confirmed_by_survey"] == len(left_out)
    assert written["persons"] == len(pl.read_csv(match / "needs_survey.csv")) - len(left_out)
    index = pl.read_csv(again / "index.csv")
    assert index["人数"].sum() == written["persons"]


def test_a_changed_reason_sends_the_person_back(new_database: Callable[[], str]) -> None:
    """A form confirms A and B; B's reasons change in a later snapshot, so B is visited again."""
    url = new_database()
    june, august = date(2017, 6, 30), date(2017, 8, 31)
    first = pl.DataFrame({"person_key": [PERSON_A, PERSON_B], "state": [NEEDS] * 2,
                          "detail": ["uninsured"] * 2})  # fmt: skip
    later = first.with_columns(
        pl.when(pl.col("person_key") == PERSON_B)
        .then(pl.lit("uninsured;conflict"))
        .otherwise(pl.col("detail"))
        .alias("detail")
    )
    with open_database(url) as db:
        record_snapshot(db, first, SnapshotMeta(june, "340602", [("household", "a")]))
        results = pl.DataFrame(
            {"person_key": [PERSON_A, PERSON_B], "confirmed": [True, True], "reason": ["", "91"]}
        )
        assert record_survey_results(db, results, VISITED) == 2
        assert record_survey_results(db, results, VISITED) == 0  # the same intake again
        assert set(confirmed_by_survey(db, june, area="340602", state=NEEDS)["person_key"]) == {
            PERSON_A,
            PERSON_B,
        }
        record_snapshot(db, later, SnapshotMeta(august, "340602", [("household", "b")]))
        assert confirmed_by_survey(db, august, area="340602", state=NEEDS)[
            "person_key"
        ].to_list() == [PERSON_A]


def test_version_1_database_gains_the_survey_table(empty_database: str) -> None:
    """A database of schema version 1 (before survey results) is upgraded to the current one."""
    open_database(empty_database).close()
    # The tables version 1 did not have: survey results (2), places (3), decisions and ledger
    # confirmations (4).
    for table in ("survey_results", "person_places", "decisions", "ledger_confirmations"):
        run_sql(empty_database, f"DROP TABLE canbao.{table}")
    update_version(empty_database, 1)
    with open_database(empty_database) as db:
        assert survey_results(db).height == 0
    rows = run_sql(empty_database, "SELECT value FROM canbao.meta WHERE key = 'schema_version'")
    assert rows == [(str(SCHEMA_VERSION),)] and SCHEMA_VERSION == 5
