"""``canbao match``: parse options, call :func:`canbao.match.run_match`, print the summary."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from canbao.cli_common import (
    AsOfOption,
    FormatOption,
    JsonOption,
    QuietOption,
    TableFormat,
    VerboseOption,
    db_option,
    output_option,
    print_json,
    print_warning,
    progress_printer,
    reporting,
    stderr_console,
    stdout_console,
    term,
)
from canbao.cli_help import example
from canbao.i18n import N_, _
from canbao.match.api import MatchResult, run_match
from canbao.match.legal_rule import DEFAULT_LEGAL_GROUPS
from canbao.match.repairs import APPLY_THRESHOLD
from canbao.match.spark.cli import Engine, match_on_spark
from canbao.match.vocabulary import Reason
from canbao.match.writers import OutputFormat
from canbao.roster.kinds import RosterKind

if TYPE_CHECKING:
    from canbao.db import SnapshotResult

# The library speaks the writers' literal names; the CLI's enum maps onto them one to one.
OUTPUT_FORMATS: dict[TableFormat, OutputFormat] = {
    TableFormat.CSV: "csv",
    TableFormat.PARQUET: "parquet",
    TableFormat.XLSX: "xlsx",
}


def _files(kind: RosterKind) -> Any:
    """The repeatable option that names the files of one roster kind, e.g. ``--insured-units``."""
    return typer.Option(kind.option, help=kind.help)


def match(
    ctx: typer.Context,
    household: Annotated[list[Path], _files(RosterKind.HOUSEHOLD)],
    output: Annotated[Path, output_option(_("Directory for the results (replaced atomically)."))],
    pension: Annotated[list[Path] | None, _files(RosterKind.PENSION)] = None,
    medical: Annotated[list[Path] | None, _files(RosterKind.MEDICAL)] = None,
    floating: Annotated[list[Path] | None, _files(RosterKind.FLOATING)] = None,
    injury: Annotated[list[Path] | None, _files(RosterKind.INJURY)] = None,
    unemployment: Annotated[list[Path] | None, _files(RosterKind.UNEMPLOYMENT)] = None,
    maternity: Annotated[list[Path] | None, _files(RosterKind.MATERNITY)] = None,
    as_of: AsOfOption = None,
    area: Annotated[
        list[str] | None,
        typer.Option(
            envvar="CANBAO_AREA",
            help=_("Region-code prefix(es) of the area (default: household counties)."),
        ),
    ] = None,
    columns: Annotated[
        Path | None, typer.Option(help=_("YAML mapping of other headers to fields."))
    ] = None,
    format: FormatOption = TableFormat.CSV,
    units: Annotated[list[Path] | None, _files(RosterKind.UNITS)] = None,
    insured_units: Annotated[list[Path] | None, _files(RosterKind.INSURED_UNITS)] = None,
    apply_links: Annotated[
        str | None,
        typer.Option(
            "--apply-links",
            metavar="MIN_SCORE",
            help=_(
                "Apply the unique top suggested links scoring at least MIN_SCORE (0-100; "
                "{threshold} is the documented safe threshold). Default: only suggest."
            ).format(threshold=APPLY_THRESHOLD),
        ),
    ] = None,
    accept_damaged_ids: Annotated[
        bool,
        typer.Option(
            "--accept-damaged-ids",
            help=_("Run even when most IDs of a roster are invalid or damaged by a spreadsheet."),
        ),
    ] = False,
    db: Annotated[
        str | None,
        db_option(
            _(
                "Record the run in the registration database: a DuckDB file (created on first "
                "use) or postgresql://user@host/dbname. See docs/database.md."
            ),
            envvar="CANBAO_DB",
        ),
    ] = None,
    rebuild_history: Annotated[
        bool,
        typer.Option(
            "--rebuild-history",
            help=_(
                "With --db: accept an as-of date older than the latest snapshot and rebuild "
                "the history from it (the later snapshots are retired; load them again after)."
            ),
        ),
    ] = False,
    county_lists: Annotated[
        bool,
        typer.Option(
            "--county-lists",
            help=_(
                "Also write lists/<county>/需入户调查人员名单.xlsx (and the units' list) for "
                "field teams, IDs as text; slow on a large city, so asked for."
            ),
        ),
    ] = False,
    legal_groups: Annotated[
        str,
        typer.Option(
            "--legal-groups",
            metavar="FILE|NAME",
            help=_(
                "Rule saying who should have injury, unemployment and maternity cover (法定群体): "
                "a TOML file or a bundled rule's name; 'none' switches the judgement off."
            ),
        ),
    ] = DEFAULT_LEGAL_GROUPS,
    shards: Annotated[
        str,
        typer.Option(
            "--shards",
            metavar="N|auto",
            help=_(
                "Match the persons in N shards, one at a time in bounded memory, with the same "
                "result files (docs/scale.md); auto chooses from the rosters' size and free memory."
            ),
        ),
    ] = "auto",
    engine: Annotated[
        Engine,
        typer.Option(
            help=_(
                "polars (this machine) or spark (a Spark session: local[2], --spark-master, "
                "or the one spark-submit prepares; needs canbao[spark], docs/scale.md)."
            ),
        ),
    ] = Engine.POLARS,
    spark_master: Annotated[
        str | None, typer.Option(help=_("With --engine spark: Spark's master, e.g. local[2]."))
    ] = None,
    driver_memory: Annotated[
        str, typer.Option(help=_("With --engine spark: spark.driver.memory of a local session."))
    ] = "1g",
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Match household, pension and medical rosters into the campaign's result sets."""
    progress = progress_printer(quiet)
    with reporting(verbose):
        if engine == Engine.SPARK:
            spark_result = match_on_spark(ctx.params, progress)
            if json_output:
                print_json(spark_result.summary.to_dict())
            elif not quiet:
                print_summary(spark_result)
            return
        result = run_match(
            # The roster options by kind: each parameter above is named after its kind.
            roster_files(ctx.params),
            as_of=as_of,
            area=area,
            columns=columns,
            output=output,
            format=OUTPUT_FORMATS[format],
            # Passed as typed: run_match alone checks that it is a score from 0 to 100.
            apply_links=apply_links,
            progress=progress,
            accept_damaged_ids=accept_damaged_ids,
            db=db,
            rebuild_history=rebuild_history,
            legal_groups=legal_groups,
            warn=print_warning,
            county_lists=county_lists,
            shards=shards,
        )
        if not quiet:
            done = _("done: {rows:,} household rows matched")
            progress(done.format(rows=result.summary.household_rows))
        if db is not None and not quiet and result.snapshot is not None:
            print_snapshot(result.snapshot)
        if json_output:
            print_json(result.summary.to_dict())
        elif not quiet:
            print_summary(result)


