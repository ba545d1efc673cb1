"""The repair step's background thread, begun early (canbao.match.stages).

Not the match's only thread: the person tables' writers have pools of their own
(canbao.match._person_tables, _person_parquet, canbao.xlsx_stream), each shut down by the
writer that made it before the writer returns. This one outlives the function that begins it
and reads the work folder, which goes when the match ends; so whoever begins it waits for it
on every way out (:func:`waiting_for`), whatever fails in between.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import TypeVar

from canbao.workdir import signals_deferred

__all__ = ["in_background", "waiting_for"]

T = TypeVar("T")


def in_background(work: Callable[[], T]) -> Future[T]:
    """``work`` run on a thread of its own (Polars releases the GIL while it computes)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="canbao")
    try:
        return pool.submit(work)
    finally:
        pool.shutdown(wait=False)


@contextmanager
def waiting_for(pending: Sequence[Future[T] | None]) -> Iterator[None]:
    """On any exit, wait for the threads of ``pending`` (their errors are left to whoever asks
    for their results): they read the work folder, which goes when the caller's block ends.

    A signal during the wait (Ctrl-C pressed twice) is held until the threads end: a thread
    still writing its staged files when the folder went would make the folder again, without
    the lock by which the next run finds and removes a dead run's folder.
    """
    try:
        yield
    finally:
        with signals_deferred():
            for future in pending:
                if future is not None:
                    wait([future])
