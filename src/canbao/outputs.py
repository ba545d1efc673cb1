"""What an output may replace: only what canbao itself wrote there.

A result folder is canbao's when it holds the marker ``.canbao.json`` (command, canbao version,
time, and every file written). Replacing it removes only the files listed; any other file in it
refuses the run (exit 2, naming the file). A folder without the marker is replaced only when
empty. ``--output -``, the current folder (or one above it), and a folder that is or holds an
input are refused. A single xlsx output carries the marker as a custom document property and is
overwritten only when it has one, or with ``--force``.

Results are owner-only: folders 0700, files 0600, narrowed further by the process umask;
``CANBAO_UMASK`` (octal, e.g. ``027`` for group-readable results) replaces the 077 default.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from canbao import __version__
from canbao.errors import UsageError
from canbao.i18n import _, ngettext
from canbao.workdir import user_umask

if TYPE_CHECKING:
    from openpyxl import Workbook

MARKER: Final = ".canbao.json"
XLSX_PROPERTY: Final = "canbao-output"
RESULT_UMASK_VARIABLE: Final = "CANBAO_UMASK"
DEFAULT_RESULT_UMASK: Final = 0o077
MAX_MARKER_BYTES: Final = 64 * 1024 * 1024
MAX_CUSTOM_XML_BYTES: Final = 1024 * 1024


def _refuse(message: str, fix: str) -> UsageError:
    return UsageError(message, fix=fix)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_target(target: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse ``-``, the current folder or one above it, and a target that is or holds an input."""
    if str(target) == "-":
        raise _refuse(
            _("--output - is no folder (canbao writes folders and files, not standard output)"),
            _("give a folder name, e.g. --output results"),
        )
    resolved = target.resolve()
    if _inside(Path.cwd().resolve(), resolved):
        raise _refuse(
            _(
                "--output {target} is the current folder or one above it (it would replace "
                "the folder you are in)"
            ).format(target=target),
            _("give a new folder inside it, e.g. --output results"),
        )
    for path in inputs:
        if _inside(Path(path).resolve(), resolved):
            raise _refuse(
                _("--output {target} holds the input file {path}").format(target=target, path=path),
                _("write the results to a folder apart from the inputs"),
            )


def read_marker(folder: Path) -> list[str] | None:
    """The files canbao listed in ``folder``'s marker, or ``None`` if it has no readable one."""
    path = folder / MARKER
    try:
        if not path.is_file() or path.stat().st_size > MAX_MARKER_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    # A name reaching outside the folder is no list canbao wrote: the folder is not canbao's.
    if any(Path(f).is_absolute() or ".." in Path(f).parts or not f.strip() for f in files):
        return None
    return files


def _entries(folder: Path) -> list[str]:
    """Every file, link and folder under ``folder``, relative, POSIX-style (links not followed)."""
    found = []
    for root, dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        found += [(rel / name).as_posix() for name in (*dirs, *files)]
    return sorted(found)


def check_replaceable(target: Path) -> list[str]:
    """Refuse a folder canbao may not replace; return the files it listed (empty: none)."""
    if not target.exists() and not target.is_symlink():
        return []
    if target.is_symlink() or not target.is_dir():
        raise _refuse(
            _("--output {target} exists and is not a folder").format(target=target),
            _("give a new folder name, or remove it yourself if it is no longer needed"),
        )
    entries = _entries(target)
    listed = read_marker(target)
    if listed is None:
        if entries:
            raise _refuse(
                _(
                    "--output {target} is a folder canbao did not write and it is not empty "
                    "(it holds {entry}, for one); canbao replaces only its own results"
                ).format(target=target, entry=entries[0]),
                _("give a new or empty folder, or move those files away first"),
            )
        return []
    allowed = {MARKER, *listed}
    allowed |= {
        Path(f).parents[i].as_posix() for f in listed for i in range(len(Path(f).parts) - 1)
    }
    # Files first: a folder of its own is foreign only because of what it holds.
    foreign = sorted((e for e in entries if e not in allowed), key=lambda e: (target / e).is_dir())
    if foreign:
        raise _refuse(
            ngettext(
                "--output {target} holds {entry}, which canbao did not write ({n} entry in "
                "all); replacing the folder would delete it",
                "--output {target} holds {entry}, which canbao did not write ({n} entries in "
                "all); replacing the folder would delete them",
                len(foreign),
            ).format(target=target, entry=foreign[0], n=len(foreign)),
            _("move those files out of the folder, or give another --output"),
        )
    return listed


