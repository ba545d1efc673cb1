"""Tests of roster reading: formats, encodings, separators, aliases and the mapping file."""

from __future__ import annotations

import codecs
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from canbao.errors import InputError
from canbao.roster import KIND_FIELDS, load_column_map, read_roster
from canbao.roster.fields import header_key
from canbao.roster.sniff import HEAD_BYTES

FORMATS = Path(__file__).resolve().parents[1] / "examples" / "formats"
SIX = [
    ("household_utf8.csv", "csv", "utf-8"),
    ("household_utf8_bom.csv", "csv", "utf-8-sig"),
    ("household_gbk.csv", "csv", "gb18030"),
    ("household_utf16.txt", "csv", "utf-16"),
    ("household.xlsx", "xlsx", None),
    ("household.xls", "xls", None),
]


def _read(path: Path, tmp_path: Path, kind: str = "household", **kw: object) -> pl.DataFrame:
    return read_roster(path, kind, workdir=tmp_path / "work", **kw).frame.collect()  # type: ignore[arg-type]


def test_six_formats_give_identical_frames(tmp_path: Path) -> None:
    """The same roster as UTF-8, BOM, GBK, UTF-16 text, xlsx and xls reads to identical frames."""
    frames = []
    for name, fmt, encoding in SIX:
        roster = read_roster(FORMATS / name, "household", workdir=tmp_path)
        assert (roster.info.format, roster.info.encoding) == (fmt, encoding)
        assert roster.unreadable.collect().height == 0
        frames.append(roster.frame.collect())
    for frame in frames[1:]:
        assert_frame_equal(frames[0].drop("_file"), frame.drop("_file"))
    first = frames[0]
    assert first.height == 30
    assert first.columns == [*KIND_FIELDS["household"], "_file", "_line"]
    assert first.schema["_line"] == pl.Int64
    assert first["_line"].to_list() == list(range(2, 32))
    assert first["id"][12] == "3.40621199E+17"
    assert first["id"][27] is None


def test_info_reports_mapping_and_hash(tmp_path: Path) -> None:
    """SourceInfo names which header became which field, the separator and the file's SHA-256."""
    info = read_roster(FORMATS / "household_utf16.txt", "household", workdir=tmp_path).info
    assert info.separator == "\t"
    assert info.mapping["county"] == "县(区)"
    assert info.mapping["township"] == "乡镇(街道)"
    assert info.unmapped == ()
    assert len(info.sha256) == 64


def test_gbk_transcode_goes_to_workdir(tmp_path: Path) -> None:
    """A GBK file is transcoded into the work directory, not next to the input."""
    read_roster(FORMATS / "household_gbk.csv", "household", workdir=tmp_path / "w")
    assert len(list((tmp_path / "w").iterdir())) == 1


def test_multibyte_char_cut_at_sample_end_is_still_utf8(tmp_path: Path) -> None:
    """A UTF-8 character split by the head sample's end does not make the file look GBK."""
    header = "公民身份号码,姓名,常住地址\n".encode()
    filler = "340621199001011234,张三,"
    body = bytearray(header)
    while len(body) < HEAD_BYTES + 10:
        body += (filler + "淮北" * 7 + "\n").encode()
    body = body[: HEAD_BYTES - 1] + "淮".encode() + body[HEAD_BYTES - 1 :]
    path = tmp_path / "cut.csv"
    path.write_bytes(bytes(body))
    assert read_roster(path, "household", workdir=tmp_path / "w").info.encoding == "utf-8"


def test_ascii_head_then_gbk_is_detected(tmp_path: Path) -> None:
    """A file whose first 64 KiB are ASCII is judged by its first non-ASCII bytes."""
    lines = ["id,name"] + ["340621199001011234,Zhang"] * 4000 + ["340621199001011234,张三"]
    path = tmp_path / "late.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    roster = read_roster(path, "household", workdir=tmp_path / "w")
    assert roster.info.encoding == "gb18030"
    assert roster.frame.collect()["name"][-1] == "张三"


@pytest.mark.parametrize(
    ("sep", "label"), [(",", "comma"), ("\t", "tab"), (";", "semi"), ("|", "pipe")]
)
def test_separator_is_sniffed(tmp_path: Path, sep: str, label: str) -> None:
    """Comma, tab, semicolon and pipe are recognised from the header line."""
    path = tmp_path / f"{label}.csv"
    path.write_text(sep.join(["身份证号", "姓名"]) + "\n" + sep.join(["1", "张三"]) + "\n", "utf-8")
    frame = _read(path, tmp_path)
    assert frame.select("id", "name").row(0) == ("1", "张三")


