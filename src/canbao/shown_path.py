"""How a message names an input file: relative to the current folder, so unique among inputs.

``信息录入表.xlsx:5`` is the same name in every village's folder; ``乡镇A/村1/信息录入表.xlsx:5``
is the file. :func:`shown_path` is the one helper every error and warning that names an input
file uses: the path relative to the current folder when the file is inside it, else absolute.
Two different files never get the same text (relative paths from one folder are as unique as
absolute ones), and a path typed as ``./a/../b.csv`` is shown as ``b.csv``.

Symbolic links are not followed (the name the user gave is the one shown); output tables keep
their own file columns (the file's name, as the golden files hold).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def shown_path(path: str | os.PathLike[str], start: str | os.PathLike[str] | None = None) -> str:
    """``path`` relative to ``start`` (the current folder) when inside it, else absolute."""
    absolute = Path(os.path.abspath(path))
    base = Path(os.path.abspath(start if start is not None else os.curdir))
    if absolute == base:
        return "."
    if absolute.is_relative_to(base):
        return str(absolute.relative_to(base))
    return str(absolute)


def shown_by_name(paths: Iterable[str | os.PathLike[str]]) -> dict[str, str]:
    """Each input's file name → its shown path, for frames that carry the name only.

    A name two inputs share maps to both paths (``县A/户籍.csv 或 县B/户籍.csv``): the frame
    cannot tell them apart, and the message says so rather than name the wrong one.
    """
    found: dict[str, list[str]] = {}
    for path in paths:
        shown = found.setdefault(Path(path).name, [])
        if shown_path(path) not in shown:
            shown.append(shown_path(path))
    return {name: " 或 ".join(shown) for name, shown in found.items()}
