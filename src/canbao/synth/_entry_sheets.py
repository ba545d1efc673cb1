"""A sample clerk: fills the entry sheets of ``forms survey`` with openpyxl, planting mistakes.

Internal scaffolding for ``make demo`` (scripts/demo_survey.py) and the intake round-trip test, not
part of the public API: it lives with the generator, which may fill any package's sheets. Every kind
of problem intake looks for is planted once on a person it fits (an age check needs a person of the
right age; a kind with no such person is listed as skipped), every other person is filled correctly,
and the facts a correct intake must count are tallied here in plain Python, independently of
intake's polars expressions.
"""

from __future__ import annotations

import random
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from canbao import regions
from canbao.forms.entry_sheet import ENTRY_SHEET
from canbao.forms.form_codes import CONFIRMED, ENTRY_HEADER_ROW, ENTRY_HEADINGS, VISITED
from canbao.forms.survey import ENTRY_FILE
from canbao.ids import validate_id

KINDS: Final = (
    "invalid_id",
    "bad_code",
    "missing_item",
    "multiple_schemes",
    "reason_with_insurance",
    "preschool_age",
    "student_age",
    "employed_under_age",
    "retired_too_young",
    "sex_mismatch",
    "formula",
    "not_on_roster",
    "duplicate_entry",
)
COL: Final = {h: i + 1 for i, h in enumerate(ENTRY_HEADINGS)}
W17: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Planted:
    """One planted mistake: where it is and what intake must say."""

    file: str
    row: int
    item: str
    reason: str


@dataclass
class PlantedMistakes:
    """What the sample clerk planted, and the facts a correct intake counts per county."""

    files: list[Path] = field(default_factory=list)
    planted: list[Planted] = field(default_factory=list)
    inherited: list[Planted] = field(default_factory=list)  # invalid IDs already in the roster
    skipped: list[str] = field(default_factory=list)
    facts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def expected(self) -> set[tuple[str, int, str, str]]:
        """Every problem intake must report, as (file, row, item, reason)."""
        return {(p.file, p.row, p.item, p.reason) for p in [*self.planted, *self.inherited]}


def _age(pid: str, as_of: date) -> int:
    born = date(int(pid[6:10]), int(pid[10:12]), int(pid[12:14]))
    return as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))


def _check(body17: str) -> str:
    value = (12 - sum(int(c) * w for c, w in zip(body17, W17, strict=True)) % 11) % 11
    return "X" if value == 10 else str(value)


def _correct(ws: Worksheet, row: int, age: int, sex: str, rng: random.Random) -> dict[str, Any]:
    """Fill one row as a careful clerk would; return what was entered."""
    if age <= 6:
        job, identity = "1 学龄前", "其他"
    elif age < 19:
        job, identity = "2 在校学生", "学生"
    elif age >= 60:
        job, identity = "5 已办理离退休手续或已领取养老待遇", "退(离)休人员"
    else:
        job, identity = rng.choice(
            [("3 未就业", "无业人员"), ("4 灵活就业", "自由职业者"), ("已单位就业", "工人")]
        )
    values: dict[str, Any] = {
        VISITED: "是",
        CONFIRMED: "是",
        "性别": ws.cell(row, COL["性别"]).value or sex,
        "就业状态": job,
        "工作单位名称": "淮北某某有限公司" if job == "已单位就业" else None,
        "个人身份": identity,
        "手机": f"139{rng.randrange(10**8):08d}",
        "经办人": "王某",
    }
    for heading, text in values.items():
        ws.cell(row, COL[heading]).value = text
    place = _place(str(ws.cell(row, COL["县区"]).value))
    if ws.cell(row, COL["常住地地址"]).value is None:
        ws.cell(row, COL["常住地地址"]).value = f"{place}某镇某村1号"
    if ws.cell(row, COL["户口所在地"]).value is None:
        ws.cell(row, COL["户口所在地"]).value = place
    insured = any(ws.cell(row, COL[h]).value for h in ("养老保险", "医疗保险"))
    if not insured:
        if rng.random() < 0.5:  # newly insured on the visit
            ws.cell(row, COL["医疗保险"]).value = "22 城镇居民(含城乡统筹)基本医疗保险"
            if age >= 16:
                ws.cell(row, COL["养老保险"]).value = "12 城乡居民基本养老保险(含城居保和新农保)"
        else:
            ws.cell(row, COL["未参保原因"]).value = rng.choice(
                ["91 个人未参保", "全日制在校生", "92 单位未予参保"]
            )
    return values


