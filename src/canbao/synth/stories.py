"""The stories planted in a synthetic city: one per person, each with known consequences.

A story variant says who the person is (age range, household status, roster), which enrolment
records they get, and what the match must find. The expected sets are computed from these
declarations, never by matching the written rosters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from canbao.synth.idgen import DAMAGE_KINDS

ACTIVE = "active"
SUSPENDED = "suspended"
TERMINATED = "terminated"
NONE = "none"
DEAD = "死亡|注销"  # either status, drawn per person


@dataclass(frozen=True)
class Rec:
    """One enrolment record of a story: P pension or M medical."""

    type: str
    scheme: str = "own"  # "own": the person's usual scheme; else a code
    region: str = "home"  # home county, "other" area county, "outside" / "outside2" the area
    status: str = "own"  # own (paying, receiving from 60), paying, receiving, suspended, terminated
    plant: str | None = None  # name_homophone/name_onechar/name_other, sex, birth, invalid, repeat


@dataclass(frozen=True)
class Variant:
    """One variant of a story; ``pension``/``medical`` are the states the match must see."""

    records: tuple[Rec, ...]
    pension: str = ACTIVE  # only for persons aged 16 or more: children get no pension record
    medical: str = ACTIVE
    ages: tuple[int, int] = (0, 100)
    status: str = "正常"
    dups: tuple[tuple[str, str], ...] = ()  # (养老/医疗, kind)
    reasons: tuple[str, ...] = ()  # beyond uninsured: conflict, invalid_id, info_missing
    birth: str = "random"  # random, sixteen_today, sixteen_tomorrow
    damage: str | None = None  # household ID damage kind
    blank: str | None = None  # household field left empty


P, M = Rec("P"), Rec("M")
ADULT, WORKING, OLD = (16, 100), (16, 59), (60, 95)
PM = "养老"
MED = "医疗"


def _v(*records: Rec, **kw: object) -> Variant:
    return Variant(tuple(records), **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Story:
    """A named story with its variants (assigned round-robin inside the story)."""

    name: str
    group: str  # household, floating or extra (enrolment records only)
    variants: tuple[Variant, ...] = field(default_factory=tuple)


def _household() -> list[Story]:
    s = "household"
    return [
        Story("full", s, (_v(P, M),)),
        Story("missing_pension", s, (_v(M, pension=NONE, ages=(16, 90)),)),
        Story("missing_medical", s, (_v(P, medical=NONE, ages=ADULT),)),
        Story("no_insurance", s, (_v(pension=NONE, medical=NONE),)),
        Story(
            "interrupted",
            s,
            (
                _v(Rec("P", status="suspended"), M, pension=SUSPENDED, ages=WORKING),
                _v(P, Rec("M", status="suspended"), medical=SUSPENDED, ages=ADULT),
                _v(Rec("P", status="suspended"), pension=SUSPENDED, medical=NONE, ages=WORKING),
            ),
        ),
        Story(
            "terminated_only",
            s,
            (
                _v(Rec("P", status="terminated"), M, pension=TERMINATED, ages=WORKING),
                _v(Rec("M", status="terminated"), pension=NONE, medical=TERMINATED),
            ),
        ),
        Story(
            "cross_scheme",
            s,
            (
                _v(
                    Rec("P", "11", status="paying"),
                    Rec("P", "12", status="paying"),
                    M,
                    ages=WORKING,
                    dups=((PM, "cross_scheme"),),
                ),
                _v(
                    P,
                    Rec("M", "21", status="paying"),
                    Rec("M", "22", status="paying"),
                    ages=WORKING,
                    dups=((MED, "cross_scheme"),),
                ),
                _v(
                    P,
                    Rec("M", "22", status="paying"),
                    Rec("M", "23", status="paying"),
                    dups=((MED, "cross_scheme"),),
                ),
            ),
        ),
        Story(
            "cross_region",
            s,
            (
                _v(
                    Rec("P", "12", status="paying"),
                    Rec("P", "12", "other", "paying"),
                    M,
                    ages=WORKING,
                    dups=((PM, "cross_region"),),
                ),
                _v(
                    P,
                    Rec("M", "22", status="paying"),
                    Rec("M", "22", "outside", "paying"),
                    dups=((MED, "cross_region"),),
                ),
            ),
        ),
        Story(
            "cross_scheme_benefit",
            s,
            (
                _v(
                    Rec("P", "11", status="receiving"),
                    Rec("P", "12", status="receiving"),
                    M,
                    ages=OLD,
                    dups=((PM, "cross_scheme"), (PM, "cross_scheme_benefit")),
                ),
            ),
        ),
        Story(
            "cross_region_benefit",
            s,
            (
                _v(
                    Rec("P", "11", status="receiving"),
                    Rec("P", "11", "other", "receiving"),
                    M,
                    ages=OLD,
                    dups=((PM, "cross_region"), (PM, "cross_region_benefit")),
                ),
            ),
        ),
        Story(
            "deceased_receiving",
            s,
            (
                _v(
                    Rec("P", status="receiving"),
                    Rec("M", status="terminated"),
                    ages=OLD,
                    medical=TERMINATED,
                    status=DEAD,
                ),
            ),
        ),
        Story(
            "deceased_paying",
            s,
            (
                _v(
                    Rec("P", status="terminated"),
                    Rec("M", status="paying"),
                    ages=WORKING,
                    pension=TERMINATED,
                    status=DEAD,
                ),
            ),
        ),
        Story("deceased_none", s, (_v(pension=NONE, medical=NONE, status=DEAD),)),
        Story("moved_out_records", s, (_v(P, M, ages=(16, 80), status="迁出"),)),
        Story("moved_out_none", s, (_v(pension=NONE, medical=NONE, status="迁出"),)),
        Story(
            "name_mismatch",
            s,
            tuple(
                _v(P, Rec("M", plant=f"name_{k}"), reasons=("conflict",))
                for k in ("homophone", "onechar", "other")
            ),
        ),
        Story(
            "sex_mismatch",
            s,
            (
                _v(
                    Rec("P", "11", status="paying", plant="sex"),
                    Rec("M", "21", status="paying"),
                    ages=(18, 59),
                    reasons=("conflict",),
                ),
                _v(
                    Rec("P", "11", status="paying"),
                    Rec("M", "21", status="paying", plant="sex"),
                    ages=(18, 59),
                    reasons=("conflict",),
                ),
            ),
        ),
        Story(
            "birth_mismatch",
            s,
            (
                _v(
                    Rec("P", "11", status="paying", plant="birth"),
                    M,
                    ages=(18, 59),
                    reasons=("conflict",),
                ),
            ),
        ),
        Story(
            "enrol_invalid_id",
            s,
            tuple(
                _v(Rec("P", plant=f"invalid:{k}"), M, pension=NONE, ages=WORKING)
                for k in DAMAGE_KINDS
            ),
        ),
        Story(
            "household_invalid_id",
            s,
            tuple(
                _v(pension=NONE, medical=NONE, damage=k, reasons=("invalid_id",))
                for k in ("typo", "transposition", "wrong_check")
            ),
        ),
        Story(
            "repeated_record",
            s,
            (_v(Rec("P", plant="repeat"), M, ages=ADULT), _v(P, Rec("M", plant="repeat"))),
        ),
        Story(
            "info_missing",
            s,
            tuple(_v(P, M, blank=b, reasons=("info_missing",)) for b in ("address", "village")),
        ),
        Story(
            "turns16",
            s,
            (
                _v(M, pension=NONE, ages=(16, 16), birth="sixteen_today"),
                _v(P, M, ages=(16, 16), birth="sixteen_today"),
                _v(M, pension=NONE, ages=(15, 15), birth="sixteen_tomorrow"),
            ),
        ),
    ]


def _floating() -> list[Story]:
    base = {s.name: s for s in _household()}
    names = ("full", "missing_pension", "missing_medical", "no_insurance")
    return [Story(f"floating_{n}", "floating", base[n].variants) for n in names]


def _extra() -> list[Story]:
    # docs/match.md ("The area") decides by the ID's own region code, not the record's region:
    # persons of the area the police roster misses (local IDs, insured here or elsewhere) are
    # not_in_household; migrant workers (outside IDs) insured in the city are non_local. Both
    # kinds are planted with records in the city, so a reading by the record's region
    # mixes them up in every golden file.
    e = "extra"
    nih = (
        _v(Rec("M", "22", status="paying"), pension=NONE, ages=(0, 90)),
        _v(Rec("M", "21", status="paying"), Rec("M", "22", status="paying"), ages=WORKING,
           pension=NONE, dups=((MED, "cross_scheme"),)),
        _v(Rec("P", "11", "outside", "paying"), medical=NONE, ages=WORKING),
    )  # fmt: skip
    non_local = (
        _v(Rec("P", "11", status="paying"), Rec("M", "21", status="paying"), ages=WORKING),
        _v(Rec("P", "11", status="paying"), medical=NONE, ages=WORKING),
        _v(Rec("P", "11", status="paying"), Rec("P", "12", status="paying"), medical=NONE,
           ages=WORKING, dups=((PM, "cross_scheme"),)),
        _v(Rec("P", "11", "outside", "paying"), Rec("P", "11", "outside2", "paying"),
           medical=NONE, ages=WORKING, dups=((PM, "cross_region"),)),
    )  # fmt: skip
    return [Story("not_in_household", e, nih), Story("non_local", e, non_local)]


STORIES: dict[str, Story] = {s.name: s for s in _household() + _floating() + _extra()}

# Default shares of the household persons; "full" takes what the others leave.
HOUSEHOLD_FRACTIONS: dict[str, float] = {
    "missing_pension": 0.035, "missing_medical": 0.02, "no_insurance": 0.025,
    "interrupted": 0.012, "terminated_only": 0.006, "cross_scheme": 0.01,
    "cross_region": 0.006, "cross_scheme_benefit": 0.003, "cross_region_benefit": 0.002,
    "deceased_receiving": 0.003, "deceased_paying": 0.002, "deceased_none": 0.006,
    "moved_out_records": 0.004, "moved_out_none": 0.004, "name_mismatch": 0.006,
    "sex_mismatch": 0.003, "birth_mismatch": 0.003, "enrol_invalid_id": 0.005,
    "household_invalid_id": 0.003, "repeated_record": 0.003, "info_missing": 0.006,
    "turns16": 0.001,
}  # fmt: skip
FLOATING_FRACTIONS: dict[str, float] = {
    "floating_missing_pension": 0.05, "floating_missing_medical": 0.04,
    "floating_no_insurance": 0.06,
}  # fmt: skip
# Sizes relative to the household persons.
GROUP_FRACTIONS: dict[str, float] = {
    "floating": 0.03, "not_in_household": 0.008, "non_local": 0.02,
}  # fmt: skip
