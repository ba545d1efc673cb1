"""What a report is drawn from: a match directory and, when given, score directories.

Everything is read as counts by area or by kind: the report never holds a person's row, so
nothing personal can reach it (docs/report.md, "Masking"). The match's tables are read in any
``--format`` (:mod:`canbao.result_tables`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl

from canbao.errors import InputError
from canbao.i18n import N_, _
from canbao.match.vocabulary import PersonState, UninsuredFlag
from canbao.regions import county_name_expr
from canbao.result_tables import find_result_table, read_result_table

COUNTY = "县区"
TOWNSHIP = "乡镇(街道)"
VILLAGE = "村(社区)"
ID = "公民身份号码"
FLAG = "类别代码"
MATCH_FIX = N_("give the --output directory of a finished `canbao match` run")
CHANGES_FIX = N_("give the --output directory of a finished `canbao changes` run")
PROGRESS_FIX = N_("give the --output directory of a finished `canbao progress` run")
SCORE_FIX = N_("give the --output directory of a finished `canbao score` run")


@dataclass(frozen=True)
class ScoredCounty:
    """One county of a score result: review and self totals, the fee when the rules pay one."""

    name: str
    code: str
    total: Decimal | None
    self_total: Decimal | None
    fee: Decimal | None


@dataclass(frozen=True)
class ScoreRun:
    """The result of one ``canbao score`` rule set (``<name>.json`` and its workbook's title)."""

    name: str
    title: str
    counties: tuple[ScoredCounty, ...]


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _read_json(path: Path, fix: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        message = _("{path}: cannot be read: {reason}").format(path=path, reason=exc)
        raise InputError(message, fix=_(fix)) from None


def _title_of(book: Path, fallback: str) -> str:
    """The rule set's title as the workbook prints it (its first sheet's first cell)."""
    if not book.is_file():
        return fallback
    from openpyxl import load_workbook

    from canbao.workbook_guard import check_workbook

    check_workbook(book)
    wb = load_workbook(book, read_only=True)
    try:
        value = wb.worksheets[0].cell(1, 1).value
    finally:
        wb.close()
    return str(value).strip() if value else fallback


def read_score_dir(folder: Path) -> list[ScoreRun]:
    """Every rule set's result in a ``canbao score`` output directory."""
    files = sorted(p for p in Path(folder).glob("*.json") if not p.name.startswith("."))
    runs = []
    for path in files:
        data = _read_json(path, SCORE_FIX)
        if not isinstance(data, dict) or "counties" not in data:
            continue
        counties = tuple(
            ScoredCounty(
                name=str(c["county"]),
                code=str(c["code"]),
                total=_decimal(c.get("total")),
                self_total=_decimal((c.get("self") or {}).get("total")),
                fee=_decimal((c.get("fee") or {}).get("amount")),
            )
            for c in data["counties"]
        )
        name = str(data.get("rules", path.stem))
        runs.append(ScoreRun(name, _title_of(path.with_suffix(".xlsx"), name), counties))
    if not runs:
        message = _("{folder}: no result of canbao score").format(folder=folder)
        raise InputError(message, fix=_(SCORE_FIX))
    return runs


@dataclass
class ReportInputs:
    """The outputs a report is drawn from; each section takes what it needs, read once.

    A new kind of output (changes, progress, …) is one more field here and one more section
    function in :mod:`canbao.report._sections`.
    """

    match: Path
    scores: Sequence[Path] = ()
    changes: Path | None = None
    progress: Path | None = None

    @cached_property
    def summary(self) -> dict[str, Any]:
        """The match's summary.json."""
        path = Path(self.match) / "summary.json"
        if not path.is_file():
            message = _("{folder}: no {file}").format(folder=self.match, file="summary.json")
            raise InputError(message, fix=_(MATCH_FIX))
        data = _read_json(path, MATCH_FIX)
        if not isinstance(data, dict):
            message = _("{path}: not the summary of a match").format(path=path)
            raise InputError(message, fix=_(MATCH_FIX))
        return data

    def _table(self, name: str, columns: list[str]) -> pl.DataFrame:
        path = find_result_table(self.match, name)
        if path is None:
            message = _("{folder}: no {table} table in the match folder").format(
                folder=self.match, table=name
            )
            raise InputError(message, fix=_(MATCH_FIX))
        frame = read_result_table(path, key=ID, fix=_(MATCH_FIX))
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            message = _("{path}: columns missing: {missing}").format(
                path=path, missing=", ".join(missing)
            )
            raise InputError(message, fix=_(MATCH_FIX))
        return frame.select(columns)

    @cached_property
    def survey_load(self) -> pl.DataFrame:
        """Persons needing a survey per county, township and village (county as its name)."""
        frame = self._table("needs_survey", [COUNTY, TOWNSHIP, VILLAGE, ID])
        return (
            frame.group_by(COUNTY, TOWNSHIP, VILLAGE)
            .agg(pl.len().alias("persons"))
            .with_columns(_county_names())
            .sort("persons", COUNTY, TOWNSHIP, VILLAGE, descending=[True, False, False, False])
        )

    @cached_property
    def uninsured(self) -> pl.DataFrame:
        """Uninsured persons per county: all (each once) and per flag (类别代码, ``;``-joined)."""
        frame = self._table(PersonState.UNINSURED, [COUNTY, ID, FLAG])
        flags = pl.col(FLAG).fill_null("").str.split(";")
        return (
            frame.group_by(COUNTY)
            .agg(
                pl.col(ID).n_unique().alias("persons"),
                *(
                    pl.col(ID).filter(flags.list.contains(flag.value)).n_unique().alias(flag.value)
                    for flag in UninsuredFlag
                ),
            )
            .with_columns(_county_names())
            .sort(COUNTY)
        )

    @cached_property
    def change_counts(self) -> tuple[str, pl.DataFrame] | None:
        """The period and the persons per list, direction and reason of a ``canbao changes``
        output (its counts.csv and changes.json: no ID), if one was given."""
        if self.changes is None:
            return None
        folder = Path(self.changes)
        counts, meta = folder / "counts.csv", folder / "changes.json"
        if not counts.is_file() or not meta.is_file():
            message = _("{folder}: no {file}").format(folder=folder, file="counts.csv")
            raise InputError(message, fix=_(CHANGES_FIX))
        data = _read_json(meta, CHANGES_FIX)
        period = f"{data.get('from', '—')} 至 {data.get('to', '—')}"
        frame = pl.read_csv(counts, infer_schema=False, encoding="utf8")
        frame = frame.rename(lambda c: c.lstrip("\ufeff").strip())
        missing = [c for c in ("名单", "变动", "变动原因", "人数") if c not in frame.columns]
        if missing:
            message = _("{path}: columns missing: {missing}").format(
                path=counts, missing=", ".join(missing)
            )
            raise InputError(message, fix=_(CHANGES_FIX))
        return period, frame.with_columns(pl.col("人数").cast(pl.Int64))

    @cached_property
    def progress_rates(self) -> pl.DataFrame | None:
        """The rates.csv of a ``canbao progress`` output (per period and county, each rate's
        分子, 分母 and percentage: no ID), if one was given."""
        if self.progress is None:
            return None
        path = Path(self.progress) / "rates.csv"
        if not path.is_file():
            message = _("{folder}: no {file}").format(folder=self.progress, file="rates.csv")
            raise InputError(message, fix=_(PROGRESS_FIX))
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
        frame = frame.rename(lambda c: c.lstrip("\ufeff").strip())
        if not {"期间", "县区代码"} <= set(frame.columns):
            message = _("{path}: columns missing: {missing}").format(
                path=path, missing="期间, 县区代码"
            )
            raise InputError(message, fix=_(PROGRESS_FIX))
        return frame

    @cached_property
    def score_runs(self) -> list[ScoreRun]:
        """Every rule set's result of every score directory given."""
        return [run for folder in self.scores for run in read_score_dir(folder)]


def _county_names() -> pl.Expr:
    """The county code column's shown name (玄武区 for 320102; the code when unknown)."""
    return county_name_expr(pl.col(COUNTY).fill_null("")).alias("county_name")
