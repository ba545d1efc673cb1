"""Who entered and who left each set between two snapshots, and why: Polars plans over the register.

A **list** is one of the match's sets (:class:`PersonState`, read from the snapshots) or the
visit list (:class:`ChangeList`: the needs-survey persons less those a valid form confirmed on or
after the day their needs-survey state began, and on or before the date). A person entered a list
when they are on it at the later date and were not at the earlier one; they left it the other way
round. A change of detail within a list (a new reason beside an old one) is not an entry.

The reason is read from the two dates' states, the person's birth date (their ID) and the survey
results, the first rule that applies (docs/database.md lists them in this order):

- entering ``excluded`` or leaving any list for it: died, moved out or cancelled (its detail);
- a person on no list at the earlier date entered (new in the rosters); on none at the later
  date left (no longer in the rosters);
- a conflict or a duplicate entered is new, one left is resolved or cleaned;
- uninsured or a legal group's gap left: newly insured;
- the visit list left while still needing a survey: confirmed by survey;
- becoming uninsured with a 16th birthday in between: turned 16; otherwise: coverage lapsed;
- a conflict begun: new conflict; needs survey or confirmed reached by losing the uninsured
  state: newly insured, by losing the conflict: conflict resolved;
- anything else: other (e.g. a missing address filled in).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from canbao.match.prepare import PENSION_AGE, age_reached
from canbao.match.vocabulary import (
    ChangeDirection,
    ChangeList,
    ChangeReason,
    ExclusionReason,
    PersonState,
)

LISTS: tuple[str, ...] = (*PersonState.codes(), *ChangeList.codes())
CHANGE_COLUMNS = ("county", "township", "village", "person_key", "list", "direction", "reason")
_STATES = PersonState.codes()


def visit_list(states: pl.DataFrame, survey: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The needs-survey persons on ``as_of`` less those a form confirmed since their state began."""
    needs = states.filter(pl.col("state") == PersonState.NEEDS_SURVEY.value)
    confirmed = survey.filter(pl.col("confirmed") & (pl.col("visited") <= as_of)).select(
        "person_key", "visited"
    )
    done = (
        needs.select("person_key", "began")
        .join(confirmed, on="person_key", how="inner")
        .filter(pl.col("visited") >= pl.col("began"))
        .select("person_key")
    )
    return needs.join(done, on="person_key", how="anti").select(
        "person_key", pl.lit(ChangeList.VISIT_LIST.value).alias("list")
    )


