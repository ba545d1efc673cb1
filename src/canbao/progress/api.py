"""``canbao progress``: the nine rates per county and period, the progress table, tables (一) and
(二) with their survey-fed columns, and the facts scoring reads (docs/database.md, "Progress").

:func:`progress_report` computes (nothing written); :func:`write_progress` publishes the folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from canbao.db import Database, areas, snapshot_runs
from canbao.errors import DatabaseError
from canbao.i18n import _
from canbao.match.vocabulary import ProgressPeriod
from canbao.progress import _counts as c
from canbao.progress import _rates as r
from canbao.progress._inputs import Manual, Unit
from canbao.progress._outside import Compared, OutsideRosters, outside_measures
from canbao.progress._periods import Period, periods

# Each person's county (person_key, county) in an area on a date: the register's places
# (canbao.db.places_as_of); None: the counties' counts are unknown, the area's alone are given.
Places = Callable[[Database, date, str], pl.DataFrame]
WHOLE: str = "累计"  # the label of the rows over the whole campaign


@dataclass(frozen=True)
class UnitRates:
    """One row of the rates: a period (None: the whole campaign up to the as-of date) and a unit
    (a county code; None for the area), its counts and its nine rates."""

    period: Period | None
    county: Unit
    counts: dict[str, int | None]
    rates: list[r.Rate]

    @property
    def period_label(self) -> str:
        """The period's first and last day, or 累计 for the whole campaign."""
        return WHOLE if self.period is None else self.period.label


@dataclass(frozen=True)
class ProgressReport:
    """Everything ``canbao progress`` writes: the rows of rates, table (一)/(二) columns fed
    by the survey per county, and what was entered by hand."""

    area: str
    as_of: date
    kind: ProgressPeriod
    counties: list[str]
    rows: list[UnitRates]
    survey_columns: pl.DataFrame  # county (null: 合计) and table (一)/(二)'s survey-fed columns
    manual: Manual
    per_county: bool  # False when the register holds no places: counties' counts unknown
    # Rows of the outside rosters (--cross-city, --cross-province) that could not be read,
    # per rate 3's or 4's numerator name; empty when none were given.
    outside_unreadable: dict[str, int] = field(default_factory=dict)

    def latest(self) -> list[UnitRates]:
        """The rows of the last period (the as-of date's), counties then the area."""
        last = max(row.period.end for row in self.rows if row.period is not None)
        return [row for row in self.rows if row.period is not None and row.period.end == last]

    def whole(self) -> list[UnitRates]:
        """The rows over the whole campaign up to the as-of date."""
        return [row for row in self.rows if row.period is None]


def _area(db: Database, area: str | None) -> str:
    known = areas(db)
    if area is not None:
        if area not in known:
            raise DatabaseError(
                _(
                    "the database {where} holds no snapshot of area {area} (recorded: {known})"
                ).format(where=db.where, area=area, known=", ".join(known) or _("none")),
                fix=_(
                    "give --area a recorded area's code, or record one with canbao match --db first"
                ),
            )
        return area
    if len(known) != 1:
        raise DatabaseError(
            _("the database {where} holds snapshots of {n} areas ({known})").format(
                where=db.where, n=len(known), known=", ".join(known) or _("none")
            ),
            fix=_(
                "record a match with canbao match --db first; with several areas, name one "
                "with --area"
            ),
        )
    return known[0]


def _run_dates(db: Database, area: str, as_of: date | None) -> tuple[list[date], date]:
    runs = snapshot_runs(db, area=area).filter(pl.col("retired_by").is_null())
    dates = sorted(set(runs["as_of"].cast(pl.Date).to_list()))
    end = as_of or dates[-1]
    if dates[0] > end:
        raise DatabaseError(
            _("the first snapshot of area {area} is of {first}, after --as-of {end}").format(
                area=area, first=dates[0], end=end
            ),
            fix=_("set --as-of to a date after the first snapshot"),
        )
    return dates, end


def _counted(
    reg: c.Register, window: c.Window, outside: Compared | None
) -> dict[Unit, dict[str, int]]:
    found = c.measures(reg, window)
    if outside is not None:
        found |= outside_measures(found, outside)
    table = c.per_county(found, reg.counties(window.end))
    out: dict[Unit, dict[str, int]] = {}
    for row in table.iter_rows(named=True):
        unit = row.pop("county")
        out[unit] = {k: int(v) for k, v in row.items()}
    out[None] = {name: int(table[name].sum()) for name in found}
    return out


def _unit_counts(
    unit: Unit,
    counted: dict[Unit, dict[str, int]],
    population: dict[str, int],
    manual: Manual,
    known: bool,
) -> dict[str, int | None]:
    counts: dict[str, int | None] = dict.fromkeys(c.SCORING_FACTS)
    counts.update(dict.fromkeys(r.COUNTED))
    if unit is None or known:
        counts.update(counted.get(unit, dict.fromkeys(counted[None], 0)))
    counts[r.POPULATION] = sum(population.values()) if unit is None else population.get(unit)
    for name in (r.CROSS_CITY, r.CROSS_PROVINCE):
        if name not in counted[None]:  # not computed from outside rosters: entered by hand
            counts[name] = manual.counts.get(unit, {}).get(name)
        elif unit is not None and not known:
            counts[name] = None
    return counts


