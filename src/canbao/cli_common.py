"""What every command shares: the consoles, error reporting and exit codes.

Commands stay thin (parse options, call one library function, print); this module turns a
:class:`~canbao.errors.CanbaoError` into one clear message on stderr and its exit code, and any
other exception into a masked one-line report, with the traceback only under ``--verbose``.

It is also the single place where anything reaches a terminal or a log: both consoles write
through :class:`MaskedStream`, which passes every text through :func:`canbao.masking.mask_text`,
and :func:`echo` (plain lines) and :func:`print_json` write to the same consoles. Commands print
nothing else.

The options several commands share are defined here once (``--as-of``, ``--format``, ``--json``,
``--quiet``, ``--verbose``, ``--output``), so that they parse, read and fail the same way.
"""

from __future__ import annotations

import io
import json
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from typing import IO, Annotated, Any, TextIO, cast

import typer
from rich.console import Console

from canbao.cli_help import ValueInOurWords
from canbao.dates import read_date
from canbao.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    CanbaoError,
    Terminated,
    UsageError,
)
from canbao.i18n import _
from canbao.i18n import term as i18n_term
from canbao.masking import mask_text
from canbao.write_errors import write_failure


class MaskedStream(io.TextIOBase):
    """``sys.stdout`` or ``sys.stderr``, looked up at each write, with personal data masked.

    Looked up late so that a test runner's or a caller's replacement of the stream is honoured;
    rich renders a whole print into one string before writing it, so an ID is never split
    between two writes.
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    @property
    def _target(self) -> TextIO:
        stream: TextIO = getattr(sys, self._name)
        return stream

    def write(self, text: str) -> int:
        """Write ``text`` masked; report the length given, as a stream must."""
        self._target.write(mask_text(text))
        return len(text)

    def flush(self) -> None:
        """Flush the underlying stream."""
        self._target.flush()

    def isatty(self) -> bool:
        """Tell whether the underlying stream is a terminal (colour, live progress)."""
        return self._target.isatty()

    def fileno(self) -> int:
        """The underlying stream's descriptor (rich asks it for the terminal size)."""
        return self._target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The underlying stream's encoding."""
        return getattr(self._target, "encoding", None) or "utf-8"


# A TextIOBase is an IO[str] in all but the stub's name.
stdout_console = Console(
    file=cast(IO[str], MaskedStream("stdout")), highlight=False, soft_wrap=True
)
stderr_console = Console(
    file=cast(IO[str], MaskedStream("stderr")), highlight=False, soft_wrap=True
)


def echo(text: str, *, err: bool = False) -> None:
    """Print plain text (JSON, a line) as it is, masked, to stdout or with ``err`` to stderr."""
    console = stderr_console if err else stdout_console
    console.print(text, markup=False, highlight=False, soft_wrap=True, emoji=False)


def echo_unmasked(text: str) -> None:
    """Print ``text`` on stdout **unmasked**: only for an option that asks for full personal
    data by name (``canbao person --field-view``), documented as such; nothing else uses it."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def print_json(data: object, *, unmasked: bool = False) -> None:
    """Print a command's ``--json`` result on stdout: indented, Chinese as it is, masked
    (``unmasked`` only for ``canbao person --field-view``, see :func:`echo_unmasked`)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if unmasked:
        echo_unmasked(text)
    else:
        echo(text)


VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help=_("Show tracebacks and step details on errors."))
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help=_("Print nothing but errors (for cron)."))
]
JsonOption = Annotated[bool, typer.Option("--json", help=_("Print the result as JSON on stdout."))]


def output_option(help: str) -> Any:
    """The ``--output``/``-o`` option; each command says what it writes there."""
    return typer.Option("--output", "-o", help=help)


class TableFormat(StrEnum):
    """The formats ``--format`` writes result tables in."""

    CSV = "csv"
    PARQUET = "parquet"
    XLSX = "xlsx"


FormatOption = Annotated[
    TableFormat,
    typer.Option("--format", envvar="CANBAO_FORMAT", help=_("Format of the result tables.")),
]


def parse_as_of(value: str | date) -> date:
    """Read an ``--as-of`` date with :func:`canbao.dates.read_date` (a usage error else)."""
    try:
        return read_date(value, "--as-of")
    except UsageError as exc:
        fix = exc.fix or ""
        raise ValueInOurWords(
            _("{message}; fix: {fix}").format(message=exc.message, fix=fix)
        ) from None


