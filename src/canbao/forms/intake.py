"""``canbao intake``: read filled entry sheets, check every row, count what scoring needs.

Outputs (one directory, written atomically):

- ``problems.csv``: one row per problem (file, row, person, item, value, category, reason code);
  the full ID and name are there, because the clerk must find the form (output files are the
  work product; anything printed is masked);
- ``facts.csv``: the long table ``县区, 指标, 实际值`` that ``canbao score`` reads;
- ``summary_check.csv`` (with ``--summary``): reported totals against the counted forms;
- ``entries.csv``: every row read, with its canonical codes and whether it passed;
- ``intake.json``: files, counts, problems by category and reason, the facts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import polars as pl

from canbao import regions
from canbao.atomic import atomic_directory
from canbao.cells import neutralise_frame
from canbao.dates import read_optional_date, read_path
from canbao.forms.form_codes import CODED_COLUMNS, ENTRY_HEADINGS
from canbao.forms.intake_checks import PROBLEMS, find_problems, normalise_entries
from canbao.forms.intake_facts import ERRORS_N, compare_summary, count_facts, read_summary
from canbao.forms.intake_read import entry_files, read_entry_files
from canbao.forms.spot_check import (
    SampleSpec,
    count_spot_checks,
    draw_sample,
    read_spot_checks,
    sample_summary,
    write_sample,
)
from canbao.forms.survey_roster import read_needs_survey
from canbao.forms.unit_intake import (
    UnitIntake,
    no_person_entries,
    run_unit_intake,
    split_unit_sheets,
)
from canbao.i18n import _

if TYPE_CHECKING:
    from canbao.db import Database
from canbao.masking import mask_id_expr, mask_name_expr, mask_value_expr

PROBLEMS_FILE: Final = "problems.csv"
FACTS_FILE: Final = "facts.csv"
ENTRIES_FILE: Final = "entries.csv"
SUMMARY_CHECK_FILE: Final = "summary_check.csv"
SUBMISSION_FILE: Final = "submission.csv"
INTAKE_JSON: Final = "intake.json"


@dataclass(frozen=True)
class IntakeResult:
    """What ``run_intake`` found and wrote."""

    output: Path
    files: list[str]
    rows: int
    problems: pl.DataFrame  # full values: never print without masking
    facts: pl.DataFrame
    summary_check: pl.DataFrame | None
    submission: pl.DataFrame | None = None
    units: UnitIntake | None = None  # the unit sheets' part (canbao.forms.unit_intake)
    sample: dict[str, Any] | None = None  # with --sample: seed, rate, sizes per county

    def by_reason(self) -> dict[str, int]:
        """Count problems per reason code (every code listed, zeros included)."""
        counts = dict(self.problems.group_by("原因代码").len().iter_rows())
        return {code: int(counts.get(code, 0)) for code in PROBLEMS}

    def by_category(self) -> dict[str, int]:
        """Count problems per category (录入不规范, 项目不全, 逻辑有误, 名册核对)."""
        out: dict[str, int] = {}
        for code, n in self.by_reason().items():
            out[PROBLEMS[code][0]] = out.get(PROBLEMS[code][0], 0) + n
        return out

    def masked_problems(self) -> pl.DataFrame:
        """The problem table with IDs, names and free values masked, for terminals and logs."""
        return self.problems.with_columns(
            mask_id_expr(pl.col("公民身份号码")).alias("公民身份号码"),
            mask_name_expr(pl.col("姓名")).alias("姓名"),
            pl.when(pl.col("项目") == "公民身份号码")
            .then(mask_id_expr(pl.col("值")))
            .otherwise(mask_value_expr(pl.col("值")))
            .alias("值"),
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary with no unmasked personal data."""
        return {
            "output": str(self.output),
            "files": self.files,
            "rows": self.rows,
            "problems": self.problems.height,
            "by_category": self.by_category(),
            "by_reason": self.by_reason(),
            "facts": self.facts.to_dicts(),
            "summary_check": None if self.summary_check is None else self.summary_check.to_dicts(),
            "units": None if self.units is None else self.units.to_json(),
            "spot_check_sample": self.sample,
        }


