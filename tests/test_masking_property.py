"""Property: arbitrary people thrown through every error path never come out on stdout or stderr.

Each example is a few generated people (Chinese names, addresses, birth dates, citizen IDs in
every spelling a spreadsheet or a clerk produces) written into rosters that fail or succeed in
the ways a centre meets: no header line, a duplicated header, an unknown column, bad values;
``inspect``'s report, ``match``'s summary, ``intake``'s problems and ``score``'s refusal.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from canbao.cli import app
from canbao.forms.entry_sheet import ENTRY_HEADINGS
from tests.spec_oracle import check_char

runner = CliRunner()

SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "欧阳", "司马", "诸葛"]
GIVEN = list("娜伟芳秀英敏静丽强磊军洋艳勇杰娟涛超霞桂兰凤玉萍燕鹏辉")
STREETS = ["幸福路", "淮海西路", "人民中路", "濉溪路", "孟山北路", "古城东路"]
DISTRICTS = ["淮北市相山区", "淮北市杜集区", "濉溪县濉溪镇", "淮北市烈山区"]


@dataclass(frozen=True)
class Person:
    """One generated person: what must never be printed, and how the roster spells it."""

    name: str
    address: str
    birth: str  # YYYYMMDD
    birth_written: str  # as the roster writes it
    id18: str
    id_written: str

    def secrets(self) -> list[str]:
        """Every spelling of this person's data that must not appear in what is printed."""
        found = [self.name, self.address, self.id18, self.id_written, self.birth_written]
        return [*found, self.birth, f"{self.birth[:4]}-{self.birth[4:6]}-{self.birth[6:]}"]


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def _spell(id18: str, how: str) -> str:
    if how == "spaced":
        return f"{id18[:6]} {id18[6:10]} {id18[10:14]} {id18[14:]}"
    if how == "full_width":
        return _full_width(id18)
    if how == "scientific":
        return f"{float(id18[:17] + '0'):.8E}"
    if how == "fifteen":
        return id18[:6] + id18[8:17]
    return id18.lower()


@st.composite
def people(draw: st.DrawFn) -> Person:
    """A person with a valid ID written in one of the spellings met in exports."""
    name = draw(st.sampled_from(SURNAMES)) + "".join(
        draw(st.lists(st.sampled_from(GIVEN), min_size=1, max_size=3))
    )
    address = (
        draw(st.sampled_from(DISTRICTS))
        + draw(st.sampled_from(STREETS))
        + f"{draw(st.integers(1, 999))}号"
    )
    year = draw(st.integers(1940, 2010))
    birth = f"{year}{draw(st.integers(1, 12)):02d}{draw(st.integers(1, 28)):02d}"
    first = f"340621{birth}{draw(st.integers(0, 999)):03d}"
    id18 = first + check_char(first)
    how = draw(st.sampled_from(["spaced", "full_width", "scientific", "fifteen", "lower_x"]))
    birth_written = draw(st.sampled_from([birth, f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"]))
    return Person(name, address, birth, birth_written, id18, _spell(id18, how))


def _write(path: Path, rows: list[list[str]]) -> str:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return str(path)


def _row(p: Person) -> list[str]:
    return [p.id_written, p.name, p.birth_written, "340621", p.address, "正常"]


HEADERS = ["公民身份号码", "姓名", "出生日期", "县区", "常住地址", "人员状态"]


def _calls(folder: Path, crowd: list[Person]) -> list[list[str]]:
    rows = [_row(p) for p in crowd]
    first = crowd[0]
    headerless = _write(folder / "headerless.csv", rows)
    # The first person's name twice: a duplicated "header" that is a name.
    dup_rows = [[p.id_written, p.name, p.name, p.address] for p in crowd]
    duplicated = _write(folder / "duplicated.csv", dup_rows)
    # Known headers, and one more column whose header is a person's name; no ID column.
    unknown = _write(
        folder / "unknown.csv",
        [["姓名", first.name, "常住地址"], *([p.name, p.birth_written, p.address] for p in crowd)],
    )
    # A roster that reads, with bad values: statuses, counties and IDs that do not fit.
    bad_values = _write(
        folder / "household.csv",
        [
            HEADERS,
            *([p.id_written, p.name, p.birth_written, p.name, p.address, p.address] for p in crowd),
        ],
    )
    good = _write(folder / "good.csv", [HEADERS, *rows])
    entries = _write(
        folder / "entries.csv",
        [
            ["公民身份号码", "姓名", "出生日期", "常住地址"],
            *([p.id_written, p.name, p.birth_written, p.address] for p in crowd),
        ],
    )
    # A full entry sheet whose every cell holds a person's data: each is a bad value for intake.
    filled = _write(
        folder / "filled.csv",
        [
            list(ENTRY_HEADINGS),
            *(
                [p.id_written, *([p.name, p.address, p.birth_written] * len(ENTRY_HEADINGS))][
                    : len(ENTRY_HEADINGS)
                ]
                for p in crowd
            ),
        ],
    )
    submission = _write(
        folder / "submission.csv",
        [["县区", "指标", "实际值"], *(["濉溪县", "1", p.id_written] for p in crowd)],
    )
    out = str(folder / "out")
    return [
        ["inspect", headerless, "--kind", "household"],
        ["inspect", headerless],
        ["inspect", headerless, "--json"],
        ["inspect", duplicated, "--kind", "household"],
        ["inspect", unknown, "--kind", "household"],
        ["inspect", bad_values, "--as-of", "2017-06-30"],
        ["inspect", good, "--as-of", "2017-06-30", "--json"],
        ["match", "--household", headerless, "--output", out],
        ["match", "--household", duplicated, "--output", out],
        ["match", "--household", bad_values, "--output", out, "--as-of", "2017-06-30"],
        ["match", "--household", good, "--output", out + "2", "--as-of", "2017-06-30"],
        ["intake", entries, "--output", out + "3", "--as-of", "2017-06-30"],
        ["intake", filled, "--output", out + "5", "--as-of", "2017-06-30"],
        ["score", "--rules", "huaibei-2017", submission, "--output", out + "4"],
    ]


@settings(
    # Shrinking re-runs a dozen commands per step: the first failing example is enough.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    # A dozen commands per example are slow to run; the suite's autouse audit-log fixture is
    # function-scoped but only points the log somewhere, so sharing it between examples is safe.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(crowd=st.lists(people(), min_size=1, max_size=3))
def test_no_error_path_prints_a_person(crowd: list[Person]) -> None:
    """No name, address, birth date or ID (in any spelling) reaches stdout or stderr."""
    with tempfile.TemporaryDirectory() as tmp:
        for args in _calls(Path(tmp), crowd):
            result = runner.invoke(app, args)
            printed = result.stdout + result.stderr
            assert "Traceback" not in printed, (args, printed)
            for person in crowd:
                leaked = [s for s in person.secrets() if s in printed]
                assert not leaked, (args, leaked, printed)
