"""The counts behind the rates, per county, for one window of time, from the register.

Every count is a Polars plan over the states that held (``canbao.db.states_as_of``), the survey
results (``canbao.db.survey_results``); docs/database.md ("Progress") defines each.
A measure is a frame of person keys (a row per error for the error counts); the county of each
person comes from ``places`` (person_key, county) and is null when unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Final

import polars as pl

from canbao.db import (
    Database,
    decisions,
    ledger_confirmations,
    states_as_of,
    states_between,
    survey_results,
)
from canbao.forms.form_codes import REASON_COLUMNS
from canbao.match.tables import DUPLICATE_COLUMNS, TABLE1_COLUMNS
from canbao.match.vocabulary import DecisionKind, PersonState
from canbao.progress import _rates as r

# The facts 淮人社秘〔2017〕376号 and the Changzhou fee rule need besides the rates' counts.
ENTERED_IN_REGISTER: Final = "登记信息入库人数"
VERIFIED_UNINSURED: Final = "已核实的应保未保人数"
INSURED_AFTER_SURVEY: Final = "入户调查后的新参保人数"
FORMS_ENTERED: Final = "实际录入人数"
SCORING_FACTS: Final = (
    ENTERED_IN_REGISTER,
    VERIFIED_UNINSURED,
    INSURED_AFTER_SURVEY,
    FORMS_ENTERED,
)
# Table (一)'s survey-fed columns: (6), and each duplicate column's 已整合 column after it.
VERIFIED_COLUMN: Final = "#已核实入库人数"
MERGED_COLUMNS: Final = {
    f"{kind.value}:{itype}": TABLE1_COLUMNS[TABLE1_COLUMNS.index(name) + 1]
    for (itype, kind), name in DUPLICATE_COLUMNS.items()
    if name in TABLE1_COLUMNS[:-1]
    and TABLE1_COLUMNS[TABLE1_COLUMNS.index(name) + 1].startswith("#已整合")
}
REASON_HEADINGS: Final = tuple(dict.fromkeys(REASON_COLUMNS.values()))
KEY = "person_key"


@dataclass(frozen=True)
class Window:
    """Visits after ``start`` (None: from the first) up to ``end``; errors and uninsured
    persons as they stood on ``baseline``, the window's first snapshot."""

    start: date | None
    end: date
    baseline: date


def _persons(states: pl.DataFrame, *wanted: PersonState) -> pl.DataFrame:
    codes = [s.value for s in wanted]
    return states.filter(pl.col("state").is_in(codes)).select(KEY).unique()


def _rows(states: pl.DataFrame, state: PersonState) -> pl.DataFrame:
    return states.filter(pl.col("state") == state.value).select(KEY, "detail").unique()


def _visits(visits: pl.DataFrame, window: Window) -> pl.DataFrame:
    inside = pl.col("visited") <= window.end
    if window.start is not None:
        inside = inside & (pl.col("visited") > window.start)
    return visits.filter(inside)


def _standing(states: pl.DataFrame, visits: pl.DataFrame, end: date) -> pl.DataFrame:
    """Persons needing a survey on ``end`` whom a valid form confirmed from the day their
    reasons last changed up to ``end`` (已核实入库; ``canbao.db.confirmed_by_survey`` without
    the forms entered after ``end``)."""
    needs = states.filter(pl.col("state") == PersonState.NEEDS_SURVEY.value)
    forms = visits.filter(pl.col("confirmed") & (pl.col("visited") <= end))
    return (
        needs.join(forms, on=KEY)
        .filter(pl.col("visited") >= pl.col("began").cast(pl.Date))
        .select(KEY)
        .unique()
    )


