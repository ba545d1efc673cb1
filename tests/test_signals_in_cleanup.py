"""A second signal (Ctrl-C or SIGTERM again) never cuts short the cleanup the first one began.

Each case runs in a Python of its own: the signals go to that process, never to a test worker.
The second signal is sent from inside the cleanup (a patched ``shutil.rmtree``) or from another
thread while the cleanup waits, so each case is the same on every run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

WAIT_S = 120

PRELUDE = """
import os, shutil, signal, sys, threading, time
from pathlib import Path
from canbao.cli_common import sigterm_raises
from canbao.errors import Terminated

def signal_self():
    os.kill(os.getpid(), signal.SIGTERM)

real_rmtree = shutil.rmtree

def rmtree_signalled(path, *args, **kwargs):
    signal_self()  # the second signal, as the cleanup begins to remove
    time.sleep(0.05)
    real_rmtree(path, *args, **kwargs)
"""


def _run(script: str, cwd: Path) -> str:
    """Run ``script`` after :data:`PRELUDE` in a new Python in ``cwd``; return its stdout."""
    code = PRELUDE + textwrap.dedent(script)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, timeout=WAIT_S, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def test_a_signal_in_a_deferred_block_waits_for_its_end_while_other_threads_run(
    tmp_path: Path,
) -> None:
    """With another thread running (as Polars' are), the signal is raised after the block."""
    out = _run(
        """
        from canbao.workdir import signals_deferred
        stop = threading.Event()
        threading.Thread(target=stop.wait, daemon=True).start()
        steps = []
        try:
            with sigterm_raises(), signals_deferred():
                signal_self()
                for step in range(20):
                    time.sleep(0.01)
                    steps.append(step)
        except Terminated:
            print("terminated after", len(steps), "steps")
        stop.set()
        """,
        tmp_path,
    )
    assert out.strip() == "terminated after 20 steps"


def test_a_second_signal_while_the_work_folder_goes_leaves_nothing(tmp_path: Path) -> None:
    """SIGTERM, then SIGTERM again as the folder is removed: the folder still goes whole."""
    out = _run(
        """
        import tempfile
        from canbao import workdir
        tempfile.tempdir = str(Path.cwd())
        workdir.shutil.rmtree = rmtree_signalled
        try:
            with sigterm_raises(), workdir.work_folder("match") as work:
                (work / "household.parquet").write_bytes(b"340621...")
                signal_self()  # the first signal
                time.sleep(5)
        except Terminated:
            print("left:", sorted(p.name for p in Path.cwd().iterdir()))
        """,
        tmp_path,
    )
    assert out.strip() == "left: []"


def test_a_second_signal_while_the_staging_goes_leaves_no_partial_output(tmp_path: Path) -> None:
    """A failed run's staging folder is removed whole though SIGTERM comes as it goes."""
    out = _run(
        """
        from canbao import atomic
        atomic.shutil.rmtree = rmtree_signalled
        try:
            with sigterm_raises(), atomic.atomic_directory(Path("out")) as staging:
                (staging / "needs_survey.csv").write_text("half", encoding="utf-8")
                raise RuntimeError("the run fails")
        except Terminated:
            print("left:", sorted(p.name for p in Path.cwd().iterdir() if p.name != "out"))
        """,
        tmp_path,
    )
    assert out.strip() == "left: []"


def test_a_second_signal_does_not_cut_the_wait_for_the_repair_thread(tmp_path: Path) -> None:
    """The work folder's readers on a thread are waited for, however many signals come."""
    out = _run(
        """
        from canbao.match._threads import in_background, waiting_for
        finished = threading.Event()

        def repair():
            time.sleep(0.5)
            finished.set()

        pending = in_background(repair)
        try:
            with sigterm_raises(), waiting_for([pending]):
                threading.Timer(0.1, signal_self).start()  # the second, during the wait
                signal_self()  # the first
                time.sleep(5)
        except Terminated:
            print("repair finished:", finished.is_set())
        """,
        tmp_path,
    )
    assert out.strip() == "repair finished: True"
