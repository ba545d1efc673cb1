"""``canbao match``: rosters in, the campaign's result sets out (docs/match.md)."""

from __future__ import annotations

from canbao.match.api import MatchResult, run_match

__all__ = ["MatchResult", "run_match"]
