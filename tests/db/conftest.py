"""Fixtures of the database tests: every test runs once on DuckDB and once on PostgreSQL.

The PostgreSQL server is started once per test session (per xdist worker) by
:mod:`tests.db.postgres_server` and stopped at its end; each test, and each hypothesis example,
gets a database of its own (``new_database()``), so no test sees another's rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import adbc_driver_postgresql.dbapi as pg
import pytest

from canbao.db import open_database
from tests.db.postgres_server import PostgresServer, start_server

ENGINES = ("duckdb", "postgresql")
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole session, stopped and removed at its end."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a test runs on: each database test runs on both."""
    return str(request.param)


def _create_postgres_database(server: PostgresServer) -> str:
    name = f"canbao_test_{next(_numbers)}"
    with pg.connect(server.url(), autocommit=True) as admin, admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    return server.url(name)


@pytest.fixture
def empty_database(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The URL of a new, empty database (nothing of canbao's in it yet)."""
    if engine == "duckdb":
        return str(tmp_path / f"campaign-{next(_numbers)}.duckdb")
    return _create_postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture(scope="session")
def postgres_canbao_database(postgres_server: PostgresServer) -> str:
    """One canbao database on the session's server, for the tests that only record snapshots."""
    url = _create_postgres_database(postgres_server)
    open_database(url).close()  # creates the schema
    return url


@pytest.fixture
def new_database(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[], str]:
    """A factory of URLs of canbao databases holding no snapshot (one per hypothesis example).

    A DuckDB file is cheap to make; a PostgreSQL database is not (a second or more on a loaded
    machine), so the session's one canbao database is emptied instead: its rows deleted.
    """
    if engine == "duckdb":
        return lambda: str(tmp_path / f"campaign-{next(_numbers)}.duckdb")
    url: str = request.getfixturevalue("postgres_canbao_database")

    def emptied() -> str:
        with pg.connect(url) as con, con.cursor() as cursor:
            cursor.execute("DELETE FROM canbao.person_states")
            cursor.execute("DELETE FROM canbao.person_places")
            cursor.execute("DELETE FROM canbao.runs")
            cursor.execute("DELETE FROM canbao.survey_results")
            con.commit()
        return url

    return emptied
