"""The row-wise Polars steps of a match, unchanged, on Spark's workers (``mapInArrow``).

Spark hands each worker its rows as Arrow record batches; each batch becomes a Polars frame,
goes through the same function as on one machine (:func:`canbao.match.prepare.prepare_household`,
``prepare_enrolment``: NFKC, codes, ID checks over structs, names) and goes back as Arrow with
the types the step gives on an empty frame of the input's schema. A step that only adds columns
row by row gives the same rows on any split of its input, which is all this asks of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, Final

import polars as pl
import pyarrow as pa

from canbao.match.prepare import prepare_enrolment, prepare_household
from canbao.match.stages import ENROLMENT_UNSTAGED, HOUSEHOLD_UNSTAGED

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

Step = Callable[[pl.LazyFrame], pl.LazyFrame]
# The record's identity from its source and line (a lazy engine keeps no row order): the
# source's place among the enrolment rosters above 2**32 lines, Int64 (Spark has no unsigned).
SOURCE_SHIFT: Final = 32


def arrow_type(dtype: pa.DataType) -> pa.DataType:
    """The Arrow type Spark reads back for a Polars column (plain strings, no views)."""
    if pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype):
        return pa.string()
    return dtype


def _output_schema(step: Step, schema: pa.Schema) -> pa.Schema:
    """What ``step`` makes of a frame of ``schema``: run on an empty frame."""
    empty = pl.from_arrow(schema.empty_table())
    assert isinstance(empty, pl.DataFrame)
    out = step(empty.lazy()).collect().to_arrow(compat_level=pl.CompatLevel.oldest())
    return pa.schema([pa.field(f.name, arrow_type(f.type)) for f in out.schema])


def _run_batches(
    step: Step, target: pa.Schema, batches: Iterator[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    """On a worker: each batch through ``step`` in Polars, back as Arrow of ``target``."""
    for batch in batches:
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        out = step(frame.lazy()).collect().to_arrow(compat_level=pl.CompatLevel.oldest())
        yield from out.cast(target).to_batches()


def on_workers(frame: DataFrame, step: Step) -> DataFrame:
    """``step`` (a row-wise Polars function) applied to ``frame`` on Spark's workers."""
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    target = _output_schema(step, to_arrow_schema(frame.schema))
    run: Any = partial(_run_batches, step, target)
    return frame.mapInArrow(run, from_arrow_schema(target))


def _household_step(as_of: date) -> Step:
    return lambda lf: prepare_household(lf, as_of=as_of).drop(HOUSEHOLD_UNSTAGED)


def _enrolment_step(as_of: date, area: Sequence[str], explicit: bool) -> Step:
    return lambda lf: prepare_enrolment(
        lf, as_of=as_of, area=list(area), explicit_area=explicit
    ).drop(ENROLMENT_UNSTAGED)


def prepare_household_on_workers(household: DataFrame, *, as_of: date) -> DataFrame:
    """The prepared household persons (as ``stages.prepare`` stages them)."""
    return on_workers(household, _household_step(as_of))


def prepare_enrolment_on_workers(
    enrolment: DataFrame, *, as_of: date, area: Sequence[str], explicit: bool
) -> DataFrame:
    """The prepared enrolment records with ``e_row`` from their source and line, first."""
    from pyspark.sql import functions as F

    prepared = on_workers(enrolment, _enrolment_step(as_of, area, explicit))
    e_row = F.shiftleft(F.col("_source").cast("long"), SOURCE_SHIFT) + F.col("_line")
    rest = [c for c in prepared.columns if c != "_source"]
    return prepared.select(e_row.alias("e_row"), *rest)