def memberships(states: pl.DataFrame, survey: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """(person_key, list) once for every list a person is on at ``as_of``."""
    lists = states.select("person_key", pl.col("state").alias("list"))
    return pl.concat([lists, visit_list(states, survey, as_of)]).unique()


def facts(states: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """Per person: on which state (``<prefix>_<state>``), present at all, why excluded."""
    excluded = pl.col("state") == PersonState.EXCLUDED.value
    return states.group_by("person_key").agg(
        *((pl.col("state") == s).any().alias(f"{prefix}_{s}") for s in _STATES),
        pl.lit(True).alias(f"{prefix}_present"),
        pl.col("detail").filter(excluded).min().alias(f"{prefix}_why"),
    )


def _lit(member: ChangeReason) -> pl.Expr:
    return pl.lit(member.value)


def _excluded_reason(column: str) -> pl.Expr:
    """The change reason of an exclusion's detail (died, moved out, cancelled)."""
    pairs = {
        ExclusionReason.DIED.value: ChangeReason.DIED.value,
        ExclusionReason.MOVED_OUT.value: ChangeReason.MOVED_OUT.value,
        ExclusionReason.CANCELLED.value: ChangeReason.CANCELLED.value,
    }
    return pl.col(column).replace_strict(pairs, default=ChangeReason.OTHER.value)


def _flag(prefix: str, state: PersonState) -> pl.Expr:
    return pl.col(f"{prefix}_{state.value}").fill_null(False)


def _common() -> dict[str, pl.Expr]:
    """The conditions both directions test, as named expressions."""
    uninsured, conflict = PersonState.UNINSURED, PersonState.CONFLICT
    return {
        "lost_uninsured": _flag("f", uninsured) & ~_flag("t", uninsured),
        "gained_uninsured": _flag("t", uninsured) & ~_flag("f", uninsured),
        "lost_conflict": _flag("f", conflict) & ~_flag("t", conflict),
        "gained_conflict": _flag("t", conflict) & ~_flag("f", conflict),
    }


def _moved_in() -> pl.Expr:
    """In the household rosters (a place) at the later date, not at the earlier one."""
    return pl.col("b_county").is_null() & pl.col("a_county").is_not_null()


def _moved_away() -> pl.Expr:
    """In the household rosters at the earlier date, no longer at the later one."""
    return pl.col("b_county").is_not_null() & pl.col("a_county").is_null()


def entered_reason(turned: pl.Expr) -> pl.Expr:
    """Why a person entered ``list`` (see the module's rules)."""
    c, is_list = _common(), pl.col("list")
    return (
        pl.when(is_list == PersonState.EXCLUDED.value)
        .then(_excluded_reason("t_why"))
        .when(~pl.col("f_present").fill_null(False) | _moved_in())
        .then(_lit(ChangeReason.NEW_PERSON))
        .when(is_list == PersonState.CONFLICT.value)
        .then(_lit(ChangeReason.NEW_CONFLICT))
        .when(is_list == PersonState.DUPLICATE.value)
        .then(_lit(ChangeReason.NEW_DUPLICATE))
        .when((is_list == PersonState.CONFIRMED.value) & c["lost_uninsured"])
        .then(_lit(ChangeReason.NEWLY_INSURED))
        .when((is_list == PersonState.CONFIRMED.value) & c["lost_conflict"])
        .then(_lit(ChangeReason.CONFLICT_RESOLVED))
        .when(c["gained_uninsured"] & turned)
        .then(_lit(ChangeReason.TURNED_16))
        .when(c["gained_uninsured"] | (is_list == PersonState.LEGAL_GAP.value))
        .then(_lit(ChangeReason.COVERAGE_LAPSED))
        .when(c["gained_conflict"])
        .then(_lit(ChangeReason.NEW_CONFLICT))
        .otherwise(_lit(ChangeReason.OTHER))
    )


def left_reason(turned: pl.Expr) -> pl.Expr:
    """Why a person left ``list`` (see the module's rules)."""
    c, is_list = _common(), pl.col("list")
    gone = _flag("t", PersonState.EXCLUDED) & (is_list != PersonState.EXCLUDED.value)
    still_needs = _flag("t", PersonState.NEEDS_SURVEY)
    return (
        pl.when(gone)
        .then(_excluded_reason("t_why"))
        .when(~pl.col("t_present").fill_null(False) | _moved_away())
        .then(_lit(ChangeReason.LEFT_ROSTERS))
        .when(is_list == PersonState.EXCLUDED.value)
        .then(_lit(ChangeReason.OTHER))
        .when(is_list == PersonState.CONFLICT.value)
        .then(_lit(ChangeReason.CONFLICT_RESOLVED))
        .when(is_list == PersonState.DUPLICATE.value)
        .then(_lit(ChangeReason.DUPLICATE_CLEANED))
        .when(is_list.is_in([PersonState.UNINSURED.value, PersonState.LEGAL_GAP.value]))
        .then(_lit(ChangeReason.NEWLY_INSURED))
        .when((is_list == ChangeList.VISIT_LIST.value) & still_needs)
        .then(_lit(ChangeReason.CONFIRMED_BY_SURVEY))
        .when(c["gained_uninsured"] & turned)
        .then(_lit(ChangeReason.TURNED_16))
        .when(c["gained_uninsured"])
        .then(_lit(ChangeReason.COVERAGE_LAPSED))
        .when(c["gained_conflict"])
        .then(_lit(ChangeReason.NEW_CONFLICT))
        .when(c["lost_uninsured"])
        .then(_lit(ChangeReason.NEWLY_INSURED))
        .when(c["lost_conflict"])
        .then(_lit(ChangeReason.CONFLICT_RESOLVED))
        .otherwise(_lit(ChangeReason.OTHER))
    )


def turned_16(start: date, end: date) -> pl.Expr:
    """Whether the person (an 18-character ID as key) reached 16 after ``start``, by ``end``."""
    key = pl.col("person_key")
    birth = (
        pl.when(key.str.len_chars() == 18)
        .then(key.str.slice(6, 8))
        .otherwise(None)
        .str.strptime(pl.Date, "%Y%m%d", strict=False)
    )
    return (
        age_reached(birth, end, PENSION_AGE) & ~age_reached(birth, start, PENSION_AGE)
    ).fill_null(False)


def with_places(changes: pl.DataFrame, before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """Each change with the person's places at both dates (``b_…`` before, ``a_…`` after)."""
    place = ["county", "township", "village"]
    later = after.rename({c: f"a_{c}" for c in place})
    earlier = before.rename({c: f"b_{c}" for c in place})
    return changes.join(later, on="person_key", how="left").join(
        earlier, on="person_key", how="left"
    )


def placed(joined: pl.DataFrame) -> pl.DataFrame:
    """Each change in the person's place: the later date's, else the earlier's, else the county
    of the ID's first six digits (a person of the enrolment rosters only)."""
    place = ["county", "township", "village"]
    known = pl.col("a_county").is_not_null()
    return joined.with_columns(
        pl.when(known)
        .then(pl.col("a_county"))
        .otherwise(pl.coalesce(pl.col("b_county"), pl.col("person_key").str.slice(0, 6)))
        .alias("county"),
        *(
            pl.when(known).then(pl.col(f"a_{c}")).otherwise(pl.col(f"b_{c}").fill_null("")).alias(c)
            for c in place[1:]
        ),
    )


def change_rows(
    before: pl.DataFrame,
    after: pl.DataFrame,
    survey: pl.DataFrame,
    places: tuple[pl.DataFrame, pl.DataFrame],
    dates: tuple[date, date],
) -> pl.DataFrame:
    """Every change (:data:`CHANGE_COLUMNS`) between the states ``before`` and ``after`` on the
    two ``dates``; ``survey`` holds the visits (person_key, visited, confirmed), ``places`` each
    person's place (person_key, county, township, village) on the two dates."""
    start, end = dates
    was, now = memberships(before, survey, start), memberships(after, survey, end)
    entered = now.join(was, on=["person_key", "list"], how="anti").with_columns(
        pl.lit(ChangeDirection.ENTERED.value).alias("direction")
    )
    left = was.join(now, on=["person_key", "list"], how="anti").with_columns(
        pl.lit(ChangeDirection.LEFT.value).alias("direction")
    )
    moved = pl.concat([entered, left])
    moved = moved.join(facts(before, "f"), on="person_key", how="left")
    moved = moved.join(facts(after, "t"), on="person_key", how="left")
    moved = with_places(moved, *places)
    turned = turned_16(start, end)
    reason = (
        pl.when(pl.col("direction") == ChangeDirection.ENTERED.value)
        .then(entered_reason(turned))
        .otherwise(left_reason(turned))
    )
    return placed(moved.with_columns(reason.alias("reason"))).select(CHANGE_COLUMNS)
