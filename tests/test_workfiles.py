"""Personal data at rest: the private work folder, signals, kills, the output lock, permissions."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.outputs import MARKER
from canbao.roster.transcode import prepare_text
from canbao.workdir import NEWBORN_PREFIX, sweep_dead, work_folder
from tests.test_match_examples import match_args as city_args
from tests.test_outputs import match_args

runner = CliRunner()
FORMATS = Path(__file__).parent.parent / "examples" / "formats"
WAIT_S = 120  # generous: the machine is shared; the waits end as soon as the state is reached


@pytest.fixture
def tmpdir_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private TMPDIR for this test, for subprocesses and for this process's tempfile."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _left(folder: Path, pattern: str) -> list[str]:
    return sorted(p.name for p in folder.glob(pattern))


def _wait_for(proc: subprocess.Popen[bytes], *globs: tuple[Path, str]) -> None:
    """Wait until every (folder, pattern) has a match while ``proc`` runs."""
    deadline = time.monotonic() + WAIT_S
    while not all(_left(folder, pattern) for folder, pattern in globs):
        assert proc.poll() is None, "the run ended before its work files appeared"
        assert time.monotonic() < deadline, "the work files never appeared"
        time.sleep(0.05)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signalled_match_leaves_no_work_folder_and_no_partial_result(
    sig: signal.Signals, code: int, tmp_path: Path, tmpdir_env: Path
) -> None:
    """SIGTERM (exit 143) or SIGINT (130) mid-match removes the work folder and the staging."""
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "canbao", *city_args(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(proc, (tmpdir_env, "canbao-*"), (tmp_path, ".out.partial-*"))
        proc.send_signal(sig)
        _stdout, stderr = proc.communicate(timeout=WAIT_S)
    finally:
        proc.kill()
    assert proc.returncode == code, stderr.decode()
    assert _left(tmpdir_env, "*") == []
    assert _left(tmp_path, "*") == ["tmp"]


def _killed(script: str) -> None:
    """Run ``script`` in a Python that then kills itself with SIGKILL (nothing can clean up)."""
    kill = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    proc = subprocess.run([sys.executable, "-c", f"{script}\n{kill}"], check=False)
    assert proc.returncode == -signal.SIGKILL


def test_the_next_run_removes_what_a_sigkill_left(tmp_path: Path, tmpdir_env: Path) -> None:
    """A run killed outright strands its work folder and staging; the next run removes both."""
    out = tmp_path / "out"
    _killed(
        "from pathlib import Path\n"
        "from canbao.atomic import atomic_directory\n"
        "from canbao.workdir import work_folder\n"
        "held = work_folder('match')\n"  # held: a collected generator would clean up
        "work = held.__enter__()\n"
        "(work / 'household.utf8.csv').write_text('340621...', encoding='utf-8')\n"
        f"output = atomic_directory(Path({str(out)!r}))\n"
        "staging = output.__enter__()\n"
        "(staging / 'needs_survey.csv').write_text('half', encoding='utf-8')"
    )
    assert len(_left(tmpdir_env, "canbao-work-match-*")) == 1
    assert len(_left(tmp_path, ".out.partial-*")) == 1
    (tmp_path / "in").mkdir()
    result = runner.invoke(app, match_args(tmp_path / "in", out))
    assert result.exit_code == 0, result.output
    assert _left(tmpdir_env, "*") == []
    assert _left(tmp_path, ".out*") == []
    assert (out / MARKER).is_file()


def test_a_live_runs_work_folder_is_kept(tmp_path: Path, tmpdir_env: Path) -> None:
    """Another run's work folder, locked by a live process, survives this run's sweep."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom canbao.workdir import work_folder\n"
            "with work_folder('match') as w:\n    print(w, flush=True)\n    sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        theirs = Path(holder.stdout.readline().decode().strip())
        (tmp_path / "in").mkdir()
        assert runner.invoke(app, match_args(tmp_path / "in", tmp_path / "out")).exit_code == 0
        assert theirs.is_dir()
    finally:
        holder.communicate(b"", timeout=WAIT_S)
    assert not theirs.exists()


