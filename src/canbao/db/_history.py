"""Reading the register over a stretch of time: the areas recorded and the states that held at
some moment between two dates (what ``canbao progress`` counts; docs/database.md, "Progress")."""

from __future__ import annotations

from datetime import date

import polars as pl

from canbao.db._connection import Connection
from canbao.db._snapshots import STATE_COLUMNS


def areas(con: Connection) -> list[str]:
    """The areas that have a standing snapshot, in code order."""
    table = con.fetch(
        "SELECT DISTINCT area FROM canbao.runs WHERE retired_by IS NULL ORDER BY area"
    )
    return [str(a) for a in table.column("area").to_pylist()]


def states_between(
    con: Connection, first: date, last: date, *, area: str, state: str | None = None
) -> pl.DataFrame:
    """Every (person_key, state, detail) that held on some day from ``first`` to ``last``
    (only the rows of ``state`` when given: the database filters, the rest is never read)."""
    only, params = ("AND state = $4 ", (state,)) if state is not None else ("", ())
    table = con.fetch(
        "SELECT DISTINCT person_key, state, detail FROM canbao.person_states "
        "WHERE area = $1 AND retired_by IS NULL AND began <= $3 "
        f"AND (ended IS NULL OR ended > $2) {only}ORDER BY person_key, state, detail",
        (area, first, last, *params),
    )
    return pl.DataFrame(table).cast({name: pl.String for name in STATE_COLUMNS})
