"""The ``canbao`` command line: a thin layer over the library (see README for the commands)."""

from __future__ import annotations

from typing import Annotated

import typer

from canbao import __version__

app = typer.Typer(
    name="canbao",
    help="canbao (参保): rosters matched, survey forms written and read, county work scored.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"canbao {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """canbao (参保): rosters matched, survey forms written and read, county work scored."""


def main() -> None:
    """Entry point of the console script."""
    app()


from canbao.match.cli import register as _register_match  # noqa: E402

_register_match(app)

from canbao.score.cli import register as _register_score  # noqa: E402

_register_score(app)

from canbao.synth.cli import register as _register_synth  # noqa: E402

_register_synth(app)

from canbao.forms.cli import register as _register_forms  # noqa: E402

_register_forms(app)

from canbao.inspect_cli import register as _register_inspect  # noqa: E402

_register_inspect(app)
