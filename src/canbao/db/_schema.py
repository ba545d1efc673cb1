"""The schema of the registration database, its version, and how an older one is upgraded.

Every table lives in the schema ``canbao`` (DuckDB and PostgreSQL alike). The table
``canbao.meta`` marks the database as canbao's (``application = canbao``) and holds the
``schema_version``. On opening, a database is one of:

- empty (no table of any user): canbao creates its schema, version :data:`SCHEMA_VERSION`;
- canbao's, at the current version: used as it is;
- canbao's, older: brought up step by step by :data:`UPGRADES`, all steps and the new version
  number in one transaction (a failed step leaves it as it was); older than the first step
  canbao knows: refused;
- canbao's, newer (written by a later canbao): refused, it would not be understood;
- anything else (other tables, another program's ``meta``): refused, never touched.

Check and creation run inside the writers' lock, so two first runs do not both create it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from canbao.db._connection import Connection
from canbao.errors import DatabaseError
from canbao.i18n import N_, _

APPLICATION = "canbao"
SCHEMA_VERSION = 5

# The survey's results (version 2): one row per person visited by a survey, recorded by
# ``canbao intake --db``: the date of the intake, whether a valid form confirmed the person
# (已核实入库) and the form's reasons for not being insured (codes, ``;``-joined).
SURVEY_RESULTS = """CREATE TABLE canbao.survey_results (
        person_key TEXT NOT NULL,
        visited DATE NOT NULL,
        confirmed BOOLEAN NOT NULL,
        reason TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    )"""

# Manual decisions (version 4): one row per decision an analyst recorded with ``canbao decide``
# (a conflict resolved by hand, a duplicate cleaned at the agency): who, when and why.
DECISIONS = """CREATE TABLE canbao.decisions (
        person_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        decided_on DATE NOT NULL,
        decided_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    )"""

# Ledger confirmations (version 4): one row per person a village ledger (台账) confirmed in
# ``canbao forms survey --ledger … --db``: the date and the ledgers' sources.
LEDGER_CONFIRMATIONS = """CREATE TABLE canbao.ledger_confirmations (
        person_key TEXT NOT NULL,
        confirmed_on DATE NOT NULL,
        source TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    )"""

# Each person's place (version 3): county, township and village as the match's result files
# give them, one row per interval in which they held, like canbao.person_states.
PERSON_PLACES = """CREATE TABLE canbao.person_places (
        area TEXT NOT NULL,
        person_key TEXT NOT NULL,
        county TEXT NOT NULL,
        township TEXT NOT NULL,
        village TEXT NOT NULL,
        began DATE NOT NULL,
        ended DATE,
        began_run BIGINT NOT NULL,
        ended_run BIGINT,
        retired_by BIGINT
    )"""

# Statements that bring a database at version N to N + 1; a change of the tables below adds
# its step here and raises SCHEMA_VERSION.
UPGRADES: Mapping[int, Sequence[str]] = {
    1: (SURVEY_RESULTS,),
    2: (PERSON_PLACES,),
    3: (DECISIONS, LEDGER_CONFIRMATIONS),
    # Version 5 adds PostgreSQL's indexes on the person of the newer tables (POSTGRES_INDEXES,
    # made with every upgrade); DuckDB's tables stay as they were.
    4: (),
}

# The same tables on both engines. Dates are DATE, identifiers BIGINT, everything else TEXT
# (JSON documents included, so that no engine-specific JSON type is needed).
TABLES: tuple[str, ...] = (
    "CREATE TABLE canbao.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # One row per snapshot load: its identity (area, as_of, revision), what it was made from,
    # and, once a later revision or a rebuild replaced it, which run did (retired_by).
    """CREATE TABLE canbao.runs (
        run_id BIGINT PRIMARY KEY,
        area TEXT NOT NULL,
        as_of DATE NOT NULL,
        revision INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        inputs TEXT NOT NULL,
        options TEXT NOT NULL,
        summary TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        retired_by BIGINT,
        UNIQUE (area, as_of, revision)
    )""",
    # One row per interval in which a person held a state with a given detail: from the
    # snapshot that first showed it (began) to the one that no longer did (ended, NULL while it
    # holds). A row a revision or a rebuild replaced is kept with retired_by set.
    """CREATE TABLE canbao.person_states (
        area TEXT NOT NULL,
        person_key TEXT NOT NULL,
        state TEXT NOT NULL,
        detail TEXT NOT NULL,
        began DATE NOT NULL,
        ended DATE,
        began_run BIGINT NOT NULL,
        ended_run BIGINT,
        retired_by BIGINT
    )""",
    SURVEY_RESULTS,
    PERSON_PLACES,
    DECISIONS,
    LEDGER_CONFIRMATIONS,
)

# PostgreSQL looks rows up through indexes; DuckDB joins whole columns and needs none. Each is
# made when missing, so that an upgraded database gets the indexes of its new tables too.
POSTGRES_INDEXES: tuple[str, ...] = (
    """CREATE INDEX IF NOT EXISTS person_states_open
        ON canbao.person_states (area, person_key, state, detail)
        WHERE ended IS NULL AND retired_by IS NULL""",
    "CREATE INDEX IF NOT EXISTS person_states_person ON canbao.person_states (person_key)",
    """CREATE INDEX IF NOT EXISTS person_places_open ON canbao.person_places (area, person_key)
        WHERE ended IS NULL AND retired_by IS NULL""",
    # Version 5: one person's rows (canbao person, the visit list's join, the checks that the
    # same intake, decision or ledger recorded again adds nothing), person first, then the date.
    "CREATE INDEX IF NOT EXISTS person_places_person ON canbao.person_places (person_key)",
    """CREATE INDEX IF NOT EXISTS survey_results_person
        ON canbao.survey_results (person_key, visited)""",
    "CREATE INDEX IF NOT EXISTS decisions_person ON canbao.decisions (person_key, decided_on)",
    """CREATE INDEX IF NOT EXISTS ledger_confirmations_person
        ON canbao.ledger_confirmations (person_key, confirmed_on)""",
)

_NOT_CANBAO_FIX = N_(
    "give canbao an empty database of its own (PostgreSQL: createdb canbao), or a new .duckdb "
    "file name with --db"
)


def user_tables(con: Connection) -> list[tuple[str, str]]:
    """The (schema, table) of every table or view a user made, system catalogues left out."""
    rows = con.fetch(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema NOT IN ('information_schema', 'pg_catalog') "
        "AND table_schema NOT LIKE 'pg_temp%' AND table_schema NOT LIKE 'pg_toast%' "
        "AND table_type <> 'LOCAL TEMPORARY' "
        "ORDER BY 1, 2"
    ).to_pylist()
    return [(str(r["table_schema"]), str(r["table_name"])) for r in rows]


def read_meta(con: Connection) -> dict[str, str]:
    """The rows of ``canbao.meta``."""
    rows = con.fetch("SELECT key, value FROM canbao.meta").to_pylist()
    return {str(r["key"]): str(r["value"]) for r in rows}


def create_schema(con: Connection, version: int = SCHEMA_VERSION) -> None:
    """Create the tables in an empty database and mark it as canbao's (inside a transaction)."""
    con.execute("CREATE SCHEMA canbao")
    for statement in TABLES:
        con.execute(statement)
    _postgres_indexes(con)
    con.execute("INSERT INTO canbao.meta VALUES ('application', $1)", (APPLICATION,))
    con.execute("INSERT INTO canbao.meta VALUES ('schema_version', $1)", (str(version),))


