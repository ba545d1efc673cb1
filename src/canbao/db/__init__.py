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
from canbao.db._person import PersonRecord
from canbao.db._schema import SCHEMA_VERSION
from canbao.db._snapshots import SnapshotMeta, SnapshotResult

__all__ = [
    "SCHEMA_VERSION",
    "Database",
    "PersonRecord",
    "SnapshotMeta",
    "SnapshotResult",
    "areas",
    "check_snapshot_order",
    "confirmed_by_ledger",
    "confirmed_by_survey",
    "decisions",
    "has_snapshot",
    "ledger_confirmations",
    "open_database",
    "person_record",
    "places_as_of",
    "record_decisions",
    "record_ledger_confirmations",
    "record_snapshot",
    "record_survey_results",
    "snapshot_areas",
    "snapshot_runs",
    "states_as_of",
    "states_between",
    "survey_results",
    "without_state",
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


def states_as_of(
    db: Database,
    as_of: date,
    *,
    area: str,
    changed: tuple[date, date] | None = None,
    ordered: bool = True,
) -> pl.DataFrame:
    """The states that held on ``as_of`` in ``area``: person_key, state, detail, began.

    ``changed=(first, last)`` keeps only the persons whose states or visit-list membership may
    differ between the two dates (an interval began or ended, or a form confirmed them, after
    ``first`` and up to ``last``): what ``changes`` needs, without every other person.
    ``ordered=False``: the rows unsorted (a count needs no order; sorting a city costs memory).
    """
    from canbao.db._snapshots import states_as_of as read

    return read(db.connection, as_of, area=area, changed=changed, ordered=ordered)


def places_as_of(
    db: Database, as_of: date, *, area: str, changed: tuple[date, date] | None = None
) -> pl.DataFrame:
    """Each person's place on ``as_of`` in ``area``: person_key, county, township, village
    (with ``changed``, only the persons :func:`states_as_of` would keep)."""
    from canbao.db._places import places_as_of as read

    return read(db.connection, as_of, area=area, changed=changed)


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


def areas(db: Database) -> list[str]:
    """The areas with a standing snapshot, in code order."""
    from canbao.db._history import areas as read

    return read(db.connection)


def confirmed_by_ledger(db: Database, as_of: date, *, area: str, state: str) -> pl.DataFrame:
    """The persons in ``state`` on ``as_of`` whom a recorded ledger confirmation (台账) took off
    the visit list since their reasons last changed (person_key)."""
    from canbao.db._survey import confirmed_by_ledger_since as read

    return read(db.connection, as_of, area=area, state=state)


def has_snapshot(db: Database, as_of: date, *, area: str) -> bool:
    """Whether a match of ``area`` on ``as_of`` was recorded (a standing snapshot)."""
    from canbao.db._survey import has_snapshot as found

    return found(db.connection, as_of, area=area)


def record_decisions(db: Database, frame: pl.DataFrame) -> int:
    """Record manual decisions (person_key, kind, decided_on, decided_by, reason); rows added."""
    from canbao.db._decisions import record_decisions as record

    return record(db.connection, frame)


def decisions(db: Database, *, until: date | None = None) -> pl.DataFrame:
    """The manual decisions taken on or before ``until`` (every one when None):
    person_key, kind, decided_on, decided_by, reason; oldest first."""
    from canbao.db._decisions import decisions as read

    return read(db.connection, until=until)


def record_ledger_confirmations(db: Database, frame: pl.DataFrame, on: date) -> int:
    """Record the persons a village ledger confirmed on ``on`` (person_key, source); rows added."""
    from canbao.db._decisions import record_ledger_confirmations as record

    return record(db.connection, frame, on)


def ledger_confirmations(db: Database) -> pl.DataFrame:
    """Every recorded ledger confirmation: person_key, confirmed_on, source."""
    from canbao.db._decisions import ledger_confirmations as read

    return read(db.connection)


def states_between(
    db: Database, first: date, last: date, *, area: str, state: str | None = None
) -> pl.DataFrame:
    """Every (person_key, state, detail) that held in ``area`` on some day of [first, last]
    (only those of ``state`` when given)."""
    from canbao.db._history import states_between as read

    return read(db.connection, first, last, area=area, state=state)


def person_record(db: Database, person_key: str) -> PersonRecord:
    """One person's dated states, visits, ledger confirmations and decisions."""
    from canbao.db._person import person_record as read

    return read(db.connection, person_key)


def without_state(db: Database, wanted: pl.DataFrame) -> pl.DataFrame:
    """The (person_key, state) rows of ``wanted`` that the register never recorded."""
    from canbao.db._person import without_state as read

    return read(db.connection, wanted)
