"""``canbao changes``: who entered and who left each set between two snapshots (thin layer)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from canbao.cli_common import (
    JsonOption,
    QuietOption,
    SnapshotAreaOption,
    VerboseOption,
    db_option,
    output_option,
    parse_as_of,
    print_json,
    reporting,
    snapshot_area,
    stdout_console,
)
from canbao.cli_help import example
from canbao.errors import UsageError
from canbao.i18n import _

if TYPE_CHECKING:
    from canbao.changes import Changes


def changes(
    output: Annotated[
        Path, output_option(_("Directory for the workbooks per county and the CSV."))
    ],
    db: Annotated[
        str | None,
        db_option(_("The registration database (a DuckDB file or postgresql://…) to read.")),
    ] = None,
    start: Annotated[
        date | None,
        typer.Option(
            "--from",
            parser=parse_as_of,
            metavar="DATE",
            help=_("The earlier date (default: the snapshot before --to)."),
        ),
    ] = None,
    end: Annotated[
        date | None,
        typer.Option(
            "--to",
            parser=parse_as_of,
            metavar="DATE",
            help=_("The later date (default: the latest snapshot)."),
        ),
    ] = None,
    area: SnapshotAreaOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Who entered and who left each set between two snapshots, and why, per county."""
    with reporting(verbose):
        if db is None:
            raise UsageError(
                _("--db is missing: the registration database is required"),
                fix=_("add --db campaign.duckdb or --db postgresql://…"),
            )
        from canbao.changes import changes_between, write_changes
        from canbao.db import open_database

        with open_database(db) as database:
            found = changes_between(database, area=snapshot_area(area), start=start, end=end)
        books = write_changes(found, output)
        if json_output:
            print_json({**found.to_json(), "output": str(output), "workbooks": len(books)})
        elif not quiet:
            print_counts(found)
            written = _("{books} county workbook(s) and changes.csv written to {folder}/")
            stdout_console.print(written.format(books=len(books), folder=output), markup=False)


def print_counts(found: Changes) -> None:
    """The counts per list, direction and reason as a table (counts only, never an ID)."""
    from rich.table import Table

    from canbao.changes._tables import labelled

    title = _("canbao changes · {start} → {end} · area {area}")
    table = Table(
        title=title.format(
            start=found.start.isoformat(), end=found.end.isoformat(), area=found.area
        )
    )
    for heading in (_("list"), _("change"), _("why")):
        table.add_column(heading)
    table.add_column(_("persons"), justify="right")
    for row in labelled(found.counts()).iter_rows():
        table.add_row(*(str(v) for v in row[:3]), f"{row[3]:,}")
    table.add_row(_("total"), "", "", f"{found.rows['person_key'].n_unique():,}")
    stdout_console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``canbao changes`` to the application."""
    app.command(
        "changes",
        help=_("Who entered and who left each set between two snapshots, and why, per county.")
        + "\n\n"
        + _(
            "Writes one print-ready workbook per county (changes sorted by "
            "township, village and person), changes.csv, counts.csv and "
            "changes.json; prints the counts (no ID)."
        )
        + example(
            "canbao changes --db campaign.duckdb --from 2017-06-30 --to 2017-08-31 -o changes/"
        ),
    )(changes)
