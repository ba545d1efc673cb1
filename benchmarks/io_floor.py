"""The I/O floor of a match: every roster of a generated city read fully as strings with Polars.

``python -m benchmarks.io_floor CITY_DIR``: each roster file the match reads (every CSV of the
manifest, as benchmarks/timed_match.py passes them) is parsed whole, every column as text, and
collected, all at once; the row counts are printed. Nothing is checked, folded or written: no
match can take less than this, so ``canbao match`` / floor says how much the match's own work
costs on top of reading its inputs (docs/performance.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl


def read_all(city: Path) -> dict[str, int]:
    """Read every roster of ``city`` fully as strings; return the rows of each."""
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    frames = {name: pl.scan_csv(city / name, infer_schema=False) for name in manifest["rosters"]}
    collected = pl.collect_all(list(frames.values()))
    return {name: frame.height for name, frame in zip(frames, collected, strict=True)}


if __name__ == "__main__":
    print(json.dumps(read_all(Path(sys.argv[1]))))
