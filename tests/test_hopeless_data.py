"""Loud when the data is hopeless: damaged ID columns stop a match; NUL rows and mixed encodings."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.match.damage import ACCEPT_OPTION
from tests.match_helpers import HOUSEHOLD_HEADERS, person, pid

runner = CliRunner()


def _household(path: Path, ids: list[str]) -> Path:
    rows = [person(i, name=f"姓名{n}") for n, i in enumerate(ids)]
    pl.DataFrame(rows, schema=HOUSEHOLD_HEADERS, orient="row").write_csv(path)
    return path


def _match(household: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(
        app, ["match", "--household", str(household), "--output", str(out), *extra]
    )
    return result.exit_code, result.output


def test_excel_damaged_id_column_stops_the_match(tmp_path: Path) -> None:
    """Most IDs in scientific notation: exit 3 naming the file, the damage and the fix."""
    ids = ["3.40621E+17"] * 6 + [pid("19800101", n) for n in range(2)]
    code, out = _match(_household(tmp_path / "hh.csv", ids), tmp_path / "out")
    assert code == 3
    assert "hh.csv" in out and "8 个公民身份号码中有 6 个" in out
    assert "被电子表格损坏" in out and "把身份证号码列设为文本" in out
    assert ACCEPT_OPTION in out
    assert not (tmp_path / "out").exists()


def test_rounded_ids_count_as_damage_too(tmp_path: Path) -> None:
    """18-digit IDs whose last digits a float zeroed are spreadsheet damage as well."""
    rounded = [pid("19800101", n)[:15] + "000" for n in range(1, 6)]
    rounded = [r for r in rounded if r != pid("19800101", 0)]
    code, out = _match(_household(tmp_path / "hh.csv", rounded), tmp_path / "out")
    assert code == 3
    assert "被电子表格损坏" in out


def test_the_user_can_accept_damaged_ids(tmp_path: Path) -> None:
    """With --accept-damaged-ids the run goes on and the persons are reported as before."""
    ids = ["3.40621E+17"] * 6 + [pid("19800101", n) for n in range(2)]
    code, _ = _match(_household(tmp_path / "hh.csv", ids), tmp_path / "out", ACCEPT_OPTION)
    assert code == 0
    assert (tmp_path / "out" / "needs_survey.csv").is_file()


def test_half_invalid_is_below_the_threshold(tmp_path: Path) -> None:
    """Exactly half of the non-empty IDs invalid still runs; empty IDs do not count."""
    ids = ["3.40621E+17"] * 3 + [pid("19800101", n) for n in range(3)] + [""] * 5
    code, out = _match(_household(tmp_path / "hh.csv", ids), tmp_path / "out")
    assert code == 0, out


def test_damaged_enrolment_roster_stops_the_match_too(tmp_path: Path) -> None:
    """The threshold applies to each enrolment file as well, named by its file."""
    household = _household(tmp_path / "hh.csv", [pid("19800101", n) for n in range(3)])
    records = tmp_path / "pension.csv"
    rows = [["3.40621E+17", f"姓名{n}", "110", "340621", "正常"] for n in range(4)]
    pl.DataFrame(
        rows, schema=["身份证号码", "姓名", "险种", "参保地", "参保状态"], orient="row"
    ).write_csv(records)
    code, out = _match(household, tmp_path / "out", "--pension", str(records))
    assert code == 3
    assert "pension.csv" in out and "被电子表格损坏" in out


def _roster_bytes(rows: int, bad: bytes) -> bytes:
    good = "".join(
        f"{pid('19800101', n % 900)},姓名{n},,340621,城关镇,东村,东村1号,正常\n"
        for n in range(rows)
    )
    head = ",".join(HOUSEHOLD_HEADERS) + "\n"
    bad_row = (
        pid("19900101", 5).encode()
        + b",\xe5\xbc\xa0"
        + bad
        + "三,,340621,城关镇,东村,东村2号,正常\n".encode()
    )
    return head.encode() + good.encode() + bad_row


@pytest.mark.parametrize(
    ("rows", "byte"),
    [(2000, b"\x00"), (20, b"\x00"), (20, b"\x1f"), (2000, b"\x1f")],
    ids=["nul-beyond-head", "nul-in-head", "0x1f-in-head", "0x1f-beyond-head"],
)
def test_control_byte_makes_its_row_unreadable_and_never_reaches_results(
    tmp_path: Path, rows: int, byte: bytes
) -> None:
    """A NUL or 0x1F byte in a row: that row is unreadable (control_char); no output holds it."""
    roster = tmp_path / "hh.csv"
    roster.write_bytes(_roster_bytes(rows, byte))
    code, out = _match(roster, tmp_path / "out")
    assert code == 0, out
    unreadable = pl.read_csv(
        tmp_path / "out" / "unreadable.csv", infer_schema=False, encoding="utf8-lossy"
    ).rename(lambda c: c.lstrip("\ufeff"))
    assert unreadable.get_column("原因代码").to_list() == ["control_char"]
    texts = [f for f in (tmp_path / "out").iterdir() if f.suffix in (".csv", ".json")]
    assert len(texts) > 5
    for file in texts:
        assert byte not in file.read_bytes(), file.name


def test_gbk_head_with_utf8_tail_is_named(tmp_path: Path) -> None:
    """A GBK export with UTF-8 lines appended is named as two encodings, not garbled."""
    rows = "".join(f"{pid('19800101', n % 900)},张三{n}\n" for n in range(4000))
    roster = tmp_path / "two.csv"
    roster.write_bytes(("公民身份号码,姓名\n" + rows).encode("gbk") + rows.encode("utf-8"))
    result = runner.invoke(app, ["inspect", str(roster)])
    assert result.exit_code == 3
    assert "开头是 GBK/GB18030，末尾是 UTF-8" in result.output


def test_plain_gbk_and_utf8_files_are_still_read(tmp_path: Path) -> None:
    """Files in one encoding, long enough for the tail check, pass it."""
    rows = "".join(f"{pid('19800101', n % 900)},张三{n}\n" for n in range(4000))
    for encoding in ("gbk", "utf-8", "utf-8-sig"):
        roster = tmp_path / f"{encoding}.csv"
        roster.write_bytes(("公民身份号码,姓名\n" + rows).encode(encoding))
        result = runner.invoke(app, ["inspect", str(roster)])
        assert result.exit_code == 0, result.output
