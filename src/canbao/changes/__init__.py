"""``canbao changes``: who entered and who left each set between two snapshots, and why.

:func:`changes_between` reads two dates of the registration database (canbao.db) and returns
every change, placed in its county, township and village; :func:`write_changes` writes a
print-ready workbook per county and a CSV of all. docs/database.md describes the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from canbao.errors import UsageError
from canbao.i18n import _

if TYPE_CHECKING:
    from canbao.db import Database

__all__ = ["Changes", "changes_between", "write_changes"]


@dataclass(frozen=True)
class Changes:
    """The changes of ``area`` from ``start`` to ``end``: one row per person, list and direction.

    ``rows``: county, township, village, person_key, list, direction, reason, sorted for field
    teams (county, township, village, person, list, direction).
    """

    area: str
    start: date
    end: date
    rows: pl.DataFrame

    def counts(self) -> pl.DataFrame:
        """Persons per list, direction and reason (list, direction, reason, persons)."""
        from canbao.changes._tables import counts

        return counts(self.rows)

    def to_json(self) -> dict[str, Any]:
        """The run as JSON-ready data: dates, area and counts (no ID)."""
        return {
            "area": self.area,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "persons": self.rows["person_key"].n_unique(),
            "changes": self.rows.height,
            "counts": self.counts().to_dicts(),
            "counties": {
                str(c): n for c, n in self.rows.group_by("county").len().sort("county").iter_rows()
            },
        }


def changes_between(
    db: Database,
    *,
    area: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Changes:
    """The changes between two dates of ``area`` (default: the database's only area).

    ``end`` defaults to the latest snapshot, ``start`` to the one before ``end``. A date between
    two snapshots reads the earlier one (the state that held then).
    """
    from canbao.changes._compute import change_rows
    from canbao.db import places_as_of, snapshot_areas, states_as_of, survey_results

    chosen = _area(snapshot_areas(db), area)
    start, end = _dates(db, chosen, start, end)
    # Only the persons who may have changed between the two dates are read: anyone else is on
    # the same lists on both (at 10 M persons, reading everyone twice took most of the memory).
    changed = (start, end)
    before = _states(states_as_of(db, start, area=chosen, changed=changed))
    after = _states(states_as_of(db, end, area=chosen, changed=changed))
    survey = survey_results(db).select(
        pl.col("person_key").cast(pl.String),
        pl.col("visited").cast(pl.Date),
        pl.col("confirmed").cast(pl.Boolean),
    )
    places = (
        _places(places_as_of(db, start, area=chosen, changed=changed)),
        _places(places_as_of(db, end, area=chosen, changed=changed)),
    )
    rows = change_rows(before, after, survey, places, (start, end))
    order = ["county", "township", "village", "person_key", "list", "direction"]
    return Changes(chosen, start, end, rows.sort(order))


def _states(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("person_key").cast(pl.String),
        pl.col("state").cast(pl.String),
        pl.col("detail").cast(pl.String),
        pl.col("began").cast(pl.Date),
    )


def _places(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.cast(pl.String)


def _area(areas: list[str], area: str | None) -> str:
    """The area asked for, or the only one recorded; a usage error naming the choices else."""
    if area is not None:
        if area not in areas:
            raise UsageError(
                _("no snapshot of area {area} in the database").format(area=area),
                fix=_("recorded areas: {areas}").format(areas=", ".join(areas) or _("none")),
            )
        return area
    if len(areas) == 1:
        return areas[0]
    if not areas:
        raise UsageError(
            _("no snapshot recorded in the database yet"),
            fix=_("record the snapshots of two months with canbao match … --db first"),
        )
    raise UsageError(
        _("the database holds {n} areas: name one with --area").format(n=len(areas)),
        fix=_("recorded areas: {areas}").format(areas=", ".join(areas)),
    )


def _dates(db: Database, area: str, start: date | None, end: date | None) -> tuple[date, date]:
    """``end``: given or the latest snapshot; ``start``: given or the snapshot before ``end``."""
    from canbao.db import snapshot_runs

    runs = snapshot_runs(db, area=area)
    dates = sorted({d for d, r in zip(runs["as_of"], runs["retired_by"], strict=True) if r is None})
    end = end or dates[-1]
    if start is None:
        earlier = [d for d in dates if d < end]
        if not earlier:
            raise UsageError(
                _("no snapshot before {end} to compare with").format(end=end),
                fix=_("record another month, or give the first date with --from"),
            )
        start = earlier[-1]
    if start >= end:
        raise UsageError(
            _("--from {start} is not before --to {end}").format(start=start, end=end),
            fix=_("swap the two dates"),
        )
    return start, end


def write_changes(changes: Changes, output: str | Path) -> list[Path]:
    """Write ``changes.csv``, ``changes.json`` and one workbook per county under ``output``
    (replaced atomically, only if canbao wrote it); return the workbooks' paths."""
    from canbao.changes._tables import publish

    return publish(changes, Path(output))
