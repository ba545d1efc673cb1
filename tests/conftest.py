"""Suite-wide fixtures: no test writes canbao's audit log into the real home folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from canbao.audit import AUDIT_ENV


@pytest.fixture(scope="session", autouse=True)
def _session_audit_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the log at a temporary file before any fixture runs a command (module fixtures too)."""
    path = tmp_path_factory.mktemp("audit-session") / "audit.log"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(AUDIT_ENV, str(path))
        yield path


@pytest.fixture(autouse=True)
def audit_log(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh audit log for each test (subprocesses inherit the variable)."""
    path = tmp_path_factory.mktemp("audit") / "audit.log"
    monkeypatch.setenv(AUDIT_ENV, str(path))
    return path