def db_option(help: str, envvar: str | None = None) -> Any:
    """The ``--db URL`` option of the registration database (docs/database.md); each command
    says what it records or reads there. Only ``match`` takes ``CANBAO_DB`` (``envvar``)."""
    return typer.Option("--db", metavar="URL", envvar=envvar, help=help)


def as_of_option(help: str, envvar: str | None = None) -> Any:
    """The ``--as-of`` option read by :func:`parse_as_of`; each command says what the date is.

    ``envvar`` (``CANBAO_AS_OF`` for the shared :data:`AsOfOption`) lets the environment set it.
    """
    return typer.Option("--as-of", parser=parse_as_of, metavar="DATE", envvar=envvar, help=help)


# The area of the snapshots a database command reads, as ``match`` recorded it (its --area,
# or the county codes it found, comma-separated); --snapshot-area is its first name.
SnapshotAreaOption = Annotated[
    list[str] | None,
    typer.Option(
        "--area",
        "--snapshot-area",
        envvar="CANBAO_AREA",
        help=_(
            "The area the snapshots were recorded for, as `match --area` gave it "
            "(repeatable; default: the only one in the database)."
        ),
    ),
]


def snapshot_area(values: list[str] | None) -> str | None:
    """The area as recorded (``3406`` or ``340602,340603``) from the repeated --area values."""
    return ",".join(values) if values else None


AsOfOption = Annotated[
    date | None,
    as_of_option(
        _("Reference date: 2017-06-30, 2017/06/30, YYYYMMDD or 2017年6月30日 (default today)."),
        envvar="CANBAO_AS_OF",
    ),
]


def term(code: Any) -> str:
    """A vocabulary code (canbao.match.vocabulary) as the screen shows it: its Chinese label in
    Chinese, the code itself (as summary.json names it) in English."""
    return i18n_term(str(code.label), str(code.value))


def print_error(message: str) -> None:
    """Print an error message to stderr, never interpreting it as rich markup."""
    stderr_console.print(_("Error: {message}").format(message=message), markup=False)


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` for the block, so work files and staging unwind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def print_warning(message: str) -> None:
    """Print a warning to stderr (the run goes on), never interpreting it as rich markup."""
    stderr_console.print(_("Warning: {message}").format(message=message), markup=False)


def show_password(archive: str, password: str) -> None:
    """Show a sealed archive's password once, on stderr (the terminal); canbao keeps no copy."""
    shown = _(
        "password of {archive}: {password}  (shown once and stored nowhere: give it to the "
        "recipient by another way, e.g. by phone)"
    )
    stderr_console.print(shown.format(archive=archive, password=password), markup=False)


@contextmanager
def reporting(verbose: bool = False) -> Iterator[None]:
    """Run a command body, mapping errors to messages and documented exit codes."""
    try:
        with sigterm_raises():
            yield
    except typer.Exit:
        raise
    except CanbaoError as exc:
        print_error(exc.render())
        if verbose:
            stderr_console.print(traceback.format_exc(), markup=False)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        print_error(_("interrupted; work files and half-written results removed"))
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Terminated:
        print_error(_("terminated (SIGTERM); work files and half-written results removed"))
        raise typer.Exit(EXIT_TERMINATED) from None
    except Exception as exc:
        written = write_failure(exc)  # a full disk outside canbao's own write helpers
        if written is not None:
            print_error(written.render())
            raise typer.Exit(written.exit_code) from None
        detail = f"{type(exc).__name__}: {exc}"
        internal = _(
            "internal error ({detail}). This is a bug in canbao; rerun with --verbose and "
            "report the output (personal data is masked)."
        )
        print_error(internal.format(detail=detail))
        if verbose:
            stderr_console.print(traceback.format_exc(), markup=False)
        raise typer.Exit(EXIT_INTERNAL) from None


def progress_printer(quiet: bool) -> Callable[[str], None]:
    """The ``progress`` a command hands its library function: one line per step on stderr.

    Each line starts with the seconds since the command started (``[canbao 12.3 s]``), so a
    long step shows how long it took; the library's messages carry the counts (files, rows)
    and never personal data (the stream masks any that slipped in). ``--quiet``: nothing.
    """
    started = time.monotonic()

    def step(message: str) -> None:
        if quiet:
            return
        elapsed = time.monotonic() - started
        stderr_console.print(
            f"[canbao {elapsed:.1f} s] {message}",
            markup=False,
            style="dim" if is_terminal() else None,
        )

    return step


def is_terminal() -> bool:
    """Tell whether stderr is a terminal (live progress) or a log (one line per step)."""
    return sys.stderr.isatty()
