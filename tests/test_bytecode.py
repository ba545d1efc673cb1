"""The environment `make` creates holds the bytecode of every module a match imports."""

from __future__ import annotations

import json
import subprocess
import sys

# Imports what `canbao match` imports, then lists each module loaded from a source file of the
# environment (site-packages) or of canbao, whose bytecode file is missing.
PROBE = """
import importlib.util, json, os, sys, sysconfig
import canbao.cli, canbao.match.api, canbao.match.output_stages, canbao.match.national_book
roots = (sysconfig.get_paths()["purelib"], canbao.__path__[0])
missing = []
for name, module in list(sys.modules.items()):
    path = getattr(module, "__file__", None) or ""
    if path.endswith(".py") and path.startswith(roots):
        cached = importlib.util.cache_from_source(path)
        if not os.path.isfile(cached):
            missing.append(name)
print(json.dumps(sorted(missing)))
"""


def test_every_module_a_match_imports_is_compiled() -> None:
    """`make env` compiles the installed packages and canbao's sources (uv does not by default):
    without their bytecode, where PYTHONDONTWRITEBYTECODE is set or site-packages is read-only,
    every run parsed them again (a match of 1 M persons 1.2 s slower; docs/performance.md)."""
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    missing = json.loads(done.stdout)
    assert missing == [], f"modules without bytecode (run make env): {missing[:20]}"
