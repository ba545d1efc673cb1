"""Roster files as different systems export them: headers, codes, encodings and formats vary.

All headers stay within the aliases canbao recognises out of the box (see docs/design.md), so
the example city needs no column map.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import polars as pl

from canbao.codes import ENROLMENT_STATUS_LABELS, SCHEMES

# A second wording of statuses and labels, as another agency's system writes them.
_OTHER_STATUS = {
    "paying": "正常参保",
    "receiving": "享受待遇",
    "suspended": "中断缴费",
    "terminated": "终止参保",
}
_OTHER_SCHEME = {"22": "城乡居民基本医疗保险", "23": "新农合"}


@dataclass(frozen=True)
class RosterFile:
    """One written roster: its key, file name, canbao roster kind, format and encoding."""

    key: str
    name: str
    kind: str
    format: str
    encoding: str


def roster_files(*, messy: bool, xlsx: bool) -> dict[str, RosterFile]:
    """Decide the files of a city: GBK and xlsx only when ``messy``."""
    gbk = "gb18030" if messy else "utf-8"
    bom = "utf-8-sig" if messy else "utf-8"
    res_fmt = "xlsx" if messy and xlsx else "csv"
    files = [
        RosterFile("household", "household.csv", "household", "csv", bom),
        RosterFile("floating", "floating.csv", "floating", "csv", "utf-8"),
        RosterFile("pension_employee", "pension_employee.csv", "pension", "csv", gbk),
        RosterFile("pension_resident", f"pension_resident.{res_fmt}", "pension", res_fmt, "utf-8"),
        RosterFile("medical_employee", "medical_employee.csv", "medical", "csv", bom),
        RosterFile("medical_resident", "medical_resident.csv", "medical", "csv", gbk),
    ]
    return {f.key: f for f in files}


def _labels(mapping: dict[str, str]) -> pl.Expr:
    return pl.col("enrol_status").replace_strict(mapping, return_dtype=pl.String)


def _scheme_label(*, other: bool) -> pl.Expr:
    labels = dict(SCHEMES)
    if other:
        labels.update(_OTHER_SCHEME)
    return pl.col("scheme").replace_strict(labels, return_dtype=pl.String)


def person_columns(key: str) -> list[pl.Expr]:
    """Columns of the household or floating roster, in file order."""
    id_header = "公民身份号码" if key == "household" else "身份证号码"
    cols = [
        pl.col("id_written").alias(id_header),
        pl.col("name").alias("姓名"),
        pl.col("sex").alias("性别"),
        pl.col("birth").dt.strftime("%Y-%m-%d").alias("出生日期"),
        pl.col("county").alias("县区"),
        pl.col("township").alias("乡镇(街道)"),
        pl.col("village").alias("村(社区)"),
        pl.col("address").alias("常住地址"),
        pl.col("hukou_type").alias("户口性质"),
        pl.col("status").alias("人员状态" if key == "household" else "状态"),
        pl.col("person_number").alias("人员编号"),
    ]
    if key == "household":
        cols.append(pl.col("identity").alias("个人身份"))
    cols.append(pl.col("hukou_place").alias("户口所在地"))
    return cols


def enrolment_columns(key: str, *, messy: bool) -> list[pl.Expr]:
    """Columns of one enrolment roster, in file order, with that system's codes and labels."""
    status = _labels(ENROLMENT_STATUS_LABELS)
    if key == "pension_employee":
        return [
            pl.col("id_written").alias("公民身份号码"),
            pl.col("name_written").alias("姓名"),
            pl.col("sex_written").alias("性别"),
            pl.col("birth_written")
            .dt.strftime("%Y%m%d" if messy else "%Y-%m-%d")
            .alias("出生日期"),
            pl.col("scheme").alias("险种"),
            pl.col("region").alias("参保地"),
            status.alias("参保状态"),
            pl.col("employer").alias("单位编号"),
        ]
    if key == "pension_resident":
        return [
            pl.col("id_written").alias("身份证号码"),
            pl.col("name_written").alias("姓名"),
            _scheme_label(other=False).alias("险种类型"),
            pl.col("region").alias("统筹区"),
            (_labels(_OTHER_STATUS) if messy else status).alias("人员状态"),
        ]
    if key == "medical_employee":
        sex = pl.col("sex_written")
        coded = pl.when(sex == "男").then(pl.lit("1")).otherwise(pl.lit("2"))
        return [
            pl.col("id_written").alias("证件号码"),
            pl.col("name_written").alias("姓名"),
            (coded if messy else sex).alias("性别"),
            pl.col("scheme").alias("参保险种"),
            pl.col("region").alias("行政区划代码"),
            status.alias("参保状态"),
            pl.col("employer").alias("单位编号"),
        ]
    return [
        pl.col("id_written").alias("身份证号"),
        pl.col("name_written").alias("户籍姓名"),
        _scheme_label(other=messy).alias("险种"),
        pl.col("region").alias("参保地"),
        status.alias("状态"),
    ]


class Sink:
    """Append blocks of rows to a city's files; the header (and BOM) goes with the first block.

    xlsx files are only written for small cities: their blocks are kept and written at close.
    """

    def __init__(self, directory: Path, specs: dict[str, RosterFile]) -> None:
        self.directory = directory
        self.specs = specs
        self._handles: dict[str, BinaryIO] = {}
        self._xlsx: dict[str, list[pl.DataFrame]] = {}

    def append(self, key: str, frame: pl.DataFrame) -> None:
        """Write one block of rows to the file ``key``."""
        spec = self.specs[key]
        if spec.format == "xlsx":
            self._xlsx.setdefault(key, []).append(frame)
            return
        first = key not in self._handles
        if first:
            self._handles[key] = (self.directory / spec.name).open("wb")
        handle = self._handles[key]
        if spec.encoding == "gb18030":
            buffer = io.BytesIO()
            frame.write_csv(buffer, include_header=first)
            handle.write(buffer.getvalue().decode("utf-8").encode("gb18030"))
        else:
            bom = first and spec.encoding == "utf-8-sig"
            frame.write_csv(handle, include_header=first, include_bom=bom)

    def close(self) -> None:
        """Close every file and write the xlsx ones."""
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()
        for key, frames in self._xlsx.items():
            _write_xlsx(pl.concat(frames), self.directory / self.specs[key].name)
        self._xlsx.clear()


def _write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    # A fixed creation time keeps the file identical for a given seed.
    workbook.set_properties({"created": datetime(2017, 1, 1)})
    try:
        frame.write_excel(workbook, worksheet="Sheet1", autofit=False, header_format={"bold": True})
    finally:
        workbook.close()
