"""What every command shows the same way: readable metavars, the closing example, usage errors.

Typer 0.29 labels a value by its Python type (``--household <list[Path]>``, ``--kind <str>``,
``files... <list[Path]>``). :func:`readable_metavars` gives every option without a metavar of
its own the classic one of its kind (``PATH``, ``TEXT``, ``N``, ``csv|parquet|xlsx``) and every
argument its name in capitals (``FILES...``); :func:`canbao.cli.load_command` applies it to each
command it builds, so a command added later gets it too.

Each command's help ends with a paragraph ``示例：`` (``Example:`` in English) and one or more
runnable lines ``canbao …`` (tests/test_cli_help.py walks every command and checks it).

Typer's and Click's own words (``Usage:``, ``Options``, ``[default: …]``, ``[required]``, the
``--help`` option's text) are canbao's messages too: :func:`use_canbao_catalog` gives Typer's
``gettext`` canbao's catalog (:mod:`canbao.i18n`), and the commands built by
:func:`canbao.cli.load_command` become :class:`TranslatedCommand` / :class:`TranslatedGroup`,
which say the words the vendored Click hard-codes in canbao's language.
"""

from __future__ import annotations

import re
import sys
from pathlib import PurePath
from typing import Any, get_args, get_origin

import typer
import typer.core
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from canbao.help_format import HelpContext
from canbao.i18n import N_, _, language

# The heading of the example paragraph that closes each command's help (shown as _(…)).
EXAMPLE_HEADING = N_("Example:")

# What Typer's ``gettext`` asks for (typer/core.py) and what the vendored Click hard-codes:
# marked here so that the catalog holds their Chinese.
TYPER_WORDS = (
    N_("Options"),
    N_("Arguments"),
    N_("Commands"),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("(dynamic)"),
    N_("Aborted!"),
    N_("Missing command."),
    N_("No such command {name!r}."),
)
HELP_OPTION_TEXT = N_("Show this message and exit.")
USAGE_PREFIX = N_("Usage:")
# The help of the options Typer adds to the application (shell completion).
TYPER_OPTION_HELP = frozenset(
    {
        HELP_OPTION_TEXT,
        N_("Install completion for the current shell."),
        N_("Show completion for the current shell, to copy it or customize the installation."),
    }
)


def use_canbao_catalog() -> None:
    """Let Typer's own words come from canbao's catalog, in canbao's language.

    Typer's core module binds ``gettext.gettext`` as ``_`` and calls it when it formats help
    (``Options``, ``[default: …]``); the standard ``gettext`` would pick the language from
    ``LANGUAGE``/``LANG`` alone and find no catalog of canbao's, so canbao's ``_`` (its
    language, its catalog) takes that name's place.
    """
    setattr(typer.core, "_", _)  # noqa: B010 - the module's private name, set on purpose


def _translated_params(params: list[Any]) -> list[Any]:
    """``params`` with Typer's own helps (``--help``, completion) in canbao's language."""
    for param in params:
        if getattr(param, "help", None) in TYPER_OPTION_HELP:
            param.help = _(param.help)
    return params


def _write_usage(command: TyperCommand | TyperGroup, ctx: Any, formatter: Any) -> None:
    """The usage line, its ``Usage:`` in canbao's language."""
    pieces = " ".join(command.collect_usage_pieces(ctx))
    formatter.write_usage(ctx.command_path, pieces, prefix=_(USAGE_PREFIX) + " ")


# Two plain subclasses (no mixin: a built command's class can only become a subclass that
# adds nothing to its layout) with the same two overrides.
class TranslatedCommand(TyperCommand):
    """A Typer command whose usage line and ``--help`` text are in canbao's language."""

    context_class = HelpContext  # help wrapped by display width (canbao.help_format)

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, Typer's own helps in canbao's language."""
        return _translated_params(super().get_params(ctx))

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        """The usage line in canbao's language."""
        _write_usage(self, ctx, formatter)


class TranslatedGroup(TyperGroup):
    """A Typer group whose usage line and ``--help`` text are in canbao's language."""

    context_class = HelpContext

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, Typer's own helps in canbao's language."""
        return _translated_params(super().get_params(ctx))

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        """The usage line in canbao's language."""
        _write_usage(self, ctx, formatter)


def translate_commands(command: TyperCommand | TyperGroup) -> None:
    """Make ``command`` and every subcommand a translated one (in place, as Typer built them)."""
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            assert isinstance(sub, TyperCommand | TyperGroup)
            translate_commands(sub)
        if type(command) is TyperGroup:
            command.__class__ = TranslatedGroup
    elif type(command) is TyperCommand:
        command.__class__ = TranslatedCommand


def example(*lines: str) -> str:
    """The closing paragraph of a help text: the heading and each command line, unwrapped.

    Click keeps a paragraph that starts with ``\\b`` as written (no rewrapping), so a long
    command line stays one line that can be copied.
    """
    return "\n\n\b\n" + "\n".join([_(EXAMPLE_HEADING), *(f"  {line}" for line in lines)])


