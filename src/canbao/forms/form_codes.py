"""The code lists of 全民参保登记表 (淮人社秘〔2017〕166号) and the entry sheet's columns.

Every coded item of the form is a :class:`CodeList`: the values a clerk picks from a drop-down
(``"11 城镇职工基本养老保险"``), and every spelling intake accepts for each canonical
value (the code alone, the label alone, or both). Where the form prints no code
(个人身份, most 未参保原因 items, 已单位就业) the label itself is the canonical value;
canbao invents no numbers.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Final

from canbao.codes import SCHEMES


def fold(text: str) -> str:
    """Fold a spelling for lookup: NFKC, no spaces, ASCII parentheses, no trailing punctuation."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).strip("。.;；,，")


@dataclass(frozen=True)
class CodeList:
    """One coded item: its canonical values, drop-down entries and accepted spellings."""

    heading: str
    values: tuple[tuple[str, str], ...]  # (canonical value, label); canonical may equal label
    extra: dict[str, str] = field(default_factory=dict)  # further spellings -> canonical

    def choices(self) -> list[str]:
        """Return the drop-down entries: ``code label`` where a code exists, else the label."""
        return [label if code == label else f"{code} {label}" for code, label in self.values]

    def lookup(self) -> dict[str, str]:
        """Return every accepted (folded) spelling mapped to its canonical value."""
        table: dict[str, str] = {}
        for code, label in self.values:
            for spelling in {code, label, f"{code} {label}", f"{code}{label}", f"{code}.{label}"}:
                table[fold(spelling)] = code
        table.update({fold(k): v for k, v in self.extra.items()})
        return table

    def label(self, code: str) -> str:
        """Return the label of a canonical value."""
        return dict(self.values)[code]


YES_NO: Final = CodeList("是/否", (("是", "是"), ("否", "否")), {"Y": "是", "N": "否", "√": "是"})
SEX: Final = CodeList("性别", (("男", "男"), ("女", "女")), {"1": "男", "2": "女"})

# 就业状态: the 填写说明 (二) numbers the no-unit categories 1-5 as entry codes; a person with an
# employer is entered as 已单位就业 plus the unit's full name (工作单位名称).
EMPLOYED: Final = "已单位就业"
EMPLOYMENT: Final = CodeList(
    "就业状态",
    (
        (EMPLOYED, EMPLOYED),
        ("1", "学龄前"),
        ("2", "在校学生"),
        ("3", "未就业"),
        ("4", "灵活就业"),
        ("5", "已办理离退休手续或已领取养老待遇"),
    ),
    {"单位就业": EMPLOYED, "离退休": "5", "已退休": "5", "退休": "5", "学生": "2"},
)
PRESCHOOL, STUDENT, FLEXIBLE, RETIRED = "1", "2", "4", "5"

IDENTITY: Final = CodeList(
    "个人身份",
    tuple(
        (label, label)
        for label in (
            "国家公务员",
            "参照公务员管理人员",
            "专业技术人员",
            "职员",
            "企业管理人员",
            "工人",
            "农民",
            "学生",
            "现役军人",
            "自由职业者",
            "个体经营者",
            "无业人员",
            "退(离)休人员",
            "其他",
        )
    ),
    {"退休人员": "退(离)休人员", "离休人员": "退(离)休人员", "公务员": "国家公务员"},
)
RETIRED_IDENTITY: Final = "退(离)休人员"


def _schemes(prefix: str) -> tuple[tuple[str, str], ...]:
    return tuple((code, label) for code, label in SCHEMES.items() if code.startswith(prefix))


# 现参保情况: one column per insurance type; 不同险种可多选, 同一险种单选.
PENSION: Final = CodeList("养老保险", _schemes("1"))
MEDICAL: Final = CodeList("医疗保险", _schemes("2"))
INJURY: Final = CodeList("工伤保险", _schemes("3"), {"是": "30", "√": "30"})
UNEMPLOYMENT: Final = CodeList("失业保险", _schemes("4"), {"是": "40", "√": "40"})
MATERNITY: Final = CodeList("生育保险", _schemes("5"), {"是": "50", "√": "50"})
SCHEME_LISTS: Final = (PENSION, MEDICAL, INJURY, UNEMPLOYMENT, MATERNITY)

