"""What every command shows the same way: readable metavars, the closing example, usage errors.

Typer 0.29 labels a value by its Python type (``--household <list[Path]>``, ``--kind <str>``,
``files... <list[Path]>``). :func:`readable_metavars` gives every option without a metavar of
its own the classic one of its kind (``PATH``, ``TEXT``, ``N``, ``csv|parquet|xlsx``) and every
argument its name in capitals (``FILES...``); :func:`canbao.cli.load_command` applies it to each
command it builds, so a command added later gets it too.

Each command's help ends with a paragraph ``示例 (example):`` and one or more runnable lines
``canbao …`` (tests/test_cli_help.py walks every command and checks it).
"""

from __future__ import annotations

import sys
from pathlib import PurePath
from typing import Any, get_args, get_origin

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

# The heading of the example paragraph that closes each command's help.
EXAMPLE_HEADING = "示例 (example):"


def example(*lines: str) -> str:
    """The closing paragraph of a help text: the heading and each command line, unwrapped.

    Click keeps a paragraph that starts with ``\\b`` as written (no rewrapping), so a long
    command line stays one line that can be copied.
    """
    return "\n\n\b\n" + "\n".join([EXAMPLE_HEADING, *(f"  {line}" for line in lines)])


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


class ChineseUsageError(typer.BadParameter):
    """A usage error of the parser, shown Chinese first with Click's English after it.

    Click's messages are English only; without a message catalogue the parser's error is
    recognised by its kind and given a Chinese lead that names the option, the value is quoted
    as Click quoted it, and the usage line and the fix (the command's ``--help``) are Chinese
    first. A ``BadParameter`` (the one public usage error of Typer) so that Typer shows it and
    exits 2 like any other.
    """

    def __init__(self, lead: str, english: str, ctx: Any) -> None:
        super().__init__(f"{lead}（{english}）", ctx=ctx)

    def format_message(self) -> str:
        """The Chinese lead and, in brackets, Click's own message."""
        return self.message

    def show(self, file: Any = None) -> None:
        """Print the usage line, the error and the fix, Chinese first, on stderr."""
        from canbao.cli_common import print_error, stderr_console

        if self.ctx is None:
            print_error(self.message)
            return
        usage = self.ctx.get_usage().replace("Usage:", "用法 (usage):", 1)
        stderr_console.print(usage, markup=False)
        fix = f"运行 {self.ctx.command_path} --help 查看用法 (see the help)"
        print_error(f"{self.message}\n修正方法 (fix): {fix}")


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
        return f"{_hint(exc)} 的值不对".lstrip()
    what = "选项" if getattr(param, "param_type_name", "") == "option" else "参数"
    choices = getattr(getattr(param, "type_descriptor", None), "choices", None)
    listed = "、".join(str(getattr(c, "value", c)) for c in choices or ())
    return f"{what} {opts[0]} 的值不对" + (f"，可用的值：{listed}" if listed else "")


def _lead(exc: Exception, english: str) -> str:
    """The Chinese lead of a parser error, by its kind (Click's class name and message)."""
    kind = type(exc).__name__
    option = str(getattr(exc, "option_name", ""))
    if kind == "NoSuchOption":
        possible = sorted(getattr(exc, "possibilities", None) or [])
        return f"没有选项 {option}" + (f"，相近的选项：{', '.join(possible)}" if possible else "")
    if kind == "MissingParameter":
        param_type = getattr(exc, "param_type", None) or getattr(
            getattr(exc, "param", None), "param_type_name", None
        )
        return f"缺少{'选项' if param_type == 'option' else '参数'} {_hint(exc)}".rstrip()
    if kind == "BadParameter":
        return _bad_value(exc)
    if "requires an argument" in english:
        return f"选项 {option} 后面要跟一个值"
    if english.startswith("No such command"):
        ctx = getattr(exc, "ctx", None)
        names = ctx.command.list_commands(ctx) if ctx is not None else []
        return "没有这个命令" + (f"，可用的命令：{'、'.join(names)}" if names else "")
    if "unexpected extra argument" in english:
        return "多余的参数"
    return "命令行用法不对"


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
    return ChineseUsageError(_lead(exc, english), english, getattr(exc, "ctx", None))


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