def write_marker(staging: Path, command: str) -> None:
    """List every file written under ``staging`` in its marker."""
    files = [e for e in _entries(staging) if (staging / e).is_file() and e != MARKER]
    marker = {
        "canbao": __version__,
        "command": command,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files,
    }
    (staging / MARKER).write_text(
        json.dumps(marker, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def result_umask() -> int:
    """The bits taken from results: ``CANBAO_UMASK`` (or 077), plus the process umask."""
    current = user_umask()
    text = os.environ.get(RESULT_UMASK_VARIABLE, "").strip()
    try:
        chosen = int(text, 8) & 0o777 if text else DEFAULT_RESULT_UMASK
    except ValueError:
        raise _refuse(
            _("{name}={value!r} is not an octal umask").format(
                name=RESULT_UMASK_VARIABLE, value=text
            ),
            _("unset it, or write it like a umask, e.g. {name}=027").format(
                name=RESULT_UMASK_VARIABLE
            ),
        ) from None
    return chosen | current


def apply_result_mode(root: Path) -> None:
    """Give ``root`` and everything in it the result permissions (folders 0700, files 0600)."""
    mask = result_umask()
    for entry in [".", *_entries(root)]:
        path = root / entry
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            continue
        full = 0o777 if stat.S_ISDIR(info.st_mode) else 0o666
        path.chmod(full & ~mask)


def remove_listed(folder: Path, files: Sequence[str]) -> bool:
    """Remove the listed files and then the folders left empty; tell whether ``folder`` is gone.

    The marker goes last, and only when nothing else is left, so a folder that keeps a file
    canbao did not list keeps the list of what else to remove.
    """
    for name in files:
        if name != MARKER:
            (folder / name).unlink(missing_ok=True)
    for root, _dirs, _files in sorted(os.walk(folder), key=lambda w: -len(w[0])):
        if Path(root) != folder:
            with contextlib.suppress(OSError):  # a file canbao did not list keeps its folder
                os.rmdir(root)
    if _entries(folder) in ([], [MARKER]):
        (folder / MARKER).unlink(missing_ok=True)
        folder.rmdir()
    return not folder.exists()


def mark_workbook(book: Workbook, command: str) -> None:
    """Put canbao's marker in a workbook's custom document properties (seen under File > Info)."""
    from openpyxl.packaging.custom import StringProperty

    value = f"{command}; canbao {__version__}"
    book.custom_doc_props.append(StringProperty(name=XLSX_PROPERTY, value=value))


def xlsx_is_canbaos(path: Path) -> bool:
    """Tell whether an xlsx carries canbao's marker property (read from the zip, not the sheets)."""
    try:
        with zipfile.ZipFile(path) as book:
            info = book.getinfo("docProps/custom.xml")
            if info.file_size > MAX_CUSTOM_XML_BYTES:
                return False
            return f'name="{XLSX_PROPERTY}"'.encode() in book.read(info)
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


HTML_MARKER = b'<meta name="generator" content="canbao '
HTML_HEAD_BYTES = 1024  # the marker is among the first lines of canbao's HTML


def html_is_canbaos(path: Path) -> bool:
    """Tell whether an HTML file is a report canbao wrote (its generator meta tag, near the top)."""
    try:
        with open(path, "rb") as handle:
            return HTML_MARKER in handle.read(HTML_HEAD_BYTES)
    except OSError:
        return False


def check_single_file(target: Path, *, force: bool, inputs: Iterable[Path] = ()) -> None:
    """Refuse to overwrite a file canbao did not write (unless ``force``), or an input."""
    if str(target) == "-":
        raise _refuse(_("--output - is not a file name"), _("give a file name, e.g. t.xlsx"))
    for path in inputs:
        if Path(path).resolve() == target.resolve():
            raise _refuse(
                _("--output {target} is an input file").format(target=target),
                _("give another file name"),
            )
    if target.is_dir():
        raise _refuse(
            _("--output {target} is a folder").format(target=target),
            _("give a file name ending .xlsx"),
        )
    ours = xlsx_is_canbaos(target) or html_is_canbaos(target)
    if target.exists() and not force and not ours:
        raise _refuse(
            _("--output {target} exists and canbao did not write it").format(target=target),
            _("give a new file name, or add --force to overwrite it"),
        )
