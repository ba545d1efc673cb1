"""What the link stage makes and the suggest stage adds (canbao.match.stages): the linked
records with their targets and duplicates, and the suggested links beside them.

The stage functions that make them stay in :mod:`canbao.match.stages`, which re-exports both,
so that module reads as the list of stages.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from canbao.match import _repairs_in_match, _summary_counts
from canbao.match._linked_rows import RowsWhere, SplitRecords

__all__ = ["LinkedSets", "Links"]


@dataclass(frozen=True)
class LinkedSets:
    """The linked records, the assessed targets and the duplicates found (one run of the sets)."""

    linked: pl.LazyFrame
    targets: pl.LazyFrame
    found: pl.DataFrame
    # The suggested links, being found on a thread (one piece: begun once the linked records
    # are staged; :func:`canbao.match.stages.suggest_links` waits for them).
    suggestions: Future[_repairs_in_match.Suggestions] | None = None
    # A sharded match's linked records, two files side by side (``linked`` is their frame():
    # canbao.match._linked_rows); None: one file.
    split: SplitRecords | None = None
    # A sharded match's shards' own linked records (the set logic's columns, each file every
    # record of its persons; canbao.match._shards.sharded_sets); empty: one piece.
    shard_records: tuple[Path, ...] = ()

    @property
    def rows_where(self) -> RowsWhere | None:
        """How the record tables read their few rows of a sharded match; None: by a filter."""
        return None if self.split is None else self.split.where

    def by_person(self) -> pl.LazyFrame:
        """The linked records for readers by person that need no texts nor row order (the legal
        groups): in shards the shards' own files, which a filter reaches (eighteenth round)."""
        return pl.scan_parquet(list(self.shard_records)) if self.shard_records else self.linked

    def without_texts(self) -> pl.LazyFrame:
        """The linked records for readers of every row: a sharded match's without
        :data:`~canbao.match._linked_rows.RECORD_TEXTS` (of the two files, only the columns a
        reader names are read)."""
        return self.linked if self.split is None else self.split.coded


@dataclass(frozen=True)
class Links:
    """The suggested links and, with --apply-links, the ones applied and the sets after them."""

    # The proposals, or the thread still finding them (LinkedSets.suggestions): read them
    # through :attr:`proposals`, which waits, as late as possible (the result files).
    suggested: _repairs_in_match.Suggestions | Future[_repairs_in_match.Suggestions]
    sets: LinkedSets  # after the applied links; the first sets when none were applied
    applied: pl.DataFrame | None = None  # None: --apply-links was not given
    before: _summary_counts.EnrolmentCounts | None = None  # the enrolment counts before applying

    @property
    def proposals(self) -> _repairs_in_match.Suggestions:
        """The suggested links (waiting for the repair step's thread while it runs)."""
        found = self.suggested
        return found.result() if isinstance(found, Future) else found
