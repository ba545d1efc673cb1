"""The link-phase benchmark times every part of both ways in each round."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.shard_costs import PARTS, main

CITY = Path(__file__).parent.parent / "examples" / "city"


def test_every_part_is_timed_once_a_round(capsys: pytest.CaptureFixture[str]) -> None:
    """Two rounds in two shards: each part twice, with positive seconds, in the printed table."""
    times = main([str(CITY), "--rounds", "2", "--shards", "2"])
    assert sorted(times) == sorted(PARTS)
    assert all(len(runs) == 2 and all(wall > 0 for wall, _ in runs) for runs in times.values())
    printed = capsys.readouterr().out
    assert all(f"| {part} |" in printed for part in PARTS)
