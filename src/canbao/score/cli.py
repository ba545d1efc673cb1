"""``canbao score`` and ``canbao rules check``: thin wrappers over :mod:`canbao.score`."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from canbao.cli_common import (
    JsonOption,
    QuietOption,
    VerboseOption,
    output_option,
    print_json,
    print_warning,
    progress_printer,
    reporting,
    stderr_console,
    stdout_console,
)
from canbao.cli_help import example
from canbao.errors import EXIT_RULES
from canbao.i18n import _
from canbao.score.api import check_files, score_files
from canbao.score.fees import ROUNDING_RULE
from canbao.score.values import total_text

rules_app = typer.Typer(
    name="rules",
    help=_("Rule sets for `canbao score`: check them.")
    + example("canbao rules check rules/huaibei-2017.yaml"),
    no_args_is_help=True,
    rich_markup_mode=None,
)


@rules_app.command(
    "check",
    help=_("Report gaps, overlaps, masked bands, points that do not add up and unknown fields.")
    + "\n\n"
    + _(
        "Errors exit 5; what a file resolves explicitly (hit policy first, an "
        "added band) is a note."
    )
    + example("canbao rules check rules/huaibei-2017.yaml"),
)
def rules_check(
    files: Annotated[list[Path], typer.Argument(help="Rule files (YAML) to analyse.")],
    json_: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Report gaps, overlaps, masked bands, points that do not add up and unknown fields."""
    with reporting(verbose):
        report = check_files(files)
        if json_:
            print_json(
                {
                    "ok": report.ok,
                    "errors": list(report.errors),
                    "notes": list(report.notes),
                    "lines": list(report.lines),
                }
            )
        elif quiet:  # errors still reach stderr: the exit code is 5 and they are listed there
            for line in report.errors:
                stderr_console.print(line, markup=False)
        for line in () if json_ or quiet else report.lines:
            stdout_console.print(line, markup=False)
        if not (json_ or quiet):
            stdout_console.print(
                f"{len(report.errors)} error(s), {len(report.notes)} note(s) in "
                f"{len(files)} file(s)",
                markup=False,
            )
    if not report.ok:
        raise typer.Exit(EXIT_RULES)


def score(
    submissions: Annotated[
        list[Path], typer.Argument(help="Submissions: long tables (CSV/xlsx) or evaluation tables.")
    ],
    rules: Annotated[
        Path,
        typer.Option(
            "--rules",
            metavar="NAME|FILE",
            help="The rule set: a bundled name (huaibei-2017) or a YAML file.",
        ),
    ],
    output: Annotated[Path, output_option("Directory for the workbook and JSON.")],
    self_files: Annotated[
        list[Path] | None,
        typer.Option("--self", help="Counties' self-evaluations (自评分 or 实际值); repeatable."),
    ] = None,
    from_match: Annotated[
        Path | None,
        typer.Option(
            "--from-match",
            help="A `canbao match` output: its task table gives the facts marked "
            "source: task_table (需入户调查人数) and the area county names must lie in.",
        ),
    ] = None,
    facts: Annotated[
        list[Path] | None,
        typer.Option(
            "--facts",
            help="A `canbao progress` facts.csv: the facts the rule set declares, for each "
            "county a submission does not give them; repeatable.",
        ),
    ] = None,
    area: Annotated[
        list[str] | None,
        typer.Option(
            "--area",
            envvar="CANBAO_AREA",
            help="Region-code prefix (3406) narrowing county names; repeatable.",
        ),
    ] = None,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Score county submissions by a rule set: evaluation workbook, ranking, fees."""
    with reporting(verbose):
        result = score_files(
            rules,
            submissions,
            self_files=self_files or (),
            output=output,
            area=area or (),
            from_match=from_match,
            facts=facts or (),
            progress=progress_printer(quiet),
        )
        if json_:
            print_json(result.as_json())
            return
        if quiet:
            return
        ev = result.evaluation
        for rank, county in ev.ranking():
            fee = f"  考核费用 {county.fee.amount} 元" if county.fee else ""
            total = total_text(county.total or Decimal(0), ev.places)
            stdout_console.print(f"{rank}. {county.name}  总分 {total}{fee}", markup=False)
        for county in ev.counties:
            above = county.above_review()
            if above:
                listed = ", ".join(above)
                stdout_console.print(
                    f"{county.name}: 自评高于上级评估 (self above review): 指标 {listed}",
                    markup=False,
                )
            failed = [r.id for r in county.relations if not r.holds]
            if failed:
                print_warning(
                    _("{county}: relations do not hold: {ids}").format(
                        county=county.name, ids=", ".join(failed)
                    )
                )
        if ev.loaded.rules.fee is not None:
            stdout_console.print(ROUNDING_RULE, markup=False)
        stdout_console.print(f"评估表 (workbook): {result.workbook}", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``score`` and ``rules check`` to the canbao app."""
    app.command(
        "score",
        help=_("Score county submissions by a rule set: evaluation workbook, ranking, fees.")
        + example(
            "canbao score --rules huaibei-2017 "
            "examples/score/huaibei-2017-submission.csv -o 评分结果"
        ),
    )(score)
    app.add_typer(rules_app, name="rules")
