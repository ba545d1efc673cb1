"""Every reference in the code and docs resolves inside the repository (docs/sources.md).

A clone has no "seed" files, no domain spec beside it and no issue tracker: a comment, docstring,
message or doc names a source document by its official number and a rule by the docs page that
states it. This test greps the repository for the old forms of reference and fails on any.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Written so that this file does not match itself.
PATTERNS = {
    "a seed file number instead of the document's number": re.compile(r"(?i)\bseed[ ]00\d"),
    "the domain spec, which is not in the repository": re.compile(r"\bS[P]EC\b"),
    "a folder beside the repository": re.compile(r"\.\.[/]shared|/work[/]shared"),
    "an issue number instead of the docs page": re.compile(r"(?i)\bissues?[ ]#?\d"),
}

# The places a reader meets references: code, tests, docs, examples, rule files, benchmarks.
SEARCHED = ["src", "tests", "docs", "examples", "rules", "benchmarks", "scripts"]
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".sh", ".toml"}
TOP_FILES = ["README.md", "Makefile", "pyproject.toml"]


def _files() -> list[Path]:
    """Every searched file of the repository, by path relative to its root."""
    found = [ROOT / name for name in TOP_FILES if (ROOT / name).exists()]
    for folder in SEARCHED:
        found += [p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix in SUFFIXES]
    return sorted(found)


def _searched_text(path: Path) -> str:
    """The text a reader sees as prose: a YAML file's comments only (its values are data that
    the goldens print, changed only with them)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in {".yaml", ".yml"}:
        return "\n".join(line.partition("#")[2] for line in text.splitlines())
    return text


def _dangling(path: Path) -> list[str]:
    """Each line of one file with a reference that leads outside the repository."""
    hits = []
    for number, line in enumerate(_searched_text(path).splitlines(), start=1):
        hits += [
            f"{number}: {why}: {line.strip()}" for why, p in PATTERNS.items() if p.search(line)
        ]
    return hits


def test_every_reference_resolves_inside_the_repository() -> None:
    """No searched file names a seed file, the spec or an issue number."""
    found = {}
    for path in _files():
        relative = path.relative_to(ROOT).as_posix()
        if hits := _dangling(path):
            found[relative] = hits
    assert not found, (
        "name the document by its number (docs/sources.md) and the rule by its docs page: "
        + "; ".join(f"{f} line {h}" for f, hits in found.items() for h in hits)
    )


def test_the_patterns_catch_each_old_form_of_reference() -> None:
    """Each old form of reference is caught, so an empty result means something."""
    # Assembled from pieces, so that this file does not match itself.
    samples = ["seed" + " 004's table", "S" + "PEC section 3", ".." + "/shared/x", "is" + "sue 5"]
    for sample in samples:
        assert any(p.search(sample) for p in PATTERNS.values()), sample
