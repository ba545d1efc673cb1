"""Fixtures shared by test modules: the match of examples/city, run once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from canbao.cli import app
from tests.test_match_examples import match_args


@pytest.fixture(scope="session")
def example_city_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run ``canbao match`` on examples/city once and return its output directory."""
    output = tmp_path_factory.mktemp("city") / "out"
    result = CliRunner().invoke(app, match_args(output))
    assert result.exit_code == 0, result.stderr
    return output