def roster_files(params: Mapping[str, Any]) -> dict[RosterKind, tuple[Path, ...]]:
    """The roster options by kind: each option's parameter is named after its kind's value."""
    return {kind: tuple(params.get(kind.value) or ()) for kind in RosterKind}


def print_summary(result: MatchResult) -> None:
    """Print the summary table and where the files are."""
    # Here rather than at the top: --help, --json and --quiet never draw a table.
    from rich.table import Table

    s = result.summary
    title = _("canbao match · as of {date} · area {area}")
    table = Table(title=title.format(date=s.as_of.isoformat(), area=", ".join(s.area)))
    table.add_column(_("item"))
    table.add_column(_("persons / rows"), justify="right")
    for label, value in _summary_rows(s):
        table.add_row(label, f"{value:,}")
    stdout_console.print(table)
    for rate, label in (
        (s.coverage.pension, _("pension coverage (hukou basis)")),
        (s.coverage.medical, _("medical coverage (hukou basis)")),
    ):
        stdout_console.print(
            f"{label}: {rate.rate or '—'} ({rate.numerator:,}/{rate.denominator:,})",
            markup=False,
        )
    for eq in s.conservation:
        line = _("conservation ok: {equation}") if eq.ok else _("conservation FAILED: {equation}")
        stdout_console.print(
            f"{line.format(equation=eq.equation)}  ({eq.left:,} = {eq.right:,})", markup=False
        )
    written = _("results written to {folder}/").format(folder=result.output)
    stdout_console.print(written, markup=False)


def _summary_rows(s: Any) -> list[tuple[str, int]]:
    """The rows of the summary table: label (in canbao's language) and count."""
    rows = [
        (_("household rows"), s.household_rows),
        ("  " + _("target persons"), s.target),
        ("  " + _("excluded (died, moved out, cancelled)"), s.excluded),
        (_("confirmed directly"), s.confirmed),
        (_("needs a household survey"), s.needs_survey),
        (term(Reason.UNINSURED), s.uninsured),
        *((f"  {term(k)}", v) for k, v in s.uninsured_flags.items()),
        *(
            (_("duplicate enrolment: {kind}").format(kind=term(k)), v)
            for k, v in s.duplicates.items()
        ),
        *((_("wrong information: {kind}").format(kind=term(k)), v) for k, v in s.conflicts.items()),
        (_("enrolment rows"), s.enrolment_rows),
        ("  " + _("insured here, household elsewhere"), s.non_local),
        (_("unreadable rows"), s.unreadable_rows),
        ("  " + _("of which total rows"), s.total_rows),
        (_("records with suggested links"), s.suggested_links),
        (_("links applied"), s.applied_links),
    ]
    if s.units:
        rows += [
            (_("registered units"), s.units["registry_rows"]),
            (_("units needing a survey"), s.units["needing_survey"]),
            ("  " + _("registered, not insured"), s.units["not_insured"]),
            ("  " + _("invalid unified social credit code"), s.units["invalid_uscc"]),
        ]
    legal = s.legal_groups
    if legal is not None:
        rows += [
            (_("legal group: {gap}").format(gap=term(k.gap)), legal.count(k) or 0)
            for k in legal.judged
        ]
    return rows


SNAPSHOT_OUTCOMES = {
    "recorded": N_("recorded"),
    "unchanged": N_("same inputs as a recorded snapshot, unchanged"),
    "revised": N_("a revision replacing the snapshot of that date"),
    "rebuilt": N_("history rebuilt from this date"),
}


def print_snapshot(snapshot: SnapshotResult) -> None:
    """One line on stderr: what the database made of the run (stdout stays the summary)."""
    line = _(
        "[canbao] snapshot {outcome}: run {run}, revision {revision}, {began:,} states began, "
        "{ended:,} ended"
    )
    stderr_console.print(
        line.format(
            outcome=_(SNAPSHOT_OUTCOMES[snapshot.outcome]),
            run=snapshot.run_id,
            revision=snapshot.revision,
            began=snapshot.began,
            ended=snapshot.ended,
        ),
        markup=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``canbao match`` to the application."""
    app.command(
        "match",
        help=_("Match household, pension and medical rosters into the campaign's result sets.")
        + example(
            "canbao match --household household.csv --medical medical_resident.csv "
            "--as-of 20170630 -o 结果"
        ),
    )(match)
