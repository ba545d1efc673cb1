"""One exception hierarchy for canbao; each class carries its documented exit code.

Exit codes are part of the contract with cron jobs and scripts (see README "Exit codes"):

====  =====================================================================
0     done
1     internal error (a bug: please report it; rerun with --verbose)
2     usage error (a wrong option or argument; printed by the CLI parser)
3     unusable input (a file canbao cannot read or map)
4     a conservation check failed (the counts do not add up: a bug)
5     invalid rule file (every problem listed)
6     scoring data error (a value in no band, an unknown grade, ...)
7     an output could not be written (also: another run is writing it)
8     the registration database cannot be used (not canbao's, a newer or unknown schema,
      in use, unreachable) or refused a snapshot (older than the latest)
130   interrupted (Ctrl-C, SIGINT): work files removed, nothing published
143   terminated (SIGTERM, e.g. from ``timeout`` or systemd): the same
====  =====================================================================
"""

from __future__ import annotations

from collections.abc import Sequence

from canbao.i18n import N_, _, ngettext

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_CONSERVATION = 4
EXIT_RULES = 5
EXIT_SCORING = 6
EXIT_OUTPUT = 7
EXIT_DATABASE = 8
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM


class CanbaoError(Exception):
    """Base of every error canbao reports to a user without a traceback.

    The message must never contain an unmasked citizen ID or name: use
    :func:`canbao.masking.mask_id` and :func:`canbao.masking.mask_name`.
    """

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def render(self) -> str:
        """Return the message as printed: the problem, then how to fix it."""
        if self.fix:
            return f"{self.message}\n{fix_line(self.fix)}"
        return self.message


def fix_line(fix: str) -> str:
    """The line that says how to fix a problem: ``修正方法：…`` (``Fix: …`` in English)."""
    return _("Fix: {fix}").format(fix=fix)


# The level of a problem in a file (``file:line: path: level: message``, as compilers write it).
LEVEL_WORDS = {"error": N_("error"), "note": N_("note")}


def level_word(level: str = "error") -> str:
    """``error`` or ``note`` in the current language (错误, 提示), for a file's problem line."""
    return _(LEVEL_WORDS[level])


class UsageError(CanbaoError):
    """An option combination that makes no sense (detected after parsing)."""

    exit_code = EXIT_USAGE


class InputError(CanbaoError):
    """An input file that cannot be used at all: empty, unknown format, no ID column, ..."""

    exit_code = EXIT_INPUT


class ConservationError(CanbaoError):
    """The counts of a run do not add up; the run's outputs are not published."""

    exit_code = EXIT_CONSERVATION


class RulesError(CanbaoError):
    """A rule file with one or more problems, all reported at once."""

    exit_code = EXIT_RULES

    def __init__(self, problems: Sequence[str], *, fix: str | None = None) -> None:
        self.problems = list(problems)
        n = len(self.problems)
        head = ngettext(
            "{n} problem in the rule file(s):", "{n} problems in the rule file(s):", n
        ).format(n=n)
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]), fix=fix)


class ScoringError(CanbaoError):
    """Submission data that a rule set cannot score (names county, indicator and value)."""

    exit_code = EXIT_SCORING


class OutputError(CanbaoError):
    """An output directory or file that could not be written."""

    exit_code = EXIT_OUTPUT


class DatabaseError(CanbaoError):
    """The registration database refused canbao or an operation; never quotes a row's values."""

    exit_code = EXIT_DATABASE


class DatabaseInUse(DatabaseError):
    """A DuckDB file another process holds open (a run may wait for it: ``CANBAO_DB_WAIT``)."""


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so every ``with`` block unwinds (work files removed).

    A ``BaseException`` like ``KeyboardInterrupt``: an ``except Exception`` never swallows it.
    """
