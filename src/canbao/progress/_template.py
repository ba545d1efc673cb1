"""The progress table (全民参保登记工作进度表, 人社厅发〔2017〕28号 附件1) as canbao reads it.

The notice numbers its columns 1-25 and 27-32 (there is no 26); its group headings are garbled
in the printed text, so the grouping below is our reading (the rule set mohrss-2017 groups the
rates the same way). Columns 13-18, 22, 27 and 28 are the nine rates; every other column is
answered by hand (是/否, a number, the departments) and is left blank to fill, or filled from
the hand-entered file (``--manual``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from canbao.progress._rates import RATES


@dataclass(frozen=True)
class TemplateColumn:
    """A column of the progress table: its 甲栏 number, its group and its heading."""

    number: int
    group: str
    heading: str

    @property
    def rate(self) -> int | None:
        """The rate (1-9) this column shows, None for a column answered by hand."""
        return next((s.number for s in RATES if s.column == self.number), None)


_GROUPS: Final = (
    (
        "发文情况",
        (
            "是否以省政府名义印发实施方案",
            "是否以部门联合形式印发实施方案",
            "是否以人社厅名义印发实施方案",
            "是否印发实施细则或经办规程",
        ),
    ),
    (
        "领导重视情况",
        ("是否成立省级领导小组", "是否成立由人社厅领导任组长的领导小组", "是否纳入政府考核体系"),
    ),
    (
        "部门协作情况",
        ("是否建立跨部门协作机制", "是否与哪些部门实现信息共享", "与哪些部门定期交换数据"),
    ),
    ("经费保障情况", ("是否已将工作经费纳入财政预算", "工作经费投入数额（万元）")),
    (
        "信息比对情况",
        (
            "社保系统内部登记信息完成率（%）",
            "跨部门登记信息完成率（%）",
            "跨市登记信息完成率（%）",
            "跨省登记信息完成率（%）",
        ),
    ),
    ("入户调查情况", ("入户率（%）", "入户调查完成率（%）")),
    (
        "数据库建设情况",
        (
            "是否建立省级集中的全民参保登记数据库",
            "是否建立地市级集中的全民参保登记数据库",
            "是否建立信息库",
            "登记信息入库率（%）",
        ),
    ),
    (
        "动态管理情况",
        (
            "是否建立数据动态更新机制",
            "社保系统内部数据动态更新周期",
            "跨部门数据动态更新周期",
            "错误信息更正率（%）",
        ),
    ),
    ("数据分析利用情况", ("应保未保人口扩面率（%）",)),
    ("培训情况", ("培训场次", "培训人次")),
    ("宣传情况", ("全省是否制定统一的宣传计划或方案", "制定了宣传方案的地市个数")),
)
NUMBERS: Final = (*range(1, 26), *range(27, 33))
COLUMNS: Final = tuple(
    TemplateColumn(number, group, heading)
    for number, (group, heading) in zip(
        NUMBERS, [(g, h) for g, headings in _GROUPS for h in headings], strict=True
    )
)
BY_NUMBER: Final = {c.number: c for c in COLUMNS}
HAND_COLUMNS: Final = tuple(c for c in COLUMNS if c.rate is None)