class Register:
    """The register of one area as the counts read it, each read once per report: the states
    and the persons' counties of a date, the survey's visits, the ledgers' confirmations and
    the manual decisions. ``places``: each person's place on a date (``canbao.db.places_as_of``
    for the area); None: the counties are unknown."""

    def __init__(
        self, db: Database, area: str, places: Callable[[date], pl.DataFrame] | None = None
    ) -> None:
        self.db = db
        self.area = area
        self._places = places
        self._states: dict[date, pl.DataFrame] = {}
        self._counties: dict[date, pl.DataFrame | None] = {}
        self._tables: dict[str, pl.DataFrame] = {}

    def states(self, day: date) -> pl.DataFrame:
        """The states that held on ``day`` (``canbao.db.states_as_of``)."""
        if day not in self._states:
            self._states[day] = states_as_of(self.db, day, area=self.area, ordered=False)
        return self._states[day]

    def counties(self, day: date) -> pl.DataFrame | None:
        """Each person's county on ``day`` (:func:`counties_of` of the places); None when the
        places are unknown."""
        if day not in self._counties:
            found = None if self._places is None else counties_of(self._places(day))
            self._counties[day] = found
        return self._counties[day]

    def keep_only(self, days: set[date]) -> None:
        """Let go of the states and counties of every other date (each date's are a row per
        person or state of the city: a weekly report over a campaign would otherwise hold one
        copy per week)."""
        self._states = {day: held for day, held in self._states.items() if day in days}
        self._counties = {day: held for day, held in self._counties.items() if day in days}

    def _table(self, name: str) -> pl.DataFrame:
        if name not in self._tables:
            if name == "visits":
                frame = survey_results(self.db).with_columns(pl.col("visited").cast(pl.Date))
            elif name == "ledgers":
                frame = ledger_confirmations(self.db).select(
                    KEY,
                    pl.col("confirmed_on").cast(pl.Date).alias("visited"),
                    pl.lit(True).alias("confirmed"),
                )
            else:
                frame = decisions(self.db).with_columns(pl.col("decided_on").cast(pl.Date))
            self._tables[name] = frame
        return self._tables[name]

    @property
    def visits(self) -> pl.DataFrame:
        """Every recorded visit: person_key, visited, confirmed, reason."""
        return self._table("visits")

    @property
    def ledgers(self) -> pl.DataFrame:
        """Every ledger confirmation as a confirmed visit: person_key, visited, confirmed."""
        return self._table("ledgers")

    @property
    def decisions(self) -> pl.DataFrame:
        """Every manual decision: person_key, kind, decided_on, decided_by, reason."""
        return self._table("decisions")


def _decided(reg: Register, kind: DecisionKind, window: Window) -> pl.DataFrame:
    """Persons a manual decision of ``kind`` (``canbao decide``) covers, taken in the window."""
    taken = reg.decisions.filter(
        (pl.col("kind") == kind.value) & (pl.col("decided_on") <= window.end)
    )
    if window.start is not None:
        taken = taken.filter(pl.col("decided_on") > window.start)
    return taken.select(pl.col(KEY).cast(pl.String)).unique()


def measures(reg: Register, window: Window) -> dict[str, pl.DataFrame]:
    """Each count's rows (person_key, repeated per error for the error counts)."""
    end = reg.states(window.end)
    base = reg.states(window.baseline)
    visits = reg.visits
    seen = _visits(visits, window)
    confirmed_visit = seen.filter(pl.col("confirmed"))
    standing = _standing(end, visits, window.end)
    by_ledger = _standing(end, reg.ledgers, window.end)
    needs = _persons(end, PersonState.NEEDS_SURVEY)
    targets = _persons(end, PersonState.CONFIRMED, PersonState.NEEDS_SURVEY)
    surveyed = needs.join(confirmed_visit.select(KEY), on=KEY, how="semi")
    errors = _rows(base, PersonState.CONFLICT)
    corrected = errors.join(_rows(end, PersonState.CONFLICT), on=[KEY, "detail"], how="anti")
    fixed = pl.concat(
        [confirmed_visit.select(KEY), _decided(reg, DecisionKind.CONFLICT_RESOLVED, window)]
    )
    by_form = errors.join(fixed, on=KEY, how="semi")
    uninsured = _persons(base, PersonState.UNINSURED)
    expanded = uninsured.join(_persons(end, PersonState.UNINSURED), on=KEY, how="anti").join(
        targets, on=KEY, how="semi"
    )
    return {
        r.ENROLLED: _persons(end, PersonState.ENROLLED),
        r.TARGETS: targets,
        r.NEEDS_SURVEY: needs,
        r.VISITED: needs.join(seen.select(KEY), on=KEY, how="semi"),
        r.SURVEY_CONFIRMED: surveyed,
        r.IN_REGISTER: pl.concat(
            [_persons(end, PersonState.CONFIRMED), standing, by_ledger]
        ).unique(),
        r.ERRORS: errors.select(KEY),
        r.CORRECTED: pl.concat([corrected, by_form]).unique().select(KEY),
        r.UNINSURED: uninsured,
        r.EXPANDED: expanded,
        ENTERED_IN_REGISTER: surveyed.join(standing, on=KEY, how="semi"),
        VERIFIED_UNINSURED: needs.join(
            confirmed_visit.filter(pl.col("reason") != "").select(KEY), on=KEY, how="semi"
        ),
        INSURED_AFTER_SURVEY: expanded.join(seen.select(KEY), on=KEY, how="semi"),
        FORMS_ENTERED: seen.select(KEY).unique().join(end.select(KEY), on=KEY, how="semi"),
    }


