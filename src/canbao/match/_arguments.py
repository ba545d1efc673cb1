"""The arguments of ``run_match`` checked whole before any file is read (CLI and library alike).

Every problem is collected and reported in one :class:`~canbao.errors.UsageError`, as splink
validates its settings: a script learns all that is wrong with its call in one run.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from canbao.errors import UsageError
from canbao.i18n import _, ngettext
from canbao.match.repairs import APPLY_THRESHOLD
from canbao.roster.kinds import RosterFiles, RosterKind, RosterPaths


class _Problem(NamedTuple):
    message: str
    fix: str


def check_arguments(
    rosters: RosterPaths,
    apply_links: Decimal | int | str | None,
) -> tuple[RosterFiles, Decimal | None]:
    """The files of every kind (none: an empty tuple) and the ``--apply-links`` score, checked.

    All problems are collected and raised together as one :class:`UsageError` (splink checks
    its settings the same way), so a script learns everything wrong with its call in one run.
    """
    files: dict[RosterKind, tuple[Path, ...]] = {kind: () for kind in RosterKind}
    problems: list[_Problem] = []
    for name, paths in rosters.items():
        if name not in files:
            problems.append(_unknown_kind(name))
        elif isinstance(paths, str | Path):
            fix = _("give a list of files: {example}").format(
                example=f"{{{str(name)!r}: [{str(paths)!r}]}}"
            )
            problem = _("the {kind} roster is one path, not a list of files").format(kind=name)
            problems.append(_Problem(problem, fix))
        else:
            files[RosterKind(name)] = tuple(Path(p) for p in paths)
    if not files[RosterKind.HOUSEHOLD]:
        fix = _("name one or more files with --household")
        problems.append(_Problem(_("no household roster given"), fix))
    if bool(files[RosterKind.UNITS]) != bool(files[RosterKind.INSURED_UNITS]):
        problems.append(
            _Problem(
                _("employers need both the market registry and the insured units"),
                _("give --units FILE and --insured-units FILE together"),
            )
        )
    min_score = _min_score(apply_links, problems)
    if len(problems) == 1:
        raise UsageError(problems[0].message, fix=problems[0].fix)
    if problems:
        n = len(problems)
        head = ngettext(
            "{n} problem with the arguments:", "{n} problems with the arguments:", n
        ).format(n=n)
        raise UsageError(
            "\n".join([head, *(f"  {p.message}" for p in problems)]),
            fix="; ".join(p.fix for p in problems),
        )
    return files, min_score


def _unknown_kind(name: object) -> _Problem:
    kinds = ", ".join(kind.value for kind in RosterKind)
    return _Problem(
        _("unknown roster kind {kind!r}").format(kind=name),
        _("name the rosters by kind: {kinds}").format(kinds=kinds),
    )


def _min_score(value: Decimal | int | str | None, problems: list[_Problem]) -> Decimal | None:
    """``--apply-links`` as a score from 0 to 100: the one place it is checked (CLI and library)."""
    if value is None:
        return None
    try:
        score = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        score = Decimal("NaN")
    if not score.is_finite() or not 0 <= score <= 100:
        problems.append(
            _Problem(
                _("--apply-links {value} is not a score from 0 to 100").format(value=value),
                _("give a score from 0 to 100; {threshold} is the documented threshold").format(
                    threshold=APPLY_THRESHOLD
                ),
            )
        )
        return None
    return score
