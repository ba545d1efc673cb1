"""The per-million benchmark times each run of each city every round and compares sizes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from benchmarks.bench_match import AS_OF
from benchmarks.per_million import RUNS, main

from canbao.synth import generate_city


@pytest.mark.slow
def test_each_run_of_each_city_is_timed_and_compared_with_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two clean cities, two rounds: six runs twice each, and a table row per run and city."""
    cities = [tmp_path / "small", tmp_path / "large"]
    for persons, city in zip((1000, 2000), cities, strict=True):
        generate_city(persons, seed=3, as_of=date.fromisoformat(AS_OF), output=city, messy=False)
    results = main([*map(str, cities), "--rounds", "2", "--work", str(tmp_path / "work")])
    assert sorted(results) == sorted((run, city) for run in RUNS for city in cities)
    assert all(len(r) == 2 and all(m["seconds"] > 0 for m in r) for r in results.values())
    printed = capsys.readouterr().out
    # The order of the rounds: small first in the first, last in the second (ABBA).
    order = [line.split(": ")[1] for line in printed.splitlines() if line.startswith("round ")]
    assert order == ["small"] * 3 + ["large"] * 3 + ["large"] * 3 + ["small"] * 3
    rows = [line for line in printed.splitlines() if line.startswith("| ") and "---" not in line]
    assert [row.split(" | ")[:2] for row in rows[1:]] == [
        [f"| {run}", f"{persons:,}"] for run in RUNS for persons in (1000, 2000)
    ]
    # Each run's first city is the yardstick of the ratios: exactly 1 against itself.
    assert all(row.endswith("| 1.000 | 1.000 |") for row in rows[1::2])
