"""``canbao match --db``: the example city's run recorded on DuckDB and on a real PostgreSQL server.

Every test here runs on both engines (the ``engine`` fixture), through the command line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal
from typer.testing import CliRunner, Result

from canbao.cli import app
from canbao.codes import HOUSEHOLD_NORMAL, HOUSEHOLD_STATUSES, INSURANCE_TYPES
from canbao.db import open_database, places_as_of, snapshot_runs, states_as_of
from canbao.errors import EXIT_DATABASE
from canbao.match.snapshot import EXCLUSIONS, PRODUCERS
from canbao.match.vocabulary import ExclusionReason, LegalGap, PersonState
from canbao.roster.kinds import RosterKind
from tests.db.postgres_server import PostgresServer

REPO = Path(__file__).resolve().parents[2]
CITY = REPO / "examples" / "city"
AS_OF = "2017-06-30"
AREA = "340602,340603,340604,340621"
runner = CliRunner()
PERSON_FILES = ("confirmed", "needs_survey")
ALL_STATES = "SELECT * FROM canbao.person_states ORDER BY person_key, state, detail, began"


def city_args(household: Path | None = None, city: Path = CITY) -> list[str]:
    """A city's roster options (its manifest), the household file optionally replaced."""
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    args: list[str] = []
    for name, info in manifest["rosters"].items():
        path = city / name
        if info["kind"] == RosterKind.HOUSEHOLD and household is not None:
            path = household
        args += [RosterKind(info["kind"]).option, str(path)]
    return args


def run(
    out: Path, db: str | None, *extra: str, as_of: str = AS_OF, household: Path | None = None
) -> Result:
    """Run ``canbao match`` on the example city, quietly, with ``--db`` when given."""
    args = ["match", *city_args(household), "--as-of", as_of, "--output", str(out), "--quiet"]
    if db is not None:
        args += ["--db", db]
    return runner.invoke(app, [*args, *extra])


def table(path: Path) -> pl.DataFrame:
    """A result CSV with every column as text."""
    return pl.read_csv(path, infer_schema=False)


def pairs(frame: pl.DataFrame, key: str, detail: str | pl.Expr) -> set[tuple[str, str]]:
    """The (ID, detail) pairs of a frame, rows without an ID left out."""
    value = pl.col(detail) if isinstance(detail, str) else detail
    rows = frame.filter(pl.col(key).is_not_null()).select(pl.col(key), value.fill_null(""))
    return {(str(k), str(d)) for k, d in rows.iter_rows()}


def stored(states: pl.DataFrame, state: PersonState) -> set[tuple[str, str]]:
    """The (person, detail) pairs the database holds for one state."""
    rows = states.filter(pl.col("state") == state.value).select("person_key", "detail")
    return {(str(k), str(d)) for k, d in rows.iter_rows()}


def test_recorded_states_are_the_result_files_and_the_files_do_not_change(
    engine: str, new_database: Callable[[], str], tmp_path: Path, example_city_output: Path
) -> None:
    """match --db stores each set's persons as the result files list them; files unchanged."""
    url = new_database()
    plain, recorded = example_city_output, tmp_path / "recorded"  # plain: without --db
    done = run(recorded, url)
    assert done.exit_code == 0, done.output
    for path in sorted(p for p in plain.rglob("*") if p.is_file()):  # lists/<县区>/ too
        twin = recorded / path.relative_to(plain)
        if path.suffix == ".xlsx":
            for sheet, frame in pl.read_excel(path, sheet_id=0).items():
                assert_frame_equal(frame, pl.read_excel(twin, sheet_name=sheet))
        elif path.name != ".canbao.json":  # its time of writing differs
            assert path.read_bytes() == twin.read_bytes(), path.name
    with open_database(url) as db:
        states = states_as_of(db, date.fromisoformat(AS_OF), area=AREA)
        runs = snapshot_runs(db, area=AREA)
        places = places_as_of(db, date.fromisoformat(AS_OF), area=AREA)
    assert_places_are_the_files(places, plain)
    assert stored(states, PersonState.CONFIRMED) == pairs(
        table(plain / "confirmed.csv"), "公民身份号码", pl.lit("")
    )
    needs = table(plain / "needs_survey.csv")
    assert stored(states, PersonState.NEEDS_SURVEY) == pairs(needs, "公民身份号码", "原因代码")
    uninsured = table(plain / "uninsured.csv")
    assert stored(states, PersonState.UNINSURED) == pairs(uninsured, "公民身份号码", "类别代码")
    conflicts = table(plain / "conflicts.csv")
    assert stored(states, PersonState.CONFLICT) == pairs(conflicts, "公民身份号码", "类别代码")
    itype = pl.col("险种类型").replace_strict({v: k for k, v in INSURANCE_TYPES.items()})
    detail = pl.format("{}:{}", pl.col("类别代码"), itype)
    duplicates = table(plain / "duplicates.csv")
    assert stored(states, PersonState.DUPLICATE) == pairs(duplicates, "公民身份号码", detail)
    summary = json.loads((plain / "summary.json").read_text(encoding="utf-8"))
    excluded = stored(states, PersonState.EXCLUDED)
    # Every excluded row of the example city has an ID, so each is one stored person.
    assert len(excluded) == summary["excluded"] == 57
    assert {d for _, d in excluded} <= set(ExclusionReason.codes())
    assert runs.height == 1 and json.loads(runs["summary"][0]) == summary


