"""canbao progress holds a city's states and places only for the dates it still needs: a weekly
report over months keeps a few dates' copies of the register, not one per week."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import date

import polars as pl
import pytest

from canbao.db import open_database
from canbao.match.vocabulary import ProgressPeriod
from canbao.progress import _counts, progress_report
from canbao.progress._counts import Register
from canbao.progress.api import ProgressReport
from tests.db.test_progress import POPULATION, load, places


def _rows(report: ProgressReport) -> list[tuple[object, ...]]:
    return [
        (row.period_label, row.county, row.counts, [rate.text for rate in row.rates])
        for row in report.rows
    ]


def test_a_weekly_report_holds_four_dates_at_most_and_counts_as_holding_all(
    engine: str, new_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten weekly windows: at most four dates' states and two dates' places held at once, the
    same rows as with all."""
    url = new_database()
    load(url)
    held: list[int] = []
    read = Register.states

    def states(self: Register, day: date) -> pl.DataFrame:
        frame = read(self, day)
        held.append(len(self._states))
        return frame

    # Each date's places, as the report keeps them (counties_of): how many are alive at once.
    places_alive: list[int] = []
    made: list[weakref.ref[pl.DataFrame]] = []
    reduce = _counts.counties_of

    def counties_of(places: pl.DataFrame) -> pl.DataFrame:
        places_alive.append(1 + sum(ref() is not None for ref in made))
        frame = reduce(places)
        made.append(weakref.ref(frame))
        return frame

    monkeypatch.setattr(Register, "states", states)
    monkeypatch.setattr(_counts, "counties_of", counties_of)
    with open_database(url) as db:
        weekly = progress_report(
            db, population=POPULATION, places=places, kind=ProgressPeriod.WEEKLY
        )
        kept, held[:] = list(held), []
        places_kept = list(places_alive)
        monkeypatch.setattr(Register, "keep_only", lambda self, days: None)
        holding_all = progress_report(
            db, population=POPULATION, places=places, kind=ProgressPeriod.WEEKLY
        )
    assert len({row.period_label for row in weekly.rows}) == 11  # ten weeks and 累计
    assert max(kept) <= 4 < max(held)
    assert len(places_kept) == 10 and max(places_kept) <= 2  # ten ends, the last the as-of date
    assert _rows(weekly) == _rows(holding_all)