class _NamedArgument(TyperArgument):
    """An argument shown by its name alone (``FILES...``), without Typer's ``<list[Path]>``."""

    def display_type_rich(self, ctx: Any) -> str | None:
        """No type label: the name says it."""
        return None

    def _rich_display_name(self) -> str:
        name = self.display_name_raw
        return f"{name}..." if self.nargs != 1 else name


def _metavar(param: TyperOption) -> str:
    """The classic metavar of an option's value: its choices, PATH, N, NUMBER or TEXT."""
    described = param.type_descriptor
    if described.choices is not None:
        return "|".join(str(getattr(c, "value", c)) for c in described.choices)
    annotation: Any = described.annotation
    if get_origin(annotation) is list:
        annotation = get_args(annotation)[0]
    is_path = isinstance(annotation, type) and issubclass(annotation, PurePath)
    if is_path or described.is_path or described.is_file:
        return "PATH"
    if annotation is int:
        return "N"
    if annotation is float:
        return "NUMBER"
    return "TEXT"


def readable_metavars(command: TyperCommand | TyperGroup) -> None:
    """Give each option and argument under ``command`` a readable metavar (in place)."""
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            assert isinstance(sub, TyperCommand | TyperGroup)
            readable_metavars(sub)
        return
    for param in command.params:
        if isinstance(param, TyperArgument):
            if param.metavar is None and param.name:
                param.metavar = param.name.upper()
            param.__class__ = _NamedArgument
        elif isinstance(param, TyperOption) and param.metavar is None and not param.is_flag:
            param.metavar = _metavar(param)


class ValueInOurWords(typer.BadParameter):
    """A bad option value that canbao's own parameter parsing (a date, say) explains in canbao's
    language; :func:`chinese_first` shows that message after its lead."""


class ChineseUsageError(typer.BadParameter):
    """A usage error of the parser in canbao's language (README "Language").

    The vendored Click's parser messages are English only (no catalog reaches them): the error
    is recognised by its kind and given a lead in canbao's language that names the option and,
    where there is one, the value given and what is wrong with it (a value Typer's Pydantic check
    refused, by its error type; extra arguments by Click's own list). Only a kind canbao does not
    know keeps Click's English message, in brackets after the Chinese lead.
    The usage line and the fix (the command's ``--help``) are in canbao's language too. A
    ``BadParameter`` (the one public usage error of Typer) so that Typer shows it and exits 2
    like any other.
    """

    def __init__(self, lead: str, english: str, ctx: Any, *, said_whole: bool = False) -> None:
        # ``said_whole``: the lead says all Click's message does (an unknown or missing option,
        # a missing value), so the Chinese needs no English beside it.
        chinese = language() == "zh"
        if not chinese:
            message = english
        elif said_whole:
            message = lead
        else:
            message = f"{lead}（{english}）"
        super().__init__(message, ctx=ctx)

    def format_message(self) -> str:
        """The lead and, in Chinese, Click's own message in brackets."""
        return self.message

    def show(self, file: Any = None) -> None:
        """Print the usage line, the error and the fix on stderr."""
        from canbao.cli_common import print_error, stderr_console
        from canbao.errors import fix_line

        if self.ctx is None:
            print_error(self.message)
            return
        stderr_console.print(self.ctx.get_usage(), markup=False)
        fix = _("run {command} --help to see the usage").format(command=self.ctx.command_path)
        print_error(f"{self.message}\n{fix_line(fix)}")


def _hint(exc: Exception) -> str:
    """The option or argument an error names, as Click names it (``'--format'``)."""
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint is None and param is not None:
        hint = param.get_error_hint()
    if isinstance(hint, list | tuple):
        hint = " / ".join(repr(h) for h in hint)
    return str(hint or "")


def _bad_value(exc: Exception) -> str:
    """``选项 --format 的值不对，可用的值：csv、parquet、xlsx``."""
    param = getattr(exc, "param", None)
    opts = getattr(param, "opts", None)
    if not opts:
        return _("the value of {name} is wrong").format(name=_hint(exc)).strip()
    is_option = getattr(param, "param_type_name", "") == "option"
    choices = getattr(getattr(param, "type_descriptor", None), "choices", None)
    listed = _(", ").join(str(getattr(c, "value", c)) for c in choices or ())
    if listed:
        lead = (
            _("the value of option {name} is wrong; the values it takes: {choices}")
            if is_option
            else _("the value of argument {name} is wrong; the values it takes: {choices}")
        )
        return lead.format(name=opts[0], choices=listed)
    lead = (
        _("the value of option {name} is wrong")
        if is_option
        else _("the value of argument {name} is wrong")
    )
    return lead.format(name=opts[0])


