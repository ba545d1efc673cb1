"""What every command shares: the consoles, error reporting and exit codes.

Commands stay thin (parse options, call one library function, print); this module turns a
:class:`~canbao.errors.CanbaoError` into one clear message on stderr and its exit code, and any
other exception into a masked one-line report, with the traceback only under ``--verbose``.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from canbao.errors import EXIT_INTERNAL, CanbaoError
from canbao.masking import mask_ids_in_text
from canbao.write_errors import write_failure

stdout_console = Console(highlight=False, soft_wrap=True)
stderr_console = Console(stderr=True, highlight=False, soft_wrap=True)

VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show tracebacks and step details on errors.")
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print nothing but errors (for cron).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]


def print_error(message: str) -> None:
    """Print an error message to stderr, never interpreting it as rich markup."""
    stderr_console.print(f"错误 (error): {message}", markup=False)


@contextmanager
def reporting(verbose: bool = False) -> Iterator[None]:
    """Run a command body, mapping errors to messages and documented exit codes."""
    try:
        yield
    except typer.Exit:
        raise
    except CanbaoError as exc:
        print_error(mask_ids_in_text(exc.render()))
        if verbose:
            stderr_console.print(mask_ids_in_text(traceback.format_exc()), markup=False)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        print_error("interrupted; nothing was written")
        raise typer.Exit(130) from None
    except Exception as exc:
        written = write_failure(exc)  # a full disk outside canbao's own write helpers
        if written is not None:
            print_error(mask_ids_in_text(written.render()))
            raise typer.Exit(written.exit_code) from None
        detail = mask_ids_in_text(f"{type(exc).__name__}: {exc}")
        print_error(
            f"internal error ({detail}). This is a bug in canbao; "
            "rerun with --verbose and report the output (personal data is masked)."
        )
        if verbose:
            stderr_console.print(mask_ids_in_text(traceback.format_exc()), markup=False)
        raise typer.Exit(EXIT_INTERNAL) from None


def is_terminal() -> bool:
    """Tell whether stderr is a terminal (live progress) or a log (one line per step)."""
    return sys.stderr.isatty()
