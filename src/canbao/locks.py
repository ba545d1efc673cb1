"""Locks that die with their owner: who is writing an output, whose work folder is alive.

A lock is a small file holding the owner's PID (for people reading it) and an exclusive kernel
lock on it (``flock`` on POSIX, ``msvcrt.locking`` on Windows). The kernel drops the lock when
its process ends in any way, SIGKILL and power loss included, so a later run can tell a live
owner from a dead one without trusting PIDs (which are reused) or clocks.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from canbao.errors import OutputError
from canbao.i18n import _

LOCK_MODE = 0o600


def try_lock(fd: int) -> bool:
    """Take the exclusive lock of an open file without waiting; tell whether it was taken."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # BlockingIOError, or EACCES on some systems
        return False
    return True


def holder_pid(path: Path) -> str:
    """The PID written in a lock file, or ``?`` when it cannot be read."""
    try:
        return path.read_text(encoding="ascii", errors="replace").strip() or "?"
    except OSError:
        return "?"


def acquire(path: Path) -> int | None:
    """Create or open the lock file ``path`` and lock it; return its descriptor, or ``None``.

    ``None`` means a live process holds it. After locking, the file must still be the one at
    ``path`` (a previous holder unlinks it when done); otherwise the lock is retaken on the new one.
    """
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, LOCK_MODE)
        if not try_lock(fd):
            os.close(fd)
            return None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            return fd
        os.close(fd)


def release(path: Path, fd: int) -> None:
    """Remove the lock file while still holding it, then drop the lock."""
    if sys.platform == "win32":  # Windows cannot remove an open file: close first
        os.close(fd)
        path.unlink(missing_ok=True)
        return
    try:
        path.unlink(missing_ok=True)
    finally:
        os.close(fd)


@contextmanager
def output_lock(target: Path) -> Iterator[None]:
    """Hold ``.NAME.lock`` beside ``target`` for the run; a second run fails at once (exit 7)."""
    path = target.with_name(f".{target.name}.lock")
    try:
        fd = acquire(path)
    except OSError as exc:
        raise OutputError(
            _("cannot create the lock file {path}: {reason}").format(
                path=path, reason=exc.strerror
            ),
            fix=_("choose a writable --output location"),
        ) from exc
    if fd is None:
        raise OutputError(
            _("another canbao run (PID {pid}) is writing {target} (lock {lock})").format(
                pid=holder_pid(path), target=target, lock=path
            ),
            fix=_("wait for that run to finish, or give this run another --output"),
        )
    try:
        yield
    finally:
        release(path, fd)
