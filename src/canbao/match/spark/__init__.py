"""``canbao match --engine spark``: the match's set logic on a Spark cluster (docs/scale.md).

Needs the extra ``canbao[spark]`` (PySpark >= 4.0, pandas < 3) and Java 17. The set logic is
:mod:`canbao.match.sets` (narwhals), the row-wise steps the Polars code run on Spark's workers.

The names below are imported on first use (PEP 562): ``canbao match`` imports
:mod:`canbao.match.spark.cli` for its ``--engine`` option, and a Polars match should not pay
for pyarrow and numpy, which the Spark modules import (0.15-0.2 CPU-s per run, docs/performance.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from canbao.match.spark._read import TABLE_PREFIX
    from canbao.match.spark._run import run_match_spark
    from canbao.match.spark._session import spark_session
    from canbao.match.spark._write import SparkSets, result_sets

_HOME = {
    "TABLE_PREFIX": "canbao.match.spark._read",
    "run_match_spark": "canbao.match.spark._run",
    "spark_session": "canbao.match.spark._session",
    "SparkSets": "canbao.match.spark._write",
    "result_sets": "canbao.match.spark._write",
}

__all__ = [
    "TABLE_PREFIX",
    "SparkSets",
    "result_sets",
    "run_match_spark",
    "spark_session",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module when the name is first used."""
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
