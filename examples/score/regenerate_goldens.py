"""Regenerate the golden outputs in examples/score/expected/ (only after a human checked them).

Scores every example submission by each shipped rule set and writes the workbook and JSON the
golden tests compare against. Run it only after checking the new outputs by hand (open the
workbooks, recompute a few indicators and the fees):

    uv run --locked python examples/score/regenerate_goldens.py --checked
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from canbao.score import score_files

HERE = Path(__file__).parent
ROOT = HERE.parent.parent

# case name -> (rule file, submissions, self-evaluations)
CASES: dict[str, tuple[str, list[str], list[str]]] = {
    "huaibei-2017": (
        "huaibei-2017.yaml",
        ["huaibei-2017-submission.csv", "huaibei-2017-submission.xlsx"],
        ["huaibei-2017-self.csv"],
    ),
    "changzhou-2016": (
        "changzhou-2016.yaml",
        ["changzhou-2016-submission.csv"],
        ["changzhou-2016-self.csv"],
    ),
    "mohrss-2017": ("mohrss-2017.yaml", ["mohrss-2017-submission.csv"], []),
}


def run_case(name: str, output: Path) -> dict[str, object]:
    """Score one case into ``output``; return its JSON."""
    rules, subs, selfs = CASES[name]
    result = score_files(
        ROOT / "rules" / rules,
        [HERE / s for s in subs],
        self_files=[HERE / s for s in selfs],
        output=output,
    )
    return result.as_json()


def main(argv: list[str]) -> int:
    """Write examples/score/expected/<case>/ for every case."""
    if "--checked" not in argv:
        print("refusing: pass --checked once a human has checked the new outputs", file=sys.stderr)
        return 2
    for name in CASES:
        out = HERE / "expected" / name
        # Scored into a fresh folder and copied: canbao replaces only folders it wrote (with
        # their .canbao.json marker), and the goldens are the two files, not the run's marker.
        with tempfile.TemporaryDirectory() as scratch:
            data = run_case(name, Path(scratch) / name)
            out.mkdir(parents=True, exist_ok=True)
            for suffix in (".xlsx", ".json"):
                shutil.copyfile(Path(scratch) / name / f"{name}{suffix}", out / f"{name}{suffix}")
        print(f"{name}: {out} ({len(data['counties'])} counties)")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
