"""The registration database (登记信息库): match snapshots stored as each person's dated states.

``open_database("campaign.duckdb")`` or ``open_database("postgresql://…")`` opens (and on first
use creates) the database; :func:`record_snapshot` stores one run's states (and places),
:func:`states_as_of` and :func:`places_as_of` read them back for a date. docs/database.md
describes the tables and the rules.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from canbao.db._open import Database, open_database
from canbao.db._schema import SCHEMA_VERSION
from canbao.db._snapshots import SnapshotMeta, SnapshotResult

__all__ = [
    "SCHEMA_VERSION",
    "Database",
    "SnapshotMeta",
    "SnapshotResult",
    "check_snapshot_order",
    "confirmed_by_survey",
    "open_database",
    "places_as_of",
    "record_snapshot",
    "record_survey_results",
    "snapshot_areas",
    "snapshot_runs",
    "states_as_of",
    "survey_results",
]


def record_snapshot(
    db: Database,
    states: pl.DataFrame,
    meta: SnapshotMeta,
    *,
    rebuild: bool = False,
    places: pl.DataFrame | None = None,
) -> SnapshotResult:
    """Record one run: ``states`` has person_key, state and detail; only changes are stored.

    ``places`` (person_key, county, township, village) are stored the same way when given.
    """
    from canbao.db._snapshots import record_snapshot as record

    return record(db.connection, states, meta, rebuild=rebuild, places=places)


def check_snapshot_order(db: Database, meta: SnapshotMeta, *, rebuild: bool = False) -> None:
    """Raise the DatabaseError :func:`record_snapshot` would raise for an out-of-order date."""
    from canbao.db._snapshots import check_order

    check_order(db.connection, meta, rebuild=rebuild)


def states_as_of(db: Database, as_of: date, *, area: str) -> pl.DataFrame:
    """The states that held on ``as_of`` in ``area``: person_key, state, detail, began."""
    from canbao.db._snapshots import states_as_of as read

    return read(db.connection, as_of, area=area)


def places_as_of(db: Database, as_of: date, *, area: str) -> pl.DataFrame:
    """Each person's place on ``as_of`` in ``area``: person_key, county, township, village."""
    from canbao.db._places import places_as_of as read

    return read(db.connection, as_of, area=area)


def snapshot_areas(db: Database) -> list[str]:
    """The areas with a standing snapshot, sorted."""
    table = db.connection.fetch(
        "SELECT DISTINCT area FROM canbao.runs WHERE retired_by IS NULL ORDER BY area"
    )
    return [str(a) for a in table.column("area").to_pylist()]


def snapshot_runs(db: Database, *, area: str) -> pl.DataFrame:
    """The runs recorded for ``area``, replaced revisions included (``retired_by`` set)."""
    from canbao.db._snapshots import snapshot_runs as runs

    return runs(db.connection, area=area)


def record_survey_results(db: Database, results: pl.DataFrame, visited: date) -> int:
    """Record an intake's visits (person_key, confirmed, reason) on ``visited``; rows added."""
    from canbao.db._survey import record_survey_results as record

    return record(db.connection, results, visited)


def survey_results(db: Database) -> pl.DataFrame:
    """Every visit recorded: person_key, visited, confirmed, reason."""
    from canbao.db._survey import survey_results as read

    return read(db.connection)


def confirmed_by_survey(db: Database, as_of: date, *, area: str, state: str) -> pl.DataFrame:
    """The persons in ``state`` (the match's needs-survey code) on ``as_of`` that a form
    confirmed since their reasons last changed (person_key): they leave the visit list."""
    from canbao.db._survey import confirmed_since_reasons as read

    return read(db.connection, as_of, area=area, state=state)
