"""The ``canbao`` command line: a thin layer over the library (see README for the commands).

A command's module is imported only when that command runs or shows its help: importing them
all made every command, even ``canbao --help``, pay for Polars, openpyxl, ruamel.yaml and the
scoring models (2.6 s). ``canbao --help`` lists the commands from :data:`COMMANDS` instead.
"""

from __future__ import annotations

import functools
import importlib
from contextvars import ContextVar
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from canbao import __version__
from canbao.cli_help import (
    TranslatedGroup,
    chinese_first,
    fit_console_streams,
    readable_metavars,
    translate_commands,
    use_canbao_catalog,
)
from canbao.i18n import N_, _

# Each command's module (whose ``register(app)`` adds it) and the first paragraph of its help,
# which is all ``canbao --help`` shows; tests/test_cli_imports.py holds the two equal.
# The order is the one of the help listing; the summaries are English msgids, shown as _(…).
COMMANDS: dict[str, tuple[str, str]] = {
    "match": (
        "canbao.match.cli",
        N_("Match household, pension and medical rosters into the campaign's result sets."),
    ),
    "score": (
        "canbao.score.cli",
        N_("Score county submissions by a rule set: evaluation workbook, ranking, fees."),
    ),
    "demo": (
        "canbao.synth.cli",
        N_(
            "Write a synthetic city (Huaibei's four counties) with every finding planted and "
            "expected/."
        ),
    ),
    "intake": (
        "canbao.forms.cli",
        N_("Check filled entry sheets and count what scoring needs (problems never stop the run)."),
    ),
    "inspect": (
        "canbao.inspect_cli",
        N_("Show each file's format, encoding, header mapping, unreadable rows and ID validity."),
    ),
    "report": (
        "canbao.report.cli",
        N_("Write one offline HTML page of charts from a match (and score) output."),
    ),
    "seal": (
        "canbao.seal_cli",
        N_("Pack files leaving the centre into an AES-256 zip; the password is shown once."),
    ),
    "changes": (
        "canbao.changes.cli",
        N_("Who entered and who left each set between two snapshots, and why, per county."),
    ),
    "progress": (
        "canbao.progress.cli",
        N_(
            "The nine rates of 人社厅发〔2017〕28号 per county and period, the progress table and "
            "tables (一)/(二) from the registration database, and the facts `canbao score --facts` "
            "reads."
        ),
    ),
    "person": (
        "canbao.register.cli",
        N_("Show one person's state and history: dated states, survey visits, ledgers, decisions."),
    ),
    "decide": (
        "canbao.register.cli",
        N_(
            "Record a manual decision (a conflict resolved by hand, a duplicate cleaned): who, "
            "when, why."
        ),
    ),
    "export": (
        "canbao.register.cli",
        N_("Export the confirmed registrations with the registration form's items, for upload."),
    ),
    "rules": ("canbao.score.cli", N_("Rule sets for `canbao score`: check them.")),
    "forms": (
        "canbao.forms.cli",
        N_("Survey forms: roster, registration forms and entry sheets; blank county templates."),
    ),
}

# Shared by the application and the holders the commands are built in, so that a command is
# built exactly as if it had been registered on the application itself.
_SETTINGS: dict[str, Any] = {
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "pretty_exceptions_show_locals": False,
    "rich_markup_mode": None,
}


def load_command(name: str) -> TyperCommand | TyperGroup:
    """Import the module of command ``name`` and build the command as Typer would."""
    module = importlib.import_module(COMMANDS[name][0])
    holder = typer.Typer(**_SETTINGS)
    module.register(holder)
    command = typer.main.get_group(holder).commands[name]
    assert isinstance(command, TyperCommand | TyperGroup)
    _record_options(command, [name])
    readable_metavars(command)
    translate_commands(command)
    return command


# What the running command noted for the audit log: its words, options and input hashes.
_NOTED: ContextVar[tuple[str, dict[str, Any], dict[str, str]] | None] = ContextVar(
    "canbao_audit_noted", default=None
)


def _record_options(command: TyperCommand | TyperGroup, words: list[str]) -> None:
    """Make each leaf command note its parsed options and inputs for the audit log."""
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            assert isinstance(sub, TyperCommand | TyperGroup)
            _record_options(sub, [*words, name])
        return
    callback = command.callback
    if callback is None:
        return

    @functools.wraps(callback)
    def recorded(**params: Any) -> Any:
        from canbao.audit import input_hashes

        # Click calls a command's callback with its parsed options by name. Hashed before the
        # run: the inputs as the command read them.
        _NOTED.set((" ".join(words), dict(params), input_hashes(params)))
        return callback(**params)

    command.callback = recorded


