"""Small roster builders for match tests: one household person and their records."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from tests.spec_oracle import check_char

HOUSEHOLD_HEADERS = [
    "公民身份号码",
    "姓名",
    "性别",
    "县区",
    "乡镇(街道)",
    "村(社区)",
    "常住地址",
    "人员状态",
]
ENROLMENT_HEADERS = ["身份证号码", "姓名", "险种", "参保地", "参保状态"]


def pid(birth: str, seq: int = 101, region: str = "340621") -> str:
    """A valid 18-character ID for a birth date YYYYMMDD."""
    first = f"{region}{birth}{seq:03d}"
    return first + check_char(first)


def write_rosters(
    folder: Path, household: list[list[str | None]], enrolment: list[list[str | None]]
) -> dict:
    """Write household.csv and records.csv (a pension roster); return run_match arguments."""
    pl.DataFrame(household, schema=HOUSEHOLD_HEADERS, orient="row").write_csv(
        folder / "household.csv"
    )
    args: dict = {"household": [folder / "household.csv"]}
    if enrolment:
        frame = pl.DataFrame(enrolment, schema=ENROLMENT_HEADERS, orient="row")
        frame.write_csv(folder / "records.csv")
        args["pension"] = [folder / "records.csv"]
    return args


def person(pid_: str, name: str = "张三", status: str = "正常") -> list[str | None]:
    """A household row in 濉溪县 with a complete address."""
    return [pid_, name, None, "340621", "城关镇", "东村", "东村1号", status]


def read_csv(path: Path) -> pl.DataFrame:
    """Read a result CSV with every column as a string."""
    return pl.read_csv(path, infer_schema=False)
