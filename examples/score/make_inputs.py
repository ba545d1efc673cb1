"""Write the example submissions of examples/score/ (CSV and xlsx long tables, self-evaluations).

The values are made up for the four Huaibei counties and the three Changzhou districts; they are
chosen to touch the rule sets' edges (5 场, 100 人, 90 %, 80 %, totals of exactly 90 and 80). Run
`uv run --locked python examples/score/make_inputs.py`, then check the goldens by hand before
`scripts/regenerate_golden.py score --checked`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent

HUAIBEI: dict[str, list[tuple[str, str]]] = {
    "濉溪县": [
        *[(str(i), "是") for i in range(1, 7)],
        ("工作经费投入数额", "35"),
        ("8", "是"),
        ("9", "是"),
        *[(str(i), "否" if i == 15 else "是") for i in range(10, 19)],
        ("培训场次", "5"),
        ("培训人次", "150"),
        ("21", "好"),
        ("22", "是"),
        ("23", "严格"),
        ("24", "无"),
        ("需入户调查人数", "2000"),
        ("开展入户调查人数", "1850"),
        ("已通过入户调查确认登记人数", "1800"),
        ("登记信息入库人数", "1700"),
        ("通过扩面新增入库人数", "100"),
        ("需入户调查单位数", "120"),
        ("开展入户调查单位数", "100"),
        ("已通过入户调查确认登记单位数", "90"),
        ("31", "是"),
        ("32", "3"),
        ("33", "好"),
        ("34", "中"),
        ("35", "是"),
        ("已核实的应保未保人数", "1500"),
        ("37", "好"),
        ("入户调查后的新参保人数", "640"),
    ],
    "杜集区": [
        ("1", "是"),
        ("2", "是"),
        ("3", "否"),
        ("4", "是"),
        ("5", "是"),
        ("6", "是"),
        ("7", "120000元"),
        ("8", "是"),
        ("9", "是"),
        ("10", "是"),
        ("11", "是"),
        ("12", "是"),
        ("13", "否"),
        ("14", "是"),
        ("15", "是"),
        ("16", "否"),
        ("17", "是"),
        ("18", "是"),
        ("19", "3"),
        ("20", "0.8"),
        ("培训效果", "中"),
        ("22", "是"),
        ("23", "一般"),
        ("24", "有"),
        ("25", "0.92"),
        ("26", "85%"),
        ("27", "60%"),
        ("28", "45"),
        ("29", "80%"),
        ("30", "0.6"),
        ("31", "是"),
        ("全民参保登记信息汇总表人数", "1212"),
        ("全民参保登记表人数", "1205"),
        ("33", "中"),
        ("34", "中"),
        ("35", "否"),
        ("36", "0.9"),
        ("37", "中"),
        ("38", "5%"),
    ],
    "相山区": [
        ("建立县区级领导小组", "是"),
        ("2", "是"),
        ("3", "是"),
        ("4", "是"),
        ("5", "否"),
        ("6", "是"),
        ("工作经费投入数额（万元）", "120"),
        ("8", "是"),
        ("9", "是"),
        *[(str(i), "是") for i in range(10, 19)],
        ("培训场次", "25"),
        ("培训人次", "350"),
        ("21", "好"),
        ("22", "是"),
        ("23", "严格"),
        ("24", "无"),
        ("应入户调查人数", "3000"),
        ("开展入户调查人数", "2400"),
        ("已通过入户调查确认登记人数", "1750"),
        ("登记信息入库人数", "1750"),
        ("28", "9"),
        ("需入户调查单位数", "200"),
        ("开展入户调查单位数", "190"),
        ("已通过入户调查确认登记单位数", "170"),
        ("31", "是"),
        ("32", "-20"),
        ("33", "差"),
        ("34", "好"),
        ("35", "是"),
        ("36", "59.9%"),
        ("37", "差"),
        ("38", "0.05"),
    ],
    "烈山区": [
        *[(str(i), "是") for i in range(1, 7)],
        ("7", "20"),
        ("8", "是"),
        ("9", "是"),
        *[(str(i), "是") for i in range(10, 19)],
        ("19", "0"),
        ("20", "50人次"),
        ("21", "好"),
        ("22", "是"),
        ("23", "一般"),
        ("24", "无"),
        ("25", "90%"),
        ("26", "0.9"),
        ("27", "1"),
        ("28", "10"),
        ("29", "0.8"),
        ("30", "79.99%"),
        ("31", "是"),
        ("32", "5"),
        ("33", "好"),
        ("34", "好"),
        ("35", "是"),
        ("36", "60%"),
        ("37", "好"),
        ("38", "30%"),
    ],
}

# Self-evaluations (自评分) that differ from the review: county -> {indicator: self score}.
HUAIBEI_SELF_CHANGES = {
    "濉溪县": {"34": "3"},
    "杜集区": {"24": "2", "35": "4"},
    "相山区": {"26": "1.5"},
    "烈山区": {"30": "0"},
}

CHANGZHOU: dict[str, list[str]] = {  # items 1-14 (item 11: entry errors found), then 实际录入人数
    "新北区": ["5", "5", "5", "5", "4.5", "5", "10", "4.5", "11", "9", "2", "5", "9", "8", "61234"],
    "天宁区": ["5", "4", "5", "4", "4", "5", "8", "4", "12", "8", "3", "4.5", "7", "6", "45677"],
    "钟楼区": ["5", "5", "4", "4", "3.5", "5", "9", "4", "11", "8", "12", "5", "8", "8", "38889"],
}
CHANGZHOU_SELF: dict[str, list[str]] = {
    "新北区": ["5", "5", "5", "5", "5", "5", "10", "5", "13", "10", "5", "5", "10", "9"],
    "天宁区": ["5", "5", "5", "4", "4", "5", "8", "4", "12", "8", "3.5", "4.5", "7", "6"],
    "钟楼区": ["5", "5", "5", "4", "4", "5", "9", "5", "12", "9", "4", "5", "8", "8"],
}

MOHRSS_FIELDS = [
    "常住人口数",
    "已完成社保系统内部信息比对人数",
    "已完成跨部门信息比对人数",
    "已完成跨地市信息比对人数",
    "已完成跨省信息比对人数",
    "开展入户调查人数",
    "需入户调查人数",
    "已通过入户调查确认登记人数",
    "已确认登记入库人数",
    "已更正错误信息数",
    "已发现错误信息数",
    "通过扩面新增入库人数",
    "应保未保人数",
    "(1)",
    "(2)",
    "(3)",
    "(4)",
    "(5)",
    "(6)",
]
MOHRSS = {  # (1) = (2) - (3) + (4) + (5) holds except for 杜集区 (off by 100)
    "濉溪县": [
        "1100000",
        "1100000",
        "990000",
        "1100000",
        "880000",
        "1850",
        "2000",
        "1800",
        "1045000",
        "450",
        "500",
        "640",
        "1500",
        "1150000",
        "1080000",
        "30000",
        "60000",
        "40000",
        "36000",
    ],
    "杜集区": [
        "340000",
        "340000",
        "300000",
        "340000",
        "200000",
        "1200",
        "1300",
        "1100",
        "320000",
        "90",
        "120",
        "210",
        "800",
        "350000",
        "330000",
        "12000",
        "20000",
        "12100",
        "11000",
    ],
    "相山区": [
        "520000",
        "520000",
        "500000",
        "520000",
        "400000",
        "2400",
        "3000",
        "1750",
        "480000",
        "300",
        "310",
        "90",
        "2000",
        "530000",
        "510000",
        "20000",
        "25000",
        "15000",
        "15000",
    ],
    "烈山区": [
        "300000",
        "300000",
        "290000",
        "300000",
        "250000",
        "900",
        "1000",
        "900",
        "295000",
        "0",
        "0",
        "120",
        "400",
        "310000",
        "300000",
        "8000",
        "10000",
        "8000",
        "6000",
    ],
}


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def _write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "评估数据"
    sheet.append(header)
    for row in rows:
        # Numbers as Excel numbers (as counties type them), words as text.
        cells: list[object] = []
        for cell in row:
            try:
                cells.append(int(cell))
            except ValueError:
                cells.append(cell)
        sheet.append(cells)
    book.save(path)


def main() -> None:
    """Write every example input."""
    head = ["县区", "指标", "实际值"]
    rows = {c: [[c, k, v] for k, v in items] for c, items in HUAIBEI.items()}
    _write_csv(HERE / "huaibei-2017-submission.csv", head, rows["濉溪县"] + rows["杜集区"])
    _write_xlsx(HERE / "huaibei-2017-submission.xlsx", head, rows["相山区"] + rows["烈山区"])
    cz = [[c, str(i), v] for c, vals in CHANGZHOU.items() for i, v in enumerate(vals[:14], 1)]
    cz += [[c, "实际录入人数", vals[14]] for c, vals in CHANGZHOU.items()]
    _write_csv(HERE / "changzhou-2016-submission.csv", head, cz)
    cz_self = [[c, str(i), v] for c, vals in CHANGZHOU_SELF.items() for i, v in enumerate(vals, 1)]
    _write_csv(HERE / "changzhou-2016-self.csv", ["县区", "指标", "自评分"], cz_self)
    mo = [[c, k, v] for c, vals in MOHRSS.items() for k, v in zip(MOHRSS_FIELDS, vals, strict=True)]
    _write_csv(HERE / "mohrss-2017-submission.csv", head, mo)
    _huaibei_self()


def _huaibei_self() -> None:
    """Self scores: the review scores with the changes above (written once, then fixed data)."""
    from canbao.score import load_rules, score_evaluation

    loaded = load_rules(HERE.parent.parent / "rules" / "huaibei-2017.yaml")
    subs = [HERE / "huaibei-2017-submission.csv", HERE / "huaibei-2017-submission.xlsx"]
    ev = score_evaluation(loaded, subs)
    rows = []
    for county in ev.counties:
        for number, hit in county.hits.items():
            own = HUAIBEI_SELF_CHANGES[county.county].get(number, str(hit.score))
            rows.append([county.county, number, own])
    _write_csv(HERE / "huaibei-2017-self.csv", ["县区", "指标", "自评分"], rows)


if __name__ == "__main__":
    main()
