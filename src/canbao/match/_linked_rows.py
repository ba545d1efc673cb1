"""The linked records of a sharded match: the staged enrolment's texts beside a file of the rest.

One piece stages its linked records as one Parquet file, and a reader's filter reaches into that
file: only the kept rows' columns are decoded. A sharded match stages the prepared enrolment
before its shards link it, and used to merge the shards' classes into a second copy of the whole
enrolment, every text written again. Now the merge writes the linked records without the
enrolment's texts (:data:`RECORD_TEXTS`: the IDs and names as written, the line, ...), which
only the record tables read, for the few records they list; the texts stay in the staged
enrolment, in the same ``e_row`` order (:class:`SplitRecords`). Readers of every row read the
coded file alone (:attr:`SplitRecords.coded`); the record tables ask for their rows with
:meth:`SplitRecords.where`: the row numbers from the coded file, then those rows of both files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl

# The rows of the linked records that satisfy a condition, with every column.
RowsWhere = Callable[[pl.Expr], pl.LazyFrame]

# The enrolment's columns that only the record tables (conflicts, non-local records, duplicates)
# and the database's list of enrolled IDs read: not written again by a sharded match's merge.
RECORD_TEXTS: Final = (
    *("_line", "link_score", "id_raw", "id_norm", "id_reason", "id_sex"),
    *("id_birth", "name", "sex_col", "birth_col"),
)


@dataclass(frozen=True)
class SplitRecords:
    """The linked records' ``columns`` as the staged enrolment's :data:`RECORD_TEXTS` (in
    ``base``) beside every other column (in ``coded``, with ``e_row``); both in ``e_row``
    order, the same rows."""

    base: pl.LazyFrame
    coded: pl.LazyFrame
    columns: Sequence[str]

    def frame(self) -> pl.LazyFrame:
        """Every row and column, the two files side by side: right for any reader, but a filter
        reaches neither file (the rows are read whole before it)."""
        return pl.concat([self.base.select(self._texts()), self.coded], how="horizontal").select(
            self.columns
        )

    def where(self, condition: pl.Expr) -> pl.LazyFrame:
        """The rows satisfying ``condition``, in ``e_row`` order, every column: their row numbers
        from the coded file (or from both files, when the condition reads a text), then those
        rows of each file (a filter on ``e_row`` reaches each)."""
        coded = set(self.coded.collect_schema().names())
        source = self.coded if set(condition.meta.root_names()) <= coded else self.frame()
        rows = source.filter(condition).select("e_row").collect().get_column("e_row")
        wanted = pl.col("e_row").is_in(rows.implode())
        texts = self.base.filter(wanted).select(self._texts())
        beside = pl.concat([texts, self.coded.filter(wanted)], how="horizontal")
        return beside.select(self.columns)

    def _texts(self) -> list[str]:
        return [c for c in self.columns if c in RECORD_TEXTS]
