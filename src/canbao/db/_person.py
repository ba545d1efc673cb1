"""One person's record in the register: every dated state, visit, ledger confirmation, decision.

The key is the citizen ID in full, as the match normalised it; what is read here is the work
product (full IDs): whoever prints it masks it (``canbao person``).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from canbao.db._connection import Connection


@dataclass(frozen=True)
class PersonRecord:
    """Everything the register holds on one person (each frame oldest first)."""

    person_key: str
    states: pl.DataFrame  # area, state, detail, began, ended, retired (a replaced revision)
    visits: pl.DataFrame  # visited, confirmed, reason
    ledgers: pl.DataFrame  # confirmed_on, source
    decisions: pl.DataFrame  # decided_on, kind, decided_by, reason
    places: pl.DataFrame  # area, county, township, village, began, ended (standing rows)

    @property
    def known(self) -> bool:
        """Whether the register holds anything on this person."""
        return any(f.height for f in (self.states, self.visits, self.ledgers, self.decisions))


def person_record(con: Connection, person_key: str) -> PersonRecord:
    """Read :class:`PersonRecord` for ``person_key`` (five queries, the person's rows only)."""
    states = con.fetch(
        "SELECT area, state, detail, began, ended, retired_by IS NOT NULL AS retired "
        "FROM canbao.person_states WHERE person_key = $1 "
        "ORDER BY area, began, retired, state, detail",
        (person_key,),
    )
    visits = con.fetch(
        "SELECT visited, confirmed, reason FROM canbao.survey_results WHERE person_key = $1 "
        "ORDER BY visited, confirmed",
        (person_key,),
    )
    ledgers = con.fetch(
        "SELECT confirmed_on, source FROM canbao.ledger_confirmations WHERE person_key = $1 "
        "ORDER BY confirmed_on, source",
        (person_key,),
    )
    decided = con.fetch(
        "SELECT decided_on, kind, decided_by, reason FROM canbao.decisions "
        "WHERE person_key = $1 ORDER BY decided_on, recorded_at, kind",
        (person_key,),
    )
    places = con.fetch(
        "SELECT area, county, township, village, began, ended FROM canbao.person_places "
        "WHERE person_key = $1 AND retired_by IS NULL ORDER BY area, began",
        (person_key,),
    )
    return PersonRecord(
        person_key,
        pl.DataFrame(states),
        pl.DataFrame(visits),
        pl.DataFrame(ledgers),
        pl.DataFrame(decided),
        pl.DataFrame(places),
    )


UNMATCHED_INCOMING = "canbao_unmatched_incoming"


def without_state(con: Connection, wanted: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``wanted`` (person_key, state) whose person never held that state in any
    standing interval of the register (a decision about a conflict nobody recorded)."""
    import pyarrow as pa

    schema = pa.schema([("person_key", pa.string()), ("state", pa.string())])
    with con.transaction():
        con.ingest(UNMATCHED_INCOMING, wanted.select("person_key", "state").to_arrow().cast(schema))
        table = con.fetch(
            f"SELECT w.person_key, w.state FROM {UNMATCHED_INCOMING} w WHERE NOT EXISTS ("
            "SELECT 1 FROM canbao.person_states p WHERE p.person_key = w.person_key "
            "AND p.state = w.state AND p.retired_by IS NULL) ORDER BY 1, 2"
        )
        con.execute(f"DROP TABLE {UNMATCHED_INCOMING}")
    return pl.DataFrame(table).cast({"person_key": pl.String, "state": pl.String})
