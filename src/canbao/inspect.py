"""``canbao inspect``: what a roster file is, how it maps, and how clean its IDs are.

One report per file: format and encoding, readable and unreadable rows, which header became
which field and which were left unmapped, citizen-ID validity by reason, and a few sample
problems (line numbers, reasons and masked IDs only: never a name or an unmasked ID).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from canbao.dates import read_date
from canbao.ids import ID_REASONS, citizen_id_exprs
from canbao.masking import mask_id_expr
from canbao.roster import ColumnMap, read_roster
from canbao.roster.excel import load_sheet
from canbao.roster.fields import KIND_FIELDS, PERSON_KINDS, alias_index, header_key
from canbao.roster.mapping import show_header
from canbao.roster.sniff import sniff
from canbao.roster.unreadable import REASONS
from canbao.workdir import work_folder

MAX_SAMPLES = 5

# File-name hints for the kind when it is guessed (checked in order, on the lowercased name).
_NAME_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("insured_units", ("参保单位", "insured_unit")),
    ("units", ("单位", "unit", "employer")),
    ("floating", ("流动", "floating")),
    ("household", ("户籍", "公安", "household", "hukou")),
    ("medical", ("医疗", "医保", "新农合", "medical")),
    ("injury", ("工伤", "injury")),
    ("unemployment", ("失业", "unemployment")),
    ("maternity", ("生育", "maternity")),
    ("pension", ("养老", "pension")),
)


@dataclass(frozen=True)
class Problem:
    """One sample problem: where, why, and the masked ID when it is an ID problem."""

    line: int
    reason: str
    label: str
    masked_id: str | None = None


@dataclass(frozen=True)
class FileReport:
    """Everything `canbao inspect` says about one file."""

    path: Path
    kind: str
    kind_guessed: bool
    format: str
    encoding: str | None
    separator: str | None
    sheet: str | None
    header_line: int
    rows: int
    unreadable: int
    unreadable_by_reason: dict[str, int]
    mapping: dict[str, str]
    unmapped: tuple[str, ...]
    missing_fields: tuple[str, ...]
    ids_valid: int | None  # None for unit rosters (no citizen IDs)
    ids_invalid_by_reason: dict[str, int]
    samples: tuple[Problem, ...] = field(default=())

    @property
    def ids_invalid(self) -> int:
        """Rows whose citizen ID is invalid (any reason)."""
        return sum(self.ids_invalid_by_reason.values())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (paths as strings, sample problems as dicts)."""
        data = asdict(self)
        data["path"] = str(self.path)
        data["unmapped"] = list(self.unmapped)
        data["missing_fields"] = list(self.missing_fields)
        data["samples"] = [asdict(p) for p in self.samples]
        data["ids_invalid"] = self.ids_invalid
        return data


def inspect_files(
    paths: Sequence[str | Path],
    *,
    columns: ColumnMap | None = None,
    as_of: str | date,
    kind: str | None = None,
) -> list[FileReport]:
    """Inspect each file; the first unusable one raises :class:`canbao.errors.InputError`.

    ``as_of`` is a date or its text (``"2017-06-30"``, ``"20170630"`` …, canbao.dates).
    """
    as_of = read_date(as_of)
    reports = []
    with work_folder("inspect") as work:
        for number, path in enumerate(paths):
            workdir = work / str(number)
            reports.append(_inspect_one(Path(path), columns, as_of, kind, workdir))
    return reports


def _inspect_one(
    path: Path, columns: ColumnMap | None, as_of: date, kind: str | None, workdir: Path
) -> FileReport:
    guessed = kind is None
    chosen = kind if kind is not None else guess_kind(path, columns)
    roster = read_roster(path, chosen, columns=columns, workdir=workdir)
    info = roster.info
    bad = roster.unreadable.select("line", "reason").collect()
    by_reason = _counts(bad.group_by("reason").len())
    samples = [Problem(int(ln), r, REASONS[r]) for ln, r in bad.head(MAX_SAMPLES).iter_rows()]
    ids_valid: int | None = None
    invalid: dict[str, int] = {}
    if chosen in PERSON_KINDS:
        exprs = citizen_id_exprs(pl.col("id"), as_of=as_of)
        checked = roster.frame.select("_line", "id").with_columns(exprs[1])
        counts = checked.group_by("id_reason").len().collect()
        rows = int(counts["len"].sum())
        ids_valid = int(counts.filter(pl.col("id_reason").is_null())["len"].sum())
        invalid = _counts(counts.filter(pl.col("id_reason").is_not_null()))
        worst = (
            checked.filter(pl.col("id_reason").is_not_null())
            .select("_line", "id_reason", mask_id_expr(pl.col("id").fill_null("")).alias("m"))
            .head(MAX_SAMPLES)
            .collect()
        )
        samples += [
            Problem(int(ln), r, ID_REASONS.get(r, r), m or None) for ln, r, m in worst.iter_rows()
        ]
    else:
        rows = int(roster.frame.select(pl.len()).collect().item())
    samples.sort(key=lambda p: p.line)
    fields = KIND_FIELDS[chosen]
    return FileReport(
        path=path,
        kind=chosen,
        kind_guessed=guessed,
        format=info.format,
        encoding=info.encoding,
        separator=info.separator,
        sheet=info.sheet,
        header_line=info.header_line,
        rows=rows,
        unreadable=bad.height,
        unreadable_by_reason=by_reason,
        mapping=info.mapping,
        # The report is printed: a header canbao does not know may be a person's data.
        unmapped=tuple(show_header(h) for h in info.unmapped),
        missing_fields=tuple(f for f in fields if f not in info.mapping),
        ids_valid=ids_valid,
        ids_invalid_by_reason=invalid,
        samples=tuple(samples[:MAX_SAMPLES]),
    )


def _counts(frame: pl.DataFrame) -> dict[str, int]:
    key = frame.columns[0]
    rows = frame.sort("len", key, descending=[True, False]).iter_rows()
    return {str(k): int(n) for k, n in rows}


def guess_kind(path: Path, columns: ColumnMap | None = None) -> str:
    """Guess a roster's kind from its headers (and its file name to tell similar kinds apart)."""
    headers = _peek_headers(path)
    named = set(columns.for_file(path.name)) if columns is not None else set()

    def fields_of(kind: str) -> set[str]:
        index = alias_index(kind)
        found = {index[k] for h in headers if (k := header_key(h)) in index}
        return found | (named & set(KIND_FIELDS[kind]))

    person, enrolment, units = fields_of("household"), fields_of("pension"), fields_of("units")
    hint = next((k for k, words in _NAME_HINTS if any(w in path.name.lower() for w in words)), None)
    if "id" not in person and "id" not in enrolment and units & {"uscc", "unit_name"}:
        return hint if hint in ("units", "insured_units") else "units"
    household_only = person - set(KIND_FIELDS["pension"])
    enrolment_only = enrolment - set(KIND_FIELDS["household"])
    if len(enrolment_only) > len(household_only):
        return (
            hint
            if hint in ("pension", "medical", "injury", "unemployment", "maternity")
            else ("pension")
        )
    return "floating" if hint == "floating" else "household"


def _peek_headers(path: Path) -> list[str]:
    sniffed = sniff(path)
    if sniffed.format == "csv":
        return list(sniffed.headers)
    if sniffed.format == "parquet":
        return list(pl.scan_parquet(path).collect_schema().names())
    data, _sheet = load_sheet(path)
    return [c for row in data.head(20).iter_rows() for c in row if c is not None]
