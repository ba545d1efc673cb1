"""One private work folder per run, removed in every case a process can see coming.

Transcoded UTF-8 copies of GB18030/UTF-16 rosters and the staged Parquet of every person live in
``$TMPDIR/canbao-work-COMMAND-XXXXXXXX/`` (``tempfile.gettempdir()``: ``TMPDIR``, ``TEMP`` or
``TMP``, else ``/tmp``). The folder is 0700 and, while it exists, the process umask has every
group and other bit set, so the files in it are 0600. It is removed on success, on error, on
Ctrl-C (SIGINT) and on SIGTERM (the CLI turns SIGTERM into an exception, so this block unwinds).

SIGKILL and power loss cannot be caught. Each folder therefore holds ``owner.lock`` (the owner's
PID, kernel-locked for the run, see :mod:`canbao.locks`); every run first removes the work
folders of the same user whose lock no live process holds. A folder is created under a hidden
name and renamed once its lock is held, so a sweeping run never mistakes a folder being born for
a dead one.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from canbao.errors import OutputError
from canbao.i18n import _
from canbao.locks import acquire, release, try_lock

PREFIX: Final = "canbao-work-"
NEWBORN_PREFIX: Final = ".canbao-new-"
LOCK_NAME: Final = "owner.lock"
# A hidden newborn folder older than this lost its owner in the instant between mkdtemp and
# its lock: far longer than that instant, far shorter than a campaign.
NEWBORN_MAX_AGE_S: Final = 600
PRIVATE_UMASK: Final = 0o077


# The umask the user ran canbao with, while a work folder has replaced it with a private one.
_user_umasks: list[int] = []


def user_umask() -> int:
    """The process umask as the user set it (not the private one of an open work folder)."""
    if _user_umasks:
        return _user_umasks[0]
    current = os.umask(0)
    os.umask(current)
    return current


def work_base() -> Path:
    """The folder that holds every run's work folder (the system's temporary folder)."""
    return Path(tempfile.gettempdir())


def _mine(folder: Path) -> bool:
    try:
        info = folder.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def sweep_dead(base: Path | None = None) -> list[Path]:
    """Remove this user's work folders whose owner is dead; return the folders removed."""
    base = work_base() if base is None else base
    removed: list[Path] = []
    for folder in sorted(base.glob(f"{PREFIX}*")):
        if not _mine(folder):
            continue
        try:
            fd = os.open(folder / LOCK_NAME, os.O_RDWR)
        except OSError:
            continue  # no lock file: not one of ours, or being removed by its owner
        try:
            if try_lock(fd):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        finally:
            os.close(fd)
    now = time.time()
    for folder in sorted(base.glob(f"{NEWBORN_PREFIX}*")):
        if _mine(folder) and now - _age_mark(folder, default=now) > NEWBORN_MAX_AGE_S:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _age_mark(folder: Path, *, default: float) -> float:
    """The folder's mtime, or ``default`` when it is gone: another run renamed its newborn
    folder between our listing and this look (seen with two matches starting at once)."""
    try:
        return folder.lstat().st_mtime
    except FileNotFoundError:
        return default


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for the block (the main thread; elsewhere a no-op).

    For steps that must not be cut in two, and for the cleanup after a first signal (a second
    Ctrl-C must not leave half a work folder): a signal arriving meanwhile is noted, and raised
    again under the restored handlers when the block ends, so call it inside the ``try`` whose
    handler cleans up after the step. Python runs its signal handlers in the main thread
    whichever thread the kernel gives the signal to, so swapping the handlers holds a signal
    back where masking it in the main thread does not: the kernel then gives it to another
    thread (Polars' or the repair step's), and the handler runs in the block anyway.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[int] = []

    def note(signum: int, _frame: object) -> None:
        noted.append(signum)

    handlers = {held: signal.getsignal(held) for held in (signal.SIGINT, signal.SIGTERM)}
    # None: a handler set outside Python, which could not be put back: that signal is not held.
    previous = {held: handler for held, handler in handlers.items() if handler is not None}
    for held in previous:
        signal.signal(held, note)
    try:
        yield
    finally:
        for held, handler in previous.items():
            signal.signal(held, handler)
        for signum in dict.fromkeys(noted):
            signal.raise_signal(signum)


def _create(base: Path, command: str, made: list[Path]) -> int:
    """Make the folder under a hidden name, lock it, rename it; note each path in ``made``."""
    try:
        with signals_deferred():
            made.append(Path(tempfile.mkdtemp(prefix=NEWBORN_PREFIX, dir=base)))
            fd = acquire(made[0] / LOCK_NAME)
            assert fd is not None, "a fresh private folder's lock is free"
            folder = base / f"{PREFIX}{command}-{made[0].name.removeprefix(NEWBORN_PREFIX)}"
            made[0].rename(folder)
            made.append(folder)
            return fd
    except OSError as exc:
        raise OutputError(
            _("cannot create the work folder in {base}: {reason}").format(
                base=base, reason=exc.strerror
            ),
            fix=_("set TMPDIR to a writable folder with free space"),
        ) from exc


@contextmanager
def work_folder(command: str) -> Iterator[Path]:
    """Yield a private work folder for one run of ``command``; remove it however the run ends."""
    base = work_base()
    sweep_dead(base)
    umask = os.umask(PRIVATE_UMASK)
    os.umask(umask | PRIVATE_UMASK)
    _user_umasks.append(umask)
    made: list[Path] = []
    fd: int | None = None
    try:
        fd = _create(base, command, made)
        yield made[-1]
    finally:
        try:
            # A second signal (Ctrl-C pressed twice) waits for the folder to be gone.
            with signals_deferred():
                if fd is not None and sys.platform == "win32":  # an open file cannot be removed
                    release(made[-1] / LOCK_NAME, fd)
                    fd = None
                for path in made:
                    shutil.rmtree(path, ignore_errors=True)
                if fd is not None:
                    os.close(fd)
        finally:
            _user_umasks.pop()
            os.umask(umask)
