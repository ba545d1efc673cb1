"""``canbao progress``: a thin wrapper over :func:`canbao.progress.api.run_progress`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from canbao.cli_common import (
    JsonOption,
    QuietOption,
    SnapshotAreaOption,
    VerboseOption,
    as_of_option,
    db_option,
    output_option,
    print_json,
    reporting,
    snapshot_area,
    stdout_console,
)
from canbao.cli_help import example
from canbao.i18n import _
from canbao.match.vocabulary import ProgressPeriod


def progress(
    db: Annotated[
        str, db_option(_("The registration database (a DuckDB file or postgresql://…)."))
    ],
    population: Annotated[
        Path,
        typer.Option(
            "--population", help=_("Resident population (常住人口) per county, CSV or xlsx.")
        ),
    ],
    output: Annotated[Path, output_option(_("Directory for the workbooks, rates and facts."))],
    as_of: Annotated[
        date | None,
        as_of_option(
            _("Last day reported (default: the latest snapshot's date)."), envvar="CANBAO_AS_OF"
        ),
    ] = None,
    period: Annotated[
        ProgressPeriod,
        typer.Option(
            "--period", help=_("Period of each row: bimonthly (双月调度), monthly, weekly.")
        ),
    ] = ProgressPeriod.BIMONTHLY,
    manual: Annotated[
        Path | None,
        typer.Option(
            "--manual", help=_("Columns answered by hand and rates 3-4 (县区, 项目, 值).")
        ),
    ] = None,
    cross_city: Annotated[
        list[Path] | None,
        typer.Option(
            "--cross-city",
            help=_(
                "Enrolment rosters of other cities (files or folders): computes rate 3 "
                "(跨地市), every target person compared with them."
            ),
        ),
    ] = None,
    cross_province: Annotated[
        list[Path] | None,
        typer.Option(
            "--cross-province",
            help=_(
                "Enrolment rosters of other provinces or the ministry's (files or folders): "
                "computes rate 4 (跨省)."
            ),
        ),
    ] = None,
    columns: Annotated[
        Path | None,
        typer.Option(
            help=_("YAML mapping of other headings of the --cross-city/-province rosters.")
        ),
    ] = None,
    area: SnapshotAreaOption = None,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """The progress rates and tables (the help: its registration below)."""
    from canbao.errors import UsageError
    from canbao.progress._outside import COMPARISONS, OutsideRosters
    from canbao.progress._write import as_json
    from canbao.progress.api import run_progress

    if columns is not None and not (cross_city or cross_province):
        raise UsageError(
            _("--columns describes the rosters of --cross-city/--cross-province"),
            fix=_("add --cross-city or --cross-province, or leave out --columns"),
        )
    outside = OutsideRosters(tuple(cross_city or ()), tuple(cross_province or ()), columns)

    with reporting(verbose):
        report = run_progress(
            db,
            population=population,
            output=output,
            manual=manual,
            as_of=as_of,
            kind=period,
            area=snapshot_area(area),
            outside=outside,
        )
        if json_:
            print_json(as_json(report))
            return
        if quiet:
            return
        for row in report.latest():
            if row.county is None:
                stdout_console.print(f"{report.area} {row.period_label}", markup=False)
                for rate in row.rates:
                    counts = "/".join(
                        "—" if n is None else str(n) for n in (rate.numerator, rate.denominator)
                    )
                    stdout_console.print(
                        f"{rate.spec.number}. {rate.spec.name} {rate.text} ({counts})",
                        markup=False,
                    )
                for name, bad in report.outside_unreadable.items():
                    found = COMPARISONS[name][0]
                    count = row.counts.get(found)
                    unread = _("{found} {count} ({n} rows of the rosters could not be read)")
                    line = (
                        unread.format(found=found, count=count, n=bad)
                        if bad
                        else f"{found} {count}"
                    )
                    stdout_console.print(line, markup=False)
        table = _("progress table: {path}").format(path=output / "progress.xlsx")
        stdout_console.print(table, markup=False)


def register(app: typer.Typer) -> None:
    """Add ``progress`` to the canbao app."""
    app.command(
        "progress",
        help=_(
            "The nine rates of 人社厅发〔2017〕28号 per county and period, the progress "
            "table and tables (一)/(二) from the registration database, and the facts "
            "`canbao score --facts` reads."
        )
        + example(
            "canbao progress --db campaign.duckdb --population population.csv -o progress/2017-08",
            "canbao progress --db campaign.duckdb --population population.csv "
            "--cross-city other-cities/ --cross-province ministry.csv -o progress/2017-08",
        ),
    )(progress)
