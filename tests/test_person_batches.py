"""The person tables by batches: a failed write on either of their threads ends the match."""

from __future__ import annotations

import errno
import threading
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.match import _person_tables
from canbao.match._person_csv import PersonCsv
from canbao.match._staging import write_errors, write_staged
from tests.test_match_examples import match_args

FULL = "No space left on device"


@pytest.fixture
def in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """examples/city's person tables by batches of 40 persons, written when 60 wait."""
    monkeypatch.setattr(_person_tables, "ONE_PIECE_BATCHES_FROM", 0)
    monkeypatch.setattr(_person_tables, "BATCH_ROWS", 40)
    monkeypatch.setattr(_person_tables, "SPLIT_HELD_ROWS", 60)


def _threads_left() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("person-")]


@pytest.mark.usefixtures("in_batches")
def test_a_full_disk_in_the_split_is_exit_7_with_nothing_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The split's third file failing on its writer thread is exit 7, nothing left, no thread."""
    written: list[Path] = []

    def full_disk(rows: pl.DataFrame, path: Path, where: Path) -> None:
        written.append(path)
        assert threading.current_thread().name.startswith("person-split")
        if len(written) == 3:
            with write_errors(where):
                raise OSError(errno.ENOSPC, FULL, str(path))
        write_staged(rows, path, where)

    monkeypatch.setattr(_person_tables, "write_staged", full_disk)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, match_args(out))
    assert result.exit_code == 7, result.output
    assert FULL in result.output and "内部错误" not in result.output
    assert len(written) == 3  # the split stopped at the failed file
    assert list(tmp_path.iterdir()) == []
    assert _threads_left() == []


@pytest.mark.usefixtures("in_batches")
def test_a_full_disk_while_a_batch_is_read_ahead_is_exit_7_with_nothing_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second batch failing to be written while the third is read and sorted on its thread
    is exit 7, nothing left, no thread."""
    appended: list[int] = []
    append = PersonCsv.append

    def full_disk(self: PersonCsv, rows: pl.LazyFrame, *, first: bool) -> None:
        appended.append(rows.select(pl.len()).collect().item())
        if len(appended) == 2:
            assert _threads_left()  # the thread that reads the batches ahead is there
            with write_errors(self.paths["confirmed"].parent):
                raise OSError(errno.ENOSPC, FULL, str(self.paths["confirmed"]))
        append(self, rows, first=first)

    monkeypatch.setattr(PersonCsv, "append", full_disk)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, match_args(out))
    assert result.exit_code == 7, result.output
    assert FULL in result.output and "内部错误" not in result.output
    assert len(appended) == 2 and all(rows > 0 for rows in appended)
    assert list(tmp_path.iterdir()) == []
    assert _threads_left() == []
