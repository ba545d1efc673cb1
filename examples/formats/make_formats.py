"""Regenerate the format examples: one household roster written in six file formats.

    uv run --locked python examples/formats/make_formats.py

The .xls file needs xlwt, which is not a canbao dependency: install it into a throwaway
environment (``python3 -m venv /tmp/xlwt && /tmp/xlwt/bin/pip install xlwt polars``) and run
this script with that interpreter; without xlwt the committed household.xls is left as it is.
All persons are fictitious; the IDs are built with correct check characters unless a row is
meant to be invalid.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADERS = [
    "公民身份号码", "姓名", "性别", "出生日期", "县(区)", "乡镇(街道)", "村(社区)",
    "常住地址", "户口性质", "人员状态", "人员编号",
]  # fmt: skip
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
COUNTIES = {"340621": "濉溪县", "340602": "杜集区", "340603": "相山区", "340604": "烈山区"}
PLACES = {
    "340621": [("濉溪镇", "蒙村村"), ("韩村镇", "韩村社区"), ("刘桥镇", "青谷村")],
    "340602": [("高岳街道", "高岳社区"), ("朔里镇", "朔里村")],
    "340603": [("相南街道", "相南社区"), ("渠沟镇", "钟楼村")],
    "340604": [("烈山镇", "榴园村"), ("宋疃镇", "宋疃村"), ("任楼街道", "任楼社区")],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "建国",
    "秀英",
    "志强",
    "桂兰",
    "海燕",
    "明",
    "丽娟",
    "德胜",
    "玉梅",
    "子涵",
    "浩然",
    "欣怡",
]


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of 17 digits."""
    value = (12 - sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11) % 11
    return "X" if value == 10 else str(value)


def rows() -> list[list[str]]:
    """Thirty household persons; rows 7, 13, 19, 24 and 28 carry deliberately bad IDs."""
    out = []
    counties = list(COUNTIES)
    for i in range(30):
        county = counties[i % 4]
        town, village = PLACES[county][i % len(PLACES[county])]
        year, month, day = 1938 + (i * 7) % 80, 1 + (i * 5) % 12, 1 + (i * 11) % 28
        seq = 100 + i * 13
        first17 = f"{county}{year:04d}{month:02d}{day:02d}{seq:03d}"
        pid = first17 + check_char(first17)
        sex = "男" if seq % 2 else "女"
        if i == 6:
            pid = first17 + ("0" if pid[-1] != "0" else "1")  # wrong check character
        elif i == 12:
            pid = "3.40621199E+17"  # mangled by a spreadsheet
        elif i == 18:
            pid = pid[:-1]  # 17 characters
        elif i == 23:
            pid = "99" + pid[2:]  # no such province
        elif i == 27:
            pid = ""  # missing
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 5) % len(GIVEN)]
        address = f"安徽省淮北市{COUNTIES[county]}{town}{village}{1 + i * 3}号"
        hukou = "农业" if county == "340621" else "非农业"
        status = "死亡" if i == 9 else ("迁出" if i == 21 else "正常")
        birth = f"{year:04d}-{month:02d}-{day:02d}"
        row = [
            pid,
            name,
            sex,
            birth,
            county,
            town,
            village,
            address,
            hukou,
            status,
            f"P{i + 1:05d}",
        ]
        out.append(row)
    return out


def write_text(path: Path, encoding: str, separator: str = ",") -> None:
    """Write the roster as delimited text (CRLF, as Excel and most Windows systems do)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=separator, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows())
    path.write_bytes(buf.getvalue().encode(encoding))


def write_xlsx(path: Path) -> None:
    """Write the roster as an xlsx workbook with every cell a text cell."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("户籍人口")
    for r, values in enumerate([HEADERS, *rows()]):
        for c, value in enumerate(values):
            if value:
                sheet.write_string(r, c, value)
    book.close()


def write_xls(path: Path) -> bool:
    """Write the roster as an old .xls workbook if xlwt is available."""
    try:
        import xlwt  # type: ignore[import-not-found]
    except ImportError:
        return False
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("户籍人口")
    for r, values in enumerate([HEADERS, *rows()]):
        for c, value in enumerate(values):
            if value:
                sheet.write(r, c, value)
    book.save(str(path))
    return True


def write_broken(folder: Path) -> None:
    """Broken inputs for the tests: ragged rows, a cut last line, a disguised workbook, no ID."""
    folder.mkdir(exist_ok=True)
    good = rows()
    lines = [",".join(HEADERS)] + [",".join(r) for r in good[:8]]
    lines[3] = ",".join(good[2][:9])  # line 4: two fields short
    lines[5] = ",".join([*good[4], "多余"])  # line 6: one field too many
    lines[7] = ""  # line 8: empty
    cut = ",".join(good[8])[:40]  # line 10: the export stopped mid-line
    (folder / "ragged.csv").write_bytes(("\n".join([*lines, cut])).encode("utf-8"))
    no_id = [",".join(h for h in HEADERS if h != "公民身份号码")]
    no_id += [",".join(r[1:]) for r in good[:3]]
    (folder / "no_id.csv").write_text("\n".join(no_id) + "\n", encoding="utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:  # the shape of an xlsx, enough for a content sniff
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    (folder / "workbook_renamed.csv").write_bytes(buf.getvalue())


def main() -> None:
    """Write every format next to this script."""
    write_text(HERE / "household_utf8.csv", "utf-8")
    write_text(HERE / "household_utf8_bom.csv", "utf-8-sig")
    write_text(HERE / "household_gbk.csv", "gbk")
    write_text(HERE / "household_utf16.txt", "utf-16", separator="\t")
    write_xlsx(HERE / "household.xlsx")
    if not write_xls(HERE / "household.xls"):
        print("xlwt not installed: household.xls left unchanged")
    write_broken(HERE / "broken")


if __name__ == "__main__":
    main()