def assert_places_are_the_files(places: pl.DataFrame, results: Path) -> None:
    """Each person of confirmed and needs_survey has the place those files show."""
    place = ["公民身份号码", "县区", "乡镇(街道)", "村(社区)"]
    shown = pl.concat([table(results / f"{name}.csv").select(place) for name in PERSON_FILES])
    shown = shown.filter(pl.col("公民身份号码").is_not_null()).unique().fill_null("")
    assert places.height >= shown.height > 0
    joined = shown.join(places, left_on="公民身份号码", right_on="person_key", how="left")
    assert_frame_equal(
        joined.select(pl.col("县区"), pl.col("乡镇(街道)"), pl.col("村(社区)")),
        joined.select(
            pl.col("county").alias("县区"),
            pl.col("township").alias("乡镇(街道)"),
            pl.col("village").alias("村(社区)"),
        ),
    )


def test_same_inputs_a_new_month_a_revision_and_an_older_date(
    engine: str, new_database: Callable[[], str], tmp_path: Path
) -> None:
    """Same inputs change nothing, a later month stores only changes, a corrected export revises,
    an older date is refused before publishing unless --rebuild-history."""
    url = new_database()
    lines = (CITY / "household.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    fewer = tmp_path / "household_july.csv"
    fewer.write_text("".join(lines[:-10]), encoding="utf-8-sig")  # ten persons left the roster

    assert run(tmp_path / "june", url).exit_code == 0
    with open_database(url) as db:
        june_rows = db.connection.fetch("SELECT COUNT(*) AS n FROM canbao.person_states")
    assert run(tmp_path / "june-again", url).exit_code == 0
    july = run(tmp_path / "july", url, as_of="2017-07-31", household=fewer)
    assert july.exit_code == 0, july.output
    with open_database(url) as db:
        runs = snapshot_runs(db, area=AREA)
        assert runs.height == 2  # the repeat of June recorded nothing
        rows = db.connection.fetch("SELECT COUNT(*) AS n FROM canbao.person_states")
        june = states_as_of(db, date(2017, 6, 30), area=AREA)
        july_states = states_as_of(db, date(2017, 7, 31), area=AREA)
    began = rows["n"][0].as_py() - june_rows["n"][0].as_py()
    assert 0 < began < 100  # a month in which few persons changed adds few rows
    removed = {line.split(",")[0].strip() for line in lines[-10:]}
    left = {
        k
        for k, _ in stored(june, PersonState.CONFIRMED) - stored(july_states, PersonState.CONFIRMED)
    }
    # Besides those who left the roster, those who turned 16 in July now need a pension.
    assert left & removed and all(k in removed or k[6:12] == "200107" for k in left)

    corrected = run(tmp_path / "july-corrected", url, as_of="2017-07-31")
    assert corrected.exit_code == 0
    older = run(tmp_path / "may", url, as_of="2017-05-31")
    assert older.exit_code == EXIT_DATABASE and not (tmp_path / "may").exists()
    assert "--rebuild-history" in older.output
    rebuilt = run(tmp_path / "may", url, "--rebuild-history", as_of="2017-05-31")
    assert rebuilt.exit_code == 0
    with open_database(url) as db:
        runs = snapshot_runs(db, area=AREA)
        now = states_as_of(db, date(2017, 7, 31), area=AREA)
        may = states_as_of(db, date(2017, 5, 31), area=AREA)
    assert runs["revision"].to_list() == [1, 1, 2, 1]
    assert runs["retired_by"].to_list() == [4, 3, 4, None]
    assert_frame_equal(now, may)


def test_a_failed_match_records_nothing(
    engine: str, new_database: Callable[[], str], tmp_path: Path
) -> None:
    """A run that stops (an unknown household status) publishes nothing and records nothing."""
    url = new_database()
    assert run(tmp_path / "june", url).exit_code == 0
    with open_database(url) as db:
        before = db.connection.fetch(ALL_STATES)
    text = (CITY / "household.csv").read_text(encoding="utf-8-sig")
    broken = tmp_path / "household.csv"
    broken.write_text(text.replace(",正常,", ",失踪,", 1), encoding="utf-8-sig")
    failed = run(tmp_path / "july", url, as_of="2017-07-31", household=broken)
    assert failed.exit_code not in (0, EXIT_DATABASE) and not (tmp_path / "july").exists()
    with open_database(url) as db:
        assert snapshot_runs(db, area=AREA).height == 1
        after = db.connection.fetch(ALL_STATES)
    assert after.equals(before)


def test_a_file_that_is_not_a_database_is_refused_before_any_roster_is_read(
    tmp_path: Path,
) -> None:
    """--db naming a file canbao did not make: exit 8, the file untouched, no result written."""
    other = tmp_path / "notes.csv"
    other.write_bytes(b"id,name\n1,x\n")
    done = run(tmp_path / "out", str(other))
    assert done.exit_code == EXIT_DATABASE
    assert other.read_bytes() == b"id,name\n1,x\n" and not (tmp_path / "out").exists()


def test_an_unreachable_database_is_refused_without_its_password(
    postgres_server: PostgresServer, tmp_path: Path, audit_log: Path
) -> None:
    """No such PostgreSQL database: exit 8; the password neither shown nor in the audit log."""
    url = postgres_server.url("no_such_db").replace("canbao@", "canbao:s3cret-pw@")
    done = run(tmp_path / "out", url)
    assert done.exit_code == EXIT_DATABASE
    assert "s3cret-pw" not in done.output and "no_such_db" in done.output
    assert "s3cret-pw" not in audit_log.read_text(encoding="utf-8")
    assert not (tmp_path / "out").exists()


def test_legal_group_gaps_are_recorded_as_one_more_state(
    engine: str, new_database: Callable[[], str], tmp_path: Path
) -> None:
    """The legal example city's gaps are stored as legal_gap states, as legal_group_gaps lists."""
    url = new_database()
    legal = REPO / "examples" / "legal"
    out = tmp_path / "out"
    as_of = json.loads((legal / "manifest.json").read_text(encoding="utf-8"))["as_of"]
    args = ["match", *city_args(city=legal), "--as-of", as_of, "--output", str(out), "--quiet"]
    done = runner.invoke(app, [*args, "--db", url])
    assert done.exit_code == 0, done.output
    with open_database(url) as db:
        states = states_as_of(db, date.fromisoformat(as_of), area=AREA)
    gaps = pairs(table(out / "legal_group_gaps.csv"), "公民身份号码", "类别代码")
    assert len(gaps) > 0 and stored(states, PersonState.LEGAL_GAP) == gaps
    assert {d for _, d in gaps} <= set(LegalGap.codes())


def test_every_state_has_a_label_and_a_producer() -> None:
    """Each person state and exclusion reason has a Chinese label; each state has a producer."""
    assert set(PRODUCERS) == set(PersonState)
    assert all(member.label and member.label != member.value for member in PersonState)
    assert set(EXCLUSIONS) == set(HOUSEHOLD_STATUSES) - {HOUSEHOLD_NORMAL}
    assert set(EXCLUSIONS.values()) == set(ExclusionReason.codes())
