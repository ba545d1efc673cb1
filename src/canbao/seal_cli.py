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
from canbao.cli_help import example
from canbao.i18n import _, ngettext
from canbao.seal import default_archive, new_password, seal


def register(app: typer.Typer) -> None:
    """Add the ``seal`` command to ``app``."""

    @app.command(
        "seal",
        help=_("Pack files leaving the centre into an AES-256 zip; the password is shown once.")
        + example("canbao seal 结果/needs_survey.csv -o 名单.zip"),
    )
    def seal_command(
        paths: Annotated[list[Path], typer.Argument(help=_("Files or folders to seal."))],
        output: Annotated[
            Path | None, output_option(_("The zip to write (default: beside a single PATH)."))
        ] = None,
        json_output: JsonOption = False,
        quiet: QuietOption = False,
        verbose: VerboseOption = False,
    ) -> None:
        """Seal the files and show the password once."""
        with reporting(verbose):
            archive = output or default_archive(paths)
            password = new_password()
            names = seal(paths, archive, password)
            show_password(str(archive), password)
            if json_output:
                print_json({"archive": str(archive), "files": list(names)})
            elif not quiet:
                sealed = ngettext(
                    "{n} file sealed into {archive}", "{n} files sealed into {archive}", len(names)
                )
                stdout_console.print(sealed.format(n=len(names), archive=archive), markup=False)