def test_a_kill_between_the_renames_gives_the_previous_result_back(tmp_path: Path) -> None:
    """A previous result stranded as .out.old-PID returns under its name at the next run."""
    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    assert runner.invoke(app, match_args(tmp_path / "in", out)).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    out.rename(tmp_path / ".out.old-99999")
    (tmp_path / "in" / "household.csv").write_text("no,id,here\n1,2,3\n", encoding="utf-8")
    result = runner.invoke(app, match_args(tmp_path / "in", out, write=False))
    assert result.exit_code == 3, result.output
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert _left(tmp_path, ".out*") == []


@pytest.fixture
def lock_holder(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Another process that holds the output lock of tmp_path/out until its stdin closes."""
    script = (
        "import sys\nfrom pathlib import Path\nfrom canbao.locks import output_lock\n"
        f"with output_lock(Path({str(tmp_path / 'out')!r})):\n"
        "    print('held', flush=True)\n    sys.stdin.read()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stdout.readline() == b"held\n"
    yield proc
    proc.communicate(b"", timeout=WAIT_S)


def test_a_second_run_into_the_same_output_fails_at_once(
    tmp_path: Path, lock_holder: subprocess.Popen[bytes]
) -> None:
    """While another run writes the output, a second one exits 7 naming that run's PID."""
    (tmp_path / "in").mkdir()
    result = runner.invoke(app, match_args(tmp_path / "in", tmp_path / "out"))
    assert result.exit_code == 7, result.output
    assert f"另一个 canbao 进程（PID {lock_holder.pid}）正在写入" in result.stderr
    assert not (tmp_path / "out").exists()
    lock_holder.communicate(b"", timeout=WAIT_S)
    assert runner.invoke(app, match_args(tmp_path / "in", tmp_path / "out")).exit_code == 0
    assert _left(tmp_path, ".out*") == []


def _modes(folder: Path) -> set[tuple[str, int]]:
    kinds = {True: "dir", False: "file"}
    found = {(kinds[p.is_dir()], stat.S_IMODE(p.stat().st_mode)) for p in folder.rglob("*")}
    return found | {("dir", stat.S_IMODE(folder.stat().st_mode))}


def test_results_are_private_unless_canbao_umask_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Results are 0700/0600 under the usual umask 022; CANBAO_UMASK=027 makes them 0750/0640."""
    (tmp_path / "in").mkdir()
    umask = os.umask(0o022)
    try:
        assert runner.invoke(app, match_args(tmp_path / "in", tmp_path / "a")).exit_code == 0
        monkeypatch.setenv("CANBAO_UMASK", "027")
        assert runner.invoke(app, match_args(tmp_path / "in", tmp_path / "b")).exit_code == 0
    finally:
        os.umask(umask)
    assert _modes(tmp_path / "a") == {("dir", 0o700), ("file", 0o600)}
    assert _modes(tmp_path / "b") == {("dir", 0o750), ("file", 0o640)}


def test_the_work_folder_is_private_and_goes_away(tmpdir_env: Path) -> None:
    """The work folder is 0700, a transcoded roster in it 0600; it is gone after an error."""
    umask = os.umask(0o022)
    try:
        with pytest.raises(RuntimeError), work_folder("match") as work:
            source = prepare_text(FORMATS / "household_gbk.csv", "gb18030", work)
            assert stat.S_IMODE(work.stat().st_mode) == 0o700
            assert stat.S_IMODE(source.utf8_path.stat().st_mode) == 0o600
            (work / "staged.parquet").write_bytes(b"")
            assert stat.S_IMODE((work / "staged.parquet").stat().st_mode) == 0o600
            raise RuntimeError("a failing step")
        assert os.umask(0o022) == 0o022
    finally:
        os.umask(umask)
    assert _left(tmpdir_env, "*") == []


def test_a_newborn_folder_renamed_during_the_sweep_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A newborn folder that another run renames between listing and look stops no sweep."""
    newborn = tmp_path / f"{NEWBORN_PREFIX}racing"
    newborn.mkdir()
    real_lstat = Path.lstat
    looks = {"n": 0}

    def vanishing(self: Path) -> os.stat_result:
        if self == newborn:
            looks["n"] += 1
            if looks["n"] > 1:  # the other run renamed it after our first look
                raise FileNotFoundError(self)
        return real_lstat(self)

    monkeypatch.setattr(Path, "lstat", vanishing)
    assert sweep_dead(tmp_path) == []
    assert looks["n"] == 2
