"""``canbao report``: parse options, call :func:`canbao.report.write_report`, print where it is."""

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
    stdout_console,
)
from canbao.cli_help import example
from canbao.i18n import _


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to ``app``."""

    @app.command(
        "report",
        help=_("Write one offline HTML page of charts from a match (and score) output.")
        + "\n\n"
        + _(
            "Coverage and uninsured by county, survey load by township and village, "
            "duplicates and conflicts by kind, the score ranking (self against "
            "review) and the fees, the changes between two snapshots and the "
            "progress rates; counts only, no ID or name."
        )
        + example("canbao report 比对结果/ --score 评估结果/ -o 报告.html"),
    )
    def report(
        match: Annotated[
            Path,
            typer.Argument(
                metavar="MATCH_DIR",
                help=_("The output directory of `canbao match` (any --format)."),
            ),
        ],
        score: Annotated[
            list[Path] | None,
            typer.Option(
                "--score",
                metavar="DIR",
                help=_("An output directory of `canbao score` (repeatable)."),
            ),
        ] = None,
        changes: Annotated[
            Path | None,
            typer.Option(
                "--changes", metavar="DIR", help=_("The output directory of `canbao changes`.")
            ),
        ] = None,
        progress: Annotated[
            Path | None,
            typer.Option(
                "--progress", metavar="DIR", help=_("The output directory of `canbao progress`.")
            ),
        ] = None,
        output: Annotated[
            Path | None,
            output_option(_("The HTML file to write (default: MATCH_DIR-report.html beside it).")),
        ] = None,
        force: Annotated[
            bool,
            typer.Option("--force", help=_("Overwrite --output even if canbao did not write it.")),
        ] = False,
        json_output: JsonOption = False,
        quiet: QuietOption = False,
        verbose: VerboseOption = False,
    ) -> None:
        """Write one offline HTML page of charts from a match (and score) output."""
        from canbao.report import write_report

        with reporting(verbose):
            result = write_report(
                match,
                scores=score or (),
                changes=changes,
                progress=progress,
                output=output,
                force=force,
            )
            if json_output:
                print_json(result.as_json())
            elif not quiet:
                written = _("report ({charts} charts): {path}")
                stdout_console.print(
                    written.format(charts=len(result.charts), path=result.path), markup=False
                )
