"""Fuzz every command reading a user's file: documented exit code, no traceback, masked, bounded.

Each command runs in a child process under a 3 GiB address-space limit (RLIMIT_AS) with the
examples budget of the hypothesis profile in use (tests/conftest.py: ``fast`` while developing,
``thorough`` under ``make test``), capped per command; tests/fuzz_runner.py makes the broken
files and checks each run.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
ADDRESS_SPACE = 3 * 1024**3

# Most examples one child process may run: the profile's count, capped per command. The child
# runs every example in one process under the 3 GiB limit, and its address space grows with each
# (score ran out of it at 100 examples); the caps are the budgets that were measured to fit.
MOST_EXAMPLES = {"inspect": 40, "match": 25, "rules": 40, "score": 30, "survey": 30, "intake": 30}
COMMANDS = list(MOST_EXAMPLES)


def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@pytest.mark.parametrize("command", COMMANDS)
def test_broken_files_never_crash_leak_or_exhaust(command: str) -> None:
    """Broken files give a documented exit code other than 1, no traceback, no unmasked ID."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.fuzz_runner",
            command,
            str(min(settings().max_examples, MOST_EXAMPLES[command])),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        preexec_fn=_bounded,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (done.returncode, done.stdout[-3000:], done.stderr[-5000:])
    assert done.stdout.strip().endswith("ok")