def _checked_value(exc: Exception) -> str | None:
    """The lead of a value Typer's Pydantic check refused, with the value and, in canbao's words,
    what is wrong with it (``选项 --persons 的值不对：给出的是 0，须不小于 1``).

    Typer checks an option's value with Pydantic and raises ``BadParameter`` from its
    ``ValidationError``, whose error *type* canbao's catalog knows (``canbao._pydantic_words``);
    a choice's own complaint is left out, the lead already lists the values it takes.
    """
    from pydantic import ValidationError

    from canbao._pydantic_words import pydantic_message
    from canbao.masking import mask_text

    cause = exc.__cause__
    if type(exc).__name__ != "BadParameter" or not isinstance(cause, ValidationError):
        return None
    errors = cause.errors()
    if not errors:
        return None
    given = mask_text(repr(errors[0].get("input")))
    choices = getattr(
        getattr(getattr(exc, "param", None), "type_descriptor", None), "choices", None
    )
    if choices:
        return _("{lead}; {value} given").format(lead=_bad_value(exc), value=given)
    problem = mask_text(pydantic_message(errors[0]))
    return _("{lead}: {value} given, {problem}").format(
        lead=_bad_value(exc), value=given, problem=problem
    )


def _no_such(exc: Exception, english: str) -> str | None:
    """The lead of an unknown option or command, with what there is instead."""
    if type(exc).__name__ == "NoSuchOption":
        option = str(getattr(exc, "option_name", ""))
        possible = ", ".join(sorted(getattr(exc, "possibilities", None) or []))
        if possible:
            return _("no option {name}; options close to it: {possible}").format(
                name=option, possible=possible
            )
        return _("no option {name}").format(name=option)
    # Typer says it through its gettext, so in canbao's language (use_canbao_catalog).
    no_such_command = _("No such command {name!r}.").partition("{")[0]
    if english.startswith(("No such command", no_such_command)):
        ctx = getattr(exc, "ctx", None)
        names = _(", ").join(ctx.command.list_commands(ctx) if ctx is not None else [])
        if names:
            return _("no such command; the commands: {names}").format(names=names)
        return _("no such command")
    return None


# Click's "Got unexpected extra argument(s) (a b)": the arguments, to name them in the lead.
_EXTRA = re.compile(r"unexpected extra argument(?:s|\(s\))? \((.*)\)")


def _lead(exc: Exception, english: str) -> str:
    """The lead of a parser error in canbao's language, by its kind (Click's class, message)."""
    kind = type(exc).__name__
    unknown = _no_such(exc, english)
    if unknown is not None:
        return unknown
    if kind == "MissingParameter":
        param_type = getattr(exc, "param_type", None) or getattr(
            getattr(exc, "param", None), "param_type_name", None
        )
        missing = (
            _("missing option {name}") if param_type == "option" else _("missing argument {name}")
        )
        return missing.format(name=_hint(exc)).strip()
    if kind == "BadParameter":
        return _bad_value(exc)
    if "requires an argument" in english:
        option = str(getattr(exc, "option_name", ""))
        return _("option {name} needs a value after it").format(name=option)
    if extra := _EXTRA.search(english):
        return _("extra arguments: {arguments}").format(arguments=extra.group(1))
    if "unexpected extra argument" in english:
        return _("extra arguments")
    return _("the command line is not used as the help says")


def chinese_first(exc: Exception) -> Exception:
    """The parser's usage error ``exc`` as a :class:`ChineseUsageError`; anything else as is."""
    kind = type(exc).__name__
    if (
        not isinstance(exc, typer.TyperException)
        or getattr(exc, "exit_code", None) != 2
        or not hasattr(exc, "ctx")
        or kind in ("NoArgsIsHelpError", "ChineseUsageError")
    ):
        return exc
    from canbao.masking import mask_text

    format_message = getattr(exc, "format_message", None)
    english = mask_text(format_message() if format_message else str(exc))
    lead = _lead(exc, english)
    said_whole = kind in ("NoSuchOption", "MissingParameter") or (
        _no_such(exc, english) is not None
        or "requires an argument" in english
        or _EXTRA.search(english) is not None
    )
    if isinstance(exc, ValueInOurWords):
        # canbao's own message, not Click's English wrapper around it, follows the lead.
        lead, said_whole = f"{_bad_value(exc)}：{mask_text(exc.message)}", True
    elif (checked := _checked_value(exc)) is not None:
        lead, said_whole = checked, True
    return ChineseUsageError(lead, english, getattr(exc, "ctx", None), said_whole=said_whole)


# A Chinese Windows' legacy code page (a console redirected to a file or pipe, or
# PYTHONIOENCODING=cp936): GB18030 writes every GBK character with GBK's bytes and every
# other character (a rare name character such as 𠮷) too, where GBK would stop the run.
# (Python's codec names: cp936 and ms936 are gbk, euc-cn is gb2312.)
_GBK_FAMILY = ("gbk", "gb2312")


def fit_console_streams() -> None:
    """Let stdout and stderr print any text: GB18030 for GBK, else ``?`` for what cannot be.

    Called once by the console script before anything is printed; a stream that is not a
    reconfigurable text stream (a test runner's) is left alone.
    """
    import codecs

    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not hasattr(stream, "reconfigure"):
            continue
        codec = codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name
        if codec in _GBK_FAMILY:
            stream.reconfigure(encoding="gb18030")
        elif not codec.startswith("utf"):
            stream.reconfigure(errors="replace")
