"""``canbao person``, ``canbao decide`` and ``canbao export`` (thin layer over canbao.register)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from canbao.cli_common import (
    JsonOption,
    QuietOption,
    VerboseOption,
    as_of_option,
    db_option,
    echo_unmasked,
    output_option,
    parse_as_of,
    print_json,
    print_warning,
    reporting,
    stdout_console,
)
from canbao.cli_help import example
from canbao.errors import UsageError
from canbao.i18n import _

DbOption = Annotated[
    str, db_option(_("The registration database: a DuckDB file or postgresql://user@host/dbname."))
]


def person(
    citizen_id: Annotated[
        str, typer.Argument(metavar="ID", help=_("The citizen ID in full (the register's key)."))
    ],
    db: DbOption,
    as_of: Annotated[
        date | None,
        as_of_option(_("Show the state held on this date (default: the latest snapshot).")),
    ] = None,
    field_view: Annotated[
        bool,
        typer.Option(
            "--field-view",
            help=_(
                "Show the field team's view: the full ID and the deciders' names UNMASKED. "
                "Use only where the person's file may be seen (docs/database.md)."
            ),
        ),
    ] = False,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Show one person's state and history: dated states, survey visits, ledgers, decisions."""
    from canbao.register.person import read_person

    with reporting(verbose):
        view = read_person(db, citizen_id, as_of=as_of, field_view=field_view)
        if quiet:
            return
        if field_view:
            print_warning(_("--field-view: full citizen IDs and names follow, unmasked"))
        if json_:
            print_json(view.to_json(), unmasked=field_view)
        elif field_view:
            echo_unmasked("\n".join(view.lines()))
        else:
            stdout_console.print("\n".join(view.lines()), markup=False)


def decide(
    db: DbOption,
    citizen_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help=_("The citizen ID in full."))
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help=_(
                "conflict-resolved (信息错误已人工更正) or duplicate-cleaned "
                "(重复参保已由经办机构清理)."
            ),
        ),
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help=_("Who decided (stored in full)."))] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help=_("Why: the documents checked, the case number."))
    ] = None,
    on: Annotated[
        date | None,
        typer.Option(
            "--on",
            parser=parse_as_of,
            metavar="DATE",
            help=_("The date of the decision (default today)."),
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help=_(
                "A CSV of decisions instead of one ID (headings 公民身份号码, 决定类型, "
                "决定日期, 决定人, 理由)."
            ),
        ),
    ] = None,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Show one person's state and history (the help: its registration below)."""
    from canbao.register.decide import (
        one_decision,
        read_decision_file,
        record_manual_decisions,
    )

    with reporting(verbose):
        if file is not None:
            if citizen_id is not None or kind or by or reason or on:
                raise UsageError(
                    _("--file cannot be used with ID, --kind, --by, --reason or --on"),
                    fix=_("give either --file or one decision on the command line"),
                )
            result = record_manual_decisions(db, read_decision_file(file), where=str(file))
        else:
            if citizen_id is None or kind is None or by is None or reason is None:
                raise UsageError(
                    _("ID, --kind, --by and --reason are needed (or --file)"),
                    fix=_(
                        "canbao decide ID --db URL --kind conflict-resolved --by NAME --reason TEXT"
                    ),
                )
            result = record_manual_decisions(db, one_decision(citizen_id, kind, by, reason, on))
        if json_:
            print_json(
                {
                    "decisions": result.rows,
                    "recorded": result.recorded,
                    "not_in_register": result.unmatched,
                }
            )
        if result.unmatched and not quiet:
            never = _(
                "{n} decision(s) concern a person the register never had in that conflict or "
                "duplicate: check the ID; recorded anyway"
            )
            print_warning(never.format(n=result.unmatched))
        elif not quiet:
            recorded = _("{recorded} decision(s) recorded, {before} already there")
            stdout_console.print(
                recorded.format(recorded=result.recorded, before=result.rows - result.recorded),
                markup=False,
            )


def export(
    db: DbOption,
    from_: Annotated[
        Path, typer.Option("--from", help=_("The output directory of the `canbao match --db` run."))
    ],
    output: Annotated[Path, output_option(_("Directory for 全民参保登记信息.xlsx and .csv."))],
    as_of: Annotated[
        date | None,
        as_of_option(_("Confirmed on this date (default: the match's as-of date).")),
    ] = None,
    intake: Annotated[
        list[Path] | None,
        typer.Option(
            "--intake", help=_("An intake output directory: the valid forms' items win (repeat).")
        ),
    ] = None,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Export the confirmed registrations with the registration form's items, for upload."""
    from canbao.register.export import write_export

    with reporting(verbose):
        result = write_export(db, from_, output, as_of=as_of, intakes=intake)
        if json_:
            print_json(
                {
                    "output": str(result.output),
                    "as_of": result.as_of.isoformat(),
                    "persons": result.persons,
                    "by_how": result.by_how,
                }
            )
        elif not quiet:
            how = _(", ").join(f"{k} {v}" for k, v in result.by_how.items())
            exported = _("{persons} confirmed registrations ({how}) as of {date}: {folder}")
            stdout_console.print(
                exported.format(
                    persons=result.persons, how=how, date=result.as_of, folder=result.output
                ),
                markup=False,
            )


def register(app: typer.Typer) -> None:
    """Add ``person``, ``decide`` and ``export`` to the canbao app."""
    app.command(
        "person",
        help=_(
            "Show one person's state and history: dated states, survey visits, ledgers, decisions."
        )
        + "\n\n"
        + _(
            "Printed masked (340621********1234) unless --field-view, which shows "
            "the field team's view: the full ID and names."
        )
        + example("canbao person 340621199001011234 --db campaign.duckdb --json"),
    )(person)
    app.command(
        "decide",
        help=_(
            "Record a manual decision (a conflict resolved by hand, a duplicate "
            "cleaned): who, when, why."
        )
        + "\n\n"
        + _(
            "One decision on the command line, or a CSV of them with --file; every "
            "row is checked before any is recorded."
        )
        + example(
            "canbao decide 340621199001011234 --db x.db --kind conflict-resolved "
            "--by 张三 --reason 核对"
        ),
    )(decide)
    app.command(
        "export",
        help=_("Export the confirmed registrations with the registration form's items, for upload.")
        + "\n\n"
        + _(
            "Writes 全民参保登记信息.xlsx (IDs as text) and .csv: the persons confirmed "
            "directly, by a survey form or by a ledger, with the items of 全民参保登记表."
        )
        + example(
            "canbao export --db campaign.duckdb --from results/2017-08 "
            "--intake intake/2017-07 -o upload/"
        ),
    )(export)
