"""Suite-wide settings and fixtures: the hypothesis profiles, no test writing canbao's audit log
into the real home folder nor reading the user's canbao.toml or CANBAO_* defaults, and the match
of examples/city run once per session.

Hypothesis profiles: ``fast`` (the default, for running the tests you touch while developing) and
``thorough`` (what ``make test`` and CI run: ``pytest --hypothesis-profile=thorough``). Tests do
not set their own example counts (the fuzz test caps what one child process may run, for memory);
a test that needs a health check relaxed says why beside it.
Neither profile has a deadline: the machine is shared, and a property test asserts results, not
speed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from canbao.audit import AUDIT_ENV
from canbao.cli import app
from canbao.config import KEYS, envvar
from tests.test_match_examples import match_args

# The Spark tests share one JVM (a module fixture: 1-2.5 GB, 5-30 s to start), so under
# ``pytest -n 2`` they all go to one worker, first (the largest unit); every other test is its
# own unit, as with xdist's default "load". (xdist's ``xdist_group`` marks do nothing under
# pytest 9: the node id suffix they rely on is no longer read.)
SPARK_TESTS = "tests/test_spark_engine.py"


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``-n`` with the default distribution: the Spark tests as one unit of work."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneSparkWorker(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return SPARK_TESTS if nodeid.startswith(SPARK_TESTS) else nodeid

    return OneSparkWorker(config, log)


settings.register_profile("fast", max_examples=10, deadline=None)
settings.register_profile("thorough", max_examples=100, deadline=None)
settings.load_profile("fast")


@pytest.fixture(scope="session", autouse=True)
def _session_audit_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the log at a temporary file before any fixture runs a command (module fixtures too)."""
    path = tmp_path_factory.mktemp("audit-session") / "audit.log"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(AUDIT_ENV, str(path))
        # The developer's own defaults (canbao.config) must not change what the tests run.
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
        patch.delenv("APPDATA", raising=False)
        for key in KEYS:
            patch.delenv(envvar(key), raising=False)
        yield path


@pytest.fixture(autouse=True)
def audit_log(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh audit log for each test (subprocesses inherit the variable)."""
    path = tmp_path_factory.mktemp("audit") / "audit.log"
    monkeypatch.setenv(AUDIT_ENV, str(path))
    return path


@pytest.fixture(scope="session")
def example_city_output(tmp_path_factory: pytest.TempPathFactory, _session_audit_log: Path) -> Path:
    """Run ``canbao match`` on examples/city once and return its output directory."""
    output = tmp_path_factory.mktemp("city") / "out"
    result = CliRunner().invoke(app, match_args(output))
    assert result.exit_code == 0, result.stderr
    return output
