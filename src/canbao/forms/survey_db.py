"""The survey's results in the registration database (``--db``, docs/database.md).

``canbao intake --db`` records each person a form says was visited, and whether the form,
valid, confirmed them (已核实入库) with its reasons for not being insured;
``canbao forms survey --db`` leaves out of the visit list the persons a form or a ledger
confirmed since their reasons last changed, and records the persons its ``--ledger`` files
confirm. The match's own sets never change with ``--db``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from canbao.errors import DatabaseError, InputError
from canbao.forms.form_codes import CONFIRMED, NOT_INSURED, VISITED
from canbao.i18n import _


def visits(passed: pl.DataFrame) -> pl.DataFrame:
    """One row per visited form with a valid ID: person_key, confirmed (visited, confirmed and
    no problem on the row), reason (the form's reason codes for not being insured)."""
    yes = "是"
    visited = (pl.col(f"{VISITED}__code") == yes).fill_null(False)
    confirmed = (pl.col(f"{CONFIRMED}__code") == yes).fill_null(False)
    return passed.filter(pl.col("id_reason").is_null() & visited).select(
        pl.col("id_norm").alias("person_key"),
        (confirmed & pl.col("通过").fill_null(True)).alias("confirmed"),
        pl.col(f"{NOT_INSURED.heading}__codes").list.drop_nulls().list.join(";").alias("reason"),
    )


def match_identity(match_dir: Path) -> tuple[date, str]:
    """The as-of date and area (codes, comma-separated) of a match directory's summary.json:
    the snapshot its needs-survey persons were recorded under."""
    path = Path(match_dir) / "summary.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return date.fromisoformat(str(document["as_of"])), ",".join(document["area"])
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError(
            _("{path}: no readable summary.json of a match run").format(path=path),
            fix=_("give --from the --output directory of a finished `canbao match` run"),
        ) from None


def _no_snapshot(db: str | Path, as_of: date, area: str) -> DatabaseError:
    return DatabaseError(
        _(
            "no match of area {area} on {as_of} was recorded in the database {db}, so the "
            "persons confirmed since cannot be left out"
        ).format(area=area or _("(all)"), as_of=as_of, db=db),
        fix=_(
            "record this match with canbao match … --db (the same database) first, or check "
            "that --db and --from belong together"
        ),
    )


@dataclass(frozen=True)
class LeftOut:
    """How many needs-survey persons the register took off the visit list, and why."""

    by_survey: int  # a valid form confirmed them (已核实入库)
    by_ledger: int  # a ledger confirmation recorded by an earlier run


def without_confirmed(
    frame: pl.DataFrame, match_dir: Path, db: str | Path
) -> tuple[pl.DataFrame, LeftOut]:
    """The needs-survey rows less the persons the database says a form or a recorded ledger
    confirmed since their reasons last changed (in the snapshot of the match's as-of date and
    area). A match never recorded in that database is refused (exit 8): the list would
    silently be the whole needs-survey set."""
    from canbao.db import confirmed_by_ledger, confirmed_by_survey, has_snapshot, open_database
    from canbao.match.vocabulary import PersonState

    as_of, area = match_identity(match_dir)
    state = PersonState.NEEDS_SURVEY.value
    with open_database(db) as database:
        if not has_snapshot(database, as_of, area=area):
            raise _no_snapshot(database.where, as_of, area)
        surveyed = confirmed_by_survey(database, as_of, area=area, state=state)["person_key"]
        ledgered = confirmed_by_ledger(database, as_of, area=area, state=state)["person_key"]
    key = pl.col("公民身份号码")
    after_survey = frame.filter(~key.is_in(surveyed.implode()).fill_null(False))
    keep = after_survey.filter(~key.is_in(ledgered.implode()).fill_null(False))
    return keep, LeftOut(frame.height - after_survey.height, after_survey.height - keep.height)


def record_ledger(db: str | Path, confirmed: pl.DataFrame, on: date) -> int:
    """Record the persons a ledger confirmed in this run (公民身份号码, 台账) on ``on``; rows
    added (the same run recorded again adds none)."""
    from canbao.db import open_database, record_ledger_confirmations

    rows = confirmed.select(
        pl.col("公民身份号码").alias("person_key"), pl.col("台账").alias("source")
    )
    with open_database(db) as database:
        return record_ledger_confirmations(database, rows, on)
