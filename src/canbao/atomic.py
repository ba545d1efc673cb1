"""Atomic outputs: results appear whole under their final name, or not at all.

Everything is written into a hidden sibling directory first, then renamed over the target in
one step, so a cron job never reads half a result and a failed run leaves the previous one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from canbao.errors import OutputError
from canbao.write_errors import write_failure


@contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a staging directory that replaces ``target`` when the block succeeds."""
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=parent))
    except OSError as exc:
        raise OutputError(
            f"cannot create the output directory {target}: {exc.strerror}",
            fix="choose a writable --output directory",
        ) from exc
    try:
        yield staging
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        failure = write_failure(exc, staging, shown=target)
        if failure is not None:
            raise failure from exc
        raise
    _replace(staging, target)


def _replace(staging: Path, target: Path) -> None:
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
            f"cannot write the output directory {target}: {exc.strerror}",
            fix="check the permissions and free space of the output location",
        ) from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target`` that is renamed onto it when the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.partial-", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
