"""Survey results: who a survey visited and whom a valid form confirmed (已核实入库), and the
visit list of the next round (下一轮入户名单) that follows from them (docs/database.md).

``canbao intake --db`` records one row per person visited (the intake's date, whether a valid
form confirmed the person, the form's reasons for not being insured). The visit list is the
match's needs-survey persons less those confirmed by a form on or after the date their
needs-survey state (its reasons) began in the register. The match's own sets never change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pyarrow as pa

from canbao.db._connection import Connection

RESULT_COLUMNS = ("person_key", "confirmed", "reason")
INCOMING = "canbao_survey_incoming"
# Plain (not large or view) strings: both engines' Arrow readers take them.
SCHEMA = pa.schema(
    [("person_key", pa.string()), ("confirmed", pa.bool_()), ("reason", pa.string())]
)

# Only rows not already there: the same intake recorded twice adds nothing.
INSERT_RESULTS = (
    "INSERT INTO canbao.survey_results (person_key, visited, confirmed, reason, recorded_at) "
    f"SELECT i.person_key, $1, i.confirmed, i.reason, $2 FROM {INCOMING} i "
    "WHERE NOT EXISTS (SELECT 1 FROM canbao.survey_results r WHERE r.person_key = i.person_key "
    "AND r.visited = $1 AND r.confirmed = i.confirmed AND r.reason = i.reason)"
)


def record_survey_results(con: Connection, results: pl.DataFrame, visited: date) -> int:
    """Record the visits of one intake (person_key, confirmed, reason); return the rows added."""
    frame = (
        results.select(
            pl.col("person_key").cast(pl.String),
            pl.col("confirmed").cast(pl.Boolean),
            pl.col("reason").cast(pl.String).fill_null(""),
        )
        .filter(pl.col("person_key").is_not_null())
        .group_by("person_key")
        .agg(pl.col("confirmed").any(), pl.col("reason").sort().last())
        .sort("person_key")
    )
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with con.transaction():
        before = _count(con)
        con.ingest(INCOMING, frame.to_arrow().cast(SCHEMA))
        con.execute(INSERT_RESULTS, (visited, now))
        con.execute(f"DROP TABLE {INCOMING}")
        return _count(con) - before


def _count(con: Connection) -> int:
    table = con.fetch("SELECT COUNT(*) AS n FROM canbao.survey_results")
    return int(table.column("n")[0].as_py())


def survey_results(con: Connection) -> pl.DataFrame:
    """Every recorded visit: person_key, visited, confirmed, reason."""
    table = con.fetch(
        "SELECT person_key, visited, confirmed, reason FROM canbao.survey_results "
        "ORDER BY person_key, visited"
    )
    return pl.DataFrame(table)


# The person held ``state`` ($2) in ``area`` ($1) on the date ($3), in a standing interval.
_HELD = (
    "p.area = $1 AND p.state = $2 AND p.retired_by IS NULL AND p.began <= $3 "
    "AND (p.ended IS NULL OR p.ended > $3)"
)


def confirmed_since_reasons(con: Connection, as_of: date, *, area: str, state: str) -> pl.DataFrame:
    """The persons (person_key) in ``state`` (the needs-survey code) on ``as_of`` whom a valid
    form confirmed on or after the day that state with its present reasons began."""
    table = con.fetch(
        "SELECT DISTINCT p.person_key FROM canbao.person_states p "
        "JOIN canbao.survey_results r ON r.person_key = p.person_key "
        f"WHERE {_HELD} AND r.confirmed AND r.visited >= p.began ORDER BY 1",
        (area, state, as_of),
    )
    return pl.DataFrame(table).cast({"person_key": pl.String})


def confirmed_by_ledger_since(
    con: Connection, as_of: date, *, area: str, state: str
) -> pl.DataFrame:
    """The persons (person_key) in ``state`` on ``as_of`` whom a ledger (台账) confirmed, as
    recorded by ``forms survey --ledger --db``, on or after that state with its reasons began."""
    table = con.fetch(
        "SELECT DISTINCT p.person_key FROM canbao.person_states p "
        "JOIN canbao.ledger_confirmations c ON c.person_key = p.person_key "
        f"WHERE {_HELD} AND c.confirmed_on >= p.began ORDER BY 1",
        (area, state, as_of),
    )
    return pl.DataFrame(table).cast({"person_key": pl.String})


def has_snapshot(con: Connection, as_of: date, *, area: str) -> bool:
    """Whether a standing snapshot of ``area`` on ``as_of`` was recorded."""
    table = con.fetch(
        "SELECT COUNT(*) AS n FROM canbao.runs WHERE area = $1 AND as_of = $2 "
        "AND retired_by IS NULL",
        (area, as_of),
    )
    return int(table.column("n")[0].as_py()) > 0
