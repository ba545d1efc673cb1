"""The nine roster kinds are defined once: the CLI's options, run_match and the groups agree."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, get_args, get_origin, get_type_hints

import pytest
from typer.testing import CliRunner

from canbao.cli import app, load_command
from canbao.errors import UsageError
from canbao.match import api, run_match
from canbao.match import cli as match_cli
from canbao.match.api import check_arguments
from canbao.roster import KIND_FIELDS, RosterGroup, RosterKind
from canbao.roster.fields import ENROLMENT_FIELDS, HOUSEHOLD_FIELDS
from canbao.roster.kinds import ENROLMENT_KINDS, HOUSEHOLD_KINDS, ROSTER_LABELS, UNIT_KINDS

runner = CliRunner()


def _takes_files(hint: Any) -> bool:
    """Whether a parameter's type is a list of paths (optional or not)."""
    if get_origin(hint) is Annotated:
        hint = get_args(hint)[0]
    return list[Path] in (hint, *get_args(hint))


def test_each_kind_has_exactly_one_cli_option_named_after_it() -> None:
    """Every kind is one list-of-paths option, --kind-name, and no other option takes files."""
    hints = get_type_hints(match_cli.match, include_extras=True)
    taking_files = sorted(name for name, hint in hints.items() if _takes_files(hint))
    assert taking_files == sorted(kind.value for kind in RosterKind)
    options = {p.name: p.opts for p in load_command("match").params}
    assert all(options[kind.value] == [kind.option] for kind in RosterKind)


def test_the_cli_hands_run_match_every_kind_it_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each option's files reach run_match under its kind, and run_match accepts the mapping."""
    seen: dict[str, Any] = {}

    def record(rosters: Any, **_: Any) -> None:
        seen["rosters"] = rosters

    monkeypatch.setattr(match_cli, "run_match", record)
    args = ["match", "--output", str(tmp_path / "out"), "--quiet"]
    for kind in RosterKind:
        args += [kind.option, str(tmp_path / f"{kind.value}.csv")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    files, score = check_arguments(seen["rosters"], None)
    assert files == {kind: (tmp_path / f"{kind.value}.csv",) for kind in RosterKind}
    assert score is None


def test_groups_fields_and_labels_cover_every_kind_once() -> None:
    """The three groups partition the kinds in order; fields and labels follow the groups."""
    assert tuple(RosterKind) == HOUSEHOLD_KINDS + ENROLMENT_KINDS + UNIT_KINDS
    assert {kind.group for kind in HOUSEHOLD_KINDS} == {RosterGroup.HOUSEHOLD}
    assert {kind.group for kind in ENROLMENT_KINDS} == {RosterGroup.ENROLMENT}
    assert {kind.group for kind in UNIT_KINDS} == {RosterGroup.UNIT}
    # The village ledger has fields of its own but is no match input, so it is no RosterKind.
    assert set(KIND_FIELDS) == set(RosterKind) | {"ledger"}
    assert set(RosterKind) == set(ROSTER_LABELS)
    assert all(KIND_FIELDS[kind] == HOUSEHOLD_FIELDS for kind in HOUSEHOLD_KINDS)
    assert all(KIND_FIELDS[kind] == ENROLMENT_FIELDS for kind in ENROLMENT_KINDS)
    assert all(ROSTER_LABELS[kind.value] == kind.label for kind in RosterKind)


def test_run_match_reports_every_problem_of_its_arguments_at_once(tmp_path: Path) -> None:
    """Unknown kind, no household, units alone and a bad score: one UsageError names all four."""
    output = tmp_path / "out"
    rosters = {"pensoin": [tmp_path / "p.csv"], RosterKind.UNITS: [tmp_path / "u.csv"]}
    with pytest.raises(UsageError) as caught:
        run_match(rosters, output=output, apply_links="101")
    message = caught.value.message
    assert message.startswith("参数有 4 处问题：")
    for part in ("'pensoin'", "没有给出户籍名册", "参保单位名单", "--apply-links 101"):
        assert part in message
    assert not output.exists()  # refused before the output directory was made


def test_one_path_for_a_kind_is_refused_not_read_letter_by_letter(tmp_path: Path) -> None:
    """A bare path string instead of a list is a usage error (a string is a sequence too)."""
    with pytest.raises(UsageError, match="是一个路径，而不是文件列表"):
        check_arguments({"household": str(tmp_path / "h.csv")}, None)


@pytest.mark.parametrize(("given", "score"), [("90", 90), (0, 0), ("100.0", 100)])
def test_apply_links_is_read_as_a_score_in_the_library(given: str | int, score: int) -> None:
    """run_match takes the score as the CLI passes it (text) or as a number."""
    files, checked = api.check_arguments({"household": [Path("h.csv")]}, given)
    assert checked == score and files[RosterKind.HOUSEHOLD] == (Path("h.csv"),)
