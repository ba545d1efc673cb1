"""``canbao match``: rosters in, the campaign's result sets out (rules: docs/match.md).

The public names load the matcher on first use: ``canbao.match.vocabulary`` and the other small
modules are imported by ``forms`` and ``score`` too, which should not pay for Polars plans,
rapidfuzz and the writers they never run.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from canbao.match.api import MatchResult, run_match

__all__ = ["MatchResult", "run_match"]


def __getattr__(name: str) -> Any:
    """Load ``run_match`` and ``MatchResult`` from :mod:`canbao.match.api` when first asked for."""
    if name in __all__:
        return getattr(import_module("canbao.match.api"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