def fill_sample_entry_sheet(
    forms_dir: Path, output: Path, *, seed: int = 2017, as_of: date | None = None
) -> PlantedMistakes:
    """Copy every entry sheet of ``forms_dir`` to ``output`` filled in, with planted mistakes."""
    as_of = as_of or date.today()
    rng = random.Random(seed)
    result = PlantedMistakes()
    sheets = sorted(Path(forms_dir).rglob(ENTRY_FILE))
    books = []
    people: list[tuple[int, int, int, str]] = []  # (book, row, age, id)
    for b, src in enumerate(sheets):
        dst = Path(output) / src.relative_to(forms_dir)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        wb = load_workbook(dst)
        ws = wb[ENTRY_SHEET]
        books.append((dst, wb, ws))
        result.files.append(dst)
        row = ENTRY_HEADER_ROW + 1
        while ws.cell(row, COL["姓名"]).value is not None:
            pid: str = str(ws.cell(row, COL["公民身份号码"]).value or "")
            if validate_id(pid, as_of) is None:
                people.append((b, row, _age(pid, as_of), pid))
            else:  # the match already knew: the visitor cannot fix it from here
                ws.cell(row, COL[VISITED]).value = "否"
                result.inherited.append(Planted(str(dst), row, "公民身份号码", "invalid_id"))
            row += 1
    order = list(range(len(people)))
    rng.shuffle(order)
    used: set[int] = set()

    def pick(ok: Any) -> int | None:
        for i in order:
            if i not in used and ok(people[i][2]):
                used.add(i)
                return i
        return None

    eligible = {
        "preschool_age": lambda a: a >= 7,
        "student_age": lambda a: a > 45,
        "employed_under_age": lambda a: a < 16,
        "retired_too_young": lambda a: 16 <= a < 45,
    }
    plan: dict[int, str] = {}
    for kind in KINDS[:-2]:
        i = pick(eligible.get(kind, lambda a: a >= 16))
        if i is None:
            result.skipped.append(kind)
        else:
            plan[i] = kind
    lost = pick(lambda a: a >= 16)
    for i, (b, row, age, pid) in enumerate(people):
        path, _, ws = books[b]
        sex = "男" if int(pid[16]) % 2 else "女"
        if i == lost:
            ws.cell(row, COL[VISITED]).value = "否"
            ws.cell(row, COL["未参保原因"]).value = "人户分离、联系不上"
            for h in ("养老保险", "医疗保险", "工伤保险", "失业保险", "生育保险"):
                ws.cell(row, COL[h]).value = None
            continue
        _correct(ws, row, age, sex, rng)
        spoil = plan.get(i)
        if spoil is not None:
            item = _plant(ws, row, spoil, pid, sex)
            result.planted.append(Planted(str(path), row, item, spoil))
        _tally(result, ws, row, age, clean=spoil is None)
    _plant_extra_rows(books, people, plan, lost, result, rng)
    for path, wb, _ in books:
        wb.save(path)
    return result


