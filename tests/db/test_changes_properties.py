"""Properties of the changes on both engines: a repeated load changes nothing, and the changes
between two snapshots depend on those two alone, however the history before them went."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import polars as pl
from hypothesis import example, given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from canbao.changes import changes_between
from canbao.db import (
    Database,
    SnapshotMeta,
    open_database,
    places_as_of,
    record_snapshot,
    states_as_of,
)
from tests.db.test_db_snapshots import PEOPLE, PROPERTY, Rows, dump, frame, rows_strategy

AREA, ALONE, LAST = "340602", "340603", "340604"
VILLAGES = ("唐营社区", "吕楼村", "孙桥村")
Places = dict[str, str]
places_strategy = st.dictionaries(st.sampled_from(PEOPLE), st.sampled_from(VILLAGES))
month_strategy = st.tuples(rows_strategy, places_strategy)


def places(where: Places) -> pl.DataFrame:
    """A places frame: every person in the county 340602, township 台矿镇, their village."""
    rows = [(p, "340602", "台矿镇", v) for p, v in sorted(where.items())]
    schema = ["person_key", "county", "township", "village"]
    return pl.DataFrame(
        rows, schema=schema, orient="row", schema_overrides=dict.fromkeys(schema, pl.String)
    )


def load(db: Database, area: str, month: int, rows: Rows, where: Places) -> None:
    """Record the snapshot of ``month`` (2017) for ``area``, its inputs named by the month."""
    meta = SnapshotMeta(date(2017, month, 1), area, [("household", f"{month:064x}")])
    record_snapshot(db, frame(rows), meta, places=places(where))


def changes(db: Database, area: str, start: int, end: int) -> pl.DataFrame:
    """The changes of ``area`` between the first days of two months."""
    found = changes_between(db, area=area, start=date(2017, start, 1), end=date(2017, end, 1))
    return found.rows


@PROPERTY
@given(june=month_strategy, august=month_strategy)
def test_loading_the_same_snapshot_again_changes_nothing(
    new_database: Callable[[], str],
    june: tuple[Rows, Places],
    august: tuple[Rows, Places],
) -> None:
    """A second load of August's snapshot leaves the tables and the changes as they were."""
    with open_database(new_database()) as db:
        load(db, AREA, 6, *june)
        load(db, AREA, 8, *august)
        before, tables = changes(db, AREA, 6, 8), dump(db)
        stored = db.connection.fetch("SELECT * FROM canbao.person_places ORDER BY 1, 2, 6")
        load(db, AREA, 8, *august)
        assert_frame_equal(changes(db, AREA, 6, 8), before)
        assert_frame_equal(dump(db)[0], tables[0])
        assert_frame_equal(dump(db)[1], tables[1])
        assert db.connection.fetch("SELECT * FROM canbao.person_places ORDER BY 1, 2, 6").equals(
            stored
        )


@PROPERTY
@given(history=st.lists(month_strategy, min_size=2, max_size=4))
def test_replaying_the_history_gives_what_the_last_two_give(
    new_database: Callable[[], str], history: list[tuple[Rows, Places]]
) -> None:
    """Every month in order, the last two or the last alone: the same states and places now;
    every month in order or the last two: the same changes between them."""
    months = list(range(3, 3 + len(history)))
    with open_database(new_database()) as db:
        for month, (rows, where) in zip(months, history, strict=True):
            load(db, AREA, month, rows, where)
        for month, (rows, where) in list(zip(months, history, strict=True))[-2:]:
            load(db, ALONE, month, rows, where)
        load(db, LAST, months[-1], *history[-1])
        last = date(2017, months[-1], 1)
        for other in (ALONE, LAST):
            assert_frame_equal(
                places_as_of(db, last, area=AREA), places_as_of(db, last, area=other)
            )
            assert_frame_equal(
                states_as_of(db, last, area=AREA).drop("began"),
                states_as_of(db, last, area=other).drop("began"),
            )
        assert_frame_equal(
            changes(db, AREA, months[-2], months[-1]), changes(db, ALONE, months[-2], months[-1])
        )


_NEEDS = (frozenset({(PEOPLE[0], "needs_survey", "no_pension")}), {})


@PROPERTY
@example(history=[_NEEDS, _NEEDS], visits=[(PEOPLE[0], 20)])  # leaves the visit list alone
@given(
    history=st.lists(month_strategy, min_size=2, max_size=3),
    visits=st.lists(st.tuples(st.sampled_from(PEOPLE), st.integers(1, 120)), max_size=4),
)
def test_reading_only_the_changed_persons_gives_every_change(
    new_database: Callable[[], str],
    history: list[tuple[Rows, Places]],
    visits: list[tuple[str, int]],
) -> None:
    """``changes`` reads only the persons whose intervals began or ended, or whom a form
    confirmed, between its dates: its rows equal those computed from every person's states."""
    from canbao.changes._compute import change_rows
    from canbao.db import record_survey_results, survey_results

    months = list(range(3, 3 + len(history)))
    with open_database(new_database()) as db:
        for month, (rows, where) in zip(months, history, strict=True):
            load(db, AREA, month, rows, where)
        for person, day in visits:
            confirmed = pl.DataFrame({"person_key": [person], "confirmed": [True], "reason": [""]})
            record_survey_results(db, confirmed, date(2017, 3, 1) + timedelta(days=day))
        start, end = date(2017, months[-2], 1), date(2017, months[-1], 1)
        survey = survey_results(db).select(
            "person_key", pl.col("visited").cast(pl.Date), "confirmed"
        )
        whole = change_rows(
            states_as_of(db, start, area=AREA).with_columns(pl.col("began").cast(pl.Date)),
            states_as_of(db, end, area=AREA).with_columns(pl.col("began").cast(pl.Date)),
            survey,
            (places_as_of(db, start, area=AREA), places_as_of(db, end, area=AREA)),
            (start, end),
        )
        order = ["county", "township", "village", "person_key", "list", "direction"]
        assert_frame_equal(changes(db, AREA, months[-2], months[-1]), whole.sort(order))
