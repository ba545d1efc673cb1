"""The match's vocabulary: every class, reason and kind it writes, with its code and Chinese label.

Each kind is a :class:`~enum.StrEnum` member, so the member *is* its code (the value written in
the 原因代码 / 类别代码 columns and the keys of summary.json) and carries its label (the 原因 /
类别 column) and, where the national basic data tables (人社厅发〔2017〕28号 附件2) count the same
kind under a heading of their own, that heading too: one place for all three. docs/match.md
("The match's vocabulary") lists them; the rules behind them are stated there too.

This module imports nothing but the standard library, so that any part of canbao (and the
DuckDB yardstick of ``make bench``, through a checked copy) can read it cheaply.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class _Labelled(StrEnum):
    """A code with its Chinese label and, where the national tables count it, their heading."""

    _value_: str
    label: str
    heading: str | None

    def __new__(cls, code: str, label: str, heading: str | None = None) -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        member.heading = heading
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Code -> label for every member, in declaration order (plain strings, for Polars)."""
        return {member.value: member.label for member in cls}

    @classmethod
    def of(cls, code: str) -> Self:
        """The member whose code is ``code`` (ValueError for any other text)."""
        for member in cls:
            if member.value == code:
                return member
        raise ValueError(f"{code!r} is not a code of {cls.__name__}")

    @classmethod
    def codes(cls) -> list[str]:
        """Every code, in declaration order (plain strings, for Polars and SQL)."""
        return [member.value for member in cls]


class LinkClass(_Labelled):
    """What an enrolment record is to the household roster.

    Outside the roster, by the ID's own region code, not the record's region (docs/match.md
    "The area: not_in_household against non_local"); 非本地户籍参保 is 人社厅发〔2017〕28号's word.
    """

    LINKED = "linked", "有户籍信息"
    NOT_IN_HOUSEHOLD = "not_in_household", "本地身份号码但无户籍信息"
    NON_LOCAL = "non_local", "非本地户籍参保"
    INVALID = "invalid", "身份证号码无效"


class Reason(_Labelled):
    """Why a target person needs a household survey (淮人社秘〔2017〕166号: 信息错误、信息缺失或
    参保状态不明); the person tables hold each as the flag column :attr:`column`."""

    UNINSURED = "uninsured", "应参未参"
    CONFLICT = "conflict", "信息错误"
    INVALID_ID = "invalid_id", "身份证号码无效"
    INFO_MISSING = "info_missing", "信息缺失"

    @property
    def column(self) -> str:
        """The targets' boolean column for this reason (``r_uninsured`` …)."""
        return self.column_of(self.value)

    @staticmethod
    def column_of(code: str) -> str:
        """The targets' boolean column for the reason ``code``."""
        return f"r_{code}"


class UninsuredFlag(_Labelled):
    """Why a target person counts as uninsured (应参未参); each is a boolean column of the targets.

    ``heading``: the column of the national basic data tables that counts the persons.
    """

    MISSING_PENSION = "missing_pension", "应参未参养老保险", "养老保险应参未参人数"
    MISSING_MEDICAL = "missing_medical", "应参未参医疗保险", "医疗保险应参未参人数"
    INTERRUPTED = "interrupted", "缴费中断", "缴费中断人数"
    NO_INSURANCE = "no_insurance", "未参加任何保险"


class DuplicateKind(_Labelled):
    """A duplicate enrolment (重复参保, 人社厅发〔2017〕28号 基础数据情况表(一) columns 8-22).

    ``heading``: the national table's column after the insurance type (养老保险 / 医疗保险).
    """

    CROSS_SCHEME = "cross_scheme", "跨制度重复参保", "跨制度重复参保人数"
    CROSS_REGION = "cross_region", "制度内跨地区重复参保", "制度内跨地区重复参保人数"
    CROSS_SCHEME_BENEFIT = "cross_scheme_benefit", "跨制度重复享受待遇", "跨制度重复享受待遇人数"
    CROSS_REGION_BENEFIT = (
        "cross_region_benefit",
        "制度内跨地区重复享受待遇",
        "制度内跨地区重复享受待遇人数",
    )

    @property
    def benefit(self) -> bool:
        """Counted over records receiving a benefit (享受待遇) only, not every active record."""
        return self in (DuplicateKind.CROSS_SCHEME_BENEFIT, DuplicateKind.CROSS_REGION_BENEFIT)

    @classmethod
    def pair(cls, *, benefit: bool) -> tuple[DuplicateKind, DuplicateKind]:
        """The cross-scheme and cross-region kinds over active or over receiving records."""
        if benefit:
            return cls.CROSS_SCHEME_BENEFIT, cls.CROSS_REGION_BENEFIT
        return cls.CROSS_SCHEME, cls.CROSS_REGION


class ConflictKind(_Labelled):
    """A row of the conflicts table (信息错误), in the table's order.

    The mismatches, deceased_enrolled and repeated_record are also boolean columns of the
    prepared and linked frames, named by the member itself (``pl.col(ConflictKind.SEX_MISMATCH)``).
    """

    INVALID_ID = "invalid_id", "身份证号码无效"
    NAME_MISMATCH = "name_mismatch", "姓名与户籍不符"
    SEX_MISMATCH = "sex_mismatch", "性别与身份证号码不符"
    BIRTH_MISMATCH = "birth_mismatch", "出生日期与身份证号码不符"
    DECEASED_ENROLLED = "deceased_enrolled", "死亡(注销)人员仍在参保"
    REPEATED_RECORD = "repeated_record", "重复记录"
    NOT_IN_HOUSEHOLD = "not_in_household", "本地身份号码但无户籍信息"


