"""The periods of a progress report: 人社厅发〔2017〕28号's 双月调度 (periods ending with February,
April, June, August, October and December), months, or weeks ending on Sunday.

A period is (start, end]: it holds the snapshots and visits dated after ``start`` up to and
including ``end``. The last period ends on the report's as-of date (a period cut short when the
date is not a period's end); earlier periods are whole, back to the one holding the first
snapshot.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from canbao.match.vocabulary import ProgressPeriod


@dataclass(frozen=True)
class Period:
    """(start, end]: after ``start``, up to and including ``end``."""

    start: date
    end: date

    @property
    def label(self) -> str:
        """``2017-07-01—2017-08-31``: the first and last day of the period."""
        return f"{self.start + timedelta(days=1)}—{self.end}"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_end(day: date, kind: ProgressPeriod) -> date:
    """The last day of the period of ``kind`` holding ``day``."""
    if kind == ProgressPeriod.WEEKLY:
        return day + timedelta(days=6 - day.weekday())
    month = day.month + (day.month % 2 if kind == ProgressPeriod.BIMONTHLY else 0)
    return _month_end(day.year, month)


def previous_end(end: date, kind: ProgressPeriod) -> date:
    """The last day of the period before the one ending on ``end`` (a period's end)."""
    if kind == ProgressPeriod.WEEKLY:
        return end - timedelta(days=7)
    months = 2 if kind == ProgressPeriod.BIMONTHLY else 1
    index = end.year * 12 + end.month - 1 - months
    return _month_end(index // 12, index % 12 + 1)


def periods(first: date, as_of: date, kind: ProgressPeriod) -> list[Period]:
    """The periods from the one holding ``first`` (the first snapshot) to the one ending on
    ``as_of``, oldest first."""
    out: list[Period] = []
    end = as_of
    start = previous_end(period_end(as_of, kind), kind)
    while True:
        out.append(Period(start, end))
        if start < first:
            break
        end, start = start, previous_end(start, kind)
    return out[::-1]
