"""One connection interface over the two engines: an embedded DuckDB file and a PostgreSQL server.

Everything above this module writes one SQL dialect (the common ground of DuckDB and PostgreSQL,
parameters as ``$1``) and moves rows only as Arrow tables: :meth:`Connection.ingest` loads a
whole frame at once (DuckDB scans the registered Arrow table; PostgreSQL receives it through
ADBC's bulk ingest, which is ``COPY ... FROM STDIN (FORMAT binary)``), :meth:`Connection.fetch`
returns an Arrow table. No row is ever sent or read one by one from Python.

Every driver error is turned into a :class:`~canbao.errors.DatabaseError` by :func:`translated`,
which keeps the server's first line (masked) and drops what may quote a row (PostgreSQL's
``DETAIL``, the query text the driver appends).
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import polars as pl
import pyarrow as pa

from canbao.errors import DatabaseError, DatabaseInUse
from canbao.i18n import N_, _
from canbao.masking import mask_text

# A parameter as the statements here use them: text, integers, dates, or NULL.
Param = str | int | date | None

# One key for the advisory lock every writer takes on PostgreSQL (the bytes of "canbao").
ADVISORY_LOCK_KEY = 0x63616E62616F


class Connection(Protocol):
    """What the schema and snapshot modules need from an engine."""

    engine: str
    where: str  # the file or server, as printed in messages (no password)

    def execute(self, sql: str, params: Sequence[Param] = ()) -> None:
        """Run one statement."""

    def fetch(self, sql: str, params: Sequence[Param] = ()) -> pa.Table:
        """Run one query and return its rows as an Arrow table."""

    def fetch_frame(self, sql: str, params: Sequence[Param] = ()) -> pl.DataFrame:
        """Run one query and return its rows as a Polars frame, read batch by batch."""

    def ingest(self, table: str, data: pa.Table) -> None:
        """Load ``data`` into a new temporary table (the caller drops it when done)."""

    def transaction(self) -> Any:
        """A context manager: one write transaction, serialised against other writers."""

    def close(self) -> None:
        """Close the connection."""


# Rows per Arrow batch when a large result is streamed into Polars (fetch_frame).
BATCH_ROWS = 262_144


def frame_of(reader: pa.RecordBatchReader) -> pl.DataFrame:
    """The batches of ``reader`` as one Polars frame, each converted as it arrives.

    The whole result never exists twice (the engine's Arrow table beside Polars' copy): at 1 M
    persons a city's states read this way took 110 MB less than through one Arrow table.
    """
    parts = [pl.DataFrame(batch) for batch in reader]
    if not parts:
        return pl.DataFrame(reader.schema.empty_table())
    return pl.concat(parts, rechunk=False)


# A quoted value holding a digit: the engines quote the offending value ('…' or "…") in their
# messages, and a damaged ID can slip past the ID patterns of mask_text. Names of tables and
# columns (no digits) stay readable.
_DIGIT = "[0-9\uff10-\uff19]"
_QUOTED_WITH_DIGIT = re.compile(rf"'[^'\n]*{_DIGIT}[^'\n]*'" + "|" + rf'"[^"\n]*{_DIGIT}[^"\n]*"')


def first_line(exc: BaseException) -> str:
    """The driver's message up to its first line break, masked (a DETAIL line may quote a row)."""
    text = str(exc).strip().splitlines()
    head = text[0] if text else type(exc).__name__
    # ADBC appends the query after the message on the same line in some versions.
    head = head.split(". Query was:")[0]
    return mask_text(_QUOTED_WITH_DIGIT.sub("'***'", head))[:300]


@contextmanager
def translated(action: str, where: str) -> Iterator[None]:
    """Turn a driver error raised inside into a :class:`DatabaseError` naming ``action``."""
    import adbc_driver_manager
    import duckdb

    try:
        yield
    except (duckdb.Error, adbc_driver_manager.Error) as exc:
        state = getattr(exc, "sqlstate", None)
        code = f" [SQLSTATE {state}]" if state else ""
        raise DatabaseError(
            _("database {where}: {action} failed{code}: {reason}").format(
                where=where, action=_(action), code=code, reason=first_line(exc)
            ),
            fix=_(
                "check the database is reachable and has space; retry once, and if it fails "
                "again report it with --verbose"
            ),
        ) from None


