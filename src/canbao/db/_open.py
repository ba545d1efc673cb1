"""Opening a database from what ``--db`` says: a file path (DuckDB) or a ``postgresql://`` URL."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from canbao.db._connection import Connection, DuckDBConnection, PostgresConnection
from canbao.db._schema import ensure_schema
from canbao.errors import DatabaseError
from canbao.i18n import _

POSTGRES_SCHEMES = ("postgresql", "postgres")


class Database:
    """An open registration database with a current schema; close it (or use ``with``)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @property
    def engine(self) -> str:
        """``duckdb`` or ``postgresql``."""
        return self.connection.engine

    @property
    def where(self) -> str:
        """The file or the server and database, as messages name it (never a password)."""
        return self.connection.where

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def printable_url(url: str) -> str:
    """A PostgreSQL URL without its password and query (which may hold one)."""
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"


def connect(url: str | Path) -> Connection:
    """A connection to the database ``url`` names, schema not yet checked."""
    text = str(url)
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme in POSTGRES_SCHEMES:
        return PostgresConnection(text, printable_url(text))
    if scheme:
        raise DatabaseError(
            _("unsupported database URL {scheme}://…").format(scheme=scheme),
            fix=_(
                "give a DuckDB file path (such as campaign.duckdb) or postgresql://user@host/dbname"
            ),
        )
    path = Path(text).expanduser()
    if path.is_dir():
        raise DatabaseError(
            _("{path} is a folder, not a database file").format(path=path),
            fix=_("name a file, e.g. campaign.duckdb"),
        )
    if not path.parent.is_dir():
        raise DatabaseError(
            _("the folder of the database file {path} does not exist").format(path=path),
            fix=_("create the folder first, or choose another path"),
        )
    return DuckDBConnection(path)


def open_database(url: str | Path) -> Database:
    """Open (creating on first use) the registration database at ``url``.

    A path is an embedded DuckDB file, created owner-only (0600); ``postgresql://…`` is a
    server. A database that is not canbao's, or whose schema this canbao cannot use, is
    refused with :class:`~canbao.errors.DatabaseError` (exit 8) and left untouched.
    """
    connection = connect(url)
    try:
        ensure_schema(connection)
    except BaseException:
        connection.close()
        raise
    return Database(connection)