def progress_report(
    db: Database,
    *,
    population: dict[str, int],
    manual: Manual | None = None,
    as_of: date | None = None,
    kind: ProgressPeriod = ProgressPeriod.BIMONTHLY,
    area: str | None = None,
    places: Places | None = None,
    outside: Compared | None = None,
) -> ProgressReport:
    """The rates of every period from the first snapshot to ``as_of`` (default: the latest
    snapshot's date), per county and for the area, and the whole campaign's (累计).

    ``outside`` (the IDs of other cities' and provinces' rosters) computes rates 3 and 4 for
    the rows ending on the as-of date (the last period and 累计)."""
    manual = manual or Manual()
    area = _area(db, area)
    dates, end = _run_dates(db, area, as_of)
    windows: list[tuple[Period | None, c.Window]] = []
    for p in periods(dates[0], end, kind):
        inside = [d for d in dates if p.start <= d <= p.end]
        windows.append((p, c.Window(p.start, p.end, inside[0] if inside else p.start)))
    windows.append((None, c.Window(None, end, dates[0])))
    rows: list[UnitRates] = []
    counties: set[str] = set(population)
    by_day = None if places is None else lambda day: places(db, day, area)
    reg = c.Register(db, area, by_day)
    for index, (period, window) in enumerate(windows):
        counted = _counted(reg, window, outside if window.end == end else None)
        counties |= {u for u in counted if u is not None}
        for unit in [*sorted(counties), None]:
            counts = _unit_counts(unit, counted, population, manual, places is not None)
            rows.append(UnitRates(period, unit, counts, r.rates_of(counts, manual.rates.get(unit))))
        # Only the dates a later window or the survey columns read stay held: a city's states
        # and counties per date, which a weekly report over months would pile up.
        reg.keep_only({end}.union(*({w.end, w.baseline} for _, w in windows[index + 1 :])))
    survey = c.per_county(c.table_measures(reg, end), reg.counties(end))
    total = survey.select(pl.lit(None, pl.String).alias("county"), pl.exclude("county").sum())
    return ProgressReport(
        area=area,
        as_of=end,
        kind=kind,
        counties=sorted(counties),
        rows=[row for row in rows if row.county is None or row.county in counties],
        survey_columns=pl.concat([survey.filter(pl.col("county").is_not_null()), total]),
        manual=manual,
        per_county=places is not None,
        outside_unreadable=dict(outside.unreadable) if outside is not None else {},
    )


def facts_frame(report: ProgressReport) -> pl.DataFrame:
    """The facts scoring reads (县区, 指标, 实际值, 说明): each county's counts over the whole
    campaign, as rows of a submission (docs/scoring.md, ``--facts``)."""
    records = []
    for row in report.whole():
        if row.county is None:
            continue
        for name, value in row.counts.items():
            if value is not None:
                records.append((row.county, name, str(value), f"{WHOLE}至{report.as_of}"))
    schema = dict.fromkeys(("县区", "指标", "实际值", "说明"), pl.String)
    return pl.DataFrame(records, schema=schema, orient="row")


def rates_frame(rows: Sequence[UnitRates]) -> pl.DataFrame:
    """A row per period and unit; per rate its numerator, denominator and percentage."""
    records = []
    for row in rows:
        record: dict[str, object] = {"期间": row.period_label, "县区代码": row.county}
        for rate in row.rates:
            record[f"{rate.spec.number}.分子"] = rate.numerator
            record[f"{rate.spec.number}.分母"] = rate.denominator
            record[f"{rate.spec.number}.{rate.spec.name}"] = rate.text
        records.append(record)
    return pl.DataFrame(records, infer_schema_length=None)


def write_progress(report: ProgressReport, output: Path, *, inputs: Sequence[Path] = ()) -> Path:
    """Publish ``output`` atomically: progress.xlsx, basic_data_tables.xlsx, rates.csv,
    facts.csv and progress.json."""
    from canbao.atomic import atomic_directory
    from canbao.progress._write import write_all

    with atomic_directory(Path(output), command="progress", inputs=inputs) as staging:
        write_all(report, staging)
    return Path(output)


def run_progress(
    db: str | Path,
    *,
    population: Path,
    output: Path,
    manual: Path | None = None,
    as_of: date | None = None,
    kind: ProgressPeriod = ProgressPeriod.BIMONTHLY,
    area: str | None = None,
    outside: OutsideRosters | None = None,
) -> ProgressReport:
    """What ``canbao progress`` does: read the inputs, open the register, compute, publish."""
    from canbao.db import open_database, places_as_of
    from canbao.progress._inputs import read_manual, read_population
    from canbao.progress._outside import check_not_entered

    people = read_population(population)
    entered = read_manual(manual) if manual is not None else Manual()
    outside = outside or OutsideRosters()
    check_not_entered(outside, entered)
    compared = outside.read() if outside.given() else None
    if "://" not in str(db) and not Path(db).expanduser().exists():
        raise DatabaseError(
            _("no such database file: {db} (progress reads a database, never makes one)").format(
                db=db
            ),
            fix=_("give --db the database file that canbao match --db recorded into"),
        )
    with open_database(db) as database:
        report = progress_report(
            database,
            population=people,
            manual=entered,
            as_of=as_of,
            kind=kind,
            area=area,
            places=lambda db, day, where: places_as_of(db, day, area=where),
            outside=compared,
        )
    rosters = [p for files in outside.given().values() for p in files]
    inputs = [population, *([manual] if manual is not None else []), *rosters]
    write_progress(report, output, inputs=inputs)
    return report
