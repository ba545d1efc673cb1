"""A throw-away PostgreSQL server for the tests: initdb, start on a private socket, stop, remove.

The binaries are Debian's ``postgresql`` package (``/usr/lib/postgresql/N/bin``), installed by
``make test`` / ``.ci/run`` when missing, never by a test. initdb refuses to run as root, so as
root the server runs as the unprivileged user ``nobody`` (``runuser``); as anyone else it runs
as that user. It listens on a Unix socket in its own folder only (no TCP port to collide with
another worker or a real server), without fsync: the data dies with the test session anyway.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

UNPRIVILEGED_USER = "nobody"
SUPERUSER = "canbao"
PORT = 5432
PREFIX = "canbao-pg-"
# The pid of the test process that started a server: a server whose owner is gone is an orphan.
OWNER_FILE = "owner.pid"


def postgres_bin() -> Path:
    """The folder of initdb and pg_ctl: ``CANBAO_PG_BIN``, else the newest Debian version."""
    configured = os.environ.get("CANBAO_PG_BIN")
    if configured:
        return Path(configured)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError(
        "PostgreSQL's initdb was not found: run `make test` (it installs Debian's postgresql "
        "package when missing) or set CANBAO_PG_BIN to the folder holding initdb and pg_ctl"
    )


@dataclass
class PostgresServer:
    """A running server: its folder (data, socket, log) and how to reach it."""

    folder: Path
    bin: Path
    as_root: bool

    @property
    def data(self) -> Path:
        """The cluster's data directory."""
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        """A libpq URL for ``database`` over the server's Unix socket."""
        return f"postgresql://{SUPERUSER}@/{database}?host={self.folder}&port={PORT}"

    def run(self, *args: str) -> None:
        """Run one of the server's programs as the server's user."""
        prefix = ["runuser", "-u", UNPRIVILEGED_USER, "--"] if self.as_root else []
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr}")

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        try:
            self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_orphans(binaries: Path, as_root: bool) -> int:
    """Stop and remove the servers of test sessions that were killed before they could (their
    ``owner.pid`` names a process that is gone); returns how many were found."""
    found = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        owner = folder / OWNER_FILE
        try:
            pid = int(owner.read_text().strip())
        except (OSError, ValueError):
            continue
        if _alive(pid):
            continue
        found += 1
        server = PostgresServer(folder, binaries, as_root)
        if (server.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return found


def new_cluster_folder(binaries: Path) -> PostgresServer:
    """A private temporary folder for a new cluster, marked with this process as its owner (so a
    later session can tell an orphan) and owned by the unprivileged user when run as root."""
    as_root = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    (folder / OWNER_FILE).write_text(str(os.getpid()))
    if as_root:
        shutil.chown(folder, user=UNPRIVILEGED_USER)
    return PostgresServer(folder, binaries, as_root)


def start_server() -> PostgresServer:
    """initdb a new cluster in a private temporary folder and start it; the caller stops it.

    Servers left by a killed test session (a CI timeout, Ctrl+C twice) are stopped first."""
    binaries = postgres_bin()
    stop_orphans(binaries, os.geteuid() == 0)
    server = new_cluster_folder(binaries)
    folder = server.folder
    try:
        server.run(
            str(binaries / "initdb"),
            "-D",
            str(server.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        options = (
            f"-p {PORT} -k {folder} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        server.run(
            str(binaries / "pg_ctl"),
            "-D",
            str(server.data),
            "-o",
            options,
            "-l",
            str(folder / "server.log"),
            "-w",
            "start",
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server
