"""Places (schema version 3): where each person lives per snapshot, stored as intervals.

``match --db`` gives the county, township and village of every person as its result files show
them (县区 code, 乡镇(街道) and 村(社区) as the household roster wrote them). They are kept like
the states (:mod:`canbao.db._intervals`): a person who stays in the same village keeps one open
interval, a move ends it and begins another. ``changes`` and ``progress`` read them per date to
sort and count per county, township and village.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pyarrow as pa

from canbao.db._connection import Connection
from canbao.db._intervals import PLACES

PLACE_COLUMNS = ("person_key", "county", "township", "village")


def prepared_places(places: pl.DataFrame) -> pa.Table:
    """One row per person (a missing place part is the empty text), as plain Arrow strings.

    A person given two places (a household and a floating row) keeps the first in sort order,
    so that the same frame always stores the same place; rows without a person key are left out.
    """
    given = [name for name in PLACE_COLUMNS if name in places.columns]
    frame = places.select(
        *(
            (pl.col(name) if name in given else pl.lit(None))
            .cast(pl.String)
            .fill_null("")
            .alias(name)
            for name in PLACE_COLUMNS
        )
    ).with_columns(pl.col("person_key").str.strip_chars())
    unique = (
        frame.filter(pl.col("person_key") != "")
        .sort(PLACE_COLUMNS)
        .unique("person_key", keep="first", maintain_order=True)
    )
    schema = pa.schema([(name, pa.string()) for name in PLACE_COLUMNS])
    return unique.to_arrow().cast(schema)


def load_places(con: Connection, places: pa.Table, area: str, as_of: date, run_id: int) -> None:
    """End the places the snapshot changed, begin the new ones (inside the load's transaction)."""
    con.ingest(PLACES.incoming, places)
    if con.engine == "postgresql":
        con.execute(f"ANALYZE {PLACES.incoming}")
    con.execute(PLACES.end_statement, (area, as_of, run_id))
    con.execute(PLACES.begin_statement, (area, as_of, run_id))
    con.execute(f"DROP TABLE {PLACES.incoming}")


def places_as_of(
    con: Connection, as_of: date, *, area: str, changed: tuple[date, date] | None = None
) -> pl.DataFrame:
    """Each person's place on ``as_of`` in ``area``: person_key, county, township, village;
    with ``changed`` (two dates), only of the persons whose states may differ between them."""
    query = PLACES.held_on(", ".join(PLACE_COLUMNS), changed=changed is not None)
    table = con.fetch_frame(query + " ORDER BY person_key", (area, as_of, *(changed or ())))
    return table.cast(dict.fromkeys(PLACE_COLUMNS, pl.String))
