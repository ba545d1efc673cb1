"""The person tables a match keeps for ``--county-lists`` while it writes them.

The lists for field teams (:mod:`canbao.match.county_lists`) are cut from the needs-survey and
uninsured tables as written. One piece keeps their parts in memory (it holds the sorted person
rows anyway); the batches of a sharded match or of a large city stage each part in the work
folder and hand the lists a scan of the parts, which the lists read county by county: at
10 M persons in four shards with --county-lists the match peaked at 2.9 GiB with the two
tables held in memory, 1.9 GiB so (docs/scale-measurements.md, tenth round).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from canbao.match._staging import write_staged
from canbao.match.present import BIRTH_FORMAT

# What the lists are cut from: a table in memory, or a scan of its staged parts.
Kept = dict[str, pl.DataFrame | pl.LazyFrame]


class KeptTables:
    """The parts of the kept tables, in the order written: in memory, or staged under
    ``folder`` (when given)."""

    def __init__(self, kept: Kept | None, folder: Path | None = None) -> None:
        self._kept = kept
        self._folder = folder
        self._parts: dict[str, list[pl.DataFrame]] = {name: [] for name in kept or {}}
        self._files: dict[str, list[Path]] = {name: [] for name in kept or {}}
        if folder is not None and kept:
            folder.mkdir(parents=True, exist_ok=True)

    def wanted(self, name: str) -> bool:
        """Whether the table ``name`` is kept."""
        return name in self._parts

    def add(self, name: str, part: pl.DataFrame) -> None:
        """Keep the next part of the table ``name`` (the dates shown as the lists show them)."""
        part = part.with_columns(pl.col(pl.Date).dt.to_string(BIRTH_FORMAT))
        if self._folder is None:
            self._parts[name].append(part)
            return
        path = self._folder / f"{name}-{len(self._files[name]):05d}.parquet"
        write_staged(part, path, self._folder)
        self._files[name].append(path)

    def close(self) -> None:
        """Hand every kept table to the caller's dict (a scan of its parts when staged)."""
        for name, frames in self._parts.items():
            assert self._kept is not None
            if self._folder is None:
                self._kept[name] = pl.concat(frames, how="vertical").rechunk()
            else:
                self._kept[name] = pl.scan_parquet(self._files[name])
