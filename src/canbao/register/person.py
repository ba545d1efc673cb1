"""``canbao person ID``: one person's states, visits, ledger confirmations and decisions.

The ID given in full is the key, normalised as the match normalises IDs (15 digits upgraded,
full-width folded, spaces dropped). What is shown is masked like everything canbao prints
(ID ``340621********123X``, the decider's name ``张*``); :func:`person_view` with
``field_view=True`` keeps them whole: what a field team's forms show, for the explicit
``--field-view`` option only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from canbao.db import PersonRecord, open_database, person_record
from canbao.errors import UsageError
from canbao.i18n import _
from canbao.ids import normalize_id_value, validate_id
from canbao.masking import mask_id, mask_name, mask_text
from canbao.match.vocabulary import (
    ConflictKind,
    DecisionKind,
    DuplicateKind,
    ExclusionReason,
    LegalGap,
    PersonState,
    Reason,
    UninsuredFlag,
)
from canbao.register import existing_database

# Every code a state's detail may hold, with its label (docs/database.md, "A person's states").
DETAIL_LABELS: dict[str, str] = {
    **Reason.labels(),
    **UninsuredFlag.labels(),
    **ExclusionReason.labels(),
    **DuplicateKind.labels(),
    **ConflictKind.labels(),
    **LegalGap.labels(),
}
INSURANCE_TYPES = {"1": "养老保险", "2": "医疗保险"}


def person_key(raw: str) -> str:
    """The register's key for an ID typed by a user: normalised as the match does; a value
    that is no citizen ID is a usage error (exit 2), quoted masked."""
    key = normalize_id_value(raw)
    if key is None or validate_id(key, date.today()) is not None:
        raise UsageError(
            _("{id} is not a valid citizen ID").format(id=mask_id(raw)),
            fix=_("give the full 18-digit (or 15-digit) citizen ID"),
        )
    return key


def detail_label(detail: str) -> str:
    """The labels of a state's detail codes (``uninsured;conflict`` -> 应参未参、信息错误)."""
    if not detail:
        return ""
    parts = []
    for code in detail.split(";"):
        kind, _sep, itype = code.partition(":")
        label = DETAIL_LABELS.get(kind, kind)
        parts.append(f"{label}（{INSURANCE_TYPES.get(itype, itype)}）" if itype else label)
    return "、".join(parts)


@dataclass(frozen=True)
class PersonView:
    """A person's record as shown: masked unless ``field_view``."""

    record: PersonRecord
    as_of: date | None
    field_view: bool

    @property
    def shown_id(self) -> str:
        """The ID as printed: whole in the field view, masked else."""
        key = self.record.person_key
        return key if self.field_view else mask_id(key)

    def _who(self, name: str) -> str:
        return name if self.field_view else mask_name(name)

    def _text(self, text: str) -> str:
        return text if self.field_view else mask_text(text)

    def current(self) -> pl.DataFrame:
        """The standing states on ``as_of`` (the latest snapshot's when None)."""
        states = self.record.states.filter(~pl.col("retired"))
        if self.as_of is None:
            return states.filter(pl.col("ended").is_null())
        held = (pl.col("began") <= self.as_of) & (
            pl.col("ended").is_null() | (pl.col("ended") > self.as_of)
        )
        return states.filter(held)

    def to_json(self) -> dict[str, Any]:
        """The record as JSON-ready data (dates as ISO text); one person's few rows."""

        def state(row: dict[str, Any]) -> dict[str, Any]:
            label = PersonState.labels().get(row["state"], "")
            return {**row, "label": label, "detail_label": detail_label(row["detail"])}

        def decision(row: dict[str, Any]) -> dict[str, Any]:
            return {
                **row,
                "label": DecisionKind.labels().get(row["kind"], ""),
                "decided_by": self._who(row["decided_by"]),
                "reason": self._text(row["reason"]),
            }

        return {
            "person": self.shown_id,
            "masked": not self.field_view,
            "known": self.record.known,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "current": [state(r) for r in _rows(self.current())],
            "history": [state(r) for r in _rows(self.record.states)],
            "places": _rows(self.record.places),
            "visits": _rows(self.record.visits),
            "ledger_confirmations": _rows(self.record.ledgers),
            "decisions": [decision(r) for r in _rows(self.record.decisions)],
        }

    def lines(self) -> list[str]:
        """The record as lines for the terminal."""
        out = [_("person {id}").format(id=self.shown_id)]
        if not self.record.known:
            return [*out, _("the register holds nothing on this person")]
        when = self.as_of.isoformat() if self.as_of else _("the latest snapshot")
        out.append(_("state on {date}:").format(date=when))
        since = _("  {area} {state}, since {date}")
        out += [
            since.format(area=r["area"], state=self._state(r), date=r["began"])
            for r in _rows(self.current())
        ]
        out.append(_("place:"))
        for r in _rows(self.record.places):
            end = r["ended"] or _("now")
            out.append(f"  {r['county']} {r['township']} {r['village']}（{r['began']} – {end}）")
        out.append(_("history, every dated state:"))
        for r in _rows(self.record.states):
            end = r["ended"] or _("now")
            replaced = _(" (replaced by a revision)") if r["retired"] else ""
            out.append(f"  {r['area']} {r['began']} – {end} {self._state(r)}{replaced}")
        out.append(_("survey visits:"))
        for r in _rows(self.record.visits):
            outcome = _("confirmed (已核实入库)") if r["confirmed"] else _("not confirmed")
            reason = (
                _(", reason not insured: {reason}").format(reason=r["reason"])
                if r["reason"]
                else ""
            )
            out.append(f"  {r['visited']} {outcome}{reason}")
        out.append(_("ledger confirmations:"))
        out += [f"  {r['confirmed_on']} {r['source']}" for r in _rows(self.record.ledgers)]
        out.append(_("manual decisions:"))
        decided = _("  {date} {label} ({kind}) by {who}: {reason}")
        for r in _rows(self.record.decisions):
            label = DecisionKind.labels().get(r["kind"], r["kind"])
            out.append(
                decided.format(
                    date=r["decided_on"],
                    label=label,
                    kind=r["kind"],
                    who=self._who(r["decided_by"]),
                    reason=self._text(r["reason"]),
                )
            )
        return out

    @staticmethod
    def _state(row: dict[str, Any]) -> str:
        label = PersonState.labels().get(row["state"], row["state"])
        detail = detail_label(row["detail"])
        return f"{label}（{row['state']}）" + (f"：{detail}" if detail else "")


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """A few rows as dicts, dates as ISO text."""
    return [
        {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}
        for row in frame.iter_rows(named=True)
    ]


def read_person(
    db: str | Path, raw_id: str, *, as_of: date | None = None, field_view: bool = False
) -> PersonView:
    """Open the register at ``db`` and read one person (the ID in full is the key)."""
    key = person_key(raw_id)
    with open_database(existing_database(db)) as database:
        record = person_record(database, key)
    return PersonView(record, as_of, field_view)
