"""Snapshots on DuckDB and PostgreSQL alike: only changes stored, identity, revisions, atomicity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from unittest import mock

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from canbao.db import (
    Database,
    SnapshotMeta,
    _snapshots,
    open_database,
    record_snapshot,
    snapshot_runs,
    states_as_of,
)
from canbao.errors import EXIT_DATABASE, DatabaseError, InputError

AREA = "340602"
PEOPLE = ("340602199001011234", "34060219850505432X", "340602200102020011", "340603197707070777")
STATES = ("confirmed", "needs_survey", "uninsured", "excluded")
DETAILS = ("", "no_pension", "no_medical")
PROPERTY = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

Rows = frozenset[tuple[str, str, str]]
rows_strategy = st.frozensets(
    st.tuples(st.sampled_from(PEOPLE), st.sampled_from(STATES), st.sampled_from(DETAILS)),
    max_size=8,
)


def frame(rows: Rows) -> pl.DataFrame:
    """A snapshot frame of (person_key, state, detail) rows."""
    return pl.DataFrame(sorted(rows), schema=["person_key", "state", "detail"], orient="row").cast(
        pl.String
    )


def meta(month: int, tag: str = "a") -> SnapshotMeta:
    """The metadata of a run at the first of ``month`` 2017 made from inputs named by ``tag``."""
    return SnapshotMeta(
        as_of=date(2017, month, 1),
        area=AREA,
        inputs=[("household", tag * 64), ("pension", "b" * 64)],
        options={"min_age": 16},
        summary={"target": 4},
    )


def held(db: Database, day: date) -> Rows:
    """The (person_key, state, detail) rows that held on ``day``."""
    states = states_as_of(db, day, area=AREA)
    return frozenset(states.select("person_key", "state", "detail").iter_rows())


def dump(db: Database) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Everything stored (runs without their load time, and every interval), in a fixed order."""
    con = db.connection
    runs = pl.DataFrame(
        con.fetch(
            "SELECT run_id, area, as_of, revision, fingerprint, inputs, options, summary, "
            "retired_by FROM canbao.runs ORDER BY run_id"
        )
    )
    states = pl.DataFrame(
        con.fetch(
            "SELECT * FROM canbao.person_states ORDER BY area, person_key, state, detail, began, "
            "retired_by NULLS FIRST, ended NULLS FIRST"
        )
    )
    return runs, states


def test_changes_only_are_stored(new_database: Callable[[], str]) -> None:
    """A person whose state stays the same keeps one interval; changes end and begin intervals."""
    june = {(PEOPLE[0], "confirmed", ""), (PEOPLE[1], "needs_survey", "no_pension")}
    august = {(PEOPLE[0], "confirmed", ""), (PEOPLE[1], "uninsured", "no_pension")}
    with open_database(new_database()) as db:
        first = record_snapshot(db, frame(frozenset(june)), meta(6, "a"))
        second = record_snapshot(db, frame(frozenset(august)), meta(8, "c"))
        _, stored = dump(db)
        assert (first.outcome, first.began, first.ended) == ("recorded", 2, 0)
        assert (second.outcome, second.began, second.ended) == ("recorded", 1, 1)
        assert stored.height == 3
        assert held(db, date(2017, 7, 15)) == june
        assert held(db, date(2017, 9, 1)) == august
        assert held(db, date(2017, 5, 31)) == frozenset()
        began = states_as_of(db, date(2017, 9, 1), area=AREA).filter(
            pl.col("person_key") == PEOPLE[0]
        )
        assert began["began"].to_list() == [date(2017, 6, 1)]


def test_same_snapshot_twice_is_one(new_database: Callable[[], str]) -> None:
    """The same inputs and options for one date are one snapshot: the second load is a no-op."""
    rows = frozenset({(PEOPLE[0], "confirmed", "")})
    with open_database(new_database()) as db:
        first = record_snapshot(db, frame(rows), meta(6))
        before = dump(db)
        again = record_snapshot(db, frame(rows), meta(6))
        assert again.outcome == "unchanged"
        assert again.run_id == first.run_id
        assert_frame_equal(dump(db)[0], before[0])
        assert_frame_equal(dump(db)[1], before[1])


def test_corrected_export_is_a_new_revision(new_database: Callable[[], str]) -> None:
    """Other inputs for the latest date replace that snapshot as revision 2, keeping revision 1."""
    wrong = frozenset({(PEOPLE[0], "uninsured", "no_medical"), (PEOPLE[1], "confirmed", "")})
    right = frozenset({(PEOPLE[0], "confirmed", ""), (PEOPLE[1], "confirmed", "")})
    with open_database(new_database()) as db:
        record_snapshot(db, frame(frozenset({(PEOPLE[1], "confirmed", "")})), meta(6))
        record_snapshot(db, frame(wrong), meta(8, "c"))
        revised = record_snapshot(db, frame(right), meta(8, "d"))
        runs = snapshot_runs(db, area=AREA)
        assert revised.outcome == "revised"
        assert revised.revision == 2
        assert runs.select("revision", "retired_by").rows() == [(1, None), (1, 3), (2, None)]
        assert held(db, date(2017, 8, 1)) == right
        assert held(db, date(2017, 6, 1)) == frozenset({(PEOPLE[1], "confirmed", "")})


