"""A Spark session that keeps canbao's promises: quiet logs, private and removed scratch folders.

``spark_session`` either takes the session a caller (a notebook, a job under ``spark-submit``)
already has, and then leaves it running, or starts one (``local[2]`` unless ``master`` says
otherwise) and stops it at the end. A session it starts gets:

- a log4j2 configuration that prints only errors of Spark itself and never a row (Spark's INFO
  and WARN lines can quote plans with literal values); the messages canbao raises are masked
  (:func:`masked_spark_errors`);
- its local and shuffle folders (``spark.local.dir``) and the JVM's temporary folder inside the
  run's private work folder (0700, :mod:`canbao.workdir`), removed with it at the end;
- the workers' Python: this interpreter (``PYSPARK_PYTHON``) unless the environment names one
  (a cluster ships its own with ``spark.archives``, docs/scale.md);
- little memory: ``spark.driver.memory`` 1g unless told otherwise.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Final

from canbao.errors import CanbaoError, InputError
from canbao.i18n import _
from canbao.masking import mask_text

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER: Final = "local[2]"
DEFAULT_DRIVER_MEMORY: Final = "1g"
# Errors of Spark itself only, on stderr, without the throwable's data: no row reaches a log.
# The same file serves spark-submit (--driver-java-options, docs/scale.md).
LOG4J2: Final = Path(__file__).with_name("log4j2.properties")


def _conf(work: Path, master: str, driver_memory: str) -> dict[str, str]:
    """The settings of a session canbao starts (see the module doc)."""
    scratch = work / "spark"
    scratch.mkdir(mode=0o700, exist_ok=True)
    java = f"-Dlog4j2.configurationFile=file:{LOG4J2} -Djava.io.tmpdir={scratch}"
    return {
        "spark.master": master,
        "spark.app.name": "canbao-match",
        "spark.driver.memory": driver_memory,
        "spark.driver.extraJavaOptions": java,
        "spark.executor.extraJavaOptions": java,
        "spark.local.dir": str(scratch),
        # Not ./spark-warehouse in the user's folder: canbao creates no table.
        "spark.sql.warehouse.dir": str(scratch / "warehouse"),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "4",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
    }


@contextmanager
def spark_session(
    work: Path,
    *,
    session: SparkSession | None = None,
    master: str | None = None,
    driver_memory: str = DEFAULT_DRIVER_MEMORY,
) -> Iterator[SparkSession]:
    """The caller's ``session`` (or this process's active one) as it is, or a new one in
    ``work`` (private), stopped at the end.

    Under ``spark-submit`` the master and the memory come from its command line: the session
    it prepared is taken (``getOrCreate``) with canbao's folders and logging added.
    """
    from pyspark.sql import SparkSession

    session = session or SparkSession.getActiveSession()
    if session is not None:  # the caller's (a notebook's, a test's): used, left running
        yield session
        return

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    conf = _conf(work, master or DEFAULT_MASTER, driver_memory)
    if master is None and _submitted():
        # The cluster's own master, memory and catalog (its Hive warehouse).
        for key in ("spark.master", "spark.driver.memory", "spark.sql.warehouse.dir"):
            del conf[key]
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    started = builder.getOrCreate()
    started.sparkContext.setLogLevel("ERROR")
    try:
        yield started
    finally:
        started.stop()


def _submitted() -> bool:
    """Whether this Python runs under ``spark-submit`` (its JVM is up; it set the master)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


@contextmanager
def masked_spark_errors() -> Iterator[None]:
    """Turn an error of Spark into a canbao error that shows no row.

    A worker's Python error (``PythonException``) can quote a value: only its class is shown.
    Another error of Spark (a missing path or table, a plan Spark refuses) shows its first
    line, masked (:func:`canbao.masking.mask_text`); the Java stack is dropped.
    """
    try:
        yield
    except CanbaoError:
        raise
    except Exception as exc:
        if not type(exc).__module__.startswith(("pyspark", "py4j")):
            raise
        name = type(exc).__name__
        lines = str(exc).strip().splitlines()
        shown = "" if name == "PythonException" or not lines else f": {mask_text(lines[0])[:300]}"
        raise InputError(
            _("Spark failed: {error}").format(error=f"{name}{shown}"),
            fix=_(
                "check the roster paths or tables and the cluster's logs; rerun with the "
                "same rosters on Polars (without --engine spark) to see the row it names"
            ),
        ) from None
