"""Suite-wide fixtures: no test writes canbao's audit log into the real home folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from canbao.audit import AUDIT_ENV


@pytest.fixture(autouse=True)
def audit_log(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point the audit log at a fresh temporary file for every test (subprocesses inherit it)."""
    path = tmp_path_factory.mktemp("audit") / "audit.log"
    monkeypatch.setenv(AUDIT_ENV, str(path))
    yield path
