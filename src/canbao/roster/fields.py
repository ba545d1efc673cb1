"""Canonical roster fields, the fields of each roster kind, and the built-in header aliases.

Headers are compared after :func:`header_key`: trimmed, NFKC (full-width letters, digits and
brackets become ASCII), spaces, brackets and required-field stars removed, ASCII lowercased.
So ``县（区）``, ``县(区)`` and ``县 区`` are one header, and each alias is written once.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from canbao.roster.kinds import RosterKind

PERSON_FIELDS: Final = ("id", "name", "sex", "birth_date", "person_number", "status")
HOUSEHOLD_FIELDS: Final = (
    *PERSON_FIELDS[:4],
    "county",
    "township",
    "village",
    "address",
    "hukou_type",
    "hukou_place",
    "person_number",
    "identity",
    "status",
)
ENROLMENT_FIELDS: Final = (*PERSON_FIELDS, "scheme", "region", "employer_code")
UNIT_FIELDS: Final = ("uscc", "unit_number", "unit_name", "region", "unit_type")
INSURED_UNIT_FIELDS: Final = ("uscc", "unit_number", "unit_name", "region")
# A village's own ledger (台账: 居民医保, 低保, 人口普查 …) read by ``forms survey --ledger``.
LEDGER_FIELDS: Final = ("id", "name", "county", "township", "village", "ledger_source")

# Every kind of :class:`RosterKind` has its fields (a test checks); the keys are the kinds, which
# compare and hash as their names, so ``KIND_FIELDS["pension"]`` works too.
KIND_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    RosterKind.HOUSEHOLD: HOUSEHOLD_FIELDS,
    RosterKind.FLOATING: HOUSEHOLD_FIELDS,
    # Not a match input: read by ``forms survey --ledger`` only, so not a RosterKind.
    "ledger": LEDGER_FIELDS,
    RosterKind.PENSION: ENROLMENT_FIELDS,
    RosterKind.MEDICAL: ENROLMENT_FIELDS,
    RosterKind.INJURY: ENROLMENT_FIELDS,
    RosterKind.UNEMPLOYMENT: ENROLMENT_FIELDS,
    RosterKind.MATERNITY: ENROLMENT_FIELDS,
    RosterKind.UNITS: UNIT_FIELDS,
    RosterKind.INSURED_UNITS: INSURED_UNIT_FIELDS,
}
KINDS: Final = tuple(str(kind) for kind in KIND_FIELDS)
PERSON_KINDS: Final = frozenset(str(k) for k, fields in KIND_FIELDS.items() if "id" in fields)

# The Chinese heading of each field in outputs and reports (docs/design.md).
FIELD_LABELS: Final[dict[str, str]] = {
    "id": "公民身份号码",
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "county": "县区",
    "township": "乡镇(街道)",
    "village": "村(社区)",
    "address": "常住地址",
    "hukou_type": "户口性质",
    "hukou_place": "户口所在地",
    "person_number": "人员编号",
    "identity": "个人身份",
    "status": "人员状态",
    "ledger_source": "台账",
    "scheme": "险种",
    "region": "参保地",
    "employer_code": "单位编号",
    "uscc": "统一社会信用代码",
    "unit_number": "单位编号",
    "unit_name": "单位名称",
    "unit_type": "单位类型",
}

# Headers seen in police, agency and market-registry exports. One header may serve two fields
# (单位编号 is the employer of an enrolment record but the unit itself in a unit roster): the
# fields of one kind never share an alias, so lookups are made per kind.
ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "id": (
        "公民身份号码",
        "身份证号码",
        "身份证号",
        "证件号码",
        "公民身份证号码",
        "公民身份证号",
        "身份证",
        "证件号",
        "社会保障号码",
        "社会保障号",
        "社保号码",
        "身份证件号码",
        "居民身份证号码",
        "idcard",
        "id_card",
    ),
    "name": ("姓名", "户籍姓名", "人员姓名", "参保人姓名", "参保人", "户籍人口姓名"),
    "sex": ("性别", "性别代码"),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "出生时间"),
    "county": (
        "县区",
        "区县",
        "所属县区",
        "县区代码",
        "县市区",
        "所属区县",
        "县区名称",
        "区县名称",
        "县市区代码",
    ),
    "township": (
        "乡镇",
        "街道",
        "乡镇街道",
        "街道乡镇",
        "所属乡镇",
        "所属乡镇街道",
        "所属街道乡镇",
        "乡镇街道办",
        "所属街道",
        "镇街",
        "乡镇名称",
        "街道名称",
        "乡镇街道名称",
    ),
    "village": (
        "村",
        "社区",
        "村社区",
        "社区村",
        "村居",
        "村居委会",
        "居村委会",
        "所属村社区",
        "所属社区村",
        "所属社区",
        "所属村",
        "居委会",
        "村委会",
        "村居委会名称",
        "村社区名称",
    ),
    "address": (
        "地址",
        "住址",
        "常住地址",
        "常住所在地地址",
        "居住地址",
        "现住址",
        "家庭住址",
        "联系地址",
        "详细地址",
        "户籍详址",
        "住址详址",
        "门楼牌地址",
        "实际居住地址",
    ),
    "hukou_type": ("户口性质", "户籍地类别", "户籍性质", "户口类别", "户口类型"),
    "hukou_place": ("户口所在地", "户籍地", "户籍所在地", "户籍地址"),
    "person_number": ("人员编号", "个人编号", "个人编码", "人员编码", "个人电脑号"),
    "identity": ("个人身份", "人员身份", "身份"),
    "status": (
        "参保状态",
        "人员状态",
        "状态",
        "户籍状态",
        "户口状态",
        "人员参保状态",
        "缴费状态",
        "参保缴费状态",
        "状态名称",
    ),
    "ledger_source": ("台账", "台账名称", "台账类型", "台账来源", "信息来源", "数据来源", "来源"),
    "scheme": ("险种", "险种类型", "参保险种", "险种代码", "险种名称", "险种编码", "险种类别"),
    "region": (
        "参保地",
        "统筹区",
        "行政区划代码",
        "参保地行政区划",
        "参保地行政区划代码",
        "统筹区编码",
        "统筹区代码",
        "参保地区划",
        "行政区划",
        "所在地区划",
    ),
    "employer_code": (
        "单位编号",
        "单位统一社会信用代码",
        "统一社会信用代码",
        "单位代码",
        "参保单位编号",
    ),
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "单位统一社会信用代码", "uscc"),
    "unit_number": ("单位编号", "单位代码", "参保单位编号"),
    "unit_name": ("单位名称", "参保单位名称", "企业名称", "单位全称", "名称"),
    "unit_type": ("单位类型", "单位性质", "企业类型", "单位类别"),
}

_DROP = re.compile(r"[\s()\[\]{}<>*:：、·\-_/]|【|】|〔|〕|《|》|﹙|﹚|﹝|﹞")


def header_key(header: str) -> str:
    """Return the comparison key of a header (NFKC, no spaces, brackets or stars, lowercase)."""
    text = unicodedata.normalize("NFKC", header).strip().lstrip("\ufeff")
    return _DROP.sub("", text).lower()


def alias_index(kind: str) -> dict[str, str]:
    """Map each alias key of the fields of ``kind`` (field names included) to its field."""
    index: dict[str, str] = {}
    for field in KIND_FIELDS[kind]:
        index[header_key(field)] = field
        for alias in ALIASES[field]:
            index.setdefault(header_key(alias), field)
    return index