def table_measures(reg: Register, end: date) -> dict[str, pl.DataFrame]:
    """Rows of table (一)'s survey-fed columns and table (二)'s reasons, as they stood on ``end``.

    (6): persons needing a survey whom a form confirmed since their reasons last changed; each
    已整合 column: a duplicate held on some day up to ``end`` and no longer held on it, or whose
    person the agency cleaned by ``end`` (a ``duplicate_cleaned`` decision); each reason: the
    reasons of the person's latest confirmed form up to ``end``.
    """
    now = reg.states(end)
    visits = reg.visits
    out = {VERIFIED_COLUMN: _standing(now, visits, end)}
    duplicate = PersonState.DUPLICATE
    ever = states_between(reg.db, date.min, end, area=reg.area, state=duplicate.value)
    held = _rows(ever, duplicate)
    by_agency = _decided(reg, DecisionKind.DUPLICATE_CLEANED, Window(None, end, end))
    cleaned = pl.concat(
        [
            held.join(_rows(now, PersonState.DUPLICATE), on=[KEY, "detail"], how="anti"),
            held.join(by_agency, on=KEY, how="semi"),
        ]
    ).unique()
    for detail, column in MERGED_COLUMNS.items():
        out[column] = cleaned.filter(pl.col("detail") == detail).select(KEY).unique()
    forms = (
        visits.filter(pl.col("confirmed") & (pl.col("visited") <= end))
        .join(now.select(KEY).unique(), on=KEY, how="semi")
        .sort("visited")
        .group_by(KEY)
        .agg(pl.col("reason").last())
        .with_columns(pl.col("reason").str.split(";"))
        .explode("reason")
        .with_columns(pl.col("reason").replace_strict(REASON_COLUMNS, default=None).alias("col"))
    )
    for heading in REASON_HEADINGS:
        out[heading] = forms.filter(pl.col("col") == heading).select(KEY).unique()
    return out


def counties_of(places: pl.DataFrame) -> pl.DataFrame:
    """Each person's county as :func:`per_county` joins it: person_key (String) and county
    (null for none), a row per person (the first place listed). Made once per date: a date's
    places are a row per person of the city (``canbao.db.places_as_of``)."""
    county = pl.col("county").cast(pl.String)
    known = pl.when(county != "").then(county).alias("county")  # "": no county
    return places.select(pl.col(KEY).cast(pl.String), known).unique(KEY, keep="first")


def per_county(found: dict[str, pl.DataFrame], where: pl.DataFrame | None) -> pl.DataFrame:
    """One row per county (null: county unknown) and a column per measure, counted; ``where``:
    the persons' counties (:func:`counties_of`), None when the register holds no places.

    Each measure is counted on its own (its rows joined to the places, grouped by county) and
    only the small per-county tables are put together: one long table of every measure's rows
    with the measure's name beside each held ten copies of the persons (at 10 M persons, gigabytes).
    """
    tables = []
    for name, rows in found.items():
        keys = rows.select(pl.col(KEY).cast(pl.String))
        if where is None:
            placed = keys.select(pl.lit(None, pl.String).alias("county"))
        else:
            placed = keys.join(where, on=KEY, how="left").select("county")
        tables.append(placed.group_by("county").len().rename({"len": name}))
    long = (
        pl.concat(tables, how="diagonal_relaxed")
        if tables
        else pl.DataFrame(schema={"county": pl.String})
    )
    table = long.group_by("county").agg(pl.col(n).sum() for n in found)
    return table.select(
        pl.col("county").cast(pl.String),
        *(pl.col(n).cast(pl.Int64).fill_null(0).alias(n) for n in found),
    ).sort("county", nulls_last=True)
