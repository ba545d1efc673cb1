"""The library entry points of ``canbao score`` and ``canbao rules check``."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from canbao.atomic import atomic_directory
from canbao.errors import InputError, RulesError
from canbao.i18n import _
from canbao.score.check import Finding, check_rules
from canbao.score.counties import TASK_TABLE, read_task_table, task_area
from canbao.score.evaluate import Evaluation, evaluate, validated
from canbao.score.loader import LoadedRules, load_rules
from canbao.score.submissions import Row, read_submission
from canbao.score.workbook import write_workbook
from canbao.shown_path import shown_path

WORKBOOKS = (".xlsx", ".xlsm")  # the suffixes a data table (数据表) may have


@dataclass(frozen=True)
class CheckReport:
    """What ``canbao rules check`` found in some files: rendered lines, errors and notes."""

    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No errors (notes are fine)."""
        return not self.errors


def check_files(files: Sequence[Path]) -> CheckReport:
    """Load and analyse every rule file; nothing is raised, everything is reported."""
    report = CheckReport()
    for file in files:
        try:
            loaded = load_rules(Path(file))
        except RulesError as exc:
            report.errors.extend(exc.problems)
            report.lines.extend(exc.problems)
            continue
        for finding in check_rules(loaded):
            (report.errors if finding.level == "error" else report.notes).append(finding.render())
            report.lines.append(finding.render())
    return report


@dataclass(frozen=True)
class ScoreResult:
    """A finished scoring run: the evaluation and the files written."""

    evaluation: Evaluation
    output: Path
    workbook: Path
    json_file: Path

    def as_json(self) -> dict[str, object]:
        """``{"rules": NAME, "counties": [...]}`` as printed by ``--json``."""
        return self.evaluation.as_json()

    @property
    def notes(self) -> list[Finding]:
        """Notes of the rule check (defects the rule file resolves explicitly)."""
        return self.evaluation.notes


def _read_one(file: Path, *, self_scores: bool, rules: LoadedRules | Path | None) -> list[Row]:
    """One submission: a filled data table (数据表) when ``rules`` map its columns, else a sheet."""
    if rules is not None and not self_scores and file.suffix.lower() in WORKBOOKS:
        # Deferred: the data table needs openpyxl, which rule checks and CSV runs never load.
        from canbao.score.datatable import DATATABLE_VALUE_ROW, is_datatable, read_datatable

        if is_datatable(file):
            return [
                Row(county, key, value, file.name, DATATABLE_VALUE_ROW)
                for county, key, value in read_datatable(file, rules).iter_rows()
            ]
    return read_submission(file, self_scores=self_scores)


def _read_all(
    files: Sequence[Path], *, self_scores: bool, rules: LoadedRules | Path | None = None
) -> list[Row]:
    return [
        row for file in files for row in _read_one(Path(file), self_scores=self_scores, rules=rules)
    ]


def _read_self(files: Sequence[Path]) -> tuple[list[Row], bool]:
    """Self-evaluations as scores (自评分) or, failing that, as values (实际值) to score."""
    try:
        return _read_all(files, self_scores=True), True
    except InputError:
        return _read_all(files, self_scores=False), False


def print_nothing(message: str) -> None:
    """The default ``progress`` of a library call: say nothing."""


def score_evaluation(
    loaded: LoadedRules,
    submissions: Sequence[Path],
    *,
    self_files: Sequence[Path] = (),
    area: Sequence[str] = (),
    from_match: Path | None = None,
    facts: Sequence[Path] = (),
) -> Evaluation:
    """Validate the rules, then read and score the submissions (nothing written).

    County names are mapped to codes inside ``area`` (default: the counties of the match's task
    table, else all of GB/T 2260); ``from_match`` supplies the ``source: task_table`` facts;
    ``facts`` (``canbao progress``'s facts.csv) the declared facts a submission does not give.
    """
    notes = validated(loaded)
    task = read_task_table(from_match) if from_match is not None else None
    area = list(area) or (task_area(task) if task is not None else [])
    rows = _read_all(submissions, self_scores=False, rules=loaded)
    self_rows, are_scores = _read_self(self_files) if self_files else (None, True)
    return evaluate(
        loaded,
        rows,
        self_rows=self_rows,
        self_are_scores=are_scores,
        notes=notes,
        area=area,
        task=task,
        task_file=f"{TASK_TABLE} ({from_match})",
        fact_rows=[row for file in facts for row in read_submission(Path(file))],
    )


def score_files(
    rules: Path,
    submissions: Sequence[Path],
    *,
    self_files: Sequence[Path] = (),
    output: Path,
    area: Sequence[str] = (),
    from_match: Path | None = None,
    facts: Sequence[Path] = (),
    progress: Callable[[str], None] = print_nothing,
) -> ScoreResult:
    """Score submissions by one rule file and write ``DIR/<name>.xlsx`` and ``DIR/<name>.json``.

    The rule file is validated whole first (:class:`RulesError`, exit 5); every scoring problem is
    raised at once (:class:`ScoringError`, exit 6) and then nothing is written. ``output`` is
    replaced atomically. ``progress`` is told each step with its counts (the CLI prints it).
    """
    progress(_("reading the rule set {path}").format(path=shown_path(rules)))
    loaded = load_rules(Path(rules))
    given = len(submissions) + len(self_files)
    progress(
        _("scoring {files:,} submission file(s) by {rules}").format(
            files=given, rules=loaded.rules.name
        )
    )
    ev = score_evaluation(
        loaded, submissions, self_files=self_files, area=area, from_match=from_match, facts=facts
    )
    progress(
        _("{counties:,} counties scored; writing the workbook").format(counties=len(ev.counties))
    )
    output = Path(output)
    name = loaded.rules.name
    inputs = [Path(rules), *map(Path, submissions), *map(Path, self_files), *map(Path, facts)]
    with atomic_directory(output, command="score", inputs=inputs) as staging:
        write_workbook(ev, staging / f"{name}.xlsx")
        text = json.dumps(ev.as_json(), ensure_ascii=False, indent=2)
        (staging / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    return ScoreResult(ev, output, output / f"{name}.xlsx", output / f"{name}.json")
