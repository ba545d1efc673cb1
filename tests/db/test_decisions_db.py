"""Manual decisions and ledger confirmations in the register (schema version 4), on DuckDB and
on a real PostgreSQL server (the ``engine`` fixture)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from canbao.db import (
    SCHEMA_VERSION,
    SnapshotMeta,
    confirmed_by_ledger,
    decisions,
    ledger_confirmations,
    open_database,
    person_record,
    record_decisions,
    record_ledger_confirmations,
    record_snapshot,
)
from canbao.match.vocabulary import DecisionKind, PersonState
from tests.db.test_db_open import run_sql, update_version

PERSON_A, PERSON_B = "340602199001011234", "340602198502023456"
JUNE, JULY, AUGUST = date(2017, 6, 30), date(2017, 7, 20), date(2017, 8, 31)
NEEDS = PersonState.NEEDS_SURVEY.value


def _decisions() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "person_key": [PERSON_B, PERSON_A],
            "kind": [DecisionKind.DUPLICATE_CLEANED.value, DecisionKind.CONFLICT_RESOLVED.value],
            "decided_on": [AUGUST, JULY],
            "decided_by": ["李四", "张三"],
            "reason": ["医保重复记录已停保", "户籍姓名已核对更正"],
        }
    )


def test_decisions_are_recorded_once_and_read_until_a_date(
    new_database: Callable[[], str],
) -> None:
    """Two decisions recorded twice are stored once; ``until`` keeps those taken by that day."""
    with open_database(new_database()) as db:
        assert record_decisions(db, _decisions()) == 2
        assert record_decisions(db, _decisions()) == 0
        every = decisions(db)
        until_july = decisions(db, until=JULY)
    expected = _decisions().sort("decided_on")
    assert_frame_equal(every, expected)
    assert_frame_equal(until_july, expected.head(1))
    assert every.columns == ["person_key", "kind", "decided_on", "decided_by", "reason"]


def test_no_decision_reads_as_an_empty_typed_frame(new_database: Callable[[], str]) -> None:
    """An empty register gives the five columns with their types, no rows."""
    with open_database(new_database()) as db:
        empty = decisions(db, until=JULY)
    assert empty.height == 0
    assert dict(empty.schema) == {
        "person_key": pl.String,
        "kind": pl.String,
        "decided_on": pl.Date,
        "decided_by": pl.String,
        "reason": pl.String,
    }


def test_a_ledger_confirmation_leaves_the_visit_list_until_the_reasons_change(
    new_database: Callable[[], str],
) -> None:
    """A ledger confirms A and B in July; B's reasons change in August, so only A stays off."""
    first = pl.DataFrame({"person_key": [PERSON_A, PERSON_B], "state": [NEEDS] * 2,
                          "detail": ["uninsured"] * 2})  # fmt: skip
    later = first.with_columns(
        detail=pl.when(pl.col("person_key") == PERSON_B)
        .then(pl.lit("uninsured;conflict"))
        .otherwise(pl.col("detail"))
    )
    ledger = pl.DataFrame({"person_key": [PERSON_A, PERSON_B], "source": ["低保", "居民医保"]})
    with open_database(new_database()) as db:
        record_snapshot(db, first, SnapshotMeta(JUNE, "340602", [("household", "a")]))
        assert record_ledger_confirmations(db, ledger, JULY) == 2
        assert record_ledger_confirmations(db, ledger, JULY) == 0
        assert confirmed_by_ledger(db, JUNE, area="340602", state=NEEDS).height == 2
        record_snapshot(db, later, SnapshotMeta(AUGUST, "340602", [("household", "b")]))
        kept = confirmed_by_ledger(db, AUGUST, area="340602", state=NEEDS)["person_key"]
        stored = ledger_confirmations(db)
        record = person_record(db, PERSON_B)
    assert kept.to_list() == [PERSON_A]
    assert stored["source"].to_list() == ["居民医保", "低保"]  # ordered by person_key
    assert record.known and record.ledgers["source"].to_list() == ["居民医保"]
    assert record.states["detail"].to_list() == ["uninsured", "uninsured;conflict"]
    assert record.states["ended"].to_list() == [AUGUST, None]


def test_version_2_database_gains_the_decision_tables(empty_database: str) -> None:
    """A database of schema version 2 is upgraded to 4: places, decisions and ledger tables."""
    open_database(empty_database).close()
    for table in ("person_places", "decisions", "ledger_confirmations"):  # versions 3 and 4
        run_sql(empty_database, f"DROP TABLE canbao.{table}")
    update_version(empty_database, 2)
    with open_database(empty_database) as db:
        assert record_decisions(db, _decisions()) == 2
        assert not person_record(db, "110101199001010000").known
    rows = run_sql(empty_database, "SELECT value FROM canbao.meta WHERE key = 'schema_version'")
    assert rows == [(str(SCHEMA_VERSION),)] and SCHEMA_VERSION == 5