class PersonState(_Labelled):
    """A state of a person as the registration database records it per snapshot (canbao.db).

    Each is one result set of the match; a person may hold several at once (needs a survey and
    is uninsured). ``match --db`` stores a row (person, state, detail) per set the person is in;
    the detail is what the set needs to be read: the reason codes of a needs-survey person, the
    flags of an uninsured one (both joined by ``;``), why excluded (:class:`ExclusionReason`),
    the duplicate kind and insurance type (``cross_scheme:1``), the conflict kind, the legal
    group's missing insurance (:class:`LegalGap`). A new set of
    the match is one more member here and one more producer in ``canbao.match.snapshot``; the
    database's tables do not change.
    """

    CONFIRMED = "confirmed", "直接确认登记"
    NEEDS_SURVEY = "needs_survey", "需入户调查"
    UNINSURED = "uninsured", "应参未参"
    EXCLUDED = "excluded", "排除"
    DUPLICATE = "duplicate", "重复参保"
    CONFLICT = "conflict", "信息错误"
    LEGAL_GAP = "legal_gap", "法定群体未参保"


class ExclusionReason(_Labelled):
    """Why a household row is not a target person: its 人员状态 (the label is the status)."""

    DIED = "died", "死亡"
    MOVED_OUT = "moved_out", "迁出"
    CANCELLED = "cancelled", "注销"


class LegalKind(_Labelled):
    """An insurance a legal group (法定群体) must have: the gaps of docs/match.md, "Legal groups".

    The code is the name of the roster kind that lists its records (``--injury``, the same as
    :class:`canbao.roster.kinds.RosterKind`'s member), the label the insurance's Chinese name.
    """

    INJURY = "injury", "工伤保险"
    UNEMPLOYMENT = "unemployment", "失业保险"
    MATERNITY = "maternity", "生育保险"

    @property
    def itype(self) -> str:
        """The insurance type: the first digit of its scheme code (30, 40, 50)."""
        return _LEGAL_ITYPES[self.value]

    @property
    def gap(self) -> LegalGap:
        """The gap of a member without an active record of this insurance."""
        return LegalGap.of(f"missing_{self.value}")


class LegalGap(_Labelled):
    """A legal-group gap (法定群体未参保): a member has no active record of one insurance.

    The code is the 类别代码 of ``legal_group_gaps`` and the count's key in summary.json;
    ``heading``: the per-county column of the task table and table (一).
    """

    MISSING_INJURY = "missing_injury", "应参未参工伤保险", "工伤保险应参未参人数"
    MISSING_UNEMPLOYMENT = "missing_unemployment", "应参未参失业保险", "失业保险应参未参人数"
    MISSING_MATERNITY = "missing_maternity", "应参未参生育保险", "生育保险应参未参人数"

    @property
    def kind(self) -> LegalKind:
        """The insurance the gap is missing."""
        return LegalKind.of(self.value.removeprefix("missing_"))

    @property
    def column(self) -> str:
        """The per-county column, its ``heading`` (工伤保险应参未参人数): every gap has one."""
        return f"{self.kind.label}应参未参人数"


_LEGAL_ITYPES = {"injury": "3", "unemployment": "4", "maternity": "5"}


class ChangeList(_Labelled):
    """A list ``canbao changes`` follows beyond the match's sets (:class:`PersonState`).

    The visit list (下一轮入户名单) is the needs-survey persons less those a valid form confirmed
    since their reasons last changed (docs/database.md): a person confirmed by survey leaves it
    while still needing a survey by the rosters.
    """

    VISIT_LIST = "visit_list", "下一轮入户名单"


class ChangeDirection(_Labelled):
    """Whether a person entered or left a set between two snapshots (``canbao changes``)."""

    ENTERED = "entered", "新增"
    LEFT = "left", "减少"


class ChangeReason(_Labelled):
    """Why a person entered or left a set between two snapshots (``canbao changes``).

    Read from the two snapshots' states, the person's birth date (their ID) and the survey
    results in between; docs/database.md gives the order in which they are tried.
    """

    TURNED_16 = "turned_16", "年满16周岁"
    DIED = "died", "死亡"
    MOVED_OUT = "moved_out", "迁出"
    CANCELLED = "cancelled", "户籍注销"
    NEWLY_INSURED = "newly_insured", "新参保"
    COVERAGE_LAPSED = "coverage_lapsed", "参保中断或未续保"
    NEW_CONFLICT = "new_conflict", "新发现信息错误"
    CONFLICT_RESOLVED = "conflict_resolved", "信息错误已更正"
    NEW_DUPLICATE = "new_duplicate", "新发现重复参保"
    DUPLICATE_CLEANED = "duplicate_cleaned", "重复参保已清理"
    CONFIRMED_BY_SURVEY = "confirmed_by_survey", "入户调查已核实"
    NEW_PERSON = "new_person", "新列入名册"
    LEFT_ROSTERS = "left_rosters", "不再列入名册"
    OTHER = "other", "其他变化"
