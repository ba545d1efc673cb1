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
)
from canbao.cli_help import example
from canbao.i18n import _
from canbao.match.api import MatchResult, run_match
from canbao.match.legal_rule import DEFAULT_LEGAL_GROUPS
from canbao.match.repairs import APPLY_THRESHOLD
from canbao.match.spark.cli import Engine, match_on_spark
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
            match_on_spark(ctx.params, progress, quiet=quiet, as_json=json_output)
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
            progress(f"done: {result.summary.household_rows:,} household rows matched")
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
    table = Table(title=f"canbao match · as of {s.as_of.isoformat()} · area {', '.join(s.area)}")
    table.add_column("项目 (item)")
    table.add_column("人数/条数 (count)", justify="right")
    rows = [
        ("户籍人口行数 household rows", s.household_rows),
        ("  目标人群 target", s.target),
        ("  排除 (死亡/迁出/注销) excluded", s.excluded),
        ("直接确认登记 confirmed", s.confirmed),
        ("需入户调查 needs survey", s.needs_survey),
        ("应参未参 uninsured", s.uninsured),
        *((f"  {k.value}", v) for k, v in s.uninsured_flags.items()),
        *((f"重复参保 {k.value}", v) for k, v in s.duplicates.items()),
        *((f"信息错误 {k.value}", v) for k, v in s.conflicts.items()),
        ("参保记录行数 enrolment rows", s.enrolment_rows),
        ("  外地户籍参保 non-local", s.non_local),
        ("无法读取的行 unreadable rows", s.unreadable_rows),
        ("  其中合计/小计行 of which total rows", s.total_rows),
        ("建议关联 records with suggested links", s.suggested_links),
        ("已应用关联 links applied", s.applied_links),
    ]
    if s.units:
        rows += [
            ("登记注册单位 registry units", s.units["registry_rows"]),
            ("需入户调查单位 units needing survey", s.units["needing_survey"]),
            ("  登记注册未参保 not insured", s.units["not_insured"]),
            ("  统一社会信用代码有误 invalid USCC", s.units["invalid_uscc"]),
        ]
    legal = s.legal_groups
    if legal is not None:
        rows += [(f"法定群体{k.gap.label} {k.gap}", legal.count(k) or 0) for k in legal.judged]
    for label, value in rows:
        table.add_row(label, f"{value:,}")
    stdout_console.print(table)
    for rate, label in (
        (s.coverage.pension, "养老保险参保率 pension"),
        (s.coverage.medical, "医疗保险参保率 medical"),
    ):
        stdout_console.print(
            f"{label} (户籍口径 hukou basis): {rate.rate or '—'} "
            f"({rate.numerator:,}/{rate.denominator:,})",
            markup=False,
        )
    for eq in s.conservation:
        mark = "ok" if eq.ok else "FAILED"
        stdout_console.print(
            f"conservation {mark}: {eq.equation}  ({eq.left:,} = {eq.right:,})",
            markup=False,
        )
    stdout_console.print(f"results written to {result.output}/", markup=False)


SNAPSHOT_OUTCOMES = {
    "recorded": "已入库 recorded",
    "unchanged": "与已入库的快照相同，未改动 same inputs as a recorded snapshot, unchanged",
    "revised": "更正版本，替换同日快照 a revision replacing the snapshot of that date",
    "rebuilt": "从此日期重建历史 history rebuilt from this date",
}


def print_snapshot(snapshot: SnapshotResult) -> None:
    """One line on stderr: what the database made of the run (stdout stays the summary)."""
    stderr_console.print(
        f"[canbao] snapshot {SNAPSHOT_OUTCOMES[snapshot.outcome]}: run {snapshot.run_id}, "
        f"revision {snapshot.revision}, {snapshot.began:,} states began, "
        f"{snapshot.ended:,} ended",
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
