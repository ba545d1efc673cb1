"""The rule sets that ship inside canbao, named by their name (``--rules huaibei-2017``).

The repository keeps them in ``rules/`` (the layout every clone knows); the wheel carries the
same files as ``canbao/rules/`` (pyproject: ``force-include``), so an installed canbao scores
without a clone. A value that names an existing file is that file; otherwise a bare name (with
or without ``.yaml``) is looked up among the bundled sets.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_SUFFIX = ".yaml"


def bundled_dir() -> Path | None:
    """The folder of the bundled rule sets: inside the installed package, else the clone's."""
    packaged = Path(str(resources.files("canbao"))) / "rules"
    if packaged.is_dir():
        return packaged
    # An editable install (uv sync in a clone) runs from src/: the clone's rules/ is the same set.
    clone = Path(__file__).resolve().parents[3] / "rules"
    return clone if clone.is_dir() else None


def bundled_names() -> list[str]:
    """The names of the bundled rule sets, sorted (``changzhou-2016``, ``huaibei-2017``, ...)."""
    folder = bundled_dir()
    if folder is None:
        return []
    return sorted(p.name.removesuffix(_SUFFIX) for p in folder.glob(f"*{_SUFFIX}"))


def resolve_rules(value: str | Path) -> Path:
    """The rule file a ``--rules`` value names: an existing path, or a bundled set's name.

    A value that is neither is returned unchanged, so the reader reports it as a missing file
    (with the bundled names in its fix).
    """
    path = Path(value)
    if path.exists() or len(path.parts) > 1:
        return path
    folder = bundled_dir()
    if folder is not None:
        candidate = folder / (path.name.removesuffix(_SUFFIX) + _SUFFIX)
        if candidate.is_file():
            return candidate
    return path
