"""A large group's registration forms come in volumes, so no workbook grows with the group."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import pyzipper
from openpyxl import load_workbook
from typer.testing import CliRunner

from canbao.cli import app
from canbao.forms import write_survey_forms
from canbao.forms.registration_form import BLOCK_ROWS, FIRST_BLOCK_ROW
from canbao.forms.survey import (
    ENTRY_FILE,
    FORMS_FILE,
    FORMS_PER_FILE,
    ROSTER_FILE,
    SUMMARY_FILE,
    forms_files,
    write_forms_workbook,
)
from canbao.forms.survey_roster import read_needs_survey, split_groups

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "survey"
VOLUMES = [f"全民参保登记表-第{n}册.xlsx" for n in (1, 2, 3)]


def _ids_on_forms(path: Path) -> list[str]:
    """The citizen IDs printed on the forms of one workbook, top to bottom."""
    ws = load_workbook(path)["全民参保登记表"]
    tops = range(FIRST_BLOCK_ROW, ws.max_row + 1, BLOCK_ROWS)
    return [str(ws[f"B{top + 1}"].value) for top in tops]


def _sheet_values(path: Path) -> list[tuple[object, ...]]:
    """Every cell value of the forms sheet, row by row."""
    return list(load_workbook(path)["全民参保登记表"].iter_rows(values_only=True))


def test_a_group_up_to_the_limit_keeps_one_workbook() -> None:
    """Up to FORMS_PER_FILE persons one workbook by the form's own name; one more, two volumes."""
    assert forms_files(1) == forms_files(FORMS_PER_FILE) == [FORMS_FILE]
    assert forms_files(FORMS_PER_FILE + 1) == VOLUMES[:2]
    assert forms_files(5, per_file=2) == VOLUMES
    assert forms_files(4, per_file=2) == VOLUMES[:2]
    # Ten volumes or more: numbers of equal width, so that a plain sort keeps their order.
    twelve = forms_files(12, per_file=1)
    assert twelve[0] == "全民参保登记表-第01册.xlsx" and twelve[-1] == "全民参保登记表-第12册.xlsx"
    assert sorted(twelve) == twelve


def test_volumes_hold_the_groups_forms_in_roster_order(tmp_path: Path) -> None:
    """Five persons by two: three volumes of 2, 2 and 1 forms, each the forms of its slice."""
    out = write_survey_forms(EXAMPLE, tmp_path / "forms", by="village", forms_per_file=2)
    folder = out.output / "濉溪县" / "濉溪镇" / "东关村"
    assert sorted(p.name for p in folder.iterdir()) == sorted([ROSTER_FILE, ENTRY_FILE, *VOLUMES])
    with (EXAMPLE / "needs_survey.csv").open(encoding="utf-8-sig") as fh:
        ids = sorted(r["公民身份号码"] for r in csv.DictReader(fh) if r["村(社区)"] == "东关村")
    volumes = [_ids_on_forms(folder / name) for name in VOLUMES]
    assert volumes == [ids[0:2], ids[2:4], ids[4:5]]
    # Each volume is the workbook the group's slice alone gives.
    (_, group), *_ = split_groups(read_needs_survey(EXAMPLE), "village")
    write_forms_workbook(group.slice(2, 2), tmp_path / "alone.xlsx")
    assert _sheet_values(folder / VOLUMES[1]) == _sheet_values(tmp_path / "alone.xlsx")
    summary = json.loads((out.output / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["forms_per_file"] == 2


def test_a_sealed_group_holds_its_volumes(tmp_path: Path) -> None:
    """The group's zip holds every volume beside the roster and the entry sheet."""
    out = write_survey_forms(EXAMPLE, tmp_path / "forms", by="village", forms_per_file=2, seal=True)
    archive = "sealed/濉溪县-濉溪镇-东关村.zip"
    with pyzipper.AESZipFile(out.output / archive) as zf:
        zf.setpassword(out.sealed[archive].encode())
        assert set(zf.namelist()) == {ROSTER_FILE, ENTRY_FILE, *VOLUMES}


def test_no_volume_size_below_one_is_taken(tmp_path: Path) -> None:
    """forms_per_file=0 is refused before anything is read or written."""
    with pytest.raises(ValueError, match="forms_per_file"):
        write_survey_forms(EXAMPLE, tmp_path / "forms", forms_per_file=0)
    assert not (tmp_path / "forms").exists()


def test_the_command_line_sets_the_volumes_size(tmp_path: Path) -> None:
    """`--forms-per-file 2` gives the same volumes; 0 is refused as a usage error, in Chinese."""
    base = ["forms", "survey", "--from", str(EXAMPLE), "-q"]
    runner = CliRunner()
    done = runner.invoke(app, [*base, "--output", str(tmp_path / "o"), "--forms-per-file", "2"])
    assert done.exit_code == 0, done.stderr
    folder = tmp_path / "o" / "濉溪县" / "濉溪镇" / "东关村"
    assert sorted(p.name for p in folder.glob("全民参保登记表*")) == VOLUMES
    refused = runner.invoke(app, [*base, "--output", str(tmp_path / "r"), "--forms-per-file", "0"])
    assert refused.exit_code == 2
    assert "--forms-per-file" in refused.stderr and "须不小于 1" in refused.stderr
    assert not (tmp_path / "r").exists()