def ensure_schema(
    con: Connection,
    *,
    version: int = SCHEMA_VERSION,
    upgrades: Mapping[int, Sequence[str]] = UPGRADES,
) -> int:
    """Create, accept or upgrade the schema as the module docstring says; return the version."""
    with con.transaction():
        tables = user_tables(con)
        if not tables:
            create_schema(con, version)
            return version
        if ("canbao", "meta") not in tables:
            raise _not_canbao(con, tables)
        meta = read_meta(con)
        found = meta.get("schema_version", "")
        if meta.get("application") != APPLICATION or not found.isdigit():
            raise _not_canbao(con, tables)
        current = int(found)
        if current > version:
            raise DatabaseError(
                _(
                    "the database {where} was made by a newer canbao (schema version "
                    "{current}; this canbao knows up to {version})"
                ).format(where=con.where, current=current, version=version),
                fix=_("upgrade canbao to use this database"),
            )
        if any(step not in upgrades for step in range(current, version)):
            raise DatabaseError(
                _(
                    "the schema version {current} of the database {where} is older than any "
                    "this canbao can upgrade"
                ).format(where=con.where, current=current),
                fix=_(
                    "export what you need with the canbao version that made it, and start a "
                    "new database"
                ),
            )
        for step in range(current, version):
            for statement in upgrades[step]:
                con.execute(statement)
        if current != version:
            _postgres_indexes(con)
            con.execute(
                "UPDATE canbao.meta SET value = $1 WHERE key = 'schema_version'", (str(version),)
            )
        return version


def _postgres_indexes(con: Connection) -> None:
    """Make the indexes a PostgreSQL database lacks (DuckDB needs none)."""
    if con.engine == "postgresql":
        for statement in POSTGRES_INDEXES:
            con.execute(statement)


def _not_canbao(con: Connection, tables: list[tuple[str, str]]) -> DatabaseError:
    """The refusal of a database canbao did not make (names a few of its tables, no rows)."""
    shown = "、".join(f"{schema}.{name}" for schema, name in tables[:3])
    if len(tables) > 3:
        shown = _("{tables} and others, {n} tables in all").format(tables=shown, n=len(tables))
    return DatabaseError(
        _(
            "the database {where} is not canbao's (it holds {tables}); canbao leaves it alone"
        ).format(where=con.where, tables=shown),
        fix=_(_NOT_CANBAO_FIX),
    )
