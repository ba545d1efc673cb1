"""The repair step's thread ends before the work folder it reads goes, however the match ends."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from canbao.match import _repairs_in_match, _shards, output_stages, run_match, stages
from tests.test_shards import EXAMPLES, _match, _rosters

SUGGESTING = "为无效和未匹配的记录给出建议关联"  # the repair step's progress message
WRITING = "写出结果文件"  # the result files' progress message


def _planted(*_: Any, **__: Any) -> Any:
    raise RuntimeError("planted failure")


def _failing_at(message: str) -> Callable[[str], None]:
    """A progress callback that fails when the match says ``message``."""

    def progress(said: str) -> None:
        if said == message:
            raise RuntimeError("planted failure")

    return progress


# (shards, owner, name): a step after the repair step's thread began, made to fail; owner None:
# the progress callback fails at the message ``name``.
FAILING: list[tuple[int, Any, str]] = [
    (1, None, SUGGESTING),  # between the link and the wait for the repairs
    (1, stages, "match_employers"),
    (1, output_stages, "write_person_csv"),  # in the result files, before the links are written
    (4, _shards, "_merge"),  # the shards are linked, their merge fails
    (4, None, SUGGESTING),
    (4, output_stages, "write_tables"),  # the record tables
]


@pytest.mark.parametrize(("shards", "owner", "name"), FAILING)
def test_a_failing_step_waits_for_the_repair_thread(
    shards: int, owner: Any, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step failing while the repair step runs on its thread returns only once it has ended."""
    ended: list[str] = []
    suggest_for: Callable[..., _repairs_in_match.Suggestions] = _repairs_in_match.suggest_for

    def slow(*args: Any, **kwargs: Any) -> _repairs_in_match.Suggestions:
        time.sleep(1.0)  # long after the planted failure
        found = suggest_for(*args, **kwargs)  # reads the staged household in the work folder
        ended.append("read")
        return found

    monkeypatch.setattr(_repairs_in_match, "suggest_for", slow)
    progress: Callable[[str], None] = _failing_at(name)
    if owner is not None:
        monkeypatch.setattr(owner, name, _planted)
    city = EXAMPLES / "city"
    with pytest.raises(RuntimeError, match="planted failure"):
        run_match(
            _rosters(city),
            as_of="2017-06-30",
            output=tmp_path / "out",
            shards=shards,
            warn=lambda _: None,
            progress=progress,
        )
    assert ended == ["read"]  # it ended, and read the work folder before the folder went


def test_the_sharded_repairs_begin_before_the_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In shards the repair step's thread begins before the merge; its links are the same."""
    events: list[str] = []
    in_background = stages.in_background
    merge = _shards._merge

    def began(work: Callable[[], Any]) -> Future[Any]:
        events.append("repairs")
        return in_background(work)

    def merging(*args: Any, **kwargs: Any) -> Any:
        events.append("merge")
        return merge(*args, **kwargs)

    monkeypatch.setattr(stages, "in_background", began)
    monkeypatch.setattr(_shards, "_merge", merging)
    city = EXAMPLES / "city"
    one = _match(city, tmp_path / "1", 1)
    sharded = _match(city, tmp_path / "4", 4)
    # One piece's, then the shards'; then the linked records' merge and the targets'.
    assert events == ["repairs", "repairs", "merge", "merge"]
    links = one["suggested_links.csv"]
    assert isinstance(links, bytes) and links.count(b"\n") > 1  # some records have proposals
    assert sharded["suggested_links.csv"] == links


def test_the_sharded_repairs_run_beside_the_result_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In shards the record tables begin while the repair step's thread still runs."""
    events: list[str] = []
    suggest_for: Callable[..., _repairs_in_match.Suggestions] = _repairs_in_match.suggest_for

    def slow(*args: Any, **kwargs: Any) -> _repairs_in_match.Suggestions:
        time.sleep(1.0)  # long after the merge of the example city's shards
        found = suggest_for(*args, **kwargs)
        events.append("repairs ended")
        return found

    monkeypatch.setattr(_repairs_in_match, "suggest_for", slow)
    run_match(
        _rosters(EXAMPLES / "city"),
        as_of="2017-06-30",
        output=tmp_path / "out",
        shards=4,
        warn=lambda _: None,
        progress=events.append,
    )
    assert events.index(WRITING) < events.index("repairs ended") < len(events) - 1
