"""Manual decisions and ledger confirmations: what the register learns besides the match.

A **decision** is recorded by an analyst with ``canbao decide``: a conflict resolved by hand, a
duplicate cleaned at the agency (the kinds are the caller's codes, ``DecisionKind`` of the
match's vocabulary), with who decided, on which date and why. They count as corrections
(rate 8, 错误信息更正率). A **ledger confirmation** is recorded by ``canbao forms survey
--ledger … --db``: a person a village ledger (台账) confirmed, the date and the ledgers' sources;
like a valid form, it takes the person off the next visit list until their reasons change.

Both are appended in one transaction each, and the same rows recorded again add nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pyarrow as pa

from canbao.db._connection import Connection

DECISION_COLUMNS = ("person_key", "kind", "decided_on", "decided_by", "reason")
DECISIONS_INCOMING = "canbao_decisions_incoming"
DECISION_SCHEMA = pa.schema(
    [
        ("person_key", pa.string()),
        ("kind", pa.string()),
        ("decided_on", pa.date32()),
        ("decided_by", pa.string()),
        ("reason", pa.string()),
    ]
)
INSERT_DECISIONS = (
    "INSERT INTO canbao.decisions (person_key, kind, decided_on, decided_by, reason, "
    f"recorded_at) SELECT i.person_key, i.kind, i.decided_on, i.decided_by, i.reason, $1 "
    f"FROM {DECISIONS_INCOMING} i WHERE NOT EXISTS (SELECT 1 FROM canbao.decisions d "
    "WHERE d.person_key = i.person_key AND d.kind = i.kind AND d.decided_on = i.decided_on "
    "AND d.decided_by = i.decided_by AND d.reason = i.reason)"
)

LEDGER_INCOMING = "canbao_ledger_incoming"
LEDGER_SCHEMA = pa.schema([("person_key", pa.string()), ("source", pa.string())])
INSERT_LEDGER = (
    "INSERT INTO canbao.ledger_confirmations (person_key, confirmed_on, source, recorded_at) "
    f"SELECT i.person_key, $1, i.source, $2 FROM {LEDGER_INCOMING} i WHERE NOT EXISTS ("
    "SELECT 1 FROM canbao.ledger_confirmations c WHERE c.person_key = i.person_key "
    "AND c.confirmed_on = $1 AND c.source = i.source)"
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _count(con: Connection, table: str) -> int:
    return int(con.fetch(f"SELECT COUNT(*) AS n FROM canbao.{table}").column("n")[0].as_py())


def record_decisions(con: Connection, decisions: pl.DataFrame) -> int:
    """Append ``decisions`` (the :data:`DECISION_COLUMNS`); return the rows added."""
    frame = decisions.select(
        pl.col("person_key").cast(pl.String),
        pl.col("kind").cast(pl.String),
        pl.col("decided_on").cast(pl.Date),
        pl.col("decided_by").cast(pl.String).str.strip_chars(),
        pl.col("reason").cast(pl.String).str.strip_chars(),
    ).unique(maintain_order=True)
    with con.transaction():
        before = _count(con, "decisions")
        con.ingest(DECISIONS_INCOMING, frame.to_arrow().cast(DECISION_SCHEMA))
        con.execute(INSERT_DECISIONS, (_now(),))
        con.execute(f"DROP TABLE {DECISIONS_INCOMING}")
        return _count(con, "decisions") - before


def decisions(con: Connection, *, until: date | None = None) -> pl.DataFrame:
    """Every decision taken on or before ``until`` (all when None), oldest first."""
    where, params = ("WHERE decided_on <= $1 ", (until,)) if until is not None else ("", ())
    table = con.fetch(
        "SELECT person_key, kind, decided_on, decided_by, reason FROM canbao.decisions "
        f"{where}ORDER BY decided_on, person_key, kind, recorded_at",
        params,
    )
    return _typed(pl.DataFrame(table), DECISION_SCHEMA)


def record_ledger_confirmations(con: Connection, confirmed: pl.DataFrame, on: date) -> int:
    """Append the persons a ledger confirmed on ``on`` (person_key, source); rows added."""
    frame = (
        confirmed.select(
            pl.col("person_key").cast(pl.String), pl.col("source").cast(pl.String).fill_null("")
        )
        .filter(pl.col("person_key").is_not_null())
        .unique(maintain_order=True)
    )
    with con.transaction():
        before = _count(con, "ledger_confirmations")
        con.ingest(LEDGER_INCOMING, frame.to_arrow().cast(LEDGER_SCHEMA))
        con.execute(INSERT_LEDGER, (on, _now()))
        con.execute(f"DROP TABLE {LEDGER_INCOMING}")
        return _count(con, "ledger_confirmations") - before


def ledger_confirmations(con: Connection) -> pl.DataFrame:
    """Every ledger confirmation recorded: person_key, confirmed_on, source."""
    table = con.fetch(
        "SELECT person_key, confirmed_on, source FROM canbao.ledger_confirmations "
        "ORDER BY person_key, confirmed_on, source"
    )
    schema = pa.schema(
        [("person_key", pa.string()), ("confirmed_on", pa.date32()), ("source", pa.string())]
    )
    return _typed(pl.DataFrame(table), schema)


def _typed(frame: pl.DataFrame, schema: pa.Schema) -> pl.DataFrame:
    """``frame`` with the columns of ``schema`` typed (an empty result has no types of its own)."""
    empty = pl.DataFrame(pa.Table.from_pylist([], schema=schema))
    if frame.height == 0:
        return empty
    return frame.cast(empty.schema)
