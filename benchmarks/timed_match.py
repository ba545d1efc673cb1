"""Run ``canbao.match.run_match`` on a generated city and record how long each step took.

``python -m benchmarks.timed_match CITY OUT TIMINGS.json [DB] [--shards=N] [--format=F]
[--detail]``: the same work as ``canbao match`` (the library call behind it; with ``DB``,
``--db DB``; with ``--shards=N``, in N shards; with ``--format=F``, csv, parquet or xlsx), with
the progress messages timestamped so the benchmark can report the repair step's share of the
match (and the time of recording the snapshot). Beside ``TIMINGS.json`` (step -> seconds) it
writes ``TIMINGS.timeline.json``: every step's seconds, CPU seconds and peak memory
(benchmarks/timeline.py), and ``TIMINGS.repair.json``: the wall seconds of the repair step
itself. The repair step runs on a thread beside the link (one piece) or the merge (shards), so
its progress message times only the wait for it; its own seconds are those of its entry points,
wrapped here. ``--detail`` adds marks inside the result-file and repair steps
(benchmarks/detail_marks.py).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from benchmarks.timeline import Timeline
from canbao.match import _repairs_in_match, run_match

# The repair step's entry points (canbao.match.stages calls them through the module).
REPAIR_ENTRY_POINTS = ("records_by_class", "suggest", "suggest_for")


def time_repairs(seconds: list[float], spans: list[tuple[float, float]] | None = None) -> None:
    """Wrap the repair step's entry points so that each outermost call adds its wall seconds to
    ``seconds`` (``suggest`` calls ``suggest_for``: counted once) and, to ``spans``, its start
    and end on the ``time.perf_counter`` clock (to place it among the steps it ran beside)."""
    inside = threading.local()
    for name in REPAIR_ENTRY_POINTS:
        original = getattr(_repairs_in_match, name)

        def timed(
            *args: object, _original: Callable[..., object] = original, **kw: object
        ) -> object:
            if getattr(inside, "depth", 0):
                return _original(*args, **kw)
            inside.depth, start = 1, time.perf_counter()
            try:
                return _original(*args, **kw)
            finally:
                inside.depth, end = 0, time.perf_counter()
                seconds.append(end - start)
                if spans is not None:
                    spans.append((start, end))

        setattr(_repairs_in_match, name, timed)


def main() -> None:
    """Match the city and write the step durations (seconds) and the timeline as JSON."""
    city, out, timings = (Path(a) for a in sys.argv[1:4])
    rest = sys.argv[4:]
    shards = next((a.split("=", 1)[1] for a in rest if a.startswith("--shards=")), "1")
    fmt = next((a.split("=", 1)[1] for a in rest if a.startswith("--format=")), "csv")
    db = next((a for a in rest if not a.startswith("--")), None)
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    files: dict[str, list[Path]] = {}
    for name, info in manifest["rosters"].items():
        files.setdefault(info["kind"], []).append(city / name)
    timeline = Timeline()
    began = time.perf_counter()  # the timeline's first step begins here
    if "--detail" in rest:
        from benchmarks.detail_marks import install

        install(timeline.mark)
    repair_seconds: list[float] = []
    spans: list[tuple[float, float]] = []
    time_repairs(repair_seconds, spans)
    as_of = date.fromisoformat(manifest["as_of"])
    run_match(
        files,
        as_of=as_of,
        output=out,
        progress=timeline.mark,
        db=db,
        shards=shards,
        format=fmt,  # type: ignore[arg-type]  # checked by run_match
    )
    steps = timeline.close()
    seconds = {str(s["step"]): s["seconds"] for s in steps}
    timings.write_text(json.dumps(seconds, ensure_ascii=False, indent=1), encoding="utf-8")
    lined = timings.with_suffix(".timeline.json")
    lined.write_text(json.dumps(steps, ensure_ascii=False, indent=1), encoding="utf-8")
    repair = {
        "seconds": sum(repair_seconds),
        "calls": len(repair_seconds),
        "spans_from_start": [[round(a - began, 3), round(b - began, 3)] for a, b in spans],
    }
    timings.with_suffix(".repair.json").write_text(json.dumps(repair), encoding="utf-8")


if __name__ == "__main__":
    main()
