"""Opening the database on DuckDB and PostgreSQL: created once, versioned, foreign ones refused."""

from __future__ import annotations

import stat
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import adbc_driver_postgresql.dbapi as pg
import duckdb
import polars as pl
import pytest

from canbao.db import SCHEMA_VERSION, SnapshotMeta, open_database, record_snapshot, snapshot_runs
from canbao.db._open import connect, printable_url
from canbao.db._schema import ensure_schema, read_meta
from canbao.errors import EXIT_DATABASE, DatabaseError
from tests.db.postgres_server import PostgresServer

CITIZEN_ID = "340602199001011234"


def run_sql(url: str, *statements: str) -> list[tuple[object, ...]]:
    """Run statements with the engine's own client, as another program would; the last's rows."""
    if "://" in url:
        with pg.connect(url) as con, con.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            rows = list(cursor.fetchall()) if cursor.description else []
            con.commit()
            return rows
    with duckdb.connect(url) as con:
        for statement in statements:
            result = con.execute(statement)
        return list(result.fetchall()) if result.description else []


def update_version(url: str, version: int) -> None:
    """Write another schema version into canbao's meta table."""
    run_sql(url, f"UPDATE canbao.meta SET value = '{version}' WHERE key = 'schema_version'")


def upgrade_to_3() -> Mapping[int, Sequence[str]]:
    """Two upgrade steps, as a later canbao would ship them: 1 → 2 → 3."""
    return {
        1: ("ALTER TABLE canbao.runs ADD COLUMN note TEXT",),
        2: ("CREATE TABLE canbao.pretend_notes (person_key TEXT NOT NULL, why TEXT NOT NULL)",),
    }


def test_new_database_is_marked_and_private(empty_database: str, engine: str) -> None:
    """A new database gets canbao's mark and schema version; a new DuckDB file is mode 0600."""
    with open_database(empty_database) as db:
        assert db.engine == engine
        assert read_meta(db.connection) == {
            "application": "canbao",
            "schema_version": str(SCHEMA_VERSION),
        }
    if engine == "duckdb":
        assert stat.S_IMODE(Path(empty_database).stat().st_mode) == 0o600
    with open_database(empty_database) as again:  # a second opening accepts it as it is
        assert snapshot_runs(again, area="340602").height == 0


def test_foreign_database_is_refused_untouched(empty_database: str) -> None:
    """A database holding another program's tables is refused (exit 8) and not changed."""
    run_sql(
        empty_database,
        "CREATE TABLE people (id TEXT)",
        f"INSERT INTO people VALUES ('{CITIZEN_ID}')",
    )
    with pytest.raises(DatabaseError) as refused:
        open_database(empty_database)
    assert refused.value.exit_code == EXIT_DATABASE
    assert "people" in refused.value.message
    assert "不是 canbao 的数据库" in refused.value.message
    assert CITIZEN_ID not in refused.value.render()
    assert run_sql(empty_database, "SELECT id FROM people") == [(CITIZEN_ID,)]
    schemas = run_sql(
        empty_database,
        "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'canbao'",
    )
    assert schemas == [(0,)]  # nothing of canbao's was made


def test_other_programs_meta_is_refused(empty_database: str) -> None:
    """A schema named canbao whose meta table does not say canbao is not canbao's."""
    run_sql(
        empty_database,
        "CREATE SCHEMA canbao",
        "CREATE TABLE canbao.meta (key TEXT, value TEXT)",
        "INSERT INTO canbao.meta VALUES ('application', 'other')",
    )
    with pytest.raises(DatabaseError, match="不是 canbao 的数据库"):
        open_database(empty_database)


def test_file_that_is_no_database_is_refused(tmp_path: Path) -> None:
    """A file that is not a DuckDB database (a CSV named .duckdb) is refused and kept as it was."""
    path = tmp_path / "campaign.duckdb"
    path.write_text(f"公民身份号码\n{CITIZEN_ID}\n", encoding="utf-8")
    with pytest.raises(DatabaseError) as refused:
        open_database(path)
    assert refused.value.exit_code == EXIT_DATABASE
    assert "不是 DuckDB 数据库文件" in refused.value.message
    assert path.read_text(encoding="utf-8") == f"公民身份号码\n{CITIZEN_ID}\n"


def test_newer_schema_is_refused(empty_database: str) -> None:
    """A database written by a later canbao (higher schema version) is refused."""
    open_database(empty_database).close()
    newer = SCHEMA_VERSION + 1
    run_sql(
        empty_database, f"UPDATE canbao.meta SET value = '{newer}' WHERE key = 'schema_version'"
    )
    with pytest.raises(DatabaseError, match="更新版本的 canbao") as refused:
        open_database(empty_database)
    assert refused.value.fix is not None


