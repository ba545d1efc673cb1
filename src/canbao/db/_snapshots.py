"""Snapshots: each person's state per match run, stored as the intervals in which it held.

A snapshot is the set of (person, state, detail) rows of one run: a person confirmed, needing
a survey (detail: the reasons), uninsured (the flags), excluded (why), in a duplicate or a
conflict (the kind). Only changes are written: a row the previous snapshot already had stays
one open interval; a row it lacked begins one; a row it had and this one lacks ends one. A city
whose people mostly keep their state costs little more for a year of monthly runs than for one.

Identity (area, as-of date), revisions and out-of-order loads follow the specification:

- the same inputs and options for the same area and date: nothing changes (``unchanged``);
- other inputs or options for the latest date: a new revision replaces it (``revised``); the
  replaced run and the intervals it began or ended stay in the tables with ``retired_by``;
- a date older than the latest: refused, unless ``rebuild=True``, which retires every run from
  that date on and continues the history from it (``rebuilt``; reload the later months after);
- a load that fails for any reason records nothing: it is one transaction.

The state codes are text here; the match's vocabulary (``canbao.match.vocabulary``) will name
them when the match writes its snapshots.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

import polars as pl
import pyarrow as pa

from canbao.db._connection import Connection
from canbao.db._intervals import PLACES, STATES
from canbao.db._places import load_places, prepared_places
from canbao.errors import DatabaseError, InputError
from canbao.i18n import _, ngettext

STATE_COLUMNS = ("person_key", "state", "detail")
INCOMING = STATES.incoming

# The two statements of a load ($1 area, $2 as-of date, $3 run): end every open interval the
# snapshot lacks, begin one for every row of the snapshot without an open interval.
END_INTERVALS = STATES.end_statement
BEGIN_INTERVALS = STATES.begin_statement

Outcome = Literal["recorded", "unchanged", "revised", "rebuilt"]


@dataclass(frozen=True)
class SnapshotMeta:
    """What identifies a snapshot and what it was made from.

    ``inputs`` pairs each input's role (household, pension, ...) with its SHA-256; together
    with ``options`` they decide whether a load repeats an earlier one. ``summary`` is the
    run's summary as JSON-ready data (no personal values: it holds counts).
    """

    as_of: date
    area: str
    inputs: Sequence[tuple[str, str]]
    options: Mapping[str, Any] = field(default_factory=dict)
    summary: Mapping[str, Any] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """SHA-256 of the inputs (in any order) and the options: equal means the same load."""
        document = {"inputs": sorted(map(list, self.inputs)), "options": self.options}
        text = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SnapshotResult:
    """What a load did: its run, its revision, and how many intervals began and ended."""

    run_id: int
    revision: int
    outcome: Outcome
    began: int
    ended: int


def prepared_states(states: pl.DataFrame) -> pa.Table:
    """The snapshot's rows as Arrow text columns, each (person, state, detail) once.

    A missing detail is the empty text (so that equal rows compare equal in SQL). A row with
    no person key or no state is refused; the message counts rows and quotes none.
    """
    missing = [name for name in ("person_key", "state") if name not in states.columns]
    if missing:
        raise InputError(
            _("the snapshot frame lacks the columns {columns}").format(columns=", ".join(missing)),
            fix=_("pass the three columns person_key, state, detail"),
        )
    detail = pl.col("detail") if "detail" in states.columns else pl.lit(None).alias("detail")
    frame = states.select(
        pl.col("person_key").cast(pl.String).str.strip_chars(),
        pl.col("state").cast(pl.String).str.strip_chars(),
        detail.cast(pl.String).fill_null(""),
    )
    bad = frame.filter(
        pl.col("person_key").is_null()
        | (pl.col("person_key") == "")
        | pl.col("state").is_null()
        | (pl.col("state") == "")
    ).height
    if bad:
        raise InputError(
            ngettext(
                "{n} snapshot row lacks a person key or a state",
                "{n} snapshot rows lack a person key or a state",
                bad,
            ).format(n=bad),
            fix=_("every row needs a person key and a state code"),
        )
    unique = frame.unique(maintain_order=False)
    # Plain (not large or view) strings: both engines' Arrow readers take them.
    schema = pa.schema([(name, pa.string()) for name in STATE_COLUMNS])
    return unique.to_arrow().cast(schema)


def record_snapshot(
    con: Connection,
    states: pl.DataFrame,
    meta: SnapshotMeta,
    *,
    rebuild: bool = False,
    places: pl.DataFrame | None = None,
) -> SnapshotResult:
    """Record one snapshot of ``states`` (person_key, state, detail) as the module says.

    ``places`` (person_key, county, township, village), when given, is recorded the same
    changes-only way in ``canbao.person_places`` (schema version 3); without it the places of
    the area are left as they were.
    """
    incoming = prepared_states(states)
    where = None if places is None else prepared_places(places)
    fingerprint = meta.fingerprint()
    with con.transaction():
        live = _live_runs(con, meta.area)
        for run in live:
            if run["as_of"] == meta.as_of and run["fingerprint"] == fingerprint:
                return SnapshotResult(run["run_id"], run["revision"], "unchanged", 0, 0)
        latest: date | None = live[-1]["as_of"] if live else None
        if latest is not None and meta.as_of < latest and not rebuild:
            raise _older_than_latest(meta, latest)
        run_id, revision = _next_run(con, meta)
        outcome: Outcome = "recorded"
        if latest is not None and meta.as_of <= latest:
            outcome = "revised" if meta.as_of == latest else "rebuilt"
            _rewind(con, meta.area, meta.as_of, run_id)
        _insert_run(con, run_id, revision, fingerprint, meta)
        con.ingest(INCOMING, incoming)
        _analyze(con)
        _end_intervals(con, meta.area, meta.as_of, run_id)
        _begin_intervals(con, meta.area, meta.as_of, run_id)
        con.execute(f"DROP TABLE {INCOMING}")
        if where is not None:
            load_places(con, where, meta.area, meta.as_of, run_id)
        began, ended = _counts(con, run_id)
    return SnapshotResult(run_id, revision, outcome, began, ended)


def _live_runs(con: Connection, area: str) -> list[dict[str, Any]]:
    """The area's standing runs (not replaced), oldest as-of date first."""
    rows: list[dict[str, Any]] = con.fetch(
        "SELECT run_id, as_of, revision, fingerprint FROM canbao.runs "
        "WHERE area = $1 AND retired_by IS NULL ORDER BY as_of",
        (area,),
    ).to_pylist()
    return rows


