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
from canbao.errors import UsageError

DEFAULT_AS_OF = date(2017, 6, 30)


def demo(
    output: Annotated[Path, output_option("Directory to write (replaced whole).")],
    persons: Annotated[
        int, typer.Option("--persons", "-n", min=1, help="Household persons.")
    ] = 3000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed gives the same city.")
    ] = 2017,
    as_of: Annotated[date, as_of_option("Reference date of the city.")] = DEFAULT_AS_OF,
    clean: Annotated[
        bool, typer.Option("--clean", help="UTF-8 CSV only, no harmless mess in IDs and names.")
    ] = False,
    legal_groups: Annotated[
        bool,
        typer.Option(
            "--legal-groups",
            help="Also write injury, unemployment and maternity rosters with legal-group gaps.",
        ),
    ] = False,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Write a synthetic city (Huaibei's four counties) with every finding planted and expected/.

    \b
    示例 (example):
      canbao demo -o 示例城市 --persons 3000
    """
    with reporting(verbose):
        from canbao.synth.city import generate_city

        try:
            manifest = generate_city(
                persons,
                seed=seed,
                as_of=as_of,
                output=output,
                messy=not clean,
                legal_groups=legal_groups,
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
        elif not quiet:
            s = manifest.summary
            stdout_console.print(
                f"合成城市 (synthetic city) written to {output}: "
                f"{s['household_rows']} household/floating rows, "
                f"{s['enrolment_rows']} enrolment rows; expected: target {s['target']}, "
                f"needs survey {s['needs_survey']}, uninsured {s['uninsured']['persons']}, "
                f"conflict records {s['conflict_records']}, non-local {s['non_local']}.",
                markup=False,
            )
            u = manifest.units
            stdout_console.print(
                f"单位 (employers): {u['registry_rows']} registered, {u['insured_rows']} insured "
                f"rows; expected: units needing a survey {u['needing_survey']} "
                f"(not insured {u['not_insured']}, invalid USCC {u['invalid_uscc']}).",
                markup=False,
            )


def register(app: typer.Typer) -> None:
    """Add ``canbao demo`` to the application."""
    app.command("demo")(demo)
