"""Two processes writing into one database at once (cron runs that overlap): serialised by the
database, on DuckDB and on a real PostgreSQL server.

PostgreSQL: every write holds a transaction-level advisory lock, so a second writer waits for
the first and both snapshots land whole. DuckDB: the file is locked by the process that opened
it, so a second process is refused at once with exit 8 ("正在被另一个程序使用") and writes
nothing; run again after the first, it lands. With ``CANBAO_DB_WAIT`` (seconds) the second
process queues behind the first instead and lands when the file is free.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from canbao.cli import app
from canbao.db import open_database, snapshot_runs, states_as_of
from canbao.errors import EXIT_DATABASE
from tests.db.test_match_db import run

REPO = Path(__file__).resolve().parents[2]
PERSONS = 5_000
runner = CliRunner()

# Records a snapshot of PERSONS confirmed persons of one area; prints the run, or exits with
# canbao's exit code and message (as a cron job sees them).
RECORD = """
import sys, time
from datetime import date
import polars as pl
from canbao.db import SnapshotMeta, open_database, record_snapshot
from canbao.errors import CanbaoError

url, area, persons = sys.argv[1], sys.argv[2], int(sys.argv[3])
states = pl.select(
    pl.format("{}199001{}", pl.lit(area), pl.int_range(persons).cast(pl.String).str.zfill(6))
    .alias("person_key"),
    pl.lit("confirmed").alias("state"),
    pl.lit("").alias("detail"),
)
try:
    with open_database(url) as db:
        meta = SnapshotMeta(date(2017, 6, 30), area, [("household", area)])
        record_snapshot(db, states, meta)
    print(time.time())  # when its write was committed
except CanbaoError as exc:
    print(exc.render(), file=sys.stderr)
    sys.exit(exc.exit_code)
"""

# Holds the database as a writer does (inside a write transaction) for some seconds.
HOLD = """
import sys, time
from pathlib import Path
from canbao.db import open_database

with open_database(sys.argv[1]) as db:
    with db.connection.transaction():
        Path(sys.argv[2]).write_text("holding")
        time.sleep(float(sys.argv[3]))
        print(time.time())  # when it lets go (the commit follows)
"""


def _start(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _hold(url: str, marker: Path, seconds: float) -> subprocess.Popen[str]:
    """A process holding the database; returns once it holds it."""
    holder = _start(HOLD, url, str(marker), str(seconds))
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert holder.poll() is None, holder.communicate()
        assert time.monotonic() < deadline, "the holder never took the database"
        time.sleep(0.05)
    return holder


def _landed(url: str, area: str) -> int:
    """How many persons the area's snapshot holds (its one standing run checked)."""
    with open_database(url) as db:
        assert snapshot_runs(db, area=area).height == 1
        return states_as_of(db, date(2017, 6, 30), area=area).height


def test_two_writers_at_once_both_land_or_the_second_is_refused(
    engine: str, new_database: Callable[[], str]
) -> None:
    """Two processes record two areas at the same moment: on PostgreSQL both land whole; on
    DuckDB each lands whole or exits 8 with the in-use message, and a retry lands."""
    url = new_database()
    open_database(url).close()  # the schema exists: both race for the write, not the creation
    writers = {area: _start(RECORD, url, area, str(PERSONS)) for area in ("340602", "340603")}
    outcomes = {area: (w.wait(timeout=300), w.communicate()) for area, w in writers.items()}
    for area, (code, (_, err)) in outcomes.items():
        if engine == "postgresql":
            assert code == 0, err
        else:
            assert code in (0, EXIT_DATABASE), err
            if code == EXIT_DATABASE:
                assert "正在被另一个程序使用" in err
                retry = _start(RECORD, url, area, str(PERSONS))
                assert retry.wait(timeout=300) == 0, retry.communicate()
    with open_database(url) as db:
        runs = [snapshot_runs(db, area=a)["run_id"].to_list() for a in writers]
    assert sorted(r for ids in runs for r in ids) == [1, 2]
    assert all(_landed(url, area) == PERSONS for area in writers)


def test_a_second_writer_waits_on_postgresql_and_is_refused_on_duckdb(
    engine: str, new_database: Callable[[], str], tmp_path: Path
) -> None:
    """While one process holds a write, a second waits for it (PostgreSQL) or exits 8 at once
    with the in-use message (DuckDB, also through the command line)."""
    url = new_database()
    open_database(url).close()
    # Long enough for the writer to start on a loaded machine; DuckDB's holder is stopped early.
    hold = 4.0 if engine == "postgresql" else 120.0
    holder = _hold(url, tmp_path / "holding", hold)
    writer = _start(RECORD, url, "340604", "100")
    code = writer.wait(timeout=300)
    out, err = writer.communicate()
    if engine == "postgresql":
        assert code == 0, err
        released = float(holder.communicate(timeout=60)[0])
        assert float(out) > released  # its write waited for the holder's transaction
    else:
        assert code == EXIT_DATABASE and "正在被另一个程序使用" in err
        assert holder.poll() is None  # refused at once, while the holder still runs
        shown = runner.invoke(app, ["person", "110101199003070011", "--db", url])
        assert shown.exit_code == EXIT_DATABASE and "正在被另一个程序使用" in shown.output
        holder.terminate()
        holder.wait(timeout=60)
        assert _start(RECORD, url, "340604", "100").wait(timeout=300) == 0
    assert _landed(url, "340604") == 100


def test_the_monthly_cron_run_is_silent_unless_it_fails(
    new_database: Callable[[], str], tmp_path: Path
) -> None:
    """README's cron line: --quiet prints nothing when recorded or unchanged; an older month
    than the latest is exit 8 with one message on stderr (cron mails it)."""
    url = new_database()
    for month in ("2017-06-30", "2017-06-30"):  # recorded, then unchanged
        result = run(tmp_path / "results", url, as_of=month)
        assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    result = run(tmp_path / "older", url, as_of="2017-05-31")
    assert result.exit_code == EXIT_DATABASE and result.stdout == ""
    assert "早于已入库的最新快照" in result.stderr and "--rebuild-history" in result.stderr


def test_a_second_writer_queues_on_duckdb_with_a_wait(tmp_path: Path) -> None:
    """With CANBAO_DB_WAIT, a second process waits for the DuckDB file the first holds and
    records its snapshot after the first lets go, instead of exiting 8."""
    url = str(tmp_path / "campaign.duckdb")
    open_database(url).close()
    holder = _hold(url, tmp_path / "holding", 3.0)
    waiting = {**os.environ, "CANBAO_DB_WAIT": "300"}
    writer = _start(RECORD, url, "340605", "100", env=waiting)
    code = writer.wait(timeout=300)
    out, err = writer.communicate()
    released = float(holder.communicate(timeout=60)[0])
    assert code == 0, err
    assert float(out) > released  # it recorded only after the holder let go
    assert _landed(url, "340605") == 100


def test_a_wait_that_is_no_number_is_refused(tmp_path: Path) -> None:
    """A CANBAO_DB_WAIT that is not a number of seconds stops with exit 8 and says the fix."""
    url = str(tmp_path / "campaign.duckdb")
    open_database(url).close()
    shown = runner.invoke(
        app, ["person", "110101199003070011", "--db", url], env={"CANBAO_DB_WAIT": "一小时"}
    )
    assert shown.exit_code == EXIT_DATABASE
    assert "CANBAO_DB_WAIT" in shown.output
