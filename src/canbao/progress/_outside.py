"""Rates 3 (跨地市) and 4 (跨省) from enrolment rosters of other cities or provinces.

人社厅发〔2017〕28号 counts as compared across cities (跨地市) or provinces (跨省) the residents
whose registration was compared with the other cities' or the ministry's data. When such rosters
are given (``canbao progress --cross-city FILE… --cross-province FILE…``, files or folders of
them, read like any enrolment roster: :func:`canbao.roster.read_roster`, ``--columns`` for other
headings), canbao makes that comparison itself: every target person of the register on the
report's as-of date (household and floating, rate 2's numerator) is compared with them, so the
numerator is that set, per county; the denominator stays the resident population. Beside it the
report counts how many of those persons the outside rosters list (by citizen ID, whatever the
row's status): persons registered elsewhere, whom a county may need to follow up. The comparison
is the as-of date's, so only the last period's rows and the whole campaign's (累计) carry it;
earlier periods keep what ``--manual`` gives for them (docs/database.md, "Progress").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import polars as pl

from canbao.errors import InputError, UsageError
from canbao.i18n import _
from canbao.ids import citizen_id_struct
from canbao.progress import _rates as r
from canbao.progress._inputs import Manual
from canbao.roster import RosterKind, load_column_map, read_roster
from canbao.shown_path import shown_path
from canbao.workdir import work_folder

# The counts beside the two rates: target persons whom the outside rosters list.
CROSS_CITY_FOUND: Final = "跨地市比对在外地市名册中的人数"
CROSS_PROVINCE_FOUND: Final = "跨省比对在外省名册中的人数"
# rate's numerator -> (the count of persons found, the option that gives the rosters)
COMPARISONS: Final = {
    r.CROSS_CITY: (CROSS_CITY_FOUND, "--cross-city"),
    r.CROSS_PROVINCE: (CROSS_PROVINCE_FOUND, "--cross-province"),
}
RATE_OF: Final = {r.CROSS_CITY: 3, r.CROSS_PROVINCE: 4}
# The files a folder contributes (the formats read_roster takes); hidden and lock files skipped.
ROSTER_SUFFIXES: Final = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".parquet")
KEY: Final = "person_key"


def roster_files(paths: Sequence[Path], option: str) -> list[Path]:
    """``paths`` with each folder replaced by the roster files inside it, at any depth, sorted."""
    out: list[Path] = []
    for path in map(Path, paths):
        if not path.is_dir():
            out.append(path)
            continue
        found = sorted(
            p
            for p in path.rglob("*")
            if p.suffix.lower() in ROSTER_SUFFIXES
            and p.is_file()
            and not p.name.startswith(("~$", "."))
        )
        if not found:
            raise InputError(
                _("{option}: no roster file ({suffixes}) in the folder {path}").format(
                    option=option, suffixes=", ".join(ROSTER_SUFFIXES), path=shown_path(path)
                ),
                fix=_("give the folder holding the outside enrolment rosters, or the files"),
            )
        out += found
    return out


@dataclass(frozen=True)
class OutsideRosters:
    """Enrolment rosters of other cities (``cross_city``) and provinces (``cross_province``)."""

    cross_city: tuple[Path, ...] = ()
    cross_province: tuple[Path, ...] = ()
    columns: Path | None = None

    def given(self) -> dict[str, tuple[Path, ...]]:
        """Rate 3's and 4's numerator name -> the files given for it (folders expanded)."""
        out: dict[str, tuple[Path, ...]] = {}
        for name, paths in (
            (r.CROSS_CITY, self.cross_city),
            (r.CROSS_PROVINCE, self.cross_province),
        ):
            if paths:
                out[name] = tuple(roster_files(paths, COMPARISONS[name][1]))
        return out

    def read(self) -> Compared:
        """The distinct valid citizen IDs of each group of rosters, and their unreadable rows."""
        colmap = load_column_map(self.columns) if self.columns is not None else None
        ids: dict[str, pl.DataFrame] = {}
        unreadable: dict[str, int] = {}
        with work_folder("progress") as work:
            for name, files in self.given().items():
                frames, bad = [], 0
                for path in files:
                    roster = read_roster(path, RosterKind.PENSION, columns=colmap, workdir=work)
                    checked = citizen_id_struct(pl.col("id"), as_of=date.today(), prefix="")
                    frames.append(
                        roster.frame.select(checked.alias("c"))
                        .unnest("c")
                        .filter(pl.col("reason").is_null())
                        .select(pl.col("norm").alias(KEY))
                    )
                    bad += int(roster.unreadable.select(pl.len()).collect().item())
                keys = pl.concat(frames).drop_nulls().unique().collect()
                if keys.height == 0:
                    raise InputError(
                        _("{option}: no valid citizen ID in the rosters given").format(
                            option=COMPARISONS[name][1]
                        ),
                        fix=_(
                            "check the ID column; name other headings with --columns "
                            "(e.g. `id: 证件号码`)"
                        ),
                    )
                ids[name], unreadable[name] = keys, bad
        return Compared(ids, unreadable)


@dataclass(frozen=True)
class Compared:
    """What the outside rosters hold: per rate's numerator name, their distinct valid IDs
    (person_key) and how many of their rows could not be read."""

    ids: dict[str, pl.DataFrame]
    unreadable: dict[str, int]


def check_not_entered(outside: OutsideRosters, manual: Manual) -> None:
    """Refuse rate 3 or 4 both computed from rosters and entered by hand (``--manual``)."""
    given = {r.CROSS_CITY: outside.cross_city, r.CROSS_PROVINCE: outside.cross_province}
    for name, files in given.items():
        number = RATE_OF[name]
        entered = any(name in c for c in manual.counts.values()) or any(
            number in g for g in manual.rates.values()
        )
        if files and entered:
            column = next(s.column for s in r.RATES if s.number == number)
            option = COMPARISONS[name][1]
            raise UsageError(
                _(
                    "rate {number} is both computed from the rosters of {option} and entered "
                    "in --manual (“{name}” or column {column})"
                ).format(number=number, option=option, name=name, column=column),
                fix=_("choose one: delete that entry of --manual, or leave out {option}").format(
                    option=option
                ),
            )


def outside_measures(found: dict[str, pl.DataFrame], compared: Compared) -> dict[str, pl.DataFrame]:
    """Per comparison given: every target person (compared: rate 3's or 4's numerator) and
    those the outside rosters list (person_key rows, counted per county like the others)."""
    targets = found[r.TARGETS]
    out: dict[str, pl.DataFrame] = {}
    for name, ids in compared.ids.items():
        out[name] = targets
        out[COMPARISONS[name][0]] = targets.join(ids, on=KEY, how="semi")
    return out
