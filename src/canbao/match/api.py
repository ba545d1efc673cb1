"""``run_match``: check the arguments, run the stages of a match, publish the results atomically.

Data flow (one function each in :mod:`canbao.match.stages`): readers (native Polars, streamed)
-> prepare (typed fields, id checks) -> staged Parquet in a work directory -> engine-neutral set
logic (narwhals) -> suggested (and applied) links -> employers -> result files -> national
tables -> summary and conservation. Staging the prepared frames once keeps memory flat: every
later step scans them (in one piece without applied links the enrolment is not staged: the
link reads it as it is prepared and stages the linked records, which hold its columns).
Repairs (suggested links) score only the invalid and unmatched records; applied links rewrite
the staged enrolment and the set logic runs again on it. Employers are matched on the side.
The rosters come as one mapping, kind -> files (:class:`canbao.roster.RosterKind`), checked
whole before anything is read.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from canbao.atomic import atomic_directory
from canbao.dates import read_optional_date, read_path
from canbao.errors import DatabaseError
from canbao.i18n import _
from canbao.match import _shards, legal_groups, output_stages, stages
from canbao.match._arguments import check_arguments
from canbao.match._threads import waiting_for
from canbao.match.assumptions import assumed, warn_on_stderr
from canbao.match.legal_rule import DEFAULT_LEGAL_GROUPS, LegalRule, load_legal_rule
from canbao.match.results import scan_result, scan_results
from canbao.match.snapshot import SnapshotFrames, person_places, person_states
from canbao.match.summary_model import MatchSummary
from canbao.match.writers import OutputFormat
from canbao.roster import ColumnMap, load_column_map
from canbao.roster.kinds import RosterFiles, RosterPaths
from canbao.workdir import work_folder

if TYPE_CHECKING:
    from canbao.db import Database, SnapshotMeta, SnapshotResult

Progress = Callable[[str], None]
# What --db records of a run: each person's states, and each person's place.
Rows = tuple[pl.DataFrame, pl.DataFrame]


@dataclass(frozen=True)
class MatchResult:
    """What a match produced: the summary (written as summary.json) and the files."""

    summary: MatchSummary
    output: Path
    files: dict[str, Path] = field(default_factory=dict)
    snapshot: SnapshotResult | None = None  # what --db recorded (None: no database)

    def table(self, name: str) -> pl.LazyFrame:
        """One result table by its file name (uninsured, needs_survey …) as a lazy frame."""
        return scan_result(self.files, name)

    def tables(self) -> dict[str, pl.LazyFrame]:
        """Every result table by name, lazily (:mod:`canbao.match.results`)."""
        return scan_results(self.files)


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
    as_of: str | date | None = None,
    area: Sequence[str] | None = None,
    columns: str | Path | None = None,
    output: str | Path,
    format: OutputFormat = "csv",
    apply_links: Decimal | int | str | None = None,
    progress: Progress = _quiet,
    accept_damaged_ids: bool = False,
    legal_groups: str | Path | None = DEFAULT_LEGAL_GROUPS,
    db: str | Path | None = None,
    rebuild_history: bool = False,
    warn: Progress = warn_on_stderr,
    county_lists: bool = False,
    shards: int | str = "auto",
) -> MatchResult:
    """Match the rosters into the campaign's result sets and write them under ``output``.

    ``as_of``: the reference date, a :class:`~datetime.date` or text (``"2017-06-30"``,
    ``"2017/06/30"``, ``"20170630"``, ``"2017年6月30日"``); default today. ``output`` and
    ``columns``: a str or a Path. ``rosters``: the files of each kind (:class:`RosterKind` or
    its name), e.g. ``{"household": [path], "pension": [a, b]}``; household files are required,
    ``units`` and ``insured_units`` (market registry, insured units) go together.
    ``apply_links``: apply the unique top suggested links scoring at least this (0-100) and
    compute the sets with them; ``None`` (the default) only proposes. ``accept_damaged_ids``:
    run even when most IDs of a roster are invalid (:mod:`canbao.match.damage`). Every problem
    with the arguments is reported at once, in one :class:`~canbao.errors.UsageError`, before
    any file is read. ``legal_groups``: the legal-group rule's file or bundled name
    (:mod:`canbao.match.legal_rule`; ``"none"`` or None: off). ``db``: the registration
    database (a DuckDB file or ``postgresql://…``, docs/database.md), opened before the rosters
    are read, given the run's snapshot once the results are published (a failed run records
    nothing; the files are the same with or without it); ``rebuild_history`` lets a snapshot
    older than the latest rebuild the history.
    ``warn``: called with each thing the match assumed for a missing column
    (:mod:`canbao.match.assumptions`; also in the summary's ``warnings``); default: stderr.
    ``county_lists``: also write the needs-survey (and units') lists per county as workbooks
    with IDs as text (``lists/``); off by default, they add about a third to a large match's time.
    ``shards``: N shards of persons or ``"auto"`` (docs/scale.md), with the same result files.
    """
    # str or date, str or Path, as a notebook passes them; a wrong one is a UsageError at once.
    day = read_optional_date(as_of, "as_of") or date.today()
    output = read_path(output, "output")
    columns = None if columns is None else read_path(columns, "columns")
    files, min_score = check_arguments(rosters, apply_links)
    legal_rule = load_legal_rule(legal_groups)  # the whole rule file, before any roster
    colmap = load_column_map(columns) if columns else None
    database = _open_database(db)
    snapshot = None
    if database is not None:
        options = _snapshot_options(area, min_score, accept_damaged_ids, legal_groups)
        side = (("columns", columns), ("legal_groups", legal_groups))
        side_files = tuple((role, Path(f)) for role, f in side if f and Path(f).is_file())
        snapshot = _Snapshot(database, files, side_files, options, rebuild_history)
    try:
        summary, written, recorded = _publish(
            files,
            colmap,
            columns=columns,
            output=output,
            snapshot=snapshot,
            warn=warn,
            as_of=day,
            area=list(area) if area else None,
            fmt=format,
            apply_links=min_score,
            accept_damaged_ids=accept_damaged_ids,
            progress=progress,
            legal_rule=legal_rule,
            county_lists=county_lists,
            shards=shards,
        )
    finally:
        if database is not None:
            database.close()
    files_out = {k: Path(output) / v.name for k, v in written.items()}
    return MatchResult(summary, Path(output), files_out, recorded)


@dataclass(frozen=True)
class _Snapshot:
    """What ``--db`` needs to record a run: the database and what identifies the run."""

    database: Database
    files: RosterFiles
    side_files: tuple[tuple[str, Path], ...]  # the --columns map, the legal-group rule file
    options: dict[str, Any]
    rebuild: bool

    def checked_meta(self, summary: MatchSummary) -> SnapshotMeta:
        """As-of date, area, the inputs' SHA-256 with their kinds, options and summary.

        Refused (DatabaseError) when the database would refuse it: an out-of-order date.
        """
        from canbao.audit import sha256_file
        from canbao.db import SnapshotMeta, check_snapshot_order

        paths = [(kind.value, p) for kind, paths in self.files.items() for p in paths]
        paths += self.side_files
        meta = SnapshotMeta(
            as_of=summary.as_of,
            area=",".join(summary.area),
            inputs=[(role, sha256_file(path)) for role, path in paths],
            options=self.options,
            summary=json.loads(summary.to_json()),
        )
        check_snapshot_order(self.database, meta, rebuild=self.rebuild)
        return meta

    def record(self, states: Rows, meta: SnapshotMeta) -> SnapshotResult:
        """Record the published run's states and places (only their changes are stored)."""
        from canbao.db import record_snapshot

        person, places = states
        return record_snapshot(self.database, person, meta, rebuild=self.rebuild, places=places)


def _publish(
    files: RosterFiles,
    colmap: ColumnMap | None,
    *,
    columns: Path | None,
    output: Path,
    snapshot: _Snapshot | None,
    warn: Progress,
    **options: Any,
) -> tuple[MatchSummary, dict[str, Path], SnapshotResult | None]:
    """Read, match and publish the results atomically, then record the snapshot (``--db``).

    A snapshot the database would refuse (older than the latest) stops the run before the
    results are published; the snapshot is recorded only once they are.
    """
    import_in_background("xlsxwriter")
    inputs = [p for paths in files.values() for p in paths] + ([columns] if columns else [])
    options["shards"] = _shards.shard_count(options["shards"], inputs)
    # The output is checked and locked before the rosters are read, so a wrong --output fails
    # at once; the work folder goes after the results are in place, however the run ends.
    with work_folder("match") as work:
        with atomic_directory(output, command="match", inputs=inputs) as staging:
            read = stages.read_rosters(
                files, columns=colmap, work=work, progress=options["progress"]
            )
            for text in assumed(read):  # refuses a case it cannot guess, before any work
                warn(text)
            summary, written, states = _match(
                read, work=work, out=staging, snapshot=snapshot is not None, **options
            )
            if snapshot is None or states is None:
                return summary, written, None
            meta = snapshot.checked_meta(summary)
        options["progress"]("recording the snapshot in the registration database")
        with _published_but_not_recorded(output):
            recorded = snapshot.record(states, meta)
    return summary, written, recorded


@contextmanager
def _published_but_not_recorded(output: Path) -> Iterator[None]:
    """A database error after publishing says that the results stand but the run is not in it."""
    try:
        yield
    except DatabaseError as exc:
        raise DatabaseError(
            _(
                "the results are published in {output}, but the run was not recorded in the "
                "database: {message}"
            ).format(output=output, message=exc.message),
            fix=exc.fix,
        ) from None


def _open_database(db: str | Path | None) -> Database | None:
    """The registration database, opened (and checked) before any roster is read."""
    if db is None:
        return None
    from canbao.db import open_database

    return open_database(db)


def _snapshot_options(
    area: Sequence[str] | None,
    min_score: Decimal | None,
    accept_damaged_ids: bool,
    legal_groups: str | Path | None,
) -> dict[str, Any]:
    """The options that make a snapshot what it is (the output format does not).

    A legal-group rule given as a file counts by its SHA-256 among the inputs; a bundled rule
    (or none) by its name here.
    """
    rule = None if legal_groups is None or Path(legal_groups).is_file() else str(legal_groups)
    return {
        "area": sorted(area) if area else None,
        "apply_links": None if min_score is None else str(min_score),
        "accept_damaged_ids": accept_damaged_ids,
        "legal_groups": rule,
    }


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
    legal_rule: LegalRule | None = None,
    snapshot: bool = False,
    county_lists: bool = False,
    shards: int = 1,
) -> tuple[MatchSummary, dict[str, Path], Rows | None]:
    """The stages of a match after reading, in order (canbao.match.stages); see the module doc.
    With ``snapshot``, also the rows the registration database records (canbao.match.snapshot).
    """
    prepared = stages.prepare(
        rosters,
        as_of=as_of,
        area=area,
        accept_damaged_ids=accept_damaged_ids,
        work=work,
        progress=progress,
        shards=shards,
        stage_enrolment=shards > 1 or apply_links is not None,  # shards, links read it again
    )
    first = stages.link_and_assess(prepared, work, progress)
    # The repair step may still run on a thread (until the result files write its links): it
    # reads the work folder, so every way out of here waits for it before the folder goes.
    with waiting_for([first.suggestions]):
        links = stages.suggest_links(
            first, prepared, apply_links=apply_links, as_of=as_of, work=work, progress=progress
        )
        # Announced before the employers' match, so progress timings (benchmarks.timed_match)
        # count it in the writing step as they always have.
        progress(_("writing result files"))
        employers = stages.match_employers(rosters, progress)
        files = output_stages.write_result_files(
            rosters, prepared, links, employers, fmt=fmt, out=out, lists=county_lists
        )
        legal = legal_groups.judge(
            rosters,
            links.sets.targets,
            links.sets.by_person(),
            legal_rule,
            as_of=as_of,
            fmt=fmt,
            out=out,
            progress=progress,
            insured_units=employers.frames[1] if employers.frames else None,
            persons=prepared.persons(),
        )
        result, written = _tables_and_summary(
            rosters,
            prepared,
            links,
            employers,
            files,
            legal,
            as_of=as_of,
            fmt=fmt,
            out=out,
            progress=progress,
        )
    states = _person_states(prepared, links, files, legal.gaps) if snapshot else None
    return result, files.written | legal.written | written, states


def _tables_and_summary(
    rosters: stages.Rosters,
    prepared: stages.Prepared,
    links: stages.Links,
    employers: stages.Employers,
    files: output_stages.ResultFiles,
    legal: legal_groups.LegalGaps,
    *,
    as_of: date,
    fmt: OutputFormat,
    out: Path,
    progress: Progress,
) -> tuple[MatchSummary, dict[str, Path]]:
    """The national tables and the summary (with its conservation checks), and their files."""
    counts = output_stages.count_sets(prepared, links.sets, files.schemes, progress)
    basic, written = output_stages.national_tables(
        counts,
        employers.per_county,
        fmt=fmt,
        out=out,
        progress=progress,
        legal=legal.per_county,
    )
    result = output_stages.summary_and_conservation(
        rosters,
        prepared,
        links,
        employers,
        files,
        basic,
        counts=counts,
        as_of=as_of,
        out=out,
        progress=progress,
        legal=legal,
    )
    return result, written


def _person_states(
    prepared: stages.Prepared,
    links: stages.Links,
    files: output_stages.ResultFiles,
    legal_gaps: pl.DataFrame,
) -> Rows:
    """The rows ``--db`` records: each person's sets and place (canbao.match.snapshot)."""
    sets = links.sets
    frames = SnapshotFrames(
        prepared.household, sets.targets, sets.linked, sets.found, files.conflicts, legal_gaps
    )
    return person_states(frames), person_places(prepared.household)
