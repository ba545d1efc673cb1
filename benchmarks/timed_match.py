"""Run ``canbao.match.run_match`` on a generated city and record how long each step took.

``python -m benchmarks.timed_match CITY OUT TIMINGS.json [DB]``: the same work as ``canbao
match`` (the library call behind it; with ``DB``, ``--db DB``), with the progress messages
timestamped so the benchmark can report the repair step's share of the match (and the time of
recording the snapshot).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

from canbao.match import run_match


def main() -> None:
    """Match the city and write the step durations (seconds) as JSON."""
    city, out, timings = (Path(a) for a in sys.argv[1:4])
    db = sys.argv[4] if len(sys.argv) > 4 else None
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    files: dict[str, list[Path]] = {}
    for name, info in manifest["rosters"].items():
        files.setdefault(info["kind"], []).append(city / name)
    marks: list[tuple[str, float]] = [("start", time.perf_counter())]

    def step(message: str) -> None:
        marks.append((message, time.perf_counter()))

    as_of = date.fromisoformat(manifest["as_of"])
    run_match(files, as_of=as_of, output=out, progress=step, db=db)
    marks.append(("end", time.perf_counter()))
    steps = {name: round(marks[i + 1][1] - t, 3) for i, (name, t) in enumerate(marks[:-1])}
    timings.write_text(json.dumps(steps, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
