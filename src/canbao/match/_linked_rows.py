"""The linked records of a sharded match: the staged enrolment beside what the shards added.

One piece stages its linked records as one Parquet file, and a reader's filter reaches into that
file: only the kept rows' columns are decoded. A sharded match stages the prepared enrolment
before its shards link it; the merge writes, in ``e_row`` order, only the columns the shards
added (the link class, the household's name, the flags: :class:`SplitRecords`), and every other
column stays in the staged enrolment, in the same order. It used to write the enrolment's coded
columns again beside them (its key, scheme, region, unit, ...): at 10 M persons that merge took
6.1-6.7 s and 11.3-12.4 CPU s, this one 2.6-2.8 s and 4.5-4.8 (docs/scale-measurements.md,
eighteenth round). Readers of every row read the columns they name from each file
(:attr:`SplitRecords.coded` leaves out :data:`RECORD_TEXTS`, which only the record tables read,
for the few records they list); the record tables ask for their rows with
:meth:`SplitRecords.where`: the row numbers first, then those rows of each file (a filter on
``e_row`` reaches each file).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl

# The rows of the linked records that satisfy a condition, with every column.
RowsWhere = Callable[[pl.Expr], pl.LazyFrame]

# The enrolment's columns that only the record tables (conflicts, non-local records, duplicates)
# and the database's list of enrolled IDs read: left out of :attr:`SplitRecords.coded`.
RECORD_TEXTS: Final = (
    *("_line", "link_score", "id_raw", "id_norm", "id_reason", "id_sex"),
    *("id_birth", "name", "sex_col", "birth_col"),
)


@dataclass(frozen=True)
class SplitRecords:
    """The linked records' ``columns`` as two files side by side, both in ``e_row`` order, the
    same rows: ``added`` (the columns the shards added, with ``e_row``) and ``base`` (the staged
    enrolment: every other column). A column in both is read from ``added``."""

    base: pl.LazyFrame
    added: pl.LazyFrame
    columns: Sequence[str]

    @property
    def coded(self) -> pl.LazyFrame:
        """Every row, every column but :data:`RECORD_TEXTS`: for readers of every row."""
        return self._beside(
            self.base, self.added, [c for c in self.columns if c not in RECORD_TEXTS]
        )

    def frame(self) -> pl.LazyFrame:
        """Every row and column, the two files side by side: right for any reader, but a filter
        reaches neither file (the rows are read whole before it)."""
        return self._beside(self.base, self.added, self.columns)

    def where(self, condition: pl.Expr) -> pl.LazyFrame:
        """The rows satisfying ``condition``, in ``e_row`` order, every column: their row numbers
        from the file that holds the condition's columns (or from both side by side), then those
        rows of each file (a filter on ``e_row`` reaches each)."""
        roots = set(condition.meta.root_names())
        _, from_added = self._sides(self.columns)
        source = self.added if roots <= {*from_added, "e_row"} else self.frame()
        rows = source.filter(condition).select("e_row").collect().get_column("e_row")
        wanted = pl.col("e_row").is_in(rows.implode())
        return self._beside(self.base.filter(wanted), self.added.filter(wanted), self.columns)

    def _sides(self, wanted: Sequence[str]) -> tuple[list[str], list[str]]:
        """``wanted``'s columns read from ``base`` and those read from ``added``."""
        in_added = set(self.added.collect_schema().names()) - {"e_row"}
        return [c for c in wanted if c not in in_added], [c for c in wanted if c in in_added]

    def _beside(
        self, base: pl.LazyFrame, added: pl.LazyFrame, wanted: Sequence[str]
    ) -> pl.LazyFrame:
        """``wanted``'s columns of ``base`` and ``added`` (the same rows), side by side."""
        from_base, from_added = self._sides(wanted)
        if not from_added or not from_base:
            return (added if from_added else base).select(wanted)
        return pl.concat(
            [base.select(from_base), added.select(from_added)], how="horizontal"
        ).select(wanted)
