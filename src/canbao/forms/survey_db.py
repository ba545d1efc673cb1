"""The survey's results in the registration database (``--db``, docs/database.md).

``canbao intake --db`` records each person a form says was visited, and whether the form,
valid, confirmed them (已核实入库) with its reasons for not being insured;
``canbao forms survey --db`` leaves out of the visit list the persons a form confirmed since
their reasons last changed. The match's own sets never change with ``--db``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl

from canbao.forms.form_codes import CONFIRMED, NOT_INSURED, VISITED


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
    document = json.loads((Path(match_dir) / "summary.json").read_text(encoding="utf-8"))
    return date.fromisoformat(str(document["as_of"])), ",".join(document["area"])


def without_confirmed(
    frame: pl.DataFrame, match_dir: Path, db: str | Path
) -> tuple[pl.DataFrame, int]:
    """The needs-survey rows less the persons the database says a form confirmed since their
    reasons last changed (in the snapshot of the match's as-of date and area); how many left."""
    from canbao.db import confirmed_by_survey, open_database
    from canbao.match.vocabulary import PersonState

    as_of, area = match_identity(match_dir)
    with open_database(db) as database:
        confirmed = confirmed_by_survey(
            database, as_of, area=area, state=PersonState.NEEDS_SURVEY.value
        )["person_key"]
    keep = frame.filter(~pl.col("公民身份号码").is_in(confirmed.implode()).fill_null(False))
    return keep, frame.height - keep.height
