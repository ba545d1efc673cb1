"""``make profile``: where the time of ``canbao match`` goes, per step and per expression.

``python -m benchmarks.profile_match [--persons N] [--work DIR]`` generates the clean city of
``make bench`` (1 M persons by default, kept under ``--work``) and prints three markdown tables
(docs/performance.md quotes them):

1. **Steps** of one whole match (``run_match``, as ``benchmarks.timed_match`` runs it): wall
   seconds, CPU seconds of the process (every Polars thread included) and the peak resident
   memory at the end of each step, read at each progress message; the imports before the match
   are the first row (Python's own start, about 0.05 s, is not seen from inside).
2. **Parts** of the steps the set logic needs (read, prepare, link and assess), each run alone
   on the same city: staging the household and the enrolment records, the checks that read
   them back, the link, the targets, the duplicates. Writing a stage versus collecting the same
   frame in memory shows what the Parquet staging costs.
3. **Expressions** of the prepare step, each alone over the rosters already in memory (the
   household rows and the enrolment records): the name fold, the sex and status lookups, the
   date parse, the ID checks, the code columns. Polars 2.1 has no ``LazyFrame.profile()``, so
   every expression is timed by itself (``select`` of it alone, collected).

Polars' own view of a plan: ``POLARS_VERBOSE=1`` prints where the streaming engine falls back
to the in-memory one (none in a match at the time of writing).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

START = time.perf_counter()
START_CPU = time.process_time()

import polars as pl  # noqa: E402  (timed as part of the start-up)

from canbao.match import run_match  # noqa: E402

# Python's start is not seen from here: the imports are (polars, canbao.match).
IMPORTS = (time.perf_counter() - START, time.process_time() - START_CPU)
AS_OF = date(2017, 6, 30)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    """Wall and CPU seconds since the last mark, and the peak memory at each mark."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, float]] = []
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def mark(self, label: str) -> None:
        """Close the interval since the last mark under ``label``."""
        wall, cpu = time.perf_counter(), time.process_time()
        self.rows.append((label, wall - self.wall, cpu - self.cpu, _peak_mb()))
        self.wall, self.cpu = wall, cpu

    def timed(self, label: str, work: Callable[[], Any]) -> Any:
        """Run ``work`` as one interval of its own."""
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        result = work()
        self.mark(label)
        return result

    def table(self, title: str) -> str:
        """The intervals as a markdown table, with their totals."""
        lines = [
            f"### {title}",
            "",
            "| part | wall s | CPU s | peak MB |",
            "| --- | ---: | ---: | ---: |",
        ]
        for label, wall, cpu, peak in self.rows:
            lines.append(f"| {label} | {wall:.2f} | {cpu:.2f} | {peak:,.0f} |")
        wall = sum(r[1] for r in self.rows)
        cpu = sum(r[2] for r in self.rows)
        lines.append(f"| **total** | **{wall:.2f}** | **{cpu:.2f}** | |")
        return "\n".join(lines)


def rosters_of(city: Path) -> dict[str, list[Path]]:
    """The city's roster files by kind, as benchmarks.timed_match passes them."""
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    files: dict[str, list[Path]] = {}
    for name, info in manifest["rosters"].items():
        files.setdefault(info["kind"], []).append(city / name)
    return files


def _step_name(message: str) -> str:
    # Progress messages carry counts, kinds and paths (in English or Chinese): the step is the
    # words before them, so the reading of every roster file is one row.
    words = message.split(":")[0].split("：")[0].split(" (")[0].split("（")[0]
    return " ".join("".join(c for c in words if not c.isdigit() and c not in ",/").split())


def profile_steps(city: Path, scratch: Path) -> str:
    """One whole match, its steps timed at its progress messages."""
    out = scratch / "match"
    clock = Clock()
    clock.rows.append(("imports (polars, canbao.match)", *IMPORTS, _peak_mb()))
    current = ["before the first step"]

    def progress(message: str) -> None:
        clock.mark(current[0])
        current[0] = _step_name(message)

    run_match(rosters_of(city), as_of=AS_OF, output=out, progress=progress, shards=1)
    clock.mark(current[0])
    merged: dict[str, list[float]] = {}
    for label, wall, cpu, peak in clock.rows:
        row = merged.setdefault(label, [0.0, 0.0, 0.0])
        row[0] += wall
        row[1] += cpu
        row[2] = max(row[2], peak)
    clock.rows = [(label, *values) for label, values in merged.items()]  # type: ignore[misc]
    return clock.table("Steps of one match (run_match, one piece)")


