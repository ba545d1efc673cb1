"""Marks inside the repair and result-file steps, for a finer timeline (timed_match --detail).

Wraps functions of the match modules so that each call first ends the running step and begins
one named after the call (with the count of candidate pairs where there are some). Only for
measuring: the wrapped functions do the same work, except that the record tables are written
one at a time (so each gets its own line) instead of in one pass of the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from canbao.match import (
    _person_csv,
    _person_tables,
    _summary_build,
    conflicts,
    keyed_counts,
    output_stages,
    present,
    repairs,
    tables,
)

Mark = Callable[[str], None]


def _wrap(owner: Any, name: str, label: str, mark: Mark) -> None:
    original = getattr(owner, name, None)
    if original is None:  # a function of another version of canbao
        return

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        mark(label)
        result = original(*args, **kwargs)
        if isinstance(result, pl.DataFrame):
            mark(f"{label}: done ({result.height:,} rows)")
        return result

    setattr(owner, name, wrapped)


def install(mark: Mark) -> None:
    """Wrap the functions of the repair and result-file steps with marks."""
    _wrap(repairs, "stage_household_parts", "repair: household parts", mark)
    _wrap(repairs, "household_sides", "repair: household parts", mark)
    _wrap(repairs, "small_name_blocks", "repair: name block sizes", mark)
    _wrap(repairs, "candidate_pairs_in_parts", "repair: candidate pairs", mark)
    _wrap(repairs, "candidate_pairs", "repair: candidate pairs", mark)
    _wrap(repairs, "_top", "repair: scoring", mark)
    _wrap(repairs, "_scored", "repair: scoring", mark)
    _wrap(present, "current_schemes", "results: schemes per person", mark)
    _wrap(present, "stage_schemes_by_group", "results: schemes per person (staged)", mark)
    _wrap(output_stages, "write_person_tables_by_county", "results: person tables by county", mark)
    _wrap(output_stages, "write_person_tables_sorted_once", "results: person tables", mark)
    _wrap(output_stages, "write_person_csv", "results: person tables", mark)
    _wrap(_person_tables, "batches", "results: person tables: batches", mark)
    _wrap(_person_tables, "_split", "results: person tables: split", mark)
    _wrap(_person_tables, "append_csv", "results: person tables: write", mark)
    _wrap(present, "person_rows_beside", "results: person tables: schemes beside", mark)
    _wrap(_person_tables, "sorted_rows", "results: person tables: batch sort", mark)
    _wrap(_person_csv.PersonCsv, "append", "results: person tables: batch append", mark)
    _wrap(output_stages, "write_county_lists", "results: county lists", mark)
    _wrap(conflicts, "conflicts_table", "results: conflicts table (its rows read)", mark)
    _wrap(conflicts, "name_verdicts", "results: conflicts table: name verdicts", mark)
    _wrap(_summary_build, "unreadable_table", "results: unreadable rows", mark)
    for name in ("_targets", "_household", "_records", "_outsiders", "_duplicates"):
        _wrap(keyed_counts, name, f"counts: {name.strip('_')}", mark)
    _wrap(keyed_counts, "_kinds", "counts: duplicate kinds", mark)
    _wrap(tables, "task_table", "tables: task table", mark)
    _wrap(tables, "basic_tables", "tables: basic tables", mark)
    original = getattr(output_stages, "write_tables")  # noqa: B009 (not exported)

    def one_at_a_time(frames: dict[str, Any], directory: Any, fmt: Any) -> Any:
        written: dict[str, Any] = {}
        for table, frame in frames.items():
            mark(f"results: {table}")
            written |= original({table: frame}, directory, fmt)
        return written

    setattr(output_stages, "write_tables", one_at_a_time)  # noqa: B010
