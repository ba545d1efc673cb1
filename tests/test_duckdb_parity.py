"""The DuckDB yardstick of ``make bench`` and ``canbao match`` write the same result files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from benchmarks.bench_match import AS_OF
from benchmarks.compare_outputs import compare
from benchmarks.duckdb_match import run

from canbao.match import run_match
from canbao.synth import generate_city


@pytest.mark.slow
def test_the_yardstick_writes_what_canbao_writes_on_a_small_city(tmp_path: Path) -> None:
    """On a clean 3,000-person city every file is identical (conflicts but for 相似度/判定)."""
    city = tmp_path / "city"
    generate_city(3000, seed=7, as_of=date.fromisoformat(AS_OF), output=city, messy=False)
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    files: dict[str, list[Path]] = {}
    for name, info in manifest["rosters"].items():
        files.setdefault(info["kind"], []).append(city / name)
    run_match(files, as_of=date.fromisoformat(AS_OF), output=tmp_path / "canbao")
    run(city, tmp_path / "duck", AS_OF, manifest["area"])
    verdicts = compare(tmp_path / "canbao", tmp_path / "duck")
    expected = {f"{name}.csv: identical bytes" for name in ["needs_survey", "uninsured"]}
    expected |= {f"{n}.csv: identical bytes" for n in ["confirmed", "duplicates", "non_local"]}
    got = {v.split(" (")[0] for v in verdicts if not v.startswith("conflicts")}
    assert got == expected, verdicts
    conflicts = next(v for v in verdicts if v.startswith("conflicts"))
    assert conflicts.startswith("conflicts.csv: identical ("), conflicts
    assert "not compared (left empty by DuckDB: name judgement)" in conflicts
