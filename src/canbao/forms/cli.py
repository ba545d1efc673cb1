"""``canbao forms survey``, ``canbao forms template`` and ``canbao intake`` (thin layer)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from canbao.cli_common import (
    AsOfOption,
    JsonOption,
    QuietOption,
    VerboseOption,
    db_option,
    output_option,
    parse_as_of,
    print_json,
    progress_printer,
    reporting,
    show_password,
    stdout_console,
)
from canbao.cli_help import example
from canbao.errors import UsageError
from canbao.forms.intake import run_intake
from canbao.forms.ledgers import LedgerFiles, ledger_report
from canbao.forms.spot_check import (
    DEFAULT_MINIMUM,
    DEFAULT_SEED,
    SHEET_FILE,
    SampleSpec,
    parse_rate,
)
from canbao.forms.survey import FORMS_PER_FILE, write_survey_forms
from canbao.forms.templates import KINDS, write_template
from canbao.forms.unit_intake import UNIT_PROBLEMS_FILE, UnitIntake
from canbao.i18n import N_, _
from canbao.shown_path import shown_path

SHOWN_PROBLEMS = 20
FACTS_WRITTEN = N_("facts for scoring written to {path}")

forms_app = typer.Typer(
    name="forms",
    help=_("Survey forms: roster, registration forms and entry sheets; blank county templates.")
    + example("canbao forms survey --from 结果 --by village -o 调查表"),
    no_args_is_help=True,
    rich_markup_mode=None,
)


@forms_app.command(
    "survey",
    help=_(
        "Write the survey roster, the pre-filled registration forms and the entry sheet per group."
    )
    + example("canbao forms survey --from 结果 --by village -o 调查表"),
)
def survey(
    from_: Annotated[Path, typer.Option("--from", help=_("Output directory of `canbao match`."))],
    output: Annotated[Path, output_option(_("Directory for the forms."))],
    by: Annotated[
        str, typer.Option("--by", help=_("One workbook set per county, township or village."))
    ] = "village",
    seal: Annotated[
        bool,
        typer.Option(
            "--seal",
            help=_(
                "Also pack each group into sealed/GROUP.zip (AES-256), each with its own "
                "password shown once on stderr."
            ),
        ),
    ] = False,
    forms_per_file: Annotated[
        int,
        typer.Option(
            "--forms-per-file", min=1, help=_("Forms per workbook (larger groups: volumes).")
        ),
    ] = FORMS_PER_FILE,
    ledger: Annotated[
        list[Path] | None,
        typer.Option(
            "--ledger",
            help=_(
                "A village ledger (台账: 居民医保, 城居保, 新生儿登记, 低保, 暂住证, 人口普查): "
                "persons found in it with the same ID and name are confirmed without a visit."
            ),
        ),
    ] = None,
    ledger_source: Annotated[
        str | None,
        typer.Option("--ledger-source", help=_("The source of ledger rows without a 台账 column.")),
    ] = None,
    columns: Annotated[
        Path | None, typer.Option(help=_("YAML mapping of other ledger headers to fields."))
    ] = None,
    db: Annotated[
        str | None,
        db_option(
            _(
                "The registration database (a DuckDB file or postgresql://…): leave out "
                "the persons a survey form or a ledger confirmed since their reasons last changed, "
                "and record the persons --ledger confirms."
            )
        ),
    ] = None,
    ledger_date: Annotated[
        date | None,
        typer.Option(
            "--ledger-date",
            parser=parse_as_of,
            metavar="DATE",
            help=_("With --db: the date the ledgers confirmed, as recorded (default today)."),
        ),
    ] = None,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Write the survey forms per group (the help: its registration above)."""
    with reporting(verbose):
        if not ledger and (
            ledger_source is not None or columns is not None or ledger_date is not None
        ):
            raise UsageError(
                _("--ledger-source, --columns and --ledger-date describe ledgers"),
                fix=_("add --ledger FILE"),
            )
        ledgers = LedgerFiles(tuple(ledger), columns, ledger_source) if ledger else None
        result = write_survey_forms(
            from_,
            output,
            by=by,
            seal=seal,
            ledgers=ledgers,
            db=db,
            as_of=ledger_date,
            forms_per_file=forms_per_file,
        )
        for archive, password in result.sealed.items():
            show_password(archive, password)
        if json_:
            payload = {
                "output": str(result.output),
                "by": result.by,
                "persons": result.persons,
                "groups": [
                    {"key": list(g.key), "persons": g.persons, "directory": g.directory}
                    for g in result.groups
                ],
                "units": [
                    {"county": g.county, "units": g.units, "directory": g.directory}
                    for g in result.units
                ],
            }
            if result.left_out is not None:
                payload["confirmed_by_survey"] = result.left_out.by_survey
                payload["confirmed_by_recorded_ledger"] = result.left_out.by_ledger
            if result.ledger_recorded is not None:
                payload["ledger_recorded"] = result.ledger_recorded
            if result.ledger is not None:
                payload["ledger"] = {
                    **result.ledger.summary(),
                    "villages": result.ledger.spared.to_dicts(),
                }
            print_json(payload)
        elif not quiet:
            _print_survey(result, by)
            for line in ledger_report(result.ledger) if result.ledger is not None else ():
                stdout_console.print(line, markup=False)