def check_order(con: Connection, meta: SnapshotMeta, *, rebuild: bool = False) -> None:
    """Refuse, before anything is published, a snapshot that :func:`record_snapshot` would.

    A date older than the area's latest is refused unless ``rebuild``; the same inputs and
    options as a standing snapshot pass (they will change nothing). The load checks again
    inside its transaction: another run may have recorded in between.
    """
    live = _live_runs(con, meta.area)
    fingerprint = meta.fingerprint()
    if any(r["as_of"] == meta.as_of and r["fingerprint"] == fingerprint for r in live):
        return
    if live and meta.as_of < live[-1]["as_of"] and not rebuild:
        raise _older_than_latest(meta, live[-1]["as_of"])


def _older_than_latest(meta: SnapshotMeta, latest: date) -> DatabaseError:
    return DatabaseError(
        _(
            "the snapshot of area {area} on {as_of} is older than the latest recorded one, "
            "{latest}; nothing was recorded"
        ).format(area=meta.area or _("(all)"), as_of=meta.as_of, latest=latest),
        fix=_(
            "record the snapshots in date order; to rebuild the history from this date, add "
            "--rebuild-history and record the later snapshots again"
        ),
    )


def _next_run(con: Connection, meta: SnapshotMeta) -> tuple[int, int]:
    """The next run id (over all areas) and the next revision of (area, as_of)."""
    row = con.fetch(
        "SELECT (SELECT COALESCE(MAX(run_id), 0) FROM canbao.runs) AS last_run, "
        "(SELECT COUNT(*) FROM canbao.runs WHERE area = $1 AND as_of = $2) AS revisions",
        (meta.area, meta.as_of),
    ).to_pylist()[0]
    return int(row["last_run"]) + 1, int(row["revisions"]) + 1


