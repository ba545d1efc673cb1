"""Regenerate examples/city/golden/ by running ``canbao match`` on the example city.

Run from the repository root, only after checking the new outputs by hand (the planted truth in
expected/ and the tests say what must hold):

    uv run --locked python scripts/regenerate_city_golden.py --checked

The rosters are named by paths relative to the repository root, so summary.json records the
same paths on every machine (the tests ignore them, a reader need not).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from canbao.cli import app

CITY = Path("examples") / "city"
GOLDEN = CITY / "golden"


def match_args(output: Path) -> list[str]:
    """The command line that matches the example city (the same as make demo's)."""
    manifest = json.loads((CITY / "manifest.json").read_text(encoding="utf-8"))
    args = ["match", "--as-of", manifest["as_of"], "--output", str(output), "--quiet"]
    for name, info in manifest["rosters"].items():
        args += [f"--{info['kind']}", str(CITY / name)]
    return args


def main(argv: list[str]) -> int:
    """Match the city into a temporary folder and copy every golden file from it."""
    if "--checked" not in argv:
        print("refusing: pass --checked once a human has checked the new outputs", file=sys.stderr)
        return 2
    if not (CITY / "manifest.json").is_file():
        print("run from the repository root", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "match"
        result = CliRunner().invoke(app, match_args(out))
        if result.exit_code != 0:
            print(result.stderr, file=sys.stderr)
            return result.exit_code
        for golden in sorted(GOLDEN.iterdir()):
            shutil.copyfile(out / golden.name, golden)
            print(f"{golden}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
