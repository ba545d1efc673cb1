"""Where a sharded match spends the time one piece does not: its link phase, part by part.

``python -m benchmarks.shard_costs CITY [--rounds N] [--shards N]`` times, in alternating rounds
(ABBA: one piece first in odd rounds), each way's link phase in this process, each in a work
folder of its own:

- **one piece** as ``canbao match`` runs it: the household staged and the enrolment prepared
  as a scan of the rosters (``stages.prepare`` without staging it, "prepare"), then linked,
  staged and assessed in one read of the rosters (``stages._fused_sets``, "link");
- **shards**: the household and the enrolment prepared and staged with their shard numbers
  (``stages.prepare(shards=N)``, "prepare"), linked and assessed shard by shard and merged
  (``stages._sets``, "link"), and then, on the same staged files, one piece's link of the
  staged enrolment ("one piece on the staged files"): the shards' own work against one
  piece's on the same input.

The repair step and the steps after the link are not run here (``benchmarks.timed_match
--detail`` marks those). Prints each part's wall and CPU seconds per round, and the medians,
as a Markdown table (docs/scale-measurements.md, twentieth round).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from canbao.match import stages
from canbao.match._shards import SHARD
from canbao.roster.kinds import RosterFiles, RosterKind
from canbao.workdir import work_folder

T = TypeVar("T")
# part -> (wall seconds, CPU seconds) of each round
Times = dict[str, list[tuple[float, float]]]
PARTS = (
    "one piece: prepare",
    "one piece: link",
    "shards: prepare",
    "shards: link",
    "one piece on the staged files: link",
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(part: str, times: Times, work: Callable[[], T]) -> T:
    """``work()``, its wall and CPU seconds added to ``times[part]``."""
    wall, cpu = time.perf_counter(), _cpu()
    value = work()
    times.setdefault(part, []).append((time.perf_counter() - wall, _cpu() - cpu))
    return value


def roster_files(city: Path) -> tuple[RosterFiles, date]:
    """A generated city's rosters by kind (every kind, empty where none) and its as-of date."""
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    found: dict[RosterKind, list[Path]] = {}
    for name, info in manifest["rosters"].items():
        found.setdefault(RosterKind(info["kind"]), []).append(city / name)
    files = {kind: tuple(found.get(kind, ())) for kind in RosterKind}
    return files, date.fromisoformat(manifest["as_of"])


def _prepared(
    part: str, times: Times, files: RosterFiles, as_of: date, work: Path, **options: Any
) -> stages.Prepared:
    """The rosters read, then prepared (timed as ``part``) with ``options`` (shards, staging)."""
    rosters = stages.read_rosters(files, columns=None, work=work, progress=print_nothing)
    return _timed(
        part,
        times,
        lambda: stages.prepare(
            rosters,
            as_of=as_of,
            area=None,
            accept_damaged_ids=True,
            work=work,
            progress=print_nothing,
            **options,
        ),
    )


def _one_piece(files: RosterFiles, as_of: date, times: Times) -> None:
    with work_folder("bench") as work:
        prepared = _prepared("one piece: prepare", times, files, as_of, work, stage_enrolment=False)
        check = prepared.check_records
        assert check is not None  # the enrolment is not staged: checked on the linked records
        _timed(
            "one piece: link",
            times,
            lambda: stages._fused_sets(work, prepared.household, prepared.enrolment, check),
        )


def _shards(files: RosterFiles, as_of: date, shards: int, times: Times) -> None:
    with work_folder("bench") as work:
        prepared = _prepared("shards: prepare", times, files, as_of, work, shards=shards)
        household, enrolment = prepared.household, prepared.enrolment
        _timed("shards: link", times, lambda: stages._sets(work, household, enrolment, "", shards))
        _timed(
            "one piece on the staged files: link",
            times,
            lambda: stages._sets(work, household.drop(SHARD), enrolment.drop(SHARD), "_one", 1),
        )


def print_nothing(_: str) -> None:
    """The stages' progress messages, not shown."""


def table(times: Times) -> str:
    """Each part's seconds per round and their medians, as Markdown."""
    lines = [
        "| part | wall s per round | median wall s | median CPU s |",
        "| --- | --- | ---: | ---: |",
    ]
    for part in PARTS:
        runs = times.get(part, [])
        walls = ", ".join(f"{wall:.1f}" for wall, _ in runs)
        wall = statistics.median(w for w, _ in runs) if runs else float("nan")
        cpu = statistics.median(c for _, c in runs) if runs else float("nan")
        lines.append(f"| {part} | {walls} | {wall:.1f} | {cpu:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> Times:
    """Time the link phase both ways in alternating rounds; print the table; return the times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("city", type=Path, help="a generated city (its manifest.json)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shards", type=int, default=4)
    args = parser.parse_args(argv)
    files, as_of = roster_files(args.city)
    times: Times = {}
    for round_ in range(args.rounds):
        ways = [
            lambda: _one_piece(files, as_of, times),
            lambda: _shards(files, as_of, args.shards, times),
        ]
        for way in ways if round_ % 2 == 0 else ways[::-1]:
            way()
            gc.collect()
        print(f"<!-- round {round_ + 1} of {args.rounds} done -->", flush=True)
    print(table(times), flush=True)
    return times


if __name__ == "__main__":
    main()