class DuckDBConnection:
    """An embedded DuckDB file, created owner-only (0600) on first use."""

    engine = "duckdb"

    def __init__(self, path: Path) -> None:

        self.where = str(path)
        # DuckDB creates the file and its WAL itself: a private umask while it does, so no
        # other user can ever read a citizen ID in them.
        old = os.umask(0o077)
        try:
            self._con = _connect_waiting(path, wait_seconds())
        finally:
            os.umask(old)
        path.chmod(0o600)

    def execute(self, sql: str, params: Sequence[Param] = ()) -> None:
        """Run one statement."""
        with translated(N_("running a statement"), self.where):
            self._con.execute(sql, list(params))

    def fetch(self, sql: str, params: Sequence[Param] = ()) -> pa.Table:
        """Run one query and return its rows as an Arrow table."""
        with translated(N_("a query"), self.where):
            # The relational API hands Arrow over without the DB-API result's extra copy.
            result: pa.Table = self._con.sql(sql, params=list(params)).to_arrow_table()
            return result

    def fetch_frame(self, sql: str, params: Sequence[Param] = ()) -> pl.DataFrame:
        """Run one query and return its rows as a Polars frame, read batch by batch."""
        with translated("查询", self.where):
            return frame_of(self._con.sql(sql, params=list(params)).to_arrow_reader(BATCH_ROWS))

    def ingest(self, table: str, data: pa.Table) -> None:
        """Copy ``data`` into a temporary table in one vectorised scan of the Arrow table."""
        view = f"{table}_arrow"
        with translated(N_("a bulk write"), self.where):
            self._con.register(view, data)
            try:
                self._con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {view}")
            finally:
                self._con.unregister(view)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; the file lock already keeps other processes out."""
        self.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._con.rollback()
            raise
        self.execute("COMMIT")

    def close(self) -> None:
        """Close the file (releases DuckDB's lock on it)."""
        self._con.close()


# How long a run waits for a DuckDB file another run holds (seconds; CANBAO_DB_WAIT). DuckDB
# locks the file for one process at a time: with a wait, overlapping cron runs queue behind
# each other instead of the second stopping with exit 8.
WAIT_VARIABLE = "CANBAO_DB_WAIT"
_POLL_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


def wait_seconds() -> float:
    """``CANBAO_DB_WAIT`` as seconds (0, the default, stops at once when the file is in use)."""
    given = os.environ.get(WAIT_VARIABLE, "").strip()
    if not given:
        return 0.0
    try:
        seconds = float(given)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 7 * 24 * 3600:
        raise DatabaseError(
            _("the environment variable {name}={value!r} is not a number of seconds").format(
                name=WAIT_VARIABLE, value=given
            ),
            fix=_("set it to seconds from 0 to 604800, e.g. {name}=3600").format(
                name=WAIT_VARIABLE
            ),
        )
    return seconds


def _connect_waiting(path: Path, wait: float) -> Any:
    """Open the file; while another process holds it, retry until ``wait`` seconds have passed."""
    import duckdb

    deadline = time.monotonic() + wait
    pauses = itertools.chain(_POLL_SECONDS, itertools.repeat(_POLL_SECONDS[-1]))
    while True:
        try:
            with _duckdb_open_errors(path):
                # No extension may be fetched at run time: a centre's machine is offline.
                return duckdb.connect(
                    str(path),
                    config={
                        "autoinstall_known_extensions": False,
                        "autoload_known_extensions": False,
                    },
                )
        except DatabaseInUse:
            pause = next(pauses)
            if time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)


@contextmanager
def _duckdb_open_errors(path: Path) -> Iterator[None]:
    """Explain the two ways a DuckDB file fails to open: in use, or not a database."""
    import duckdb

    try:
        yield
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise DatabaseInUse(
                _("the database file {path} is in use by another process").format(path=path),
                fix=_(
                    "wait for the other canbao run to finish, or set {name}=seconds to queue "
                    "behind it"
                ).format(name=WAIT_VARIABLE),
            ) from None
        raise DatabaseError(
            _("{path} is not a DuckDB database file; canbao leaves it alone").format(path=path),
            fix=_("give --db a new file name (canbao creates it) or a database canbao made"),
        ) from None
    except duckdb.Error as exc:
        raise DatabaseError(
            _("cannot open the database file {path}: {reason}").format(
                path=path, reason=first_line(exc)
            ),
            fix=_("check the path and its permissions"),
        ) from None


class PostgresConnection:
    """A PostgreSQL server (or a server speaking its protocol) through ADBC's libpq driver."""

    engine = "postgresql"

    def __init__(self, url: str, where: str) -> None:
        import adbc_driver_manager
        import adbc_driver_postgresql.dbapi as pg

        self.where = where
        try:
            self._con = pg.connect(url)
        except adbc_driver_manager.Error as exc:
            raise DatabaseError(
                _("cannot connect to the database {where}: {reason}").format(
                    where=where, reason=first_line(exc)
                ),
                fix=_(
                    "check host, port, user, password and database name, and that the server "
                    "is running"
                ),
            ) from None
        self._cursor = self._con.cursor()

    def execute(self, sql: str, params: Sequence[Param] = ()) -> None:
        """Run one statement."""
        with translated(N_("running a statement"), self.where):
            self._cursor.execute(sql, tuple(params) if params else None)

    def fetch(self, sql: str, params: Sequence[Param] = ()) -> pa.Table:
        """Run one query and return its rows as an Arrow table."""
        with translated(N_("a query"), self.where):
            self._cursor.execute(sql, tuple(params) if params else None)
            result: pa.Table = self._cursor.fetch_arrow_table()
            return result

    def fetch_frame(self, sql: str, params: Sequence[Param] = ()) -> pl.DataFrame:
        """Run one query and return its rows as a Polars frame, read batch by batch."""
        with translated("查询", self.where):
            self._cursor.execute(sql, tuple(params) if params else None)
            return frame_of(self._cursor.fetch_record_batch())

    def ingest(self, table: str, data: pa.Table) -> None:
        """Bulk-load ``data`` with binary COPY into a new temporary table."""
        with translated(N_("a bulk write"), self.where):
            self._cursor.adbc_ingest(table, data, mode="create", temporary=True)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction holding the advisory lock: a second writer waits for the first."""
        # The driver opens a transaction implicitly (autocommit off); end whatever a read left.
        self._rollback()
        try:
            self.execute("SELECT pg_advisory_xact_lock($1)", (ADVISORY_LOCK_KEY,))
            yield
        except BaseException:
            self._rollback()
            raise
        with translated(N_("commit"), self.where):
            self._con.commit()

    def _rollback(self) -> None:
        with translated(N_("rollback"), self.where):
            self._con.rollback()

    def close(self) -> None:
        """Close the connection (ends its session and any lock it held)."""
        self._cursor.close()
        self._con.close()
