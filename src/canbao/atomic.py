"""Atomic outputs: results appear whole under their final name, or not at all.

Everything is written into a hidden sibling directory first, then renamed over the target in
one step, so a cron job never reads half a result and a failed run leaves the previous one.
What may be replaced is decided by :mod:`canbao.outputs` (only what canbao wrote); one run at a
time writes a target (:func:`canbao.locks.output_lock`). A run killed outright strands at most
``.NAME.partial-*`` (half a result) or ``.NAME.old-PID`` (the previous result, between the two
renames); the next run into the same target removes the first and restores or removes the second.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from canbao.errors import OutputError
from canbao.i18n import _
from canbao.locks import output_lock
from canbao.outputs import (
    apply_result_mode,
    check_replaceable,
    check_single_file,
    check_target,
    read_marker,
    remove_listed,
    result_umask,
    write_marker,
)
from canbao.workdir import signals_deferred
from canbao.write_errors import write_failure


def _make_parent(target: Path) -> Path:
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            _("cannot create the output directory {target}: {reason}").format(
                target=target, reason=exc.strerror
            ),
            fix=_("choose a writable --output directory"),
        ) from exc
    return parent


def _make_staging(target: Path, parent: Path) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=parent))
    except OSError as exc:
        raise OutputError(
            _("cannot write the output directory {name} in {parent}: {reason}").format(
                name=target.name, parent=parent, reason=exc.strerror
            ),
            fix=_("choose a writable --output directory, or free space there"),
        ) from exc


def remove_partials(target: Path) -> None:
    """Remove every ``.NAME.partial-*`` beside ``target`` (call it holding the output lock)."""
    for partial in target.parent.glob(f".{glob.escape(target.name)}.partial-*"):
        if partial.is_dir() and not partial.is_symlink():
            shutil.rmtree(partial, ignore_errors=True)
        else:
            partial.unlink(missing_ok=True)


def recover_stranded(target: Path) -> None:
    """Remove half-written ``.NAME.partial-*``; restore or remove a previous ``.NAME.old-*``."""
    remove_partials(target)
    stem = f".{glob.escape(target.name)}"
    olds = [p for p in target.parent.glob(f"{stem}.old-*") if p.is_dir() and not p.is_symlink()]
    for old in sorted(olds, key=lambda p: p.stat().st_mtime, reverse=True):
        if not target.exists() and not target.is_symlink():
            old.rename(target)  # killed between the two renames: the previous result comes back
            continue
        listed = read_marker(old)
        if listed is not None:
            remove_listed(old, listed)


@contextmanager
def atomic_directory(
    target: Path, *, command: str = "canbao", inputs: Iterable[Path] = ()
) -> Iterator[Path]:
    """Yield a staging directory that replaces ``target`` when the block succeeds.

    ``command`` is recorded in the marker; ``inputs`` are the run's input files and folders,
    which the target may not be or hold.
    """
    target = Path(target)
    check_target(target, inputs)
    parent = _make_parent(target)
    with output_lock(target):
        recover_stranded(target)
        listed = check_replaceable(target)
        # Under the lock every .NAME.partial-* is this run's: removing them all on the way out
        # also catches a signal landing between mkdtemp and the assignment.
        staging: Path | None = None
        try:
            with signals_deferred():
                staging = _make_staging(target, parent)
            yield staging
            write_marker(staging, command)
            apply_result_mode(staging)
        except BaseException as exc:
            with signals_deferred():  # a second signal waits for the staging to be gone
                remove_partials(target)
            # A failed write into the staging folder, or a full disk that a library reports in
            # its own words (polars' "(os error 28)", xlsxwriter's wrapper), is exit 7 naming
            # the output, not its hidden staging folder; an OSError on an input stays the
            # reader's (exit 3).
            failure = write_failure(exc, staging, shown=target)
            if failure is not None:
                raise failure from exc
            raise
        with signals_deferred():
            _replace(staging, target, listed)


def _replace(staging: Path, target: Path, listed: list[str]) -> None:
    old: Path | None = None
    try:
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            target.rename(old)
        staging.rename(target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not target.exists():
            old.rename(target)
        raise OutputError(
            _("cannot write the output directory {target}: {reason}").format(
                target=target, reason=exc.strerror
            ),
            fix=_("check the permissions and free space of the output location"),
        ) from exc
    if old is not None:
        # Only the files canbao listed: anything dropped in since the check stays, in .old-PID.
        remove_listed(old, listed)


@contextmanager
def atomic_file(
    target: Path, *, force: bool = False, inputs: Iterable[Path] = ()
) -> Iterator[Path]:
    """Yield a temporary path beside ``target`` that is renamed onto it when the block succeeds.

    An existing ``target`` is overwritten only if canbao wrote it (an xlsx with canbao's marker
    property) or ``force`` is given.
    """
    target = Path(target)
    parent = _make_parent(target)
    with output_lock(target):
        check_single_file(target, force=force, inputs=inputs)
        recover_stranded(target)
        try:
            with signals_deferred():
                fd, name = tempfile.mkstemp(prefix=f".{target.name}.partial-", dir=parent)
                os.close(fd)
            tmp = Path(name)
            yield tmp
            tmp.chmod(0o666 & ~result_umask())
            os.replace(tmp, target)
        except BaseException:
            remove_partials(target)
            raise
