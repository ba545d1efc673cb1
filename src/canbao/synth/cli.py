"""``canbao demo``: write a synthetic city with its expected results (a thin wrapper)."""

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
    output_option,
    print_json,
    reporting,
    stdout_console,
)
from canbao.cli_help import example
from canbao.errors import UsageError
from canbao.i18n import _

DEFAULT_AS_OF = date(2017, 6, 30)


def demo(
    output: Annotated[Path, output_option(_("Directory to write (replaced whole)."))],
    persons: Annotated[
        int, typer.Option("--persons", "-n", min=1, help=_("Household persons."))
    ] = 3000,
    seed: Annotated[
        int, typer.Option("--seed", help=_("Random seed: the same seed gives the same city."))
    ] = 2017,
    as_of: Annotated[
        date | None,
        as_of_option(
            _("Reference date of the city (default 2017-06-30; 2017-08-31 with --month-after).")
        ),
    ] = None,
    clean: Annotated[
        bool, typer.Option("--clean", help=_("UTF-8 CSV only, no harmless mess in IDs and names."))
    ] = False,
    legal_groups: Annotated[
        bool,
        typer.Option(
            "--legal-groups",
            help=_("Also write injury, unemployment and maternity rosters with legal-group gaps."),
        ),
    ] = False,
    province: Annotated[
        bool,
        typer.Option(
            "--province",
            help=_(
                "Spread the persons over a province's counties (about 500,000 per county, real "
                "GB/T 2260 codes of Anhui), generated in bounded memory."
            ),
        ),
    ] = False,
    rosters_only: Annotated[
        bool,
        typer.Option(
            "--rosters-only",
            help=_("Write the rosters only: no expected/ results or ledgers."),
        ),
    ] = False,
    month_after: Annotated[
        Path | None,
        typer.Option(
            "--month-after",
            help=_(
                "Write the next month of the city in this folder instead: its rosters with "
                "planted deaths, moves, new insurance, corrected names, cleaned duplicates and "
                "survey visits, expected/changes.csv what `canbao changes` must list."
            ),
        ),
    ] = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Write a synthetic city (the help: its registration below)."""
    with reporting(verbose):
        from canbao.synth.city import generate_city

        if month_after is not None:
            _second_month(month_after, output, seed, as_of, json_output=json_output, quiet=quiet)
            return
        as_of = as_of or DEFAULT_AS_OF

        try:
            manifest = generate_city(
                persons,
                seed=seed,
                as_of=as_of,
                output=output,
                messy=not clean,
                legal_groups=legal_groups,
                province=province,
                rosters_only=rosters_only,
            )
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if json_output:
            payload = {
                "output": str(output),
                **manifest.to_json(),
                "expected": manifest.summary,
                "units": manifest.units,
            }
            print_json(payload)
        elif not quiet and not manifest.summary:
            done = _("synthetic city written to {folder}: the rosters only.")
            stdout_console.print(done.format(folder=output), markup=False)
        elif not quiet:
            s = manifest.summary
            city = _(
                "synthetic city written to {folder}: {households} household/floating rows, "
                "{enrolment} enrolment rows; expected: target {target}, needs survey {survey}, "
                "uninsured {uninsured}, conflict records {conflicts}, non-local {non_local}."
            )
            stdout_console.print(
                city.format(
                    folder=output,
                    households=s["household_rows"],
                    enrolment=s["enrolment_rows"],
                    target=s["target"],
                    survey=s["needs_survey"],
                    uninsured=s["uninsured"]["persons"],
                    conflicts=s["conflict_records"],
                    non_local=s["non_local"],
                ),
                markup=False,
            )
            u = manifest.units
            if not u:
                return
            units = _(
                "employers: {registered} registered, {insured} insured rows; expected: units "
                "needing a survey {survey} (not insured {not_insured}, invalid USCC {invalid})."
            )
            stdout_console.print(
                units.format(
                    registered=u["registry_rows"],
                    insured=u["insured_rows"],
                    survey=u["needing_survey"],
                    not_insured=u["not_insured"],
                    invalid=u["invalid_uscc"],
                ),
                markup=False,
            )


def _second_month(
    june: Path, output: Path, seed: int, as_of: date | None, *, json_output: bool, quiet: bool
) -> None:
    """``canbao demo --month-after``: the city's next month (canbao.synth.second_month)."""
    from canbao.synth.second_month import AUGUST, generate_second_month

    if not (june / "manifest.json").is_file():
        raise UsageError(
            _("{folder} is not a city written by canbao demo (no manifest.json)").format(
                folder=june
            ),
            fix=_("run canbao demo --output FOLDER first, then --month-after FOLDER"),
        )
    month = generate_second_month(june, output, seed=seed, as_of=as_of or AUGUST)
    if json_output:
        print_json(
            {
                "output": str(output),
                "as_of": month.as_of.isoformat(),
                "planted": month.planted,
                "changes": month.changes,
            }
        )
    elif not quiet:
        planted = ", ".join(f"{k} {v}" for k, v in month.planted.items())
        written = _(
            "next month of the synthetic city written to {folder}, as of {date}: {planted}; "
            "expected changes {changes}."
        )
        stdout_console.print(
            written.format(folder=output, date=month.as_of, planted=planted, changes=month.changes),
            markup=False,
        )


def register(app: typer.Typer) -> None:
    """Add ``canbao demo`` to the application."""
    app.command(
        "demo",
        help=_(
            "Write a synthetic city (Huaibei's four counties) with every finding "
            "planted and expected/."
        )
        + example("canbao demo -o 示例城市 --persons 3000"),
    )(demo)
