"""``canbao changes`` on the example city's two months, on DuckDB and on PostgreSQL.

June (examples/city) and August (examples/city-2017-08, planted by ``canbao demo --month-after``)
are matched with ``--db``, the survey's visits recorded between them; every change listed must
be one the generator planted (expected/changes.csv), and every planted one listed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from canbao.cli import app
from canbao.db import open_database, record_survey_results
from canbao.errors import EXIT_USAGE
from tests.db.test_match_db import city_args

REPO = Path(__file__).resolve().parents[2]
JUNE, AUGUST = REPO / "examples" / "city", REPO / "examples" / "city-2017-08"
KEY = ["公民身份号码", "list", "direction", "reason"]
runner = CliRunner()


def match(city: Path, out: Path, url: str) -> None:
    """``canbao match --db`` on a month of the example city, as of its manifest's date."""
    as_of = json.loads((city / "manifest.json").read_text(encoding="utf-8"))["as_of"]
    args = ["match", *city_args(city=city), "--as-of", as_of, "--output", str(out), "-q"]
    done = runner.invoke(app, [*args, "--db", url])
    assert done.exit_code == 0, done.output


def record_visits(url: str) -> None:
    """The survey's visits of the second month's folder, as intake --db records them."""
    visits = pl.read_csv(AUGUST / "survey_visits.csv", infer_schema=False)
    results = visits.select(
        pl.col("公民身份号码").alias("person_key"),
        (pl.col("是否确认登记") == "是").alias("confirmed"),
        pl.col("未参保原因").fill_null("").alias("reason"),
    )
    visited = date.fromisoformat(visits["入户日期"][0])
    with open_database(url) as db:
        assert record_survey_results(db, results, visited) == results.height


@pytest.fixture
def two_months(new_database: Callable[[], str], tmp_path: Path) -> str:
    """A database holding June, the survey's visits and August."""
    url = new_database()
    match(JUNE, tmp_path / "june", url)
    record_visits(url)
    match(AUGUST, tmp_path / "august", url)
    return url


def test_every_change_is_the_planted_truth(engine: str, two_months: str, tmp_path: Path) -> None:
    """changes.csv lists exactly expected/changes.csv; a workbook per county, IDs as text."""
    out = tmp_path / "changes"
    done = runner.invoke(app, ["changes", "--db", two_months, "--output", str(out), "--json"])
    assert done.exit_code == 0, done.output
    payload = json.loads(done.stdout)
    assert (payload["from"], payload["to"]) == ("2017-06-30", "2017-08-31")
    got = pl.read_csv(out / "changes.csv", infer_schema=False).select(
        "公民身份号码",
        pl.col("名单代码").alias("list"),
        pl.col("变动代码").alias("direction"),
        pl.col("变动原因代码").alias("reason"),
    )
    expected = pl.read_csv(AUGUST / "expected" / "changes.csv", infer_schema=False)
    assert_frame_equal(got.sort(KEY), expected.sort(KEY))
    assert payload["changes"] == expected.height
    books = sorted(out.glob("变动名单_*.xlsx"))
    assert len(books) == len(payload["counties"]) > 1
    sheet = load_workbook(books[0], read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0] == ("乡镇(街道)", "村(社区)", "公民身份号码", "名单", "变动", "变动原因")
    body = rows[1:]
    assert body and all(isinstance(r[2], str) and len(r[2]) == 18 for r in body)
    assert [r[:3] for r in body] == sorted(r[:3] for r in body)  # township, village, person


def test_the_screen_shows_counts_never_an_id(two_months: str, tmp_path: Path) -> None:
    """The summary on screen counts per list and reason; no ID appears; --quiet prints nothing."""
    shown = runner.invoke(app, ["changes", "--db", two_months, "-o", str(tmp_path / "a")])
    assert shown.exit_code == 0, shown.output
    assert "年满16周岁" in shown.stdout and "入户调查已核实" in shown.stdout
    assert not any(ch.isdigit() and len(ch) >= 15 for ch in shown.stdout.split())
    ids = pl.read_csv(AUGUST / "expected" / "planted.csv", infer_schema=False)["公民身份号码"]
    assert not any(i in shown.stdout for i in ids.to_list())
    quiet = runner.invoke(app, ["changes", "--db", two_months, "-o", str(tmp_path / "b"), "-q"])
    assert quiet.exit_code == 0 and quiet.stdout == ""


def test_dates_must_be_two_and_in_order(new_database: Callable[[], str], tmp_path: Path) -> None:
    """One snapshot gives nothing to compare (exit 2); --from after --to is refused."""
    url = new_database()
    match(JUNE, tmp_path / "june", url)
    alone = runner.invoke(app, ["changes", "--db", url, "-o", str(tmp_path / "c")])
    assert alone.exit_code == EXIT_USAGE and "--from" in alone.output
    backwards = ["--from", "2017-08-31", "--to", "2017-06-30"]
    done = runner.invoke(app, ["changes", "--db", url, *backwards, "-o", str(tmp_path / "d")])
    assert done.exit_code == EXIT_USAGE
    assert not (tmp_path / "c").exists() and not (tmp_path / "d").exists()


def test_the_area_option_picks_one_of_several_areas(tmp_path: Path) -> None:
    """With snapshots of two areas, changes needs --area (as progress does) and reads only that
    area's snapshots; CANBAO_AREA gives the same."""
    from canbao.db import SnapshotMeta, record_snapshot

    url = str(tmp_path / "campaign.duckdb")
    with open_database(url) as db:
        for area, people in (("340602", 3), ("340603", 5)):
            for day, state in (
                (date(2017, 6, 30), "needs_survey"),
                (date(2017, 8, 31), "confirmed"),
            ):
                keys = [f"{area}19900101{n:04d}" for n in range(people)]
                frame = pl.DataFrame({"person_key": keys, "state": state, "detail": ""})
                record_snapshot(db, frame, SnapshotMeta(day, area, [("household", area)]))
    out = tmp_path / "changes"
    several = runner.invoke(app, ["changes", "--db", url, "-o", str(out), "--json"])
    assert several.exit_code != 0 and "340602" in several.output and "340603" in several.output
    for args, env in ((["--area", "340603"], {}), ([], {"CANBAO_AREA": "340603"})):
        target = tmp_path / f"changes-{len(args)}"
        result = runner.invoke(
            app, ["changes", "--db", url, "-o", str(target), "--json", *args], env=env
        )
        assert result.exit_code == 0, result.output
        found = json.loads(result.stdout)
        assert found["area"] == "340603"
