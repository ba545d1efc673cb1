"""Ledger confirmations recorded by ``forms survey --ledger --db``, and ``forms survey --db``
against a database that never recorded the match; on DuckDB and on a real PostgreSQL server."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from canbao.cli import app
from canbao.db import ledger_confirmations, open_database
from canbao.errors import EXIT_DATABASE
from canbao.match.vocabulary import Reason
from tests.db.test_match_db import run

runner = CliRunner()
LEDGER_DATE = date(2017, 7, 5)


def _ledger(match: Path, path: Path, persons: int = 3) -> list[str]:
    """A 低保 ledger listing the first valid needs-survey persons under their own names."""
    needs = pl.read_csv(match / "needs_survey.csv", infer_schema=False)
    valid = needs.filter(~pl.col("原因代码").str.contains(Reason.INVALID_ID.value)).head(persons)
    valid.select("公民身份号码", "姓名", pl.lit("低保").alias("台账")).write_csv(path)
    return valid["公民身份号码"].to_list()


def test_ledger_confirmations_are_recorded_and_leave_the_next_list(
    new_database: Callable[[], str], tmp_path: Path
) -> None:
    """A ledger given once with --db is remembered: the next list without it leaves them out."""
    url = new_database()
    match = tmp_path / "match"
    assert run(match, url).exit_code == 0
    confirmed = _ledger(match, tmp_path / "ledger.csv")
    first = runner.invoke(app, [
        "forms", "survey", "--from", str(match), "--output", str(tmp_path / "july"),
        "--by", "county",
        "--ledger", str(tmp_path / "ledger.csv"), "--db", url,
        "--ledger-date", LEDGER_DATE.isoformat(), "--json",
    ])  # fmt: skip
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["ledger_recorded"] == len(confirmed)
    with open_database(url) as db:
        stored = ledger_confirmations(db)
    assert sorted(stored["person_key"]) == sorted(confirmed)
    assert set(stored["confirmed_on"]) == {LEDGER_DATE} and set(stored["source"]) == {"低保"}
    again = runner.invoke(app, [
        "forms", "survey", "--from", str(match), "--output", str(tmp_path / "august"),
        "--by", "county",
        "--db", url, "--json",
    ])  # fmt: skip
    assert again.exit_code == 0, again.output
    document = json.loads(again.stdout)
    needs = pl.read_csv(match / "needs_survey.csv").height
    assert document["confirmed_by_recorded_ledger"] == len(confirmed)
    assert document["persons"] == needs - len(confirmed) - document["confirmed_by_survey"]
    shown = runner.invoke(app, ["person", confirmed[0], "--db", url])
    assert "低保" in shown.output and "2017-07-05" in shown.output
    assert confirmed[0] not in shown.output


def test_survey_against_a_database_without_the_match_is_refused(
    new_database: Callable[[], str], tmp_path: Path
) -> None:
    """forms survey --db on a database that never recorded the match: exit 8, nothing written."""
    match = tmp_path / "match"
    assert run(match, None).exit_code == 0
    result = runner.invoke(app, [
        "forms", "survey", "--from", str(match), "--output", str(tmp_path / "forms"),
        "--db", new_database(),
    ])  # fmt: skip
    assert result.exit_code == EXIT_DATABASE
    assert "没有地区" in result.output and "canbao match … --db" in result.output
    assert not (tmp_path / "forms").exists()
