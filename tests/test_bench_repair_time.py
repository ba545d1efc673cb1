"""The benchmarks time the repair step on its thread, not only the wait for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.bench_match import repair_share
from benchmarks.timed_match import REPAIR_ENTRY_POINTS, main, time_repairs

from canbao.match import _repairs_in_match

CITY = Path(__file__).parent.parent / "examples" / "city"


def _keep_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the test's patching undo the wrappers ``time_repairs`` installs."""
    for name in REPAIR_ENTRY_POINTS:
        monkeypatch.setattr(_repairs_in_match, name, getattr(_repairs_in_match, name))


@pytest.mark.parametrize("shards", ["1", "2"])
def test_a_timed_match_records_the_repair_step_s_own_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shards: str
) -> None:
    """One piece: one call of the repair step; shards: its records, then its links; seconds > 0."""
    _keep_entry_points(monkeypatch)
    timings = tmp_path / "timings.json"
    argv = ["timed_match", str(CITY), str(tmp_path / "out"), str(timings), f"--shards={shards}"]
    monkeypatch.setattr("sys.argv", argv)
    main()
    own = json.loads(timings.with_suffix(".repair.json").read_text(encoding="utf-8"))
    assert own["calls"] == {"1": 1, "2": 2}[shards]
    assert own["seconds"] > 0
    repair, rest = repair_share(timings)
    assert repair == own["seconds"]
    assert 0 < rest <= sum(json.loads(timings.read_text(encoding="utf-8")).values())


def test_nested_entry_points_count_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``suggest`` calling ``suggest_for`` is one call of the repair step, not two."""
    _keep_entry_points(monkeypatch)
    calls: list[str] = []
    monkeypatch.setattr(_repairs_in_match, "suggest_for", lambda *a, **k: calls.append("for"))
    monkeypatch.setattr(
        _repairs_in_match, "suggest", lambda *a, **k: _repairs_in_match.suggest_for(*a, **k)
    )
    seconds: list[float] = []
    time_repairs(seconds)
    _repairs_in_match.suggest()
    _repairs_in_match.suggest_for()
    assert calls == ["for", "for"]
    assert len(seconds) == 2


def test_without_the_repair_file_the_wait_is_the_repair_step(tmp_path: Path) -> None:
    """Timings of an older benchmark (no repair file): the repair step is its progress message."""
    timings = tmp_path / "timings.json"
    steps = {"reading": 1.0, "suggesting links for invalid and unmatched records": 0.5}
    timings.write_text(json.dumps(steps), encoding="utf-8")
    assert repair_share(timings) == (0.5, 1.0)
