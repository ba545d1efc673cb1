"""Rule sets named by their name: the bundled ones, and a clear error for an unknown name."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from canbao.cli import app
from canbao.score.rulesets import bundled_names, resolve_rules

ROOT = Path(__file__).resolve().parent.parent


def test_the_bundled_names_are_the_rule_files_of_the_repository() -> None:
    """Every file of rules/ is a bundled set, named without .yaml."""
    assert bundled_names() == sorted(p.stem for p in (ROOT / "rules").glob("*.yaml"))


def test_a_name_resolves_to_its_file_and_a_path_stays_a_path(tmp_path: Path) -> None:
    """huaibei-2017 and huaibei-2017.yaml name the bundled file; an existing path wins."""
    assert (
        resolve_rules("huaibei-2017").read_bytes()
        == (ROOT / "rules/huaibei-2017.yaml").read_bytes()
    )
    assert resolve_rules("huaibei-2017.yaml") == resolve_rules("huaibei-2017")
    own = tmp_path / "huaibei-2017"
    own.write_text("name: x\n", encoding="utf-8")
    assert resolve_rules(own) == own


def test_rules_check_takes_a_bundled_name() -> None:
    """`canbao rules check changzhou-2016` checks the bundled set from any folder."""
    result = CliRunner().invoke(app, ["rules", "check", "changzhou-2016"])
    assert result.exit_code == 0, result.stderr


def test_an_unknown_name_lists_the_bundled_sets() -> None:
    """A name that is no file and no bundled set is exit 5 with the bundled names as the fix."""
    submission = ROOT / "examples" / "score" / "changzhou-2016-submission.csv"
    args = ["score", "--rules", "huaibei-2018", str(submission), "--output", "unused-output"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 5
    assert "huaibei-2018" in result.stderr
    assert "huaibei-2017" in result.stderr and "changzhou-2016" in result.stderr
