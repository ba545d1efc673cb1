"""Regenerate the repository's golden and expected files by running canbao, never by hand.

Run from the repository root:

    uv run --locked python scripts/regenerate_golden.py FAMILY [--checked]

FAMILY is one of

- ``city``: the example cities, examples/city/ and examples/legal/ (rosters, manifest.json,
  README.md and the planted truth in expected/), written by ``canbao demo`` with the manifest's
  persons, seed and as-of date (and ``--legal-groups`` for a city with an injury roster), and
  examples/city-2017-08/, the city's second month (``canbao demo --month-after``);
- ``match``: examples/city/golden/ and examples/legal/golden/, the reviewed results of
  ``canbao match`` on those cities (examples/legal keeps the legal-group files and the task
  table);
- ``score``: examples/score/expected/, every example submission scored by its shipped rule set;
- ``units``: examples/units/expected_units_needing_survey.csv, the employers needing a survey
  (``canbao.match.units.match_units`` on registry.csv and insured.csv);
- ``all``: the four above, in that order.

Without ``--checked`` nothing is written: the family is regenerated into a scratch folder and
compared with the committed files, each reported as unchanged, changed or new (exit 1 when any
differs). Pass ``--checked`` only after a human has checked the new outputs (the planted truth,
the workbooks, a few indicators and fees recomputed by hand); then the changed and new files are
copied into the repository. An xlsx file whose cells, merged ranges and sheet names are equal
counts as unchanged and is left alone: the writer stamps the time into the zip.

Inputs that are not regenerated here: examples/survey/needs_survey.csv and the units' registry.csv
and insured.csv are hand-made fixtures; examples/score/make_inputs.py writes the score
submissions and examples/formats/make_formats.py the format samples.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from typer.testing import CliRunner

from canbao.cli import app
from canbao.i18n import set_language
from canbao.match.units import match_units
from canbao.score import score_files

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.test_match_examples import match_args  # noqa: E402  (the tests' own command line)
from tests.test_units import read_units  # noqa: E402  (the units test's own reading)

CITY = ROOT / "examples" / "city"
CITIES = (CITY, ROOT / "examples" / "legal")
SECOND_MONTH = ROOT / "examples" / "city-2017-08"
SCORE = ROOT / "examples" / "score"
UNITS = ROOT / "examples" / "units"
UNITS_GOLDEN = "expected_units_needing_survey.csv"
MARKER = ".canbao.json"  # a run's own marker: who wrote the folder, not part of any golden

# Score case name -> (rule file, submissions, self-evaluations).
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


def command(family: str) -> str:
    """The command line that regenerates one family (golden tests print it on failure)."""
    return f"uv run --locked python scripts/regenerate_golden.py {family} --checked"


def run_case(name: str, output: Path) -> dict[str, object]:
    """Score one example case into ``output``; return its JSON."""
    rules, subs, selfs = CASES[name]
    result = score_files(
        ROOT / "rules" / rules,
        [SCORE / s for s in subs],
        self_files=[SCORE / s for s in selfs],
        output=output,
    )
    return result.as_json()


def _invoke(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    if result.exit_code != 0:
        raise SystemExit(f"canbao {' '.join(args)} failed ({result.exit_code}):\n{result.stderr}")


def _city(scratch: Path) -> dict[Path, Path]:
    """The example cities: every file ``canbao demo`` writes, golden/ aside."""
    files = {}
    for city in CITIES:
        manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
        out = scratch / city.name
        persons, seed = str(manifest["persons"]), str(manifest["seed"])
        args = ["--persons", persons, "--seed", seed, "--as-of", manifest["as_of"], "--quiet"]
        kinds = {roster["kind"] for roster in manifest["rosters"].values()}
        args += ["--legal-groups"] if "injury" in kinds else []
        _invoke(["demo", "--output", str(out), *args])
        made = [p for p in out.rglob("*") if p.is_file() and p.name != MARKER]
        files |= {city / p.relative_to(out): p for p in sorted(made)}
    # The second month is made from the committed June city, with the same seed.
    month = json.loads((SECOND_MONTH / "manifest.json").read_text(encoding="utf-8"))
    out = scratch / SECOND_MONTH.name
    args = ["--month-after", str(CITY), "--seed", str(month["seed"]), "--as-of", month["as_of"]]
    _invoke(["demo", "--output", str(out), *args, "--quiet"])
    made = [p for p in out.rglob("*") if p.is_file() and p.name != MARKER]
    files |= {SECOND_MONTH / p.relative_to(out): p for p in sorted(made)}
    return files


def _match(scratch: Path) -> dict[Path, Path]:
    """<city>/golden/: the result files of ``canbao match`` on each example city.

    The rosters are named by paths relative to the repository root, so summary.json records
    the same paths on every machine (the tests ignore them; a reader need not).
    """
    files = {}
    for city in CITIES:
        out = scratch / "match" / city.name
        _invoke(match_args(out, city.relative_to(ROOT)))
        files |= {path: out / path.name for path in sorted((city / "golden").iterdir())}
    return files


def _score(scratch: Path) -> dict[Path, Path]:
    """examples/score/expected/<case>/: the workbook and JSON of every example case."""
    files = {}
    for name in CASES:
        run_case(name, scratch / name)
        for suffix in (".xlsx", ".json"):
            made = scratch / name / f"{name}{suffix}"
            files[SCORE / "expected" / name / made.name] = made
    return files


def _units(scratch: Path) -> dict[Path, Path]:
    """examples/units/expected_units_needing_survey.csv from the two unit rosters."""
    result = match_units(read_units("registry.csv").lazy(), read_units("insured.csv").lazy())
    made = scratch / UNITS_GOLDEN
    result.write_csv(made)
    return {UNITS / UNITS_GOLDEN: made}


FAMILIES: dict[str, Callable[[Path], dict[Path, Path]]] = {
    "city": _city,
    "match": _match,
    "score": _score,
    "units": _units,
}


def workbook_cells(path: Path) -> dict[str, Any]:
    """Sheet names, merged ranges and every non-empty cell value of a workbook."""
    book = load_workbook(path)
    out: dict[str, Any] = {"sheets": book.sheetnames}
    for sheet in book.worksheets:
        out[f"{sheet.title}!merged"] = sorted(str(r) for r in sheet.merged_cells.ranges)
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    out[f"{sheet.title}!{cell.coordinate}"] = cell.value
    return out


def _state(committed: Path, made: Path) -> str:
    """``unchanged``, ``same cells`` (an xlsx), ``changed`` or ``new`` for one regenerated file."""
    if not committed.exists():
        return "new"
    if committed.read_bytes() == made.read_bytes():
        return "unchanged"
    if committed.suffix == ".xlsx" and workbook_cells(committed) == workbook_cells(made):
        return "same cells"  # only the zip's time stamps differ: the committed file stays
    return "changed"


def regenerate(family: str, *, write: bool) -> int:
    """Regenerate one family; with ``write``, copy what changed. Return how many files differ."""
    differing = 0
    with tempfile.TemporaryDirectory(prefix="canbao-golden-") as scratch:
        files = FAMILIES[family](Path(scratch))
        for committed, made in files.items():
            state = _state(committed, made)
            print(f"{family}: {state:10} {committed.relative_to(ROOT)}")
            if state in ("changed", "new"):
                differing += 1
                if write:
                    committed.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(made, committed)
    return differing


def main(argv: list[str]) -> int:
    """Regenerate the named family (or all); exit 1 on a difference unless --checked wrote it."""
    names = [a for a in argv if not a.startswith("--")]
    if len(names) != 1 or names[0] not in [*FAMILIES, "all"]:
        print(f"usage: regenerate_golden.py {'|'.join([*FAMILIES, 'all'])} [--checked]")
        return 2
    write = "--checked" in argv
    set_language("zh")  # the golden files hold canbao's Chinese, as the suite runs it
    os.chdir(ROOT)  # the match records its rosters by paths relative to the repository root
    families = list(FAMILIES) if names[0] == "all" else names
    differing = sum(regenerate(family, write=write) for family in families)
    if differing and not write:
        print(f"{differing} file(s) differ; pass --checked once a human has checked them")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