def print_nothing(message: str) -> None:
    """The default ``progress`` of a library call: say nothing."""


def run_intake(
    files: Sequence[str | Path],
    *,
    output: str | Path,
    survey: str | Path | None = None,
    summary: str | Path | None = None,
    as_of: str | date | None = None,
    rules: str | Path | None = None,
    sample: SampleSpec | None = None,
    spot_checks: Sequence[Path] = (),
    db: str | Path | None = None,
    progress: Callable[[str], None] = print_nothing,
) -> IntakeResult:
    """Check filled entry sheets against the form's rules (and the survey roster, if given).

    ``sample`` also draws the spot-check sample (抽查表.xlsx); ``spot_checks`` are filled
    spot-check sheets whose outcome is counted into the facts (forms/spot_check.py).
    ``db`` (a DuckDB file or ``postgresql://…``) records each visited person, confirmed by a
    valid form or not, on the intake's date, once the outputs are written (forms/survey_db.py).
    ``progress`` is told each step with its counts (the CLI prints it on stderr).
    """
    # str or date, str or Path, as a notebook passes them (canbao.dates).
    day = read_optional_date(as_of) or date.today()
    if db is not None:  # a database canbao cannot use stops the run before any sheet is read
        _open_database(db).close()
    # A folder stands for the entry sheets inside it (intake_read.entry_files).
    paths = entry_files([read_path(f, "files") for f in files])
    output = read_path(output, "output")
    survey = None if survey is None else read_path(survey, "survey")
    summary = None if summary is None else read_path(summary, "summary")
    rules = None if rules is None else read_path(rules, "rules")
    progress(_("reading {sheets:,} entry sheet(s)").format(sheets=len(paths)))
    sheets = split_unit_sheets(paths)  # unit sheets apart; the rest are the persons'
    roster = read_needs_survey(survey) if survey is not None else None
    area = _area(roster["县区"] if roster is not None else None)
    units = run_unit_intake(sheets, survey=survey, area=area)
    persons = sheets.others if sheets.others or units is None else None
    raw = read_entry_files(persons) if persons is not None else no_person_entries()
    raw = with_county_codes(raw, area)
    entries = normalise_entries(raw, as_of=day)
    progress(_("checking {rows:,} entered rows").format(rows=entries.height))
    roster_ids = roster["公民身份号码"] if roster is not None else None
    problems = find_problems(entries, roster_ids)
    progress(
        _("{problems:,} problem(s) found; counting the facts").format(problems=problems.height)
    )
    facts = count_facts(entries, problems, roster)
    if units is not None:  # unit sheets only: no person counts (zeros would score as such)
        both = [facts, units.facts] if persons is not None else [units.facts]
        facts = pl.concat(both).sort("县区", maintain_order=True)
    check: pl.DataFrame | None = None
    if summary is not None:
        reported = read_summary(summary, area or _area(facts["县区"]))
        check, difference = compare_summary(facts, reported)
        facts = pl.concat([facts, difference]).sort("县区", maintain_order=True)
    if spot_checks:
        checked = with_county_codes(read_spot_checks(spot_checks), area or _area(facts["县区"]))
        facts = pl.concat([facts, count_spot_checks(checked)]).sort("县区", maintain_order=True)
    submission = submission_for(facts, rules) if rules is not None else None
    flagged = problems.select(pl.col("文件").alias("_file"), pl.col("行号").alias("_row")).unique()
    passed = entries.join(
        flagged.with_columns(pl.lit(False).alias("通过")), on=["_file", "_row"], how="left"
    )
    entry_out = passed.select(
        pl.col("_file").alias("文件"),
        pl.col("_row").alias("行号"),
        *ENTRY_HEADINGS,
        *(pl.col(f"{h}__codes").list.join(";").alias(f"{h}代码") for h in CODED_COLUMNS),
        pl.col("_age").alias("年龄"),
        pl.col("通过").fill_null(True),
    )
    drawn = (
        draw_sample(passed.with_columns(pl.col("通过").fill_null(True)), sample) if sample else None
    )
    result = IntakeResult(
        Path(output),
        [str(f) for f in paths],  # the sheets read, a folder's included
        entries.height,
        problems,
        facts,
        check,
        submission,
        units=units,
        sample=sample_summary(drawn[1], sample)
        if drawn is not None and sample is not None
        else None,
    )
    given = (*files, *paths, survey, summary, rules, *spot_checks)  # folders and their sheets
    inputs = [Path(p) for p in given if p is not None]
    progress(_("writing problems, facts and {entries:,} entries").format(entries=entry_out.height))
    with atomic_directory(Path(output), command="intake", inputs=inputs) as staging:
        neutralise_frame(problems).write_csv(staging / PROBLEMS_FILE, include_bom=True)
        neutralise_frame(facts).write_csv(staging / FACTS_FILE, include_bom=True)
        neutralise_frame(entry_out).write_csv(staging / ENTRIES_FILE, include_bom=True)
        if units is not None:
            units.write(staging)
        if submission is not None:
            neutralise_frame(submission).write_csv(staging / SUBMISSION_FILE, include_bom=True)
        if check is not None:
            neutralise_frame(check).write_csv(staging / SUMMARY_CHECK_FILE, include_bom=True)
        if drawn is not None:
            write_sample(staging, *drawn)
        payload = {**result.to_json(), "as_of": day.isoformat()}
        (staging / INTAKE_JSON).write_text(
            json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    if db is not None:
        from canbao.db import record_survey_results
        from canbao.forms.survey_db import visits

        with _open_database(db) as database:
            record_survey_results(database, visits(passed), day)
    return result


def _open_database(db: str | Path) -> Database:
    """The registration database (``--db``), opened and checked."""
    from canbao.db import open_database

    return open_database(db)


def _area(codes: pl.Series | None) -> list[str]:
    """The cities (four-digit prefixes) of the known county codes: they narrow a county's name."""
    if codes is None:
        return []
    found = codes.drop_nulls().filter(codes.drop_nulls().str.contains(r"^[0-9]{6}$"))
    return sorted(found.str.slice(0, 4).unique().to_list())


def with_county_codes(raw: pl.DataFrame, area: Sequence[str]) -> pl.DataFrame:
    """The sheet's 县区 as six-digit codes: the sheet prints ``340602 杜集区``, a clerk may type
    either part; an unknown or ambiguous name stops intake (exit 3) naming file and row."""
    first = raw.filter(pl.col("县区").is_not_null()).unique(
        "县区", keep="first", maintain_order=True
    )
    where = {v: f"{f} 第 {r} 行" for v, f, r in first.select("县区", "_file", "_row").iter_rows()}
    codes = regions.county_codes(raw["县区"], within=area, where=where.__getitem__)
    return raw.with_columns(codes.alias("县区"))


def submission_for(facts: pl.DataFrame, rules: Path) -> pl.DataFrame:
    """Keep the facts a rule set knows (names and aliases); a per-error deduction leaf (Changzhou
    item 11) gets the entry-error count as its 实际值."""
    from canbao.score import load_rules
    from canbao.score import model as m

    ruleset = load_rules(Path(rules)).rules
    known = {f.name for f in ruleset.facts} | {a for f in ruleset.facts for a in f.aliases}
    rows = [facts.filter(pl.col("指标").is_in(sorted(known)))]
    errors = facts.filter(pl.col("指标") == ERRORS_N)
    for leaf in m.leaves(ruleset):
        rule = leaf.rule
        if isinstance(rule, m.DeductionRule) and rule.field in (None, ERRORS_N) and leaf.number:
            rows.append(errors.with_columns(pl.lit(leaf.number).alias("指标")))
    return pl.concat(rows).sort("县区", maintain_order=True)
