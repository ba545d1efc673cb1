"""A load killed outright (SIGKILL, as the OOM killer or a power cut would) leaves no trace."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from polars.testing import assert_frame_equal

from canbao.db import open_database, record_snapshot
from tests.db.test_db_snapshots import dump, frame, meta

REPO = Path(__file__).resolve().parents[2]

# Loads a snapshot of every person in a new state, stopping inside the transaction (after the
# intervals were ended and begun, before the commit) to say so and wait to be killed.
KILLED_LOAD = """
import sys, time
from pathlib import Path
from canbao.db import _snapshots, open_database, record_snapshot
from tests.db.test_db_snapshots import frame, meta

def wait_to_be_killed(*args, **kwargs):
    Path(sys.argv[2]).write_text("inside the transaction")
    time.sleep(300)

_snapshots._counts = wait_to_be_killed
rows = {(f"3406021990010{n:04d}1", "uninsured", "missing_pension") for n in range(500)}
with open_database(sys.argv[1]) as db:
    record_snapshot(db, frame(frozenset(rows)), meta(8, "8"))
"""


def test_a_killed_load_leaves_the_database_as_it_was(
    new_database: Callable[[], str], tmp_path: Path
) -> None:
    """SIGKILL in the middle of a load: reopened, the database holds exactly what it held."""
    url = new_database()
    first = frozenset({("340602199001011234", "confirmed", "")})
    with open_database(url) as db:
        record_snapshot(db, frame(first), meta(6))
        before = dump(db)
    marker = tmp_path / "inside"
    loader = subprocess.Popen(
        [sys.executable, "-c", KILLED_LOAD, url, str(marker)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert loader.poll() is None, loader.stderr.read() if loader.stderr else b""
            assert time.monotonic() < deadline, "the load never reached its transaction"
            time.sleep(0.05)
    finally:
        os.kill(loader.pid, signal.SIGKILL)
        loader.wait()
    assert loader.returncode == -signal.SIGKILL
    with open_database(url) as db:
        after = dump(db)
        assert_frame_equal(after[0], before[0])
        assert_frame_equal(after[1], before[1])
        assert record_snapshot(db, frame(first), meta(7)).outcome == "recorded"