@pytest.mark.parametrize("stored", [0, 1, 2, 3, 4])
def test_old_schema_is_upgraded_or_refused(empty_database: str, stored: int) -> None:
    """Against a canbao at version 3: 1 and 2 are upgraded, 3 is kept, 0 and 4 are refused."""
    open_database(empty_database).close()
    update_version(empty_database, stored)
    con = connect(empty_database)
    try:
        if stored in (0, 4):
            with pytest.raises(DatabaseError, match="太旧" if stored == 0 else "更新版本"):
                ensure_schema(con, version=3, upgrades=upgrade_to_3())
            assert read_meta(con)["schema_version"] == str(stored)
            return
        assert ensure_schema(con, version=3, upgrades=upgrade_to_3()) == 3
        assert read_meta(con)["schema_version"] == "3"
        runs_columns = con.fetch("SELECT * FROM canbao.runs").column_names
        assert ("note" in runs_columns) == (stored == 1)
        tables = (
            con.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'canbao'"
            )
            .column("table_name")
            .to_pylist()
        )
        assert ("pretend_notes" in tables) == (stored <= 2)
    finally:
        con.close()


def test_failed_upgrade_leaves_old_version(empty_database: str) -> None:
    """An upgrade whose second statement fails leaves the database at its old version, unchanged."""
    open_database(empty_database).close()
    update_version(empty_database, 1)
    broken = {
        1: ("ALTER TABLE canbao.runs ADD COLUMN note TEXT", "ALTER TABLE canbao.nosuch ADD x TEXT")
    }
    con = connect(empty_database)
    try:
        with pytest.raises(DatabaseError):
            ensure_schema(con, version=2, upgrades=broken)
        assert read_meta(con)["schema_version"] == "1"
        assert "note" not in con.fetch("SELECT * FROM canbao.runs").column_names
    finally:
        con.close()


@pytest.mark.parametrize("value", [CITIZEN_ID, "34060219850505432X", CITIZEN_ID + "X"])
def test_database_error_never_shows_a_value(empty_database: str, value: str) -> None:
    """A driver error quoting an ID (even a damaged one) reaches the user masked, exit 8, a fix."""
    with open_database(empty_database) as db, pytest.raises(DatabaseError) as failed:
        db.connection.execute(f"SELECT CAST('{value}' AS DATE)")
    text = failed.value.render()
    assert failed.value.exit_code == EXIT_DATABASE
    assert value[6:14] not in text
    assert "修正方法" in text


def test_duckdb_file_in_use_is_a_clear_error(tmp_path: Path) -> None:
    """While one process has the DuckDB file open, another gets "in use" (exit 8), not a crash."""
    path = tmp_path / "campaign.duckdb"
    script = (
        "import sys\n"
        "from canbao.db import open_database\n"
        "from canbao.errors import DatabaseError\n"
        "try:\n"
        "    open_database(sys.argv[1])\n"
        "except DatabaseError as error:\n"
        "    print(error.exit_code, error.message)\n"
    )
    with open_database(path):
        done = subprocess.run(
            [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
        )
    assert done.stdout.startswith(f"{EXIT_DATABASE} ")
    assert "正在被另一个程序使用" in done.stdout


def test_postgres_writers_wait_for_each_other(postgres_server: PostgresServer) -> None:
    """A second writer waits on the database's advisory lock until the first commits."""
    from tests.db.conftest import _create_postgres_database

    url = _create_postgres_database(postgres_server)
    states = pl.DataFrame({"person_key": [CITIZEN_ID], "state": ["confirmed"]})
    meta = SnapshotMeta(date(2017, 6, 30), "340602", [("household", "a" * 64)])
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            with open_database(url) as db:
                record_snapshot(db, states, meta)
        except BaseException as error:  # reported to the main thread
            errors.append(error)

    with open_database(url) as first:
        with first.connection.transaction():
            writer = threading.Thread(target=second_writer)
            writer.start()
            assert wait_for_lock_waiter(url)
            assert writer.is_alive()
            assert snapshot_runs(first, area="340602").height == 0
        writer.join()
        assert errors == []
        assert snapshot_runs(first, area="340602").height == 1


def wait_for_lock_waiter(url: str) -> bool:
    """Tell whether a session comes to wait for an advisory lock (polling pg_locks)."""
    with pg.connect(url, autocommit=True) as con, con.cursor() as cursor:
        for _ in range(1200):
            cursor.execute(
                "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            if cursor.fetchone() == (1,):
                return True
            time.sleep(0.05)
    return False


def test_database_url_forms() -> None:
    """A password never appears in the printed URL; unknown schemes and folders are refused."""
    assert printable_url("postgresql://ana:s3cret@db.example:5433/canbao?password=x") == (
        "postgresql://ana@db.example:5433/canbao"
    )
    with pytest.raises(DatabaseError, match="不支持的数据库地址"):
        open_database("mysql://root@localhost/canbao")


def test_folder_is_not_a_database(tmp_path: Path) -> None:
    """A folder given as the database is refused with a fix naming a file."""
    with pytest.raises(DatabaseError, match="是文件夹") as refused:
        open_database(tmp_path)
    assert refused.value.fix is not None and "campaign.duckdb" in refused.value.fix


def test_duckdb_never_fetches_an_extension(tmp_path: Path) -> None:
    """canbao's DuckDB connection may neither install nor load an extension on its own."""
    with open_database(tmp_path / "campaign.duckdb") as db:
        settings = db.connection.fetch(
            "SELECT current_setting('autoinstall_known_extensions') AS install, "
            "current_setting('autoload_known_extensions') AS load"
        ).to_pylist()
    assert settings == [{"install": False, "load": False}]
