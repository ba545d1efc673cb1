"""``canbao decide``: manual decisions recorded in the register with who, when and why.

A conflict resolved by hand or a duplicate cleaned at the agency
(:class:`~canbao.match.vocabulary.DecisionKind`) is recorded for one person from the command
line, or for many from a CSV file with the columns of :data:`FILE_COLUMNS`. Every row is
checked before anything is recorded (a valid citizen ID, a known kind, a date, a decider and a
reason); the first bad row stops the run naming its line and column, the value masked. The same
decision recorded again adds nothing. Decisions count as corrections (rate 8, 错误信息更正率).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import polars as pl

from canbao.db import open_database, record_decisions, without_state
from canbao.errors import InputError, UsageError
from canbao.i18n import _, ngettext
from canbao.ids import citizen_id_struct
from canbao.masking import mask_id
from canbao.match.vocabulary import DecisionKind, PersonState
from canbao.register import existing_database

# The state a decision settles: a resolved conflict was in a conflict, a cleaned duplicate in a
# duplicate; a decision on a person the register never had there is recorded and counted aside.
DECIDES_ON: Final = {
    DecisionKind.CONFLICT_RESOLVED: PersonState.CONFLICT,
    DecisionKind.DUPLICATE_CLEANED: PersonState.DUPLICATE,
}

# The file's headings (Chinese as docs/database.md lists them; the English names work too).
FILE_COLUMNS: Final = {
    "公民身份号码": "person_key",
    "决定类型": "kind",
    "决定日期": "decided_on",
    "决定人": "decided_by",
    "理由": "reason",
}


def kind_spellings() -> dict[str, str]:
    """Every accepted spelling of a decision kind -> its code: the code, with hyphens, the label."""
    table: dict[str, str] = {}
    for kind in DecisionKind:
        for spelling in (kind.value, kind.value.replace("_", "-"), kind.label):
            table[spelling] = kind.value
    return table


def read_kind(text: str) -> str:
    """The code of a decision kind as typed on the command line (a usage error else)."""
    code = kind_spellings().get(text.strip())
    if code is None:
        choices = ", ".join(k.value.replace("_", "-") for k in DecisionKind)
        raise UsageError(
            _("unknown decision kind {kind!r}").format(kind=text),
            fix=_("use one of: {choices}").format(choices=choices),
        )
    return code


@dataclass(frozen=True)
class DecisionResult:
    """What ``decide`` did: the rows checked and how many were new."""

    rows: int
    recorded: int
    unmatched: int  # decisions on persons the register never had in that conflict or duplicate


def _checked(frame: pl.DataFrame, where: str, as_of: date) -> pl.DataFrame:
    """The decisions with their IDs normalised and kinds coded; the first bad row is an error."""
    ids = citizen_id_struct(pl.col("person_key"), as_of=as_of).alias("id")
    text = {name: pl.col(name).cast(pl.String).str.strip_chars() for name in FILE_COLUMNS.values()}
    checked = frame.with_row_index("_line", offset=2).with_columns(
        ids,
        text["kind"].replace_strict(kind_spellings(), default=None).alias("_kind"),
        text["decided_on"].str.to_date("%Y-%m-%d", strict=False).alias("_on"),
        text["decided_by"].alias("_by"),
        text["reason"].alias("_reason"),
    )
    problems = {
        "公民身份号码": pl.col("id").struct.field("id_reason").is_not_null(),
        "决定类型": pl.col("_kind").is_null(),
        "决定日期": pl.col("_on").is_null() | (pl.col("_on") > as_of),
        "决定人": pl.col("_by").fill_null("") == "",
        "理由": pl.col("_reason").fill_null("") == "",
    }
    for heading, bad in problems.items():
        wrong = checked.filter(bad)
        if wrong.height:
            row = wrong.row(0, named=True)
            value = row[FILE_COLUMNS[heading]]
            shown = mask_id(value) if heading == "公民身份号码" else (value or _("(empty)"))
            raise InputError(
                ngettext(
                    "{where}, line {line}: {heading}={value} is invalid ({n} row in all)",
                    "{where}, line {line}: {heading}={value} is invalid ({n} rows in all)",
                    wrong.height,
                ).format(
                    where=where, line=row["_line"], heading=heading, value=shown, n=wrong.height
                ),
                fix=_(
                    "each row needs a full valid citizen ID, the kind conflict-resolved or "
                    "duplicate-cleaned, a date YYYY-MM-DD not after today, a decider and a reason"
                ),
            )
    return checked.select(
        pl.col("id").struct.field("id_norm").alias("person_key"),
        pl.col("_kind").alias("kind"),
        pl.col("_on").alias("decided_on"),
        pl.col("_by").alias("decided_by"),
        pl.col("_reason").alias("reason"),
    )


def read_decision_file(path: Path) -> pl.DataFrame:
    """The rows of a decisions CSV (UTF-8, with or without BOM), headings as FILE_COLUMNS."""
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError(
            _("cannot read the decisions file {path}: {reason}").format(
                path=path, reason=type(exc).__name__
            ),
            fix=_("give a UTF-8 CSV file"),
        ) from None
    frame = frame.rename(lambda name: FILE_COLUMNS.get(name.strip().lstrip("\ufeff"), name))
    missing = [h for h, name in FILE_COLUMNS.items() if name not in frame.columns]
    if missing:
        raise InputError(
            _("the decisions file {path} lacks the columns {columns}").format(
                path=path, columns=", ".join(missing)
            ),
            fix=_("the headings are {headings}").format(headings=", ".join(FILE_COLUMNS)),
        )
    return frame.select(FILE_COLUMNS.values())


def record_manual_decisions(
    db: str | Path, decisions: pl.DataFrame, *, where: str | None = None
) -> DecisionResult:
    """Check ``decisions`` (the FILE_COLUMNS' English names, as text) and record them."""
    shown = _("the command line") if where is None else where
    checked = _checked(decisions, shown, date.today())
    states = {kind.value: state.value for kind, state in DECIDES_ON.items()}
    wanted = checked.select("person_key", pl.col("kind").replace_strict(states).alias("state"))
    with open_database(existing_database(db)) as database:
        added = record_decisions(database, checked)
        unmatched = without_state(database, wanted.unique())
    return DecisionResult(checked.height, added, unmatched.height)


def one_decision(
    raw_id: str, kind: str, decided_by: str, reason: str, on: date | None
) -> pl.DataFrame:
    """The one decision given on the command line, as the rows :func:`record_manual_decisions`
    checks (an unknown kind is a usage error at once)."""
    return pl.DataFrame(
        {
            "person_key": [raw_id],
            "kind": [read_kind(kind)],
            "decided_on": [(on or date.today()).isoformat()],
            "decided_by": [decided_by],
            "reason": [reason],
        },
        schema=dict.fromkeys(FILE_COLUMNS.values(), pl.String),
    )
