"""The public API: each package's ``__all__`` resolves and re-exports no internal module."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "canbao",
    "canbao.roster",
    "canbao.match",
    "canbao.score",
    "canbao.forms",
    "canbao.synth",
]


def _private(module: str) -> bool:
    return any(part.startswith("_") and part != "__init__" for part in module.split("."))


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_resolves_outside_internal_modules(name: str) -> None:
    """Each name of ``__all__`` exists and is defined in a public module of canbao."""
    package = importlib.import_module(name)
    internal = []
    for attribute in package.__all__:
        value = getattr(package, attribute)
        home = getattr(value, "__module__", None)
        if isinstance(home, str) and home.startswith("canbao") and _private(home):
            internal.append((attribute, home))
    assert internal == []


# Demo and test scaffolding: the sample clerks that plant mistakes in the persons' and the units'
# entry sheets, the demo's survey chain and the example scorer. They live in
# canbao.synth._entry_sheets, canbao.synth._unit_clerk and scripts/.
SCAFFOLDING = {
    "fill_sample_entry_sheet",
    "Planted",
    "PlantedMistakes",
    "fill_unit_entry_sheets",
    "PlantedUnitMistakes",
    "run_forms_chain",
    "score_examples",
}


def test_no_package_exports_demo_scaffolding() -> None:
    """No public ``__all__`` lists demo scaffolding, and only canbao.synth exports from synth."""
    listed = []
    for name in PACKAGES:
        package = importlib.import_module(name)
        for attribute in package.__all__:
            home = str(getattr(getattr(package, attribute), "__module__", ""))
            from_synth = home.startswith("canbao.synth") and name != "canbao.synth"
            if attribute in SCAFFOLDING or from_synth:
                listed.append((name, attribute))
    assert listed == []
