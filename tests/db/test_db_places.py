"""Places (schema version 3) on DuckDB and PostgreSQL: stored changes-only, read per date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from canbao.db import SCHEMA_VERSION, open_database, places_as_of, record_snapshot
from canbao.db._schema import read_meta
from tests.db.test_db_snapshots import AREA, PEOPLE, frame, meta

CONFIRMED = frozenset((person, "confirmed", "") for person in PEOPLE)


def places(*rows: tuple[str, str, str, str]) -> pl.DataFrame:
    """A places frame of (person_key, county, township, village) rows, sorted by person."""
    columns = ["person_key", "county", "township", "village"]
    return pl.DataFrame(sorted(rows), schema=columns, orient="row").cast(pl.String)


JUNE = places(
    (PEOPLE[0], "340602", "龙朔街道", "唐营社区"),
    (PEOPLE[1], "340602", "台矿镇", "吕楼村"),
    (PEOPLE[2], "340602", "台矿镇", "孙桥村"),
)


def test_a_move_ends_one_place_and_begins_another(new_database: Callable[[], str]) -> None:
    """A person who stays keeps one interval; a move and a new person add one each."""
    august = places(
        (PEOPLE[0], "340602", "龙朔街道", "唐营社区"),
        (PEOPLE[1], "340602", "台矿镇", "孙桥村"),  # moved within the township
        (PEOPLE[2], "340602", "台矿镇", "孙桥村"),
        (PEOPLE[3], "340603", "", ""),  # no township or village given
    )
    with open_database(new_database()) as db:
        record_snapshot(db, frame(CONFIRMED), meta(6, "a"), places=JUNE)
        record_snapshot(db, frame(CONFIRMED), meta(8, "c"), places=august)
        stored = db.connection.fetch("SELECT COUNT(*) AS n FROM canbao.person_places")
        assert stored["n"][0].as_py() == 5
        assert_frame_equal(places_as_of(db, date(2017, 7, 1), area=AREA), JUNE)
        assert_frame_equal(places_as_of(db, date(2017, 8, 1), area=AREA), august)
        assert places_as_of(db, date(2017, 5, 1), area=AREA).height == 0


def test_a_revision_replaces_the_places_of_its_date(new_database: Callable[[], str]) -> None:
    """A corrected export for the latest date decides the places from that date on."""
    corrected = places((PEOPLE[0], "340602", "龙朔街道", "南湖社区"))
    with open_database(new_database()) as db:
        record_snapshot(db, frame(CONFIRMED), meta(6, "a"), places=JUNE)
        record_snapshot(db, frame(CONFIRMED), meta(8, "c"), places=JUNE)
        record_snapshot(db, frame(CONFIRMED), meta(8, "d"), places=corrected)
        assert_frame_equal(places_as_of(db, date(2017, 8, 1), area=AREA), corrected)
        assert_frame_equal(places_as_of(db, date(2017, 7, 1), area=AREA), JUNE)


def test_a_version_2_database_gains_the_places_table(empty_database: str) -> None:
    """A database canbao made at version 2 (no places) is upgraded to 3 on opening."""
    with open_database(empty_database) as db:
        record_snapshot(db, frame(CONFIRMED), meta(6, "a"))
        db.connection.execute("DROP TABLE canbao.person_places")
        db.connection.execute("UPDATE canbao.meta SET value = '2' WHERE key = 'schema_version'")
    with open_database(empty_database) as db:
        assert read_meta(db.connection)["schema_version"] == str(SCHEMA_VERSION)
        record_snapshot(db, frame(CONFIRMED), meta(8, "c"), places=JUNE)
        assert_frame_equal(places_as_of(db, date(2017, 8, 1), area=AREA), JUNE)