def _insert_run(
    con: Connection, run_id: int, revision: int, fingerprint: str, meta: SnapshotMeta
) -> None:
    def as_json(value: object) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)

    con.execute(
        "INSERT INTO canbao.runs (run_id, area, as_of, revision, fingerprint, inputs, options, "
        "summary, recorded_at, retired_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)",
        (
            run_id,
            meta.area,
            meta.as_of,
            revision,
            fingerprint,
            as_json(sorted(map(list, meta.inputs))),
            as_json(meta.options),
            as_json(meta.summary),
            datetime.now(UTC).isoformat(timespec="seconds"),
        ),
    )


def _rewind(con: Connection, area: str, as_of: date, run_id: int) -> None:
    """Take the history back to just before ``as_of`` (:meth:`IntervalTable.rewind`, states and
    places alike); the runs from the date on are retired by the new run, not deleted."""
    STATES.rewind(con, area, as_of, run_id)
    PLACES.rewind(con, area, as_of, run_id)
    con.execute(
        "UPDATE canbao.runs SET retired_by = $3 "
        "WHERE area = $1 AND retired_by IS NULL AND as_of >= $2",
        (area, as_of, run_id),
    )


def _analyze(con: Connection, incoming: str = INCOMING) -> None:
    """Keep PostgreSQL's planner off nested loops for the joins of a load.

    A temporary table is never analysed by autovacuum, and a table just filled by the first
    load has no statistics yet: the planner then takes one side for a row or none and joins in
    a nested loop, a million times a million (measured: over 13 minutes for the second month
    of a million persons). With nested loops off (for this transaction only) every join of a
    load is a hash or merge join, whatever the statistics say. DuckDB needs nothing.
    """
    if con.engine == "postgresql":
        con.execute("SET LOCAL enable_nestloop = off")
        con.execute(f"ANALYZE {incoming}")


def _end_intervals(con: Connection, area: str, as_of: date, run_id: int) -> None:
    """End every open interval whose row the snapshot no longer has."""
    con.execute(END_INTERVALS, (area, as_of, run_id))


def _begin_intervals(con: Connection, area: str, as_of: date, run_id: int) -> None:
    """Open an interval for every row of the snapshot that has no open one."""
    con.execute(BEGIN_INTERVALS, (area, as_of, run_id))


def _counts(con: Connection, run_id: int) -> tuple[int, int]:
    row = con.fetch(
        "SELECT (SELECT COUNT(*) FROM canbao.person_states WHERE began_run = $1 "
        "AND retired_by IS NULL) AS began, "
        "(SELECT COUNT(*) FROM canbao.person_states WHERE ended_run = $1 "
        "AND retired_by IS NULL) AS ended",
        (run_id,),
    ).to_pylist()[0]
    return int(row["began"]), int(row["ended"])


def states_as_of(
    con: Connection,
    as_of: date,
    *,
    area: str,
    changed: tuple[date, date] | None = None,
    ordered: bool = True,
) -> pl.DataFrame:
    """Every (person_key, state, detail) that held on ``as_of``, with the date it began;
    with ``changed`` (two dates), only the persons whose states may differ between them.
    ``ordered=False`` leaves the rows in the engine's order (no sort of the whole area)."""
    columns = "person_key, state, detail, began"
    query = STATES.held_on(columns, changed=changed is not None)
    order = " ORDER BY person_key, state, detail" if ordered else ""
    table = con.fetch_frame(query + order, (area, as_of, *(changed or ())))
    return table.cast({name: pl.String for name in STATE_COLUMNS})


def snapshot_runs(con: Connection, *, area: str) -> pl.DataFrame:
    """The runs recorded for ``area`` in load order, replaced ones with ``retired_by`` set."""
    table = con.fetch(
        "SELECT run_id, as_of, revision, fingerprint, retired_by, summary FROM canbao.runs "
        "WHERE area = $1 ORDER BY run_id",
        (area,),
    )
    return pl.DataFrame(table)
