"""Every docs page the code, tests and docs name by its path exists in the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A docs page named by its path from the repository's root, as the references are written.
DOCS_PAGE = re.compile(r"docs/[A-Za-z0-9_\-]+\.md")

# The places a reader meets references (as in tests/test_references.py), and the message
# catalogue and Spark's log settings, whose help texts and comments name docs pages too.
SEARCHED = ["src", "tests", "docs", "examples", "rules", "benchmarks", "scripts"]
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".sh", ".toml", ".po", ".properties"}
TOP_FILES = ["README.md", "CHANGELOG.md", "Makefile", "pyproject.toml"]


def _files() -> list[Path]:
    """Every searched file of the repository."""
    found = [ROOT / name for name in TOP_FILES if (ROOT / name).exists()]
    for folder in SEARCHED:
        found += [p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix in SUFFIXES]
    return sorted(found)


def _missing_pages(text: str) -> set[str]:
    """The docs pages a text names that are not in the repository."""
    return {name for name in DOCS_PAGE.findall(text) if not (ROOT / name).is_file()}


def test_every_named_docs_page_exists() -> None:
    """No searched file names a docs page that is not there."""
    found = {}
    for path in _files():
        if missing := _missing_pages(path.read_text(encoding="utf-8")):
            found[path.relative_to(ROOT).as_posix()] = sorted(missing)
    assert not found, "; ".join(f"{f} names {', '.join(pages)}" for f, pages in found.items())


def test_the_pattern_catches_a_missing_page() -> None:
    """A made-up page is caught and an existing one is not, so an empty result means something."""
    # Assembled from pieces, so that this file does not name a missing page itself.
    made_up = "docs/" + "no-such-page.md"
    assert _missing_pages(f"see {made_up}, section 2") == {made_up}
    assert _missing_pages("see docs/scale.md and docs/scale-measurements.md") == set()
