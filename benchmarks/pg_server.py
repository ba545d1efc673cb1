"""A PostgreSQL server for ``make bench``, started as the tests start theirs but durable.

The tests' server (tests/db/postgres_server.py) runs without fsync, which is right for tests and
wrong for a benchmark of recording: here the server keeps PostgreSQL's defaults (fsync,
synchronous commit, full-page writes), on a Unix socket in its own temporary folder, as the
unprivileged user ``nobody`` when run as root (initdb refuses root). Stopped and removed at the
end of the ``with`` block.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import adbc_driver_postgresql.dbapi as pg
from tests.db.postgres_server import (
    PORT,
    SUPERUSER,
    PostgresServer,
    new_cluster_folder,
    postgres_bin,
)


@contextmanager
def durable_server(database: str = "canbao_bench") -> Iterator[tuple[PostgresServer, str]]:
    """A running server with an empty database ``database``: (the server, its URL)."""
    binaries = postgres_bin()
    server = new_cluster_folder(binaries)
    folder = server.folder
    try:
        server.run(
            str(binaries / "initdb"), "-D", str(server.data), "-U", SUPERUSER, "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        options = f"-p {PORT} -k {folder} -c listen_addresses='' -c max_wal_size=4GB"
        server.run(
            str(binaries / "pg_ctl"), "-D", str(server.data), "-o", options,
            "-l", str(folder / "server.log"), "-w", "start",
        )  # fmt: skip
        with pg.connect(server.url(), autocommit=True) as admin, admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {database}")
        yield server, server.url(database)
    finally:
        if (server.data / "postmaster.pid").exists():
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def database_mb(url: str) -> float:
    """The size of the database at ``url`` in MiB (pg_database_size)."""
    with pg.connect(url) as con, con.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        row = cursor.fetchone()
    return float(row[0]) / 2**20 if row else 0.0
