"""The one masker of printed text: IDs in every spelling and birth dates never get through."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.cli_common import echo, stderr_console
from canbao.masking import mask_text
from canbao.roster.mapping import describe_headers

ID = "34062119900101123X"


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        (f"id {ID} here", ID),
        (f"id {ID.lower()} here", ID.lower()),
        ("340621 1990 0101 123X", "1990 0101"),
        ("340621-19900101-123X", "19900101"),
        ("３４０６２１１９９００１０１１２３Ｘ", "１９９００１０１"),
        ("３４０６２１　１９９０　０１０１　１２３ｘ", "１９９０"),
        ("3.40621199E+17", "3.40621199E+17"),
        ("3.40621199e17", "199e17"),
        ("340621900101123", "340621900101123"),
        ("two: 340621199001011234 340621199101011235", "1991010"),
        ("生于 19900101", "19900101"),
        ("出生日期：1990-01-01", "1990-01-01"),
        ("born 1990/1/1", "1990/1/1"),
        ("3406 2119 9001 0112 3X", "0112"),
        ("3406-2119-9001-0112-3X", "9001"),
        ("glued 340621199001011234567", "19900101"),
    ],
)
def test_every_spelling_is_masked(text: str, hidden: str) -> None:
    """Each spelling of an ID or a birth date is masked, keeping at most the region code."""
    assert hidden not in mask_text(text)


@pytest.mark.parametrize(
    "text", ["as of 2017-06-30", "12,345 rows", "2017-06-30 12 34 56 78", "column 3"]
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    """Dates without a birth word, counts and short numbers print as they are."""
    assert mask_text(text) == text


def test_masked_forms_keep_the_region_and_last_four() -> None:
    """Whatever the spelling, the masked ID reads as the usual masked form."""
    assert mask_text("340621 1990 0101 123X") == "340621********123X"
    assert mask_text("３４０６２１１９９００１０１１２３Ｘ") == "340621********123X"


def test_consoles_mask_what_they_write(capsys: pytest.CaptureFixture[str]) -> None:
    """Text printed through the consoles or echo is masked on its way out."""
    echo(f"a JSON value {ID}")
    stderr_console.print("3.40621199E+17", markup=False)
    captured = capsys.readouterr()
    assert ID not in captured.out
    assert "340621********123X" in captured.out
    assert "3.40621199E+17" not in captured.err


def test_header_list_masks_cells_it_does_not_know() -> None:
    """Known headers are quoted; any other cell is masked and named by its column."""
    shown = describe_headers(["姓名", "欧阳娜娜", "淮北市相山区幸福路1号"])
    assert shown.startswith("姓名, 欧***")
    assert "欧阳娜娜" not in shown
    assert "幸福路" not in shown
    assert "（第 2 列）" in shown


def test_duplicated_name_header_is_masked(tmp_path: Path) -> None:
    """A duplicated header that is a person's name is shown masked in the message."""
    path = tmp_path / "dup.csv"
    path.write_text("身份证号,欧阳娜娜,欧阳娜娜\n1,a,b\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["inspect", str(path), "--kind", "household"])
    assert result.exit_code == 3
    assert "表头 '欧***' 重复" in result.stderr
    assert "欧阳娜娜" not in result.stdout + result.stderr