def profile_parts(city: Path, work: Path) -> str:
    """The read, prepare and set steps taken apart, each part alone."""
    from canbao.match import _staging, area, damage, prepare, sets, stages
    from canbao.roster.kinds import RosterKind

    clock = Clock()
    files = {RosterKind(k): v for k, v in rosters_of(city).items()}
    quiet: Callable[[str], None] = lambda _: None  # noqa: E731
    rosters: stages.Rosters = {kind.value: [] for kind in RosterKind}
    read = clock.timed(
        "read: sniff, map headers, clean-file check",
        lambda: stages.read_rosters(files, columns=None, work=work, progress=quiet),
    )
    rosters.update(read)
    household_raw = stages._concat(rosters, stages.HOUSEHOLD_KINDS)
    enrolment_raw = stages._concat(rosters, stages.ENROLMENT_KINDS)
    clock.timed("household: CSV parse only (collect)", household_raw.collect)
    clock.timed("enrolment: CSV parse only (collect)", enrolment_raw.collect)
    household_lf = prepare.prepare_household(household_raw, as_of=AS_OF).drop(
        stages.HOUSEHOLD_UNSTAGED
    )
    clock.timed("household: parse + prepare (collect)", household_lf.collect)
    household = clock.timed(
        "household: parse + prepare + stage (sink)",
        lambda: _staging.stage(household_lf, work / "household.parquet"),
    )
    clock.timed(
        "household: ID damage check", lambda: damage.check_id_damage(household, accept=False)
    )
    chosen = clock.timed("household: default area", lambda: area.default_area(household))
    enrolment_lf = (
        prepare.prepare_enrolment(enrolment_raw, as_of=AS_OF, area=chosen)
        .drop(stages.ENROLMENT_UNSTAGED)
        .with_row_index("e_row")
    )
    clock.timed("enrolment: parse + prepare (collect)", enrolment_lf.collect)
    enrolment = clock.timed(
        "enrolment: parse + prepare + stage (sink)",
        lambda: _staging.stage(enrolment_lf, work / "enrolment.parquet"),
    )
    clock.timed(
        "enrolment: ID damage check", lambda: damage.check_id_damage(enrolment, accept=False)
    )
    clock.timed("unknown codes check", lambda: prepare.check_codes(household, enrolment))
    persons = sets.household_persons(household)
    clock.timed("link: household persons (collect)", persons.collect)
    link = sets.link_records(enrolment, persons).select(stages.LINKED_COLUMNS)
    clock.timed("link: linked records (collect)", link.collect)
    linked = clock.timed(
        "link: linked records (stage)", lambda: _staging.stage(link, work / "linked.parquet")
    )
    clock.timed("assess: coverage per person (collect)", sets.coverage(linked).collect)
    assessed = sets.assess_targets(household, sets.coverage(linked))
    clock.timed(
        "assess: targets (stage the added columns)",
        lambda: _staging.stage_added(
            work, household.filter(pl.col("is_target")), assessed, "targets.parquet"
        ),
    )
    clock.timed("duplicates (collect)", sets.duplicates(linked).collect)
    clock.timed(
        "one piece: link and assess from the prepared rosters, enrolment unstaged",
        lambda: stages._fused_sets(work, household, enrolment_lf, lambda _: None),
    )
    return clock.table("Parts of read, prepare, link and assess, each alone")


def profile_expressions(city: Path, work: Path) -> str:
    """Each expression of the prepare step alone, over rosters already in memory."""
    from canbao.ids import with_citizen_id
    from canbao.match import prepare, stages
    from canbao.roster.kinds import RosterKind

    files = {RosterKind(k): v for k, v in rosters_of(city).items()}
    rosters: stages.Rosters = {kind.value: [] for kind in RosterKind}
    rosters.update(stages.read_rosters(files, columns=None, work=work, progress=lambda _: None))
    frames = {
        "household": stages._concat(rosters, stages.HOUSEHOLD_KINDS).collect().lazy(),
        "enrolment": stages._concat(rosters, stages.ENROLMENT_KINDS).collect().lazy(),
    }
    clock = Clock()
    for kind, frame in frames.items():
        exprs: dict[str, pl.Expr] = dict(prepare._person_fields())
        exprs["status"] = prepare._map_codes(
            pl.col("status"),
            prepare.HOUSEHOLD_STATUS_ALIASES
            if kind == "household"
            else prepare.ENROLMENT_STATUS_ALIASES,
        )[0]
        code = "county" if kind == "household" else "region"
        exprs[code] = prepare.clean_code(pl.col(code))
        for name, expr in exprs.items():
            clock.timed(f"{kind}: {name}", lambda e=expr, f=frame: f.select(e).collect())
        clock.timed(
            f"{kind}: ID checks (5 columns)",
            lambda f=frame: with_citizen_id(f.select("id"), "id", as_of=AS_OF).collect(),
        )
    return clock.table("Expressions of the prepare step, each alone (rosters in memory)")


SECTIONS = {"steps": profile_steps, "parts": profile_parts, "expressions": profile_expressions}


def main() -> None:
    """Generate the city if needed; each table in a fresh process, so its peak is its own."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("bench-output"))
    parser.add_argument("--section", choices=sorted(SECTIONS), help="print only this table")
    opts = parser.parse_args()
    city = opts.work / f"city-{opts.persons}"
    scratch = opts.work / "profile"
    if opts.section:
        print(SECTIONS[opts.section](city, scratch), end="\n\n", flush=True)
        return
    if not (city / "manifest.json").exists():
        # In a process of its own: a child inherits the peak memory of the process it forks from.
        generate = (
            "import sys; from datetime import date; from pathlib import Path; "
            "from canbao.synth import generate_city; "
            "generate_city(int(sys.argv[1]), seed=1, as_of=date(2017, 6, 30), "
            "output=Path(sys.argv[2]), messy=False)"
        )
        subprocess.run([sys.executable, "-c", generate, str(opts.persons), str(city)], check=True)
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    load = Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3]
    print(f"## canbao match profile: {opts.persons:,} persons (load average {' '.join(load)})\n")
    for section in SECTIONS:
        shutil.rmtree(scratch / "match", ignore_errors=True)
        command = ["--persons", str(opts.persons), "--work", str(opts.work), "--section", section]
        sys.stdout.flush()
        subprocess.run([sys.executable, "-m", "benchmarks.profile_match", *command], check=True)


if __name__ == "__main__":
    main()
