"""The test server of a killed test session is stopped and removed by the next session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.db.postgres_server import postgres_bin, stop_orphans

_START_AND_HANG = """
import sys, time
from tests.db.postgres_server import start_server
server = start_server()
print(server.folder, flush=True)
time.sleep(600)
"""


def test_server_of_a_killed_session_is_stopped(tmp_path: Path) -> None:
    """A server whose test process was killed with SIGKILL is found, stopped and removed."""
    child = subprocess.Popen(
        [sys.executable, "-c", _START_AND_HANG],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert child.stdout is not None
    folder = Path(child.stdout.readline().strip())
    pid_file = folder / "data" / "postmaster.pid"
    assert pid_file.exists()
    postmaster = int(pid_file.read_text().splitlines()[0])
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert stop_orphans(postgres_bin(), os.geteuid() == 0) >= 1
    assert not folder.exists()
    assert not _running(postmaster)


def _running(pid: int) -> bool:
    # A stopped postmaster may stay a zombie until a container's init reaps it: not running.
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status
