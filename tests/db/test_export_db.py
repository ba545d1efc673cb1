"""``canbao export``: the confirmed registrations with the registration form's items, after a
match, a survey and a ledger recorded in the register; on DuckDB and on a real PostgreSQL server."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from canbao.cli import app
from canbao.db import open_database, record_ledger_confirmations
from canbao.errors import EXIT_DATABASE
from canbao.register.export import EXPORT_COLUMNS, HOW_DIRECT, HOW_LEDGER, HOW_SURVEY
from canbao.synth._entry_sheets import fill_sample_entry_sheet
from tests.db.test_ledger_db import _ledger
from tests.db.test_match_db import run

runner = CliRunner()
VISITED = date(2017, 7, 15)


def cli(*args: str) -> str:
    """Run canbao, require exit 0, return stdout."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_export_lists_every_confirmed_person_with_the_form_items(
    new_database: Callable[[], str], tmp_path: Path
) -> None:
    """Direct, survey and ledger confirmations all appear once, IDs as text, CSV equal to xlsx."""
    url = new_database()
    match, forms, filled = tmp_path / "match", tmp_path / "forms", tmp_path / "filled"
    assert run(match, url).exit_code == 0
    cli("forms", "survey", "--from", str(match), "--output", str(forms), "--by", "county", "-q")
    planted = fill_sample_entry_sheet(forms, filled, seed=5, as_of=VISITED)
    intake = tmp_path / "intake"
    cli(
        "intake", *map(str, planted.files), "--survey", str(match), "--output", str(intake),
        "--as-of", VISITED.isoformat(), "--db", url, "--quiet",
    )  # fmt: skip
    entries = pl.read_csv(intake / "entries.csv", infer_schema=False)
    formed = set(
        entries.filter((pl.col("是否确认登记代码") == "是") & (pl.col("通过") == "true"))[
            "公民身份号码"
        ]
    )
    ledgered = set(_ledger(match, tmp_path / "ledger.csv", persons=40)) - formed
    with open_database(url) as db:  # the command line's way in: tests/db/test_ledger_db.py
        rows = pl.DataFrame({"person_key": sorted(ledgered), "source": "低保"})
        record_ledger_confirmations(db, rows, VISITED)
    out = tmp_path / "upload"
    printed = cli("export", "--db", url, "--from", str(match), "--intake", str(intake),
                  "--output", str(out), "--json")  # fmt: skip
    summary = json.loads(printed)
    csv = pl.read_csv(out / "全民参保登记信息.csv", infer_schema=False)
    assert csv.columns == list(EXPORT_COLUMNS)
    direct = set(pl.read_csv(match / "confirmed.csv", infer_schema=False)["公民身份号码"])
    needs = set(pl.read_csv(match / "needs_survey.csv", infer_schema=False)["公民身份号码"])
    by_how = {how: set(csv.filter(pl.col("确认方式") == how)["公民身份号码"])
              for how in (HOW_DIRECT, HOW_SURVEY, HOW_LEDGER)}  # fmt: skip
    assert by_how[HOW_DIRECT] == direct - {None}
    assert by_how[HOW_SURVEY] == formed & needs and by_how[HOW_SURVEY]
    assert by_how[HOW_LEDGER] == ledgered and ledgered
    assert csv["公民身份号码"].is_unique().all() and csv["户籍姓名"].null_count() == 0
    assert summary["persons"] == csv.height
    assert summary["by_how"] == {k: len(v) for k, v in by_how.items()}
    surveyed = csv.filter(pl.col("确认方式") == HOW_SURVEY)
    assert set(surveyed["确认日期"]) == {VISITED.isoformat()}
    sheet = openpyxl.load_workbook(out / "全民参保登记信息.xlsx", read_only=True).active
    assert sheet is not None
    cells = list(sheet.iter_rows(min_row=2, max_col=5, values_only=False))
    assert all(row[4].data_type == "s" and len(str(row[4].value)) == 18 for row in cells)
    book = pl.read_excel(out / "全民参保登记信息.xlsx", infer_schema_length=0)
    assert_frame_equal(book, csv, check_dtypes=False)
    plain = runner.invoke(app, ["export", "--db", url, "--from", str(match), "--output",
                                str(tmp_path / "again")])  # fmt: skip
    assert plain.exit_code == 0 and not any(pid in plain.output for pid in direct)


def test_export_without_the_recorded_match_is_refused(
    new_database: Callable[[], str], tmp_path: Path
) -> None:
    """A match the register never recorded cannot be exported: exit 8, nothing written."""
    match = tmp_path / "match"
    assert run(match, None).exit_code == 0
    result = runner.invoke(app, ["export", "--db", new_database(), "--from", str(match),
                                 "--output", str(tmp_path / "upload")])  # fmt: skip
    assert result.exit_code == EXIT_DATABASE and not (tmp_path / "upload").exists()
