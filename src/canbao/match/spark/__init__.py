"""``canbao match --engine spark``: the match's set logic on a Spark cluster (docs/scale.md).

Needs the extra ``canbao[spark]`` (PySpark >= 4.0, pandas < 3) and Java 17. The set logic is
:mod:`canbao.match.sets` (narwhals), the row-wise steps the Polars code run on Spark's workers.
"""

from canbao.match.spark._read import TABLE_PREFIX
from canbao.match.spark._run import run_match_spark
from canbao.match.spark._session import spark_session
from canbao.match.spark._write import SparkSets, result_sets

__all__ = [
    "TABLE_PREFIX",
    "SparkSets",
    "result_sets",
    "run_match_spark",
    "spark_session",
]