@forms_app.command(
    "template",
    help=_("Write a blank evaluation table or data table for counties to fill.")
    + example("canbao forms template evaluation --rules huaibei-2017 -o 评估表.xlsx"),
)
def template(
    kind: Annotated[str, typer.Argument(help=_("evaluation (评估表) or datatable (数据表)."))],
    rules: Annotated[
        Path,
        typer.Option(
            "--rules",
            metavar="NAME|FILE",
            help=_("The rule set: a bundled name (huaibei-2017) or a YAML file."),
        ),
    ],
    output: Annotated[Path, output_option(_("The workbook to write (.xlsx)."))],
    force: Annotated[
        bool, typer.Option("--force", help=_("Overwrite --output even if canbao did not write it."))
    ] = False,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Write a blank evaluation table or data table for counties to fill."""
    with reporting(verbose):
        if kind not in KINDS:
            raise UsageError(
                _("unknown template {kind!r}").format(kind=kind),
                fix=_("use evaluation or datatable"),
            )
        path = write_template(kind, rules, output, force=force)
        if json_:
            print_json({"template": kind, "output": str(path)})
        elif not quiet:
            written = _("{kind} template written to {path}").format(kind=kind, path=path)
            stdout_console.print(written, markup=False)


def intake(
    files: Annotated[
        list[Path],
        typer.Argument(help=_("Filled entry sheets (信息录入表, .xlsx or .csv) or their folders.")),
    ],
    output: Annotated[Path, output_option(_("Directory for problems, facts and entries."))],
    survey: Annotated[
        Path | None,
        typer.Option("--survey", help=_("The match directory whose roster was surveyed.")),
    ] = None,
    summary: Annotated[
        Path | None,
        typer.Option("--summary", help=_("The county's reported totals (汇总表), CSV or xlsx.")),
    ] = None,
    as_of: AsOfOption = None,
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules", help=_("Also write submission.csv with the facts this rule set knows.")
        ),
    ] = None,
    sample: Annotated[
        bool,
        typer.Option(
            "--sample",
            help=_(
                "Also draw the spot-check sample (抽查) of entered forms into {file}, "
                "stratified by village and 经办人."
            ).format(file=SHEET_FILE),
        ),
    ] = False,
    seed: Annotated[
        int, typer.Option("--seed", help=_("Seed of the sample: the same seed, the same sample."))
    ] = DEFAULT_SEED,
    sample_rate: Annotated[
        str, typer.Option("--sample-rate", help=_("Share of each stratum to check (percent)."))
    ] = "5%",
    sample_min: Annotated[
        int, typer.Option("--sample-min", min=1, help=_("Forms checked at least per stratum."))
    ] = DEFAULT_MINIMUM,
    spot_check: Annotated[
        list[Path] | None,
        typer.Option(
            "--spot-check",
            help=_("A filled {file}: its outcome is counted into facts.").format(file=SHEET_FILE),
        ),
    ] = None,
    db: Annotated[
        str | None,
        db_option(
            _(
                "Record each visited person in the registration database (a DuckDB file or "
                "postgresql://…), confirmed by survey (已核实入库) when the form is valid."
            )
        ),
    ] = None,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Check filled entry sheets and count what scoring needs (problems never stop the run)."""
    with reporting(verbose):
        spec = SampleSpec(seed, parse_rate(sample_rate), sample_min) if sample else None
        result = run_intake(
            files,
            output=output,
            survey=survey,
            summary=summary,
            as_of=as_of,
            rules=rules,
            sample=spec,
            spot_checks=spot_check or (),
            db=db,
            progress=progress_printer(quiet),
        )
        if json_:
            print_json(result.to_json())
            return
        if quiet:
            return
        if result.units is not None and len(result.units.files) == len(result.files):
            show_unit_problems(result.units, output)  # unit sheets only
            stdout_console.print(_(FACTS_WRITTEN).format(path=output / "facts.csv"), markup=False)
            return
        cats = _(", ").join(f"{k} {v}" for k, v in result.by_category().items())
        read = _("{rows} rows read from {files} file(s); {problems} problem(s): {kinds}")
        stdout_console.print(
            read.format(
                rows=result.rows,
                files=len(result.files),
                problems=result.problems.height,
                kinds=cats,
            ),
            markup=False,
        )
        shown = result.masked_problems().head(SHOWN_PROBLEMS)
        for row in shown.iter_rows(named=True):
            stdout_console.print(
                f"  {shown_path(row['文件'])}:{row['行号']} {row['公民身份号码']} {row['姓名']} "
                f"{row['项目']}={row['值'] or _('(empty)')}: {row['原因']} [{row['原因代码']}]",
                markup=False,
            )
        if result.problems.height > SHOWN_PROBLEMS:
            more = _("  ... see {path}").format(path=output / "problems.csv")
            stdout_console.print(more, markup=False)
        if result.units is not None:
            show_unit_problems(result.units, output)
        stdout_console.print(_(FACTS_WRITTEN).format(path=output / "facts.csv"), markup=False)
        if result.sample is not None:
            sizes = _(", ").join(
                f"{code} {c['sampled']}/{c['entered']}"
                for code, c in result.sample["per_county"].items()
            )
            drawn = _("spot-check sample (seed {seed}): {sizes} -> {path}")
            stdout_console.print(
                drawn.format(seed=seed, sizes=sizes, path=output / SHEET_FILE), markup=False
            )


def _print_survey(result: Any, by: str) -> None:
    """What ``forms survey`` wrote: persons and groups, units, who was left out and why."""
    written = _(
        "{persons} persons in {groups} group(s) by {by}: roster, forms and entry sheet "
        "written to {folder}"
    )
    stdout_console.print(
        written.format(
            persons=result.persons, groups=len(result.groups), by=by, folder=result.output
        ),
        markup=False,
    )
    if result.units:
        units = _(
            "{units} units needing a survey in {counties} county(ies): unit roster and entry "
            "sheet per county"
        )
        counted = units.format(units=sum(g.units for g in result.units), counties=len(result.units))
        stdout_console.print(counted, markup=False)
    if result.left_out is not None:
        left_out = _(
            "{by_survey} persons left out: confirmed by a survey form since their reasons last "
            "changed (已核实入库); {by_ledger} by a ledger recorded earlier (台账)"
        )
        stdout_console.print(
            left_out.format(
                by_survey=result.left_out.by_survey, by_ledger=result.left_out.by_ledger
            ),
            markup=False,
        )
    if result.ledger_recorded is not None:
        recorded = _("{n} ledger confirmation(s) recorded in the database")
        stdout_console.print(recorded.format(n=result.ledger_recorded), markup=False)


def show_unit_problems(units: UnitIntake, output: Path) -> None:
    """Print the unit sheets' count and their first problems (Chinese first, with the fix)."""
    counted = _("units: {rows} rows from {files} file(s), {problems} problem(s)")
    stdout_console.print(
        counted.format(
            rows=units.entries.height, files=len(units.files), problems=units.problems.height
        ),
        markup=False,
    )
    line = _("  {file} row {row} {item}={value}: {reason} [{code}]; {fix}")
    for row in units.masked_problems().head(SHOWN_PROBLEMS).iter_rows(named=True):
        shown = line.format(
            file=shown_path(row["文件"]),
            row=row["行号"],
            item=row["项目"],
            value=row["值"] or _("(empty)"),
            reason=row["原因"],
            code=row["原因代码"],
            fix=row["改正方法"],
        )
        stdout_console.print(shown, markup=False)
    if units.problems.height > SHOWN_PROBLEMS:
        more = _("  ... see {path}").format(path=output / UNIT_PROBLEMS_FILE)
        stdout_console.print(more, markup=False)


def register(app: typer.Typer) -> None:
    """Add ``forms`` (survey, template) and ``intake`` to the canbao app."""
    app.add_typer(forms_app, name="forms")
    app.command(
        "intake",
        help=_(
            "Check filled entry sheets and count what scoring needs (problems never stop the run)."
        )
        + example(
            "canbao intake 调查表/相山区/古饶街道/萧营社区/信息录入表.xlsx --survey 结果 -o 检查"
        ),
    )(intake)
