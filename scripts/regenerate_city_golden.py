"""Regenerate the golden files of the example cities by running ``canbao match`` on each.

examples/city/golden/ holds every result file of the example city; examples/legal/golden/ the
legal-group files and the task table of the city generated with the three rosters of injury,
unemployment and maternity (``canbao demo --legal-groups``).

Run from the repository root, only after checking the new outputs by hand (the planted truth in
expected/ and the tests say what must hold):

    uv run --locked python scripts/regenerate_city_golden.py --checked

The rosters are named by paths relative to the repository root, so summary.json records the
same paths on every machine (the tests ignore them, a reader need not).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from canbao.cli import app

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.test_match_examples import match_args  # the tests' own command line

CITIES = (Path("examples") / "city", Path("examples") / "legal")


def main(argv: list[str]) -> int:
    """Match each city into a temporary folder and copy every golden file from it."""
    if "--checked" not in argv:
        print("refusing: pass --checked once a human has checked the new outputs", file=sys.stderr)
        return 2
    if not all((city / "manifest.json").is_file() for city in CITIES):
        print("run from the repository root", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as work:
        for city in CITIES:
            out = Path(work) / city.name
            result = CliRunner().invoke(app, match_args(out, city))
            if result.exit_code != 0:
                print(result.stderr, file=sys.stderr)
                return result.exit_code
            for golden in sorted((city / "golden").iterdir()):
                shutil.copyfile(out / golden.name, golden)
                print(f"{golden}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