# 未参保原因, in the form's order. The 填写说明 (七) codes 91 and 92 match an item exactly; its
# 93 "参军等原因未参保" is a group and is kept as a value of its own (counted under 其他).
NOT_INSURED: Final = CodeList(
    "未参保原因",
    (
        ("91", "个人未参保"),
        ("缴费终止", "缴费终止"),
        ("92", "单位未予参保"),
        ("全日制在校生", "全日制在校生"),
        ("参军", "参军"),
        ("部队建账的随军家属", "部队建账的随军家属"),
        ("出国(含留学、定居、就业)", "出国(含留学、定居、就业)"),
        ("判刑", "判刑"),
        ("已参保信息有误", "已参保信息有误"),
        ("人户分离、联系不上", "人户分离、联系不上"),
        ("户口待注销", "户口待注销"),
        ("其他", "其他"),
    ),
    {
        "93": "93",
        "参军等原因未参保": "93",
        "93参军等原因未参保": "93",
        "出国": "出国(含留学、定居、就业)",
        "缴费中断": "缴费终止",
        "人户分离": "人户分离、联系不上",
        "联系不上": "人户分离、联系不上",
    },
)
LOST_CONTACT: Final = "人户分离、联系不上"

# Table (二) of 人社厅发〔2017〕28号: 未参保情况 columns, fed by the reasons above.
REASON_COLUMNS: Final[dict[str, str]] = {
    "91": "个人未参保人数",
    "缴费终止": "缴费中断人数",
    "92": "单位未予参保人数",
    "全日制在校生": "全日制在校生人数",
    "参军": "参军人数",
    "部队建账的随军家属": "部队建账的随军家属人数",
    "出国(含留学、定居、就业)": "出国人数",
    "判刑": "判刑人数",
    "人户分离、联系不上": "人户分离人数",
    "户口待注销": "户口待注销人数",
    "已参保信息有误": "其他原因人数",
    "其他": "其他原因人数",
    "93": "其他原因人数",
}

# Entry sheet (信息录入表) columns, in order: (heading, code list or None, width). Printed, it
# splits into three A4 landscape pages across, 序号 to 姓名 repeated on each (ENTRY_REPEAT).
VISITED, CONFIRMED = "是否入户调查", "是否确认登记"
ENTRY_COLUMNS: Final[tuple[tuple[str, CodeList | None, int], ...]] = (
    ("序号", None, 5),
    ("县区", None, 15),
    ("乡镇(街道)", None, 10),
    ("村(社区)", None, 10),
    ("人员编号", None, 20),
    ("姓名", None, 8),
    ("公民身份号码", None, 23),
    ("性别", SEX, 6),
    (VISITED, YES_NO, 8),
    (CONFIRMED, YES_NO, 8),
    ("就业状态", EMPLOYMENT, 22),
    ("工作单位名称", None, 18),
    ("个人身份", IDENTITY, 14),
    ("户口所在地", None, 20),
    ("常住地地址", None, 26),
    ("手机", None, 13),
    ("固定电话", None, 13),
    ("养老保险", PENSION, 26),
    ("医疗保险", MEDICAL, 26),
    ("工伤保险", INJURY, 12),
    ("失业保险", UNEMPLOYMENT, 12),
    ("生育保险", MATERNITY, 12),
    ("未参保原因", NOT_INSURED, 18),
    ("经办人", None, 9),
    ("复核人", None, 9),
)
ENTRY_REPEAT: Final = 6
ENTRY_HEADINGS: Final = tuple(h for h, _, _ in ENTRY_COLUMNS)
CODED_COLUMNS: Final[dict[str, CodeList]] = {h: c for h, c, _ in ENTRY_COLUMNS if c is not None}
# The entry sheet's heading is on this row; data starts on the next (rows 1-2: title, group).
ENTRY_HEADER_ROW: Final = 3
