"""``run_match``: check the arguments, run the stages of a match, publish the results atomically.

Data flow (one function each in :mod:`canbao.match.stages`): readers (native Polars, streamed)
-> prepare (typed fields, id checks) -> staged Parquet in a work directory -> engine-neutral set
logic (narwhals) -> suggested (and applied) links -> employers -> result files -> national
tables -> summary and conservation. Staging the prepared frames once keeps memory flat: every
later step scans them. Repairs (suggested links) score only the invalid and unmatched records;
applied links rewrite the staged enrolment and the set logic runs again on it. Employers are
matched on the side. The rosters come as one mapping, kind -> files
(:class:`canbao.roster.RosterKind`), checked whole before anything is read.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from canbao.atomic import atomic_directory
from canbao.errors import UsageError
from canbao.match import stages
from canbao.match.repairs import APPLY_THRESHOLD
from canbao.match.summary_model import MatchSummary
from canbao.match.writers import OutputFormat
from canbao.roster import load_column_map
from canbao.roster.kinds import RosterFiles, RosterKind, RosterPaths
from canbao.workdir import work_folder

Progress = Callable[[str], None]


@dataclass(frozen=True)
class MatchResult:
    """What a match produced: the summary (written as summary.json) and the files."""

    summary: MatchSummary
    output: Path
    files: dict[str, Path] = field(default_factory=dict)


def _quiet(_: str) -> None:
    return None


def import_in_background(module: str) -> None:
    """Import ``module`` on a thread, for a library needed only at the end of the match.

    The main thread spends the match in Polars, without the GIL, so xlsxwriter (0.3 s) loads
    meanwhile. Python's import lock makes a later ``import`` wait for it, never load it twice.
    """
    threading.Thread(target=importlib.import_module, args=(module,), daemon=True).start()


def run_match(
    rosters: RosterPaths,
    *,
    as_of: date | None = None,
    area: Sequence[str] | None = None,
    columns: Path | None = None,
    output: Path,
    format: OutputFormat = "csv",
    apply_links: Decimal | int | str | None = None,
    progress: Progress = _quiet,
    accept_damaged_ids: bool = False,
) -> MatchResult:
    """Match the rosters into the campaign's result sets and write them under ``output``.

    ``rosters``: the files of each kind (:class:`canbao.roster.RosterKind` or its name), e.g.
    ``{"household": [path], "pension": [a, b]}``; household files are required, ``units`` and
    ``insured_units`` (the market registry and the insured units) go together. ``apply_links``:
    apply the unique top suggested links scoring at least this (0-100) and compute the sets
    with them; ``None`` (the default) only proposes. ``accept_damaged_ids``: run even when most
    IDs of a roster are invalid (:mod:`canbao.match.damage`). Every problem with the arguments
    is reported at once, in one :class:`~canbao.errors.UsageError`, before any file is read.
    """
    files, min_score = check_arguments(rosters, apply_links)
    colmap = load_column_map(columns) if columns else None
    import_in_background("xlsxwriter")
    inputs = [p for paths in files.values() for p in paths] + ([columns] if columns else [])
    # The output is checked and locked before the rosters are read, so a wrong --output fails
    # at once; the work folder goes after the results are in place, however the run ends.
    with (
        work_folder("match") as work,
        atomic_directory(output, command="match", inputs=inputs) as staging,
    ):
        read = stages.read_rosters(files, columns=colmap, work=work, progress=progress)
        result_summary, written = _match(
            read,
            as_of=as_of or date.today(),
            area=list(area) if area else None,
            fmt=format,
            apply_links=min_score,
            accept_damaged_ids=accept_damaged_ids,
            progress=progress,
            work=work,
            out=staging,
        )
    return MatchResult(
        result_summary, Path(output), {k: Path(output) / v.name for k, v in written.items()}
    )


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
            fix = f"give a list of files: {{{str(name)!r}: [{str(paths)!r}]}}"
            problems.append(_Problem(f"the {name} roster is one path, not a list of files", fix))
        else:
            files[RosterKind(name)] = tuple(Path(p) for p in paths)
    if not files[RosterKind.HOUSEHOLD]:
        fix = "name one or more files with --household"
        problems.append(_Problem("no household roster given", fix))
    if bool(files[RosterKind.UNITS]) != bool(files[RosterKind.INSURED_UNITS]):
        problems.append(
            _Problem(
                "employers need both the market registry and the insured units",
                "give --units FILE and --insured-units FILE together",
            )
        )
    min_score = _min_score(apply_links, problems)
    if len(problems) == 1:
        raise UsageError(problems[0].message, fix=problems[0].fix)
    if problems:
        head = f"参数有 {len(problems)} 处问题（{len(problems)} problems with the arguments）:"
        raise UsageError(
            "\n".join([head, *(f"  {p.message}" for p in problems)]),
            fix="; ".join(p.fix for p in problems),
        )
    return files, min_score


def _unknown_kind(name: object) -> _Problem:
    kinds = ", ".join(kind.value for kind in RosterKind)
    return _Problem(f"unknown roster kind {name!r}", f"name the rosters by kind: {kinds}")


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
                f"{value} 不是 0 到 100 的分数（--apply-links {value} is not a score）",
                f"give a score from 0 to 100; {APPLY_THRESHOLD} is the documented threshold",
            )
        )
        return None
    return score


def _match(
    rosters: stages.Rosters,
    *,
    as_of: date,
    area: list[str] | None,
    fmt: OutputFormat,
    apply_links: Decimal | None,
    accept_damaged_ids: bool,
    progress: Progress,
    work: Path,
    out: Path,
) -> tuple[MatchSummary, dict[str, Path]]:
    """The stages of a match after reading, in order (canbao.match.stages); see the module doc."""
    prepared = stages.prepare(
        rosters,
        as_of=as_of,
        area=area,
        accept_damaged_ids=accept_damaged_ids,
        work=work,
        progress=progress,
    )
    first = stages.link_and_assess(prepared, work, progress)
    links = stages.suggest_links(
        first, prepared, apply_links=apply_links, as_of=as_of, work=work, progress=progress
    )
    # Announced before the employers' match, so progress timings (benchmarks.timed_match) count
    # it in the writing step as they always have.
    progress("writing result files")
    employers = stages.match_employers(rosters, progress)
    files = stages.write_result_files(
        rosters, prepared.household, links, employers, fmt=fmt, out=out
    )
    basic, written = stages.national_tables(
        links.sets, files.schemes, employers.per_county, fmt=fmt, out=out, progress=progress
    )
    result = stages.summary_and_conservation(
        rosters, prepared, links, employers, files, basic, as_of=as_of, out=out, progress=progress
    )
    return result, files.written | written