def _plant(ws: Worksheet, row: int, kind: str, pid: str, sex: str) -> str:
    """Spoil one correctly filled row; return the item intake must name."""
    if kind == "invalid_id":
        wrong = str((int(pid[14]) + 1) % 10)
        ws.cell(row, COL["公民身份号码"]).value = pid[:14] + wrong + pid[15:]
        return "公民身份号码"
    if kind == "bad_code":
        ws.cell(row, COL["未参保原因"]).value = None
        ws.cell(row, COL["养老保险"]).value = "16"
        return "养老保险"
    if kind == "missing_item":
        ws.cell(row, COL["个人身份"]).value = None
        return "个人身份"
    if kind == "multiple_schemes":
        ws.cell(row, COL["未参保原因"]).value = None
        ws.cell(row, COL["养老保险"]).value = "11;12"
        return "养老保险"
    if kind == "reason_with_insurance":
        ws.cell(row, COL["医疗保险"]).value = "22 城镇居民(含城乡统筹)基本医疗保险"
        ws.cell(row, COL["未参保原因"]).value = "91 个人未参保"
        return "未参保原因"
    if kind == "formula":  # openpyxl stores it as a formula cell, as Excel would
        ws.cell(row, COL["手机"]).value = "=13900000000+1"
        return "手机"
    if kind == "sex_mismatch":
        ws.cell(row, COL["性别"]).value = "女" if sex == "男" else "男"
        return "性别"
    job = {
        "preschool_age": ("1 学龄前", "其他"),
        "student_age": ("2 在校学生", "学生"),
        "employed_under_age": ("4 灵活就业", "自由职业者"),
        "retired_too_young": ("5 已办理离退休手续或已领取养老待遇", "其他"),
    }[kind]
    ws.cell(row, COL["就业状态"]).value = job[0]
    ws.cell(row, COL["个人身份"]).value = job[1]
    ws.cell(row, COL["工作单位名称"]).value = None
    return "就业状态"


def _place(county: str) -> str:
    """The row's county written out (安徽省淮北市濉溪县), from its ``code name`` cell."""
    found = regions.region(regions.county_code(county))
    if found is None:
        return county
    return f"{found.province}{found.city_shown}{found.name}"


def _tally(result: PlantedMistakes, ws: Worksheet, row: int, age: int, *, clean: bool) -> None:
    """Count, independently of intake, the facts this (visited, confirmed) row contributes."""
    county = regions.county_code(str(ws.cell(row, COL["县区"]).value))  # "340602 杜集区"
    result.facts[(county, "开展入户调查人数")] += 1
    result.facts[(county, "已通过入户调查确认登记人数")] += 1
    if not clean:
        return
    result.facts[(county, "登记信息入库人数")] += 1
    pension, medical = ws.cell(row, COL["养老保险"]).value, ws.cell(row, COL["医疗保险"]).value
    if (age >= 16 and not pension) or not medical:
        result.facts[(county, "应保未保人数")] += 1


def _plant_extra_rows(
    books: list[Any],
    people: list[tuple[int, int, int, str]],
    plan: dict[int, str],
    lost: int | None,
    result: PlantedMistakes,
    rng: random.Random,
) -> None:
    """Add a person not on the roster and a second entry of a correctly filled person."""
    normal = [i for i in range(len(people)) if i not in plan and i != lost]
    if not normal:
        result.skipped += ["not_on_roster", "duplicate_entry"]
        return
    b, row, _, pid = people[normal[0]]
    path, _, ws = books[b]
    last = row
    while ws.cell(last + 1, COL["姓名"]).value is not None:
        last += 1
    body = pid[:14] + f"{(int(pid[14:17]) + 500) % 1000:03d}"
    stranger = body + _check(body)
    for target, (kind, new_id) in enumerate(
        [("not_on_roster", stranger), ("duplicate_entry", pid)], 1
    ):
        r = last + target
        for col in range(1, len(ENTRY_HEADINGS) + 1):
            ws.cell(r, col).value = ws.cell(row, col).value
        ws.cell(r, COL["公民身份号码"]).value = new_id
        ws.cell(r, COL["序号"]).value = str(r - ENTRY_HEADER_ROW)
        if kind == "not_on_roster":
            ws.cell(r, COL["姓名"]).value = "新增人员"
            ws.cell(r, COL["性别"]).value = "男" if int(new_id[16]) % 2 else "女"
        result.planted.append(Planted(str(path), r, "公民身份号码", kind))
    del rng  # neither extra row counts: a second entry, and a person outside the roster
