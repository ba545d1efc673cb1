"""``canbao seal PATH...``: pack files for a village into an AES-256 zip, password shown once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from canbao.cli_common import (
    JsonOption,
    QuietOption,
    VerboseOption,
    output_option,
    print_json,
    reporting,
    show_password,
    stdout_console,
)
from canbao.seal import default_archive, new_password, seal


def register(app: typer.Typer) -> None:
    """Add the ``seal`` command to ``app``."""

    @app.command("seal")
    def seal_command(
        paths: Annotated[list[Path], typer.Argument(help="Files or folders to seal.")],
        output: Annotated[
            Path | None, output_option("The zip to write (default: beside a single PATH).")
        ] = None,
        json_output: JsonOption = False,
        quiet: QuietOption = False,
        verbose: VerboseOption = False,
    ) -> None:
        """Pack files leaving the centre into an AES-256 zip; the password is shown once.

        \b
        示例 (example):
          canbao seal 结果/needs_survey.csv -o 名单.zip
        """
        with reporting(verbose):
            archive = output or default_archive(paths)
            password = new_password()
            names = seal(paths, archive, password)
            show_password(str(archive), password)
            if json_output:
                print_json({"archive": str(archive), "files": list(names)})
            elif not quiet:
                stdout_console.print(f"{len(names)} file(s) sealed into {archive}", markup=False)
