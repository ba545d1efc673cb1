"""The person tables as Parquet, appended batch by batch of townships, never held whole.

A Parquet file is written row group by row group (pyarrow's ``ParquetWriter``; Polars writes a
file only from a whole frame or a query): each appended batch of sorted person rows gives the
three tables' rows of it, and each becomes one row group (or more, past
:data:`ROW_GROUP_ROWS`). The row groups follow the batches, which depend only on the targets'
(county, township) pairs, so one piece and any number of shards write the same bytes
(tests/test_shards.py).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Final

import polars as pl

from canbao.match import present
from canbao.match._kept_tables import Kept, KeptTables
from canbao.match._staging import write_errors

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

# Rows a row group holds at most (a batch holds at most 250,000 persons, a large township more).
ROW_GROUP_ROWS: Final = 250_000
# zstd as Polars writes it, at level 1: pyarrow encodes a file on one thread (Polars on all),
# and at 1 M persons level 1 wrote the confirmed table in 0.53 CPU s against 0.66 at level 3,
# 20.3 MB against 20.6 (Polars: 0.6 CPU s, 20.5 MB; docs/scale-measurements.md, tenth round).
COMPRESSION: Final = "zstd"
COMPRESSION_LEVEL: Final = 1


class PersonParquet:
    """The three person tables' Parquet files under ``out``, open while sorted rows are appended.

    The same interface as :class:`canbao.match._person_csv.PersonCsv`. ``kept``: the tables to
    keep as well (:mod:`canbao.match._kept_tables`), filled when the files are closed.
    """

    def __init__(
        self, out: Path, kept: Kept | None, like: pl.LazyFrame, kept_in: Path | None = None
    ) -> None:
        # ``like``: person rows of the appended kind (none needed), for the tables' names;
        # ``kept_in``: the folder the kept tables' parts are staged in (None: in memory).
        names = list(present.tables_of_persons(like.head(0)))
        self.paths = {name: out / f"{name}.parquet" for name in names}
        self._out = out
        self._kept = KeptTables(kept, kept_in)
        self._writers: dict[str, pq.ParquetWriter] = {}
        # Each table's rows are encoded on a thread of its own (pyarrow lets go of the GIL), the
        # three tables beside each other and beside the next batch's sort; a table's next rows
        # wait for its last (at most one batch in flight per table).
        self._threads = ThreadPoolExecutor(max_workers=len(names), thread_name_prefix="parquet")
        self._pending: dict[str, Future[None]] = {}

    def __enter__(self) -> PersonParquet:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None:  # the error stands: the writes end and the files are closed
            self._threads.shutdown(wait=True)  # (in the output's staging folder, which goes;
            for writer in self._writers.values():  # an open file would keep it on Windows)
                with suppress(Exception):
                    writer.close()
            return
        try:
            with write_errors(self._out):
                for name in list(self._pending):
                    self._wait(name)
        finally:
            self._threads.shutdown(wait=True)
        with write_errors(self._out):
            for writer in self._writers.values():
                writer.close()
        self._kept.close()

    def append(self, rows: pl.LazyFrame, *, first: bool) -> None:
        """Append the tables' rows of the sorted person rows ``rows`` (``first``: the files are
        created with the schema of these rows, also when there are none)."""
        import pyarrow.parquet as pq  # 0.1 s to import: only a Parquet match needs it

        for name, frame in present.tables_of_persons(rows).items():
            table = frame.collect()
            arrow = table.to_arrow()
            with write_errors(self._out):
                self._wait(name)
                if first:
                    self._writers[name] = pq.ParquetWriter(
                        self.paths[name],
                        arrow.schema,
                        compression=COMPRESSION,
                        compression_level=COMPRESSION_LEVEL,
                    )
            if table.height:  # no empty row group: a table without rows has its schema
                self._pending[name] = self._threads.submit(self._write, name, arrow)
            if self._kept.wanted(name):
                self._kept.add(name, table)

    def _write(self, name: str, arrow: pa.Table) -> None:
        self._writers[name].write_table(arrow, row_group_size=ROW_GROUP_ROWS)

    def _wait(self, name: str) -> None:
        """Wait for the table's rows being written (its error, if the write failed)."""
        pending = self._pending.pop(name, None)
        if pending is not None:
            pending.result()