def test_older_snapshot_is_refused_unless_rebuilt(new_database: Callable[[], str]) -> None:
    """A date before the latest is refused (exit 8, nothing stored); rebuild=True rewinds to it."""
    june = frozenset({(PEOPLE[0], "confirmed", "")})
    august = frozenset({(PEOPLE[0], "uninsured", "no_pension")})
    july = frozenset({(PEOPLE[2], "needs_survey", "")})
    with open_database(new_database()) as db:
        record_snapshot(db, frame(june), meta(6))
        record_snapshot(db, frame(august), meta(8, "c"))
        before = dump(db)
        with pytest.raises(DatabaseError) as refused:
            record_snapshot(db, frame(july), meta(7, "e"))
        assert refused.value.exit_code == EXIT_DATABASE
        assert "2017-08-01" in refused.value.message
        assert_frame_equal(dump(db)[1], before[1])
        rebuilt = record_snapshot(db, frame(july), meta(7, "e"), rebuild=True)
        assert rebuilt.outcome == "rebuilt"
        assert held(db, date(2017, 6, 15)) == june
        assert held(db, date(2017, 9, 1)) == july
        live = snapshot_runs(db, area=AREA).filter(pl.col("retired_by").is_null())
        assert live["as_of"].to_list() == [date(2017, 6, 1), date(2017, 7, 1)]


def test_rows_without_key_are_refused(new_database: Callable[[], str]) -> None:
    """A snapshot row without a person key is refused before anything is written (exit 3)."""
    bad = pl.DataFrame({"person_key": [PEOPLE[0], None], "state": ["confirmed", "confirmed"]})
    with open_database(new_database()) as db:
        with pytest.raises(InputError) as refused:
            record_snapshot(db, bad, meta(6))
        assert "1 " in refused.value.message
        assert PEOPLE[0] not in refused.value.render()
        assert snapshot_runs(db, area=AREA).height == 0


@PROPERTY
@given(rows=rows_strategy)
def test_loading_twice_changes_nothing(new_database: Callable[[], str], rows: Rows) -> None:
    """Whatever the snapshot, loading it a second time leaves every table as it was."""
    with open_database(new_database()) as db:
        record_snapshot(db, frame(rows), meta(6))
        before = dump(db)
        record_snapshot(db, frame(rows), meta(6))
        after = dump(db)
    assert_frame_equal(after[0], before[0])
    assert_frame_equal(after[1], before[1])


@PROPERTY
@given(history=st.lists(rows_strategy, min_size=1, max_size=4))
def test_replay_equals_last_alone(new_database: Callable[[], str], history: list[Rows]) -> None:
    """Snapshots replayed in order end in the state of the last one loaded alone; each date too.

    The last one alone goes to another area of the same database: areas are separate histories.
    """
    months = range(3, 3 + len(history))
    alone_area = "340603"
    with open_database(new_database()) as db:
        for month, rows in zip(months, history, strict=True):
            record_snapshot(db, frame(rows), meta(month, f"{month:x}"))
        last = meta(months[-1], "f")
        record_snapshot(db, frame(history[-1]), replace(last, area=alone_area))
        for month, rows in zip(months, history, strict=True):
            assert held(db, date(2017, month, 1)) == rows
        alone = states_as_of(db, date(2017, 12, 31), area=alone_area)
        replayed = states_as_of(db, date(2017, 12, 31), area=AREA)
    assert_frame_equal(replayed.drop("began"), alone.drop("began"))
    assert frozenset(alone.drop("began").iter_rows()) == history[-1]


@PROPERTY
@given(history=st.lists(rows_strategy, min_size=1, max_size=3), last=rows_strategy)
def test_failed_load_leaves_database_as_it_was(
    new_database: Callable[[], str], history: list[Rows], last: Rows
) -> None:
    """An exception after the load has ended and begun intervals rolls every change back."""
    real = _snapshots._begin_intervals

    def begin_then_fail(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("injected failure in the middle of a load")

    with open_database(new_database()) as db:
        for month, rows in enumerate(history, start=3):
            record_snapshot(db, frame(rows), meta(month, f"{month:x}"))
        before = dump(db)
        with (
            mock.patch.object(_snapshots, "_begin_intervals", begin_then_fail),
            pytest.raises(RuntimeError, match="injected"),
        ):
            record_snapshot(db, frame(last), meta(9, "9"))
        after = dump(db)
        assert_frame_equal(after[0], before[0])
        assert_frame_equal(after[1], before[1])
        # The connection is still usable: the same load now succeeds.
        assert record_snapshot(db, frame(last), meta(9, "9")).outcome == "recorded"
        assert held(db, date(2017, 9, 1)) == last


def test_postgres_never_plans_a_load_as_a_nested_loop(postgres_canbao_database: str) -> None:
    """Both joins of a load are hash or merge joins on PostgreSQL, even without statistics.

    A nested loop there is a million times a million at 1 M persons (measured: 13 minutes and
    more for a second month); the plan, not a timing, is what this checks.
    """
    rows = frozenset((person, "confirmed", "") for person in PEOPLE)
    with open_database(postgres_canbao_database) as db:
        con = db.connection
        with pytest.raises(LookupError), con.transaction():
            con.ingest(_snapshots.INCOMING, _snapshots.prepared_states(frame(rows)))
            _snapshots._analyze(con)
            for statement in (_snapshots.END_INTERVALS, _snapshots.BEGIN_INTERVALS):
                plan = con.fetch(f"EXPLAIN {statement}", (AREA, date(2017, 6, 1), 1))
                text = "\n".join(str(line) for line in plan.column(0).to_pylist())
                assert "Anti Join" in text and "Nested Loop" not in text, text
            raise LookupError("roll the probe back")