def test_quoted_fields_and_empty_values(tmp_path: Path) -> None:
    """Quoted separators and doubled quotes are kept; empty fields become null."""
    path = tmp_path / "q.csv"
    path.write_text('证件号码,姓名,地址\n1,"李,四","他说""好"""\n2,,\n', "utf-8")
    frame = _read(path, tmp_path)
    assert frame.select("name", "address").rows() == [("李,四", '他说"好"'), (None, None)]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("身份证号码", "id"), (" 公民身份证号码 ", "id"), ("户籍姓名", "name"),
        ("县（区）", "county"), ("乡镇（街道）", "township"), ("村居", "village"),
        ("常住所在地地址", "address"), ("户籍地类别", "hukou_type"), ("个人编号", "person_number"),
        ("户籍状态", "status"),
    ],
)  # fmt: skip
def test_household_aliases(tmp_path: Path, header: str, field: str) -> None:
    """Built-in aliases match after trimming, NFKC and bracket normalisation."""
    id_header = "身份证号" if field != "id" else header
    headers = [id_header] if field == "id" else [id_header, header]
    path = tmp_path / "a.csv"
    path.write_text(",".join(headers) + "\n" + ",".join(["x"] * len(headers)) + "\n", "utf-8")
    info = read_roster(path, "household", workdir=tmp_path).info
    assert info.mapping[field] == header.strip()


def test_enrolment_and_unit_aliases(tmp_path: Path) -> None:
    """单位编号 is the employer in an enrolment roster but the unit itself in a unit roster."""
    path = tmp_path / "e.csv"
    path.write_text("证件号码,参保险种,统筹区,参保状态,单位编号\n1,11,340621,1,D1\n", "utf-8")
    info = read_roster(path, "pension", workdir=tmp_path).info
    assert info.mapping == {
        "id": "证件号码", "status": "参保状态", "scheme": "参保险种", "region": "统筹区",
        "employer_code": "单位编号",
    }  # fmt: skip
    units = tmp_path / "u.csv"
    units.write_text("统一社会信用代码,单位编号,单位名称,单位类型\nX,D1,某公司,企业\n", "utf-8")
    assert read_roster(units, "units", workdir=tmp_path).info.mapping["unit_number"] == "单位编号"


def test_header_key_normalises() -> None:
    """Full-width brackets, spaces and stars do not matter when comparing headers."""
    assert header_key("＊县 （区）") == header_key("县区") == "县区"


def test_mapping_file_names_other_headers(tmp_path: Path) -> None:
    """A --columns map names headers the aliases do not know, globally and per file glob."""
    cmap = tmp_path / "map.yaml"
    cmap.write_text(
        "id: [身份证号(新), 证号]\nname: 户主姓名\n"
        "files:\n  'pension*.csv':\n    scheme: 险种编码\n",
        "utf-8",
    )
    columns = load_column_map(cmap)
    path = tmp_path / "pension_2017.csv"
    path.write_text("证号,户主姓名,险种编码,险种\n1,张三,11,城镇职工\n", "utf-8")
    roster = read_roster(path, "pension", columns=columns, workdir=tmp_path)
    assert roster.info.mapping["scheme"] == "险种编码"
    assert roster.info.unmapped == ("险种",)
    assert roster.frame.collect().select("id", "name", "scheme").row(0) == ("1", "张三", "11")


@pytest.mark.parametrize(
    ("text", "needle"),
    [("idd: 证号\n", "未知字段 'idd'"), ("id: [1, {a: b}]\n", "应为一个表头"),
     ("- id\n", "最外层"), ("id: a\nid: b\n", "不是有效的 YAML")],
)  # fmt: skip
def test_bad_mapping_file(tmp_path: Path, text: str, needle: str) -> None:
    """A wrong mapping file is an InputError that says what is wrong."""
    cmap = tmp_path / "bad.yaml"
    cmap.write_text(text, "utf-8")
    with pytest.raises(InputError, match=needle):
        load_column_map(cmap)


def test_workbook_title_rows_and_numeric_id(tmp_path: Path) -> None:
    """Title rows are skipped, rows keep Excel numbers, and a numeric ID stays damaged."""
    import xlsxwriter

    path = tmp_path / "t.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_string(0, 0, "濉溪县户籍人口名册")
    sheet.write_row(2, 0, ["公民身份号码", "姓名"])
    sheet.write_number(3, 0, 340621199001011234)
    sheet.write_string(3, 1, "张三")
    book.close()
    roster = read_roster(path, "household", workdir=tmp_path)
    frame = roster.frame.collect()
    assert roster.info.header_line == 3
    assert frame["_line"].to_list() == [4]
    assert frame["id"][0] != "340621199001011234"


def test_parquet_cast_to_string(tmp_path: Path) -> None:
    """Parquet columns are cast to strings and numbered from 1."""
    path = tmp_path / "p.parquet"
    pl.DataFrame({"身份证号": ["1", "2"], "出生日期": [19900101, 19910101]}).write_parquet(path)
    frame = _read(path, tmp_path)
    assert frame.select("birth_date", "_line").rows() == [("19900101", 1), ("19910101", 2)]


def test_utf16_without_bom_is_binary(tmp_path: Path) -> None:
    """UTF-16 text without a BOM holds NUL bytes and is refused as binary."""
    path = tmp_path / "x.txt"
    path.write_bytes("身份证号\t姓名\n".encode("utf-16-le"))
    with pytest.raises(InputError, match="二进制"):
        read_roster(path, "household", workdir=tmp_path)


def test_bom_constant_is_stripped(tmp_path: Path) -> None:
    """The BOM never sticks to the first header."""
    path = tmp_path / "b.csv"
    path.write_bytes(codecs.BOM_UTF8 + "身份证号,姓名\n1,张三\n".encode())
    assert read_roster(path, "household", workdir=tmp_path).info.headers[0] == "身份证号"
