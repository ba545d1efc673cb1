"""A plain, slow, pure-Python reading of docs/match.md ("The result sets"), a test oracle only.

It is deliberately written row by row and without any canbao code, so that the vectorised
matcher is checked against an independent reading of the specification.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ACTIVE = {"参保缴费", "领取待遇"}


def check_char(first17: str) -> str:
    """Compute the GB 11643 check character of 17 digits."""
    r = (12 - sum(int(a) * w for a, w in zip(first17, WEIGHTS, strict=True)) % 11) % 11
    return "X" if r == 10 else str(r)


def valid_id(value: str | None, as_of: date) -> bool:
    """Tell whether an 18-character ID is valid (the test data only breaks check characters)."""
    if value is None or len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return born <= as_of and check_char(value[:17]) == value[17]


# GB/T 2260 facts the test data uses: Huaibei's 郊区 (340611) was retired in 1984 and counts
# by its city, 淮北市 (340600). Written out here so that the oracle reads no canbao code.
SUCCESSOR = {"340611": "340600"}


def id_inside_area(pid: str, area: list[str], explicit: bool) -> bool:
    """docs/match.md, "The area": the ID's region code lies inside the area.

    Inside when its city (first four digits) is the city of an area prefix; a prefix longer
    than a city given explicitly with --area is matched by the code (a retired code by its
    successor) instead.
    """
    code = pid[:6]
    for prefix in area:
        if explicit and len(prefix) > 4:
            if SUCCESSOR.get(code, code).startswith(prefix):
                return True
        elif code.startswith(prefix[:4]):
            return True
    return False


def age(born: date, as_of: date) -> int:
    """Age in full years on as_of."""
    return as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))


# The legal groups (docs/match.md, "Legal groups"): the three kinds, their insurance type (the
# scheme's first digit).
LEGAL_KINDS = {"injury": "3", "unemployment": "4", "maternity": "5"}
EMPLOYEE_SCHEMES = {"11", "21"}


def retirement_months(male: bool, born: date) -> int:
    """Statutory retirement age in months (the 2024 decision on the gradual rise, by birth month).

    Men 60, one month more for every four months of birth from January 1965, up to 63; women
    (workers) 50, one month more for every two months of birth from January 1975, up to 55.
    """
    month = born.year * 12 + born.month - 1
    if male:
        return 720 + min(36, max(0, (month - 1965 * 12) // 4 + 1))
    return 600 + min(60, max(0, (month - 1975 * 12) // 2 + 1))


def age_months(born: date, as_of: date) -> int:
    """Full months of age on as_of (the day of the month reached counts as reached)."""
    months = (as_of.year - born.year) * 12 + as_of.month - born.month
    return months - (born.day > as_of.day)


@dataclass
class Expected:
    """The sets docs/match.md ("The result sets") defines, keyed by plain values."""

    needs_survey: dict[str, set[str]] = field(default_factory=dict)
    uninsured: dict[str, set[str]] = field(default_factory=dict)
    duplicates: set[tuple[str, str, str]] = field(default_factory=set)
    conflicts: set[tuple[str, int, str]] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    # The roster each target person came from, as the person files' 名册 column says it.
    roster_of: dict[str, str] = field(default_factory=dict)
    # Legal-group gaps: (ID, missing_<kind>, employer code or None), and the members' IDs.
    legal_gaps: set[tuple[str, str, str | None]] = field(default_factory=set)
    legal_members: list[str] = field(default_factory=list)


def oracle(
    household: list[dict],
    records: list[dict],
    area: list[str] | None,
    as_of: date,
    legal_kinds: tuple[str, ...] = (),
) -> Expected:
    """Compute every result set from household rows and enrolment records (dicts of raw values).

    ``area`` is what --area gave, or None for the default: the counties of the household roster
    (floating persons included), which is not an explicit area. ``legal_kinds``: the kinds
    of injury, unemployment and maternity whose roster was given (the others are not judged).
    """
    explicit = area is not None
    if area is None:
        area = sorted({h["county"] for h in household})
    exp = Expected()
    status = {}
    names = {}
    for h in household:
        if valid_id(h["id"], as_of):
            st = h["status"] or "正常"
            prev = status.get(h["id"])
            status[h["id"]] = "正常" if "正常" in (st, prev) else st
            names.setdefault(h["id"], h["name"])

    by_person: dict[str, list[dict]] = defaultdict(list)
    counts = defaultdict(int)
    for r in records:
        counts["enrolment_rows"] += 1
        if not valid_id(r["id"], as_of):
            counts["invalid_ids"] += 1
            exp.conflicts.add((r["file"], r["line"], "invalid_id"))
            continue
        born = date(int(r["id"][6:10]), int(r["id"][10:12]), int(r["id"][12:14]))
        sex = "男" if int(r["id"][16]) % 2 else "女"
        if r.get("sex") and r["sex"] != sex:
            exp.conflicts.add((r["file"], r["line"], "sex_mismatch"))
        if r.get("birth") and r["birth"] != born:
            exp.conflicts.add((r["file"], r["line"], "birth_mismatch"))
        if r["id"] in status:
            counts["linked"] += 1
            by_person[r["id"]].append(r)
            if r["name"] and r["name"] != names[r["id"]]:
                exp.conflicts.add((r["file"], r["line"], "name_mismatch"))
            if status[r["id"]] in ("死亡", "注销") and r["status"] in ACTIVE:
                exp.conflicts.add((r["file"], r["line"], "deceased_enrolled"))
        elif id_inside_area(r["id"], area, explicit):
            counts["not_in_household"] += 1
            exp.conflicts.add((r["file"], r["line"], "not_in_household"))
        else:
            counts["non_local"] += 1

    seen: set[tuple] = set()
    for r in records:
        if not valid_id(r["id"], as_of):
            continue
        key = (r["roster"], r["id"], r["scheme"], r["region"], r["status"])
        if key in seen:
            exp.conflicts.add((r["file"], r["line"], "repeated_record"))
        seen.add(key)

    valid_records: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        if valid_id(r["id"], as_of) and r["status"] in ACTIVE and r["scheme"][0] in "12":
            valid_records[r["id"]].append(r)
    for pid, recs in valid_records.items():
        for itype in "12":
            for benefit in (False, True):
                sel = [
                    x
                    for x in recs
                    if x["scheme"][0] == itype and (not benefit or x["status"] == "领取待遇")
                ]
                suffix = "_benefit" if benefit else ""
                if len({x["scheme"] for x in sel}) >= 2:
                    exp.duplicates.add((pid, itype, "cross_scheme" + suffix))
                regions = defaultdict(set)
                for x in sel:
                    if x["region"] is not None:
                        regions[x["scheme"]].add(x["region"])
                if any(len(v) >= 2 for v in regions.values()):
                    exp.duplicates.add((pid, itype, "cross_region" + suffix))

    for h in household:
        ok = valid_id(h["id"], as_of)
        if ok:
            born = date(int(h["id"][6:10]), int(h["id"][10:12]), int(h["id"][12:14]))
            sex = "男" if int(h["id"][16]) % 2 else "女"
            if h.get("sex") and h["sex"] != sex:
                exp.conflicts.add((h["file"], h["line"], "sex_mismatch"))
        else:
            exp.conflicts.add((h["file"], h["line"], "invalid_id"))
        counts["household_rows"] += 1
        if (h["status"] or "正常") != "正常":
            counts["excluded"] += 1
            continue
        counts["target"] += 1
        reasons: set[str] = set()
        if not ok:
            reasons.add("invalid_id")
        else:
            recs = by_person.get(h["id"], [])
            active = [x for x in recs if x["status"] in ACTIVE]
            flags = set()
            needs_p = age(born, as_of) >= 16
            for itype, flag, required in (
                ("1", "missing_pension", needs_p),
                ("2", "missing_medical", True),
            ):
                if required and not any(x["scheme"][0] == itype for x in active):
                    flags.add(flag)
                    if any(x["scheme"][0] == itype and x["status"] == "暂停缴费" for x in recs):
                        flags.add("interrupted")
            if not active:
                flags.add("no_insurance")
            if flags & {"missing_pension", "missing_medical"}:
                exp.uninsured[h["id"]] = flags
                reasons.add("uninsured")
            bad = any(
                (x["name"] and x["name"] != names[h["id"]])
                or (x.get("sex") and x["sex"] != ("男" if int(h["id"][16]) % 2 else "女"))
                for x in recs
            ) or (h.get("sex") and h["sex"] != sex)
            if bad:
                reasons.add("conflict")
        if ok:
            _legal(exp, h["id"], born, by_person.get(h["id"], []), as_of, legal_kinds)
        if not h["address"] or not h["village"]:
            reasons.add("info_missing")
        if reasons:
            exp.needs_survey[h["id"]] = reasons
        exp.roster_of[h["id"]] = "流动" if h.get("roster") == "floating" else "户籍"
    counts["needs_survey"] = len(exp.needs_survey)
    counts["confirmed"] = counts["target"] - counts["needs_survey"]
    exp.counts = dict(counts)
    return exp


def _legal(
    exp: Expected, pid: str, born: date, recs: list[dict], as_of: date, kinds: tuple[str, ...]
) -> None:
    """A target row paying into an employee scheme below retirement age: its uncovered kinds."""
    paying = [x for x in recs if x["scheme"] in EMPLOYEE_SCHEMES and x["status"] == "参保缴费"]
    male = int(pid[16]) % 2 == 1
    if not paying or age_months(born, as_of) >= retirement_months(male, born):
        return
    exp.legal_members.append(pid)
    # The employer shown: of the records that name one, the lowest scheme, then the lowest code.
    named = sorted((x["scheme"], x["employer"]) for x in paying if x.get("employer"))
    employer = named[0][1] if named else None
    for kind in kinds:
        itype = LEGAL_KINDS[kind]
        if not any(x["scheme"][0] == itype and x["status"] in ACTIVE for x in recs):
            exp.legal_gaps.add((pid, f"missing_{kind}", employer))
