"""Importing canbao sets Polars' allocator to give freed pages back (and respects a user's)."""

from __future__ import annotations

import os
import subprocess
import sys

_SHOW = "import canbao, os; print(os.environ.get('_RJEM_MALLOC_CONF'))"


def _conf_after_import(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    done = subprocess.run(
        [sys.executable, "-c", _SHOW], env=clean | env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_import_sets_muzzy_decay_when_unset() -> None:
    """Without a setting of the user's, canbao asks jemalloc to free decayed pages at once."""
    assert _conf_after_import() == "muzzy_decay_ms:0"


def test_import_sets_it_over_what_polars_passed_down() -> None:
    """Polars' own setting, inherited from a parent that imported Polars, is not the user's."""
    inherited = "dirty_decay_ms:500,muzzy_decay_ms:1000"
    assert _conf_after_import(_RJEM_MALLOC_CONF=inherited) == "muzzy_decay_ms:0"


def test_import_keeps_a_users_setting() -> None:
    """A setting the user gave is left as it is."""
    assert _conf_after_import(_RJEM_MALLOC_CONF="narenas:1") == "narenas:1"
