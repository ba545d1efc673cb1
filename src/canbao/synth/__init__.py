"""Synthetic city generator: rosters with every kind of finding planted, and the expected sets.

Used for the examples, the tests, ``canbao demo`` and the benchmarks. See docs/synthetic.md.
"""

from __future__ import annotations

from canbao.synth.city import CityManifest, generate_city

__all__ = ["CityManifest", "generate_city"]