class _LazyGroup(TranslatedGroup):
    """The application's group: a command's module is imported when the command is looked up.

    This is the lazy loading Click documents (override ``list_commands`` and ``get_command``);
    the listing in ``canbao --help`` comes from :data:`COMMANDS` and imports nothing.

    Click's ``Context`` class is typer-private (``typer._click``) and an override may not
    narrow a parameter to the public subclass ``typer.Context``, hence ``ctx: Any``.
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._built: dict[str, TyperCommand | TyperGroup] = {}
        self._words: list[str] = []  # the command's name and next word, for the audit log

    def list_commands(self, ctx: Any) -> list[str]:
        """The command names in the order of the help listing."""
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> TyperCommand | TyperGroup | None:
        """The command ``cmd_name``, built on first lookup; None for a name canbao lacks."""
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in self._built:
            self._built[cmd_name] = load_command(cmd_name)
        return self._built[cmd_name]

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Find the command ``args`` name, remembering the words for the audit log."""
        # A command that fails to parse never notes its options: its name is all there is.
        self._words = args[:2]
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        """Run the command; whatever happens, append its line to the audit log."""
        self._words = []
        code = 1  # an exception that is none of those below: a bug (canbao.errors.EXIT_INTERNAL)
        token = _NOTED.set(None)
        try:
            result = super().invoke(ctx)
            code = 0
            return result
        except typer.Exit as exc:
            code = exc.exit_code
            raise
        except typer.TyperException as exc:  # Click's usage errors derive from it
            code = exc.exit_code
            # The parser quotes what it could not parse: an ID typed as an argument, say.
            exc.message = _mask(exc.message)
            raise chinese_first(exc) from None
        except KeyboardInterrupt:
            code = 130
            raise
        finally:
            noted = _NOTED.get()
            _NOTED.reset(token)
            _audit(self._words, noted, code)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Parse the application's own options; a usage error is shown Chinese first."""
        try:
            return super().parse_args(ctx, args)
        except typer.TyperException as exc:
            raise chinese_first(exc) from None

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """List the commands from :data:`COMMANDS` without importing any of them."""
        # Stand-ins carrying only the help let Typer's own listing (columns, truncation) run.
        stand_ins = [
            TyperCommand(name, help=_(summary)) for name, (__, summary) in COMMANDS.items()
        ]
        TyperGroup(commands=stand_ins).format_commands(ctx, formatter)


use_canbao_catalog()

app = typer.Typer(
    name="canbao",
    help=_("canbao (参保): rosters matched, survey forms written and read, county work scored."),
    cls=_LazyGroup,
    **{**_SETTINGS, "add_completion": True},  # --install-completion, --show-completion
)


def _mask(text: str) -> str:
    from canbao.masking import mask_text

    return mask_text(text)


def _audit(
    words: list[str], noted: tuple[str, dict[str, Any], dict[str, str]] | None, code: int
) -> None:
    """Append the run's line to the audit log; a log that cannot be written is said, not fatal."""
    from canbao import audit

    if noted is None:
        name = words[0] if words and words[0] in COMMANDS else "?"
        sub = words[1:] if name in ("rules", "forms") and words[1:2] != ["--help"] else []
        noted = (" ".join([name, *(w for w in sub if w.isalpha() and w.isascii())]), {}, {})
    command, params, inputs = noted
    try:
        audit.append(audit.audit_line(command, params, inputs, code))
    except OSError as exc:
        from canbao.cli_common import print_warning

        print_warning(
            _(
                "the audit log {path} could not be written: {reason} "
                "(set {name} to a writable file)"
            ).format(path=audit.audit_log_path(), reason=exc.strerror, name=audit.AUDIT_ENV)
        )


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"canbao {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help=_("Print the version."),
        ),
    ] = False,
) -> None:
    """canbao (参保): rosters matched, survey forms written and read, county work scored."""
    _apply_config(ctx)


def _apply_config(ctx: typer.Context) -> None:
    """Give the command about to run its defaults from canbao.toml, as Click's ``default_map``.

    The root callback runs after the command is resolved and before its options are parsed, so
    the map reaches exactly the command invoked (canbao.config); a broken file is exit 2.
    """
    from canbao.cli_common import reporting
    from canbao.config import default_map, load_defaults

    name = ctx.invoked_subcommand
    if name is None:
        return
    with reporting():
        defaults = load_defaults()
    command = ctx.command.get_command(ctx, name)  # type: ignore[attr-defined]
    ctx.default_map = {name: default_map(command, name, defaults)}


def main() -> None:
    """Entry point of the console script."""
    fit_console_streams()
    app()
