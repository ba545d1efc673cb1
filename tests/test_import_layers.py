"""Packages import downwards only: data → engines → forms → scaffolding → CLI, never back.

Every ``import`` and ``from … import`` of every module under ``src/canbao`` is read with
:mod:`ast`, including imports deferred inside functions (a deferred import is still a
dependency, it only hides the loop from Python's start-up).
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import canbao

SRC = Path(canbao.__file__).resolve().parent

# Layers, lowest first. A module may import its own package and anything in a lower layer.
DATA = ("canbao.roster", "canbao.ids", "canbao.uscc", "canbao.regions")
ENGINES = ("canbao.match", "canbao.score", "canbao.inspect", "canbao.changes")
# The report reads the outputs of match and score (their vocabulary, the tables' readers).
FORMS = ("canbao.forms", "canbao.report")
# The generator of synthetic cities and the demo's sample clerk: scaffolding that fills the
# inputs of every package (rosters, forms' entry sheets), so it sits above them; none imports it.
SCAFFOLDING = ("canbao.synth",)
CLI_MODULES = ("canbao.cli", "canbao.cli_common", "canbao.cli_help", "canbao.__main__")
PACKAGES = ("canbao.roster", "canbao.match", "canbao.score", "canbao.forms", "canbao.report")

# Upward imports that exist today, each with the reason it is tolerated. The test below fails
# when one disappears, so that the list never outlives its entries.
KNOWN_UPWARD: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = ("canbao", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _imported(module: str, path: Path, known: set[str]) -> set[str]:
    """The canbao modules ``module`` imports (``from canbao import regions`` names the module)."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known)
    return {name for name in found if name == "canbao" or name.startswith("canbao.")}


def _edges() -> set[tuple[str, str]]:
    modules = _modules()
    known = set(modules)
    return {
        (module, target)
        for module, path in modules.items()
        for target in _imported(module, path, known)
    }


def _within(module: str, unit: str) -> bool:
    return module == unit or module.startswith(unit + ".")


def _layer(module: str) -> int:
    """0 shared utilities, 1 data, 2 engines, 3 forms, 4 scaffolding, 5 command line."""
    last = module.rpartition(".")[2]
    if module in CLI_MODULES or last == "cli" or last.endswith("_cli"):
        return 5
    for rank, units in ((1, DATA), (2, ENGINES), (3, FORMS), (4, SCAFFOLDING)):
        if any(_within(module, unit) for unit in units):
            return rank
    return 0


def _package(module: str) -> str | None:
    return next((p for p in PACKAGES if _within(module, p)), None)


def test_score_never_imports_forms() -> None:
    """No module of canbao.score imports canbao.forms, not even inside a function."""
    wrong = sorted(
        (m, t) for m, t in _edges() if _within(m, "canbao.score") and _within(t, "canbao.forms")
    )
    assert wrong == []


def test_no_upward_import() -> None:
    """No module imports a higher layer than its own, beyond the listed known exceptions."""
    upward = {(m, t) for m, t in _edges() if _layer(t) > _layer(m)}
    assert sorted(upward - KNOWN_UPWARD) == []
    assert sorted(KNOWN_UPWARD - upward) == []  # a fixed exception leaves the list


def test_no_cycle_between_packages() -> None:
    """roster, match, score and forms import each other without a cycle."""
    graph: dict[str, set[str]] = {p: set() for p in PACKAGES}
    for module, target in _edges():
        source, dest = _package(module), _package(target)
        if source is not None and dest is not None and source != dest:
            graph[source].add(dest)
    order = list(graphlib.TopologicalSorter(graph).static_order())  # CycleError on a loop
    assert sorted(order) == sorted(PACKAGES)
    assert graph["canbao.roster"] == set()


def test_no_module_parses_its_own_command_line() -> None:
    """Commands go through the Typer app: no module of the package is an argparse script."""
    scripts = sorted(m for m, t in _edges_to_stdlib() if t == "argparse")
    assert scripts == []


def _edges_to_stdlib() -> set[tuple[str, str]]:
    """(module, top-level name) for every plain ``import`` of every module of the package."""
    edges = set()
    for module, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges |= {(module, a.name.partition(".")[0]) for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                edges.add((module, node.module.partition(".")[0]))
    return edges
