"""Schema version 5: PostgreSQL's indexes on the person of the newer tables, and the upgrade from
version 4 that makes them, on DuckDB and on a real PostgreSQL server."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from canbao.db import (
    SCHEMA_VERSION,
    open_database,
    person_record,
    record_decisions,
    record_ledger_confirmations,
    record_snapshot,
    record_survey_results,
    survey_results,
)
from canbao.db._schema import POSTGRES_INDEXES, read_meta
from tests.db.test_db_open import run_sql, update_version
from tests.db.test_db_snapshots import PEOPLE, frame, meta
from tests.db.test_decisions_db import _decisions

# The indexes version 5 added (the person's rows of the newer tables).
VERSION_5_INDEXES = (
    "person_places_person",
    "survey_results_person",
    "decisions_person",
    "ledger_confirmations_person",
)
PERSON = PEOPLE[0]


def _fill(url: str) -> None:
    """A snapshot with places, a visit, a decision and a ledger confirmation."""
    rows = frozenset((person, "needs_survey", "uninsured") for person in PEOPLE)
    places = pl.DataFrame({"person_key": list(PEOPLE), "county": ["340602"] * len(PEOPLE)})
    with open_database(url) as db:
        record_snapshot(db, frame(rows), meta(6, "a"), places=places)
        visits = pl.DataFrame({"person_key": [PERSON], "confirmed": [True], "reason": ["91"]})
        record_survey_results(db, visits, date(2017, 7, 15))
        record_decisions(db, _decisions())
        ledger = pl.DataFrame({"person_key": [PERSON], "source": ["村台账"]})
        record_ledger_confirmations(db, ledger, date(2017, 7, 20))


def _indexes(url: str) -> set[str]:
    """The names of the indexes in the schema canbao (PostgreSQL's catalogue)."""
    rows = run_sql(url, "SELECT indexname FROM pg_indexes WHERE schemaname = 'canbao'")
    return {str(row[0]) for row in rows}


def test_a_version_4_database_is_upgraded_to_5_with_its_rows(empty_database: str) -> None:
    """A register of version 4 (without the new indexes) opens as version 5, every row kept;
    on PostgreSQL it then has the four indexes."""
    _fill(empty_database)
    if "://" in empty_database:
        assert set(VERSION_5_INDEXES) <= _indexes(empty_database)
        run_sql(empty_database, *(f"DROP INDEX canbao.{name}" for name in VERSION_5_INDEXES))
    update_version(empty_database, 4)
    with open_database(empty_database) as db:
        assert read_meta(db.connection)["schema_version"] == str(SCHEMA_VERSION) == "5"
        record = person_record(db, PERSON)
        assert record.visits["reason"].to_list() == ["91"]
        assert record.ledgers["source"].to_list() == ["村台账"]
        assert record.places["county"].to_list() == ["340602"]
        assert survey_results(db).height == 1
    if "://" in empty_database:
        assert set(VERSION_5_INDEXES) <= _indexes(empty_database)


def test_postgres_finds_one_persons_rows_through_the_indexes(postgres_canbao_database: str) -> None:
    """With sequential scans priced out, each lookup of ``canbao person`` uses its index (the plan,
    not a timing: the planner prefers a scan of a table this small)."""
    lookups = {
        "person_places_person": "SELECT * FROM canbao.person_places WHERE person_key = $1 "
        "AND retired_by IS NULL",
        "survey_results_person": "SELECT * FROM canbao.survey_results WHERE person_key = $1",
        "decisions_person": "SELECT * FROM canbao.decisions WHERE person_key = $1",
        "ledger_confirmations_person": "SELECT * FROM canbao.ledger_confirmations "
        "WHERE person_key = $1",
    }
    assert set(lookups) == set(VERSION_5_INDEXES)
    assert all(any(name in s for s in POSTGRES_INDEXES) for name in lookups)
    with open_database(postgres_canbao_database) as db:
        con = db.connection
        with pytest.raises(LookupError), con.transaction():
            con.execute("SET LOCAL enable_seqscan = off")
            for name, query in lookups.items():
                plan = con.fetch(f"EXPLAIN {query}", (PERSON,))
                text = "\n".join(str(line) for line in plan.column(0).to_pylist())
                assert name in text, text
            raise LookupError("roll the probe back")
