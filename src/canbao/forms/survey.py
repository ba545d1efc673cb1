"""``canbao forms survey``: the survey roster, registration forms and entry sheet per group."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

import polars as pl
from openpyxl import Workbook

from canbao import regions
from canbao.atomic import atomic_directory
from canbao.cells import neutralise_frame, text_only_workbook
from canbao.forms.entry_sheet import write_entry_workbook
from canbao.forms.ledgers import LedgerFiles, LedgerOutcome, apply_ledgers
from canbao.forms.registration_form import write_forms_sheet, write_instructions
from canbao.forms.survey_db import LeftOut, record_ledger, without_confirmed
from canbao.forms.survey_roster import (
    GROUP_COLUMNS,
    place_label,
    read_needs_survey,
    safe_name,
    split_groups,
    write_roster,
)
from canbao.forms.unit_survey import (
    UNIT_ENTRY_FILE,
    UnitGroup,
    read_units_needing_survey,
    write_unit_forms,
)
from canbao.seal import new_password, write_archive

ROSTER_FILE: Final = "入户调查对象名册.xlsx"
FORMS_FILE: Final = "全民参保登记表.xlsx"
ENTRY_FILE: Final = "信息录入表.xlsx"
INDEX_FILE: Final = "index.csv"
SUMMARY_FILE: Final = "forms.json"
SEALED_DIR: Final = "sealed"
# Registration forms per workbook: a larger group's forms go into volumes of this many persons
# in the roster's order (全民参保登记表-第1册.xlsx, -第2册, ...). openpyxl holds a workbook in
# memory until it is saved, about 60 MB per 1,000 forms, so one workbook for a county of
# 100,000 persons to survey wanted 6 GB; a volume wants about 120 MB, and 2,000 one-page forms
# is what one print job or binder holds (docs/forms.md, "How long it takes").
FORMS_PER_FILE: Final = 2_000


@dataclass(frozen=True)
class SurveyGroup:
    """One county, township or village: its key, size and directory (relative to the output)."""

    key: tuple[str, ...]
    persons: int
    directory: str


@dataclass(frozen=True)
class SurveyFormsResult:
    """What ``write_survey_forms`` wrote."""

    output: Path
    by: str
    persons: int
    groups: list[SurveyGroup] = field(default_factory=list)
    # With --seal: each sealed archive (relative to the output) and its one-time password,
    # kept only in memory to be shown once (repr=False: never in a log or a traceback).
    sealed: dict[str, str] = field(default_factory=dict, repr=False)
    ledger: LedgerOutcome | None = None  # with --ledger: who was confirmed without a visit
    units: list[UnitGroup] = field(default_factory=list)  # the unit survey, per county
    left_out: LeftOut | None = None  # with --db: persons a form or a ledger already confirmed
    ledger_recorded: int | None = None  # with --db and --ledger: confirmations newly recorded

    @property
    def confirmed_by_survey(self) -> int | None:
        """With --db: the persons left out because a valid form confirmed them."""
        return None if self.left_out is None else self.left_out.by_survey

    def entry_sheets(self) -> list[Path]:
        """Return the entry workbook of every group."""
        return [self.output / g.directory / ENTRY_FILE for g in self.groups]

    def unit_entry_sheets(self) -> list[Path]:
        """Return the unit entry workbook of every county (none when the match had no units)."""
        return [self.output / g.directory / UNIT_ENTRY_FILE for g in self.units]


def write_forms_workbook(group: pl.DataFrame, path: Path) -> list[int]:
    """Write the registration forms of a group (forms sheet + instructions); return block tops."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    tops = write_forms_sheet(ws, group)
    write_instructions(wb.create_sheet("填写说明"))
    text_only_workbook(wb).save(path)
    return tops


def forms_files(persons: int, per_file: int = FORMS_PER_FILE) -> list[str]:
    """The registration-forms workbooks of a group of ``persons``: :data:`FORMS_FILE`, or
    volumes of ``per_file`` persons each, numbered from 1 (one workbook when none are needed).

    The numbers have as many digits as the last (第01册 ... 第12册), so that every listing sorts
    the volumes in order, not only Windows Explorer's (第10册 before 第2册 in ``ls``).
    """
    volumes = -(-persons // per_file)
    if volumes <= 1:
        return [FORMS_FILE]
    stem, suffix = FORMS_FILE.rsplit(".", 1)
    digits = len(str(volumes))
    return [f"{stem}-第{n:0{digits}d}册.{suffix}" for n in range(1, volumes + 1)]


def distinct_folder(rel: Path, used: set[Path]) -> Path:
    """``rel``, or ``rel_2``, ``rel_3``…: two places whose safe names agree get two folders."""
    candidate, n = rel, 1
    while candidate in used:
        n += 1
        candidate = rel.with_name(f"{rel.name}_{n}")
    used.add(candidate)
    return candidate


def write_survey_forms(
    match_dir: Path,
    output: Path,
    *,
    by: str = "village",
    seal: bool = False,
    ledgers: LedgerFiles | None = None,
    db: str | Path | None = None,
    as_of: date | None = None,
    forms_per_file: int = FORMS_PER_FILE,
) -> SurveyFormsResult:
    """Write, for each group of a match's needs_survey, the roster, forms and entry sheet.

    A group of more than ``forms_per_file`` persons gets its registration forms in volumes of
    that many (:func:`forms_files`), so that no workbook held in memory grows with the group.

    With ``seal`` each group's files are also packed into ``sealed/<group>.zip`` (AES-256),
    each with its own password: a village opens its own forms and no one else's.
    With ``ledgers`` the persons they confirm (forms/ledgers.py) get no forms. With ``db`` the
    visit list also leaves out those a form confirmed since their reasons last changed
    (forms/survey_db.py), and the persons ``ledgers`` confirm are recorded there, dated
    ``as_of`` (default today), once the forms are written; the match's needs_survey stays as
    it is.
    """
    if forms_per_file < 1:  # a library caller's mistake (the command line refuses it itself)
        raise ValueError(f"forms_per_file must be at least 1, not {forms_per_file}")
    frame = read_needs_survey(match_dir)
    units = read_units_needing_survey(match_dir)
    ledger = None
    if ledgers is not None:
        rows, unreadable = ledgers.read()
        ledger = apply_ledgers(frame, rows, unreadable=unreadable)
    frame = ledger.to_visit if ledger is not None else frame
    left_out = None
    if db is not None:
        frame, left_out = without_confirmed(frame, match_dir, db)
    groups = split_groups(frame, by)
    written: list[SurveyGroup] = []
    used: set[Path] = set()
    # Folders are named by the county's name (with its code only where two names repeat).
    county_dirs = regions.display_names(key[0] for key, _ in groups)
    inputs = [match_dir, *(ledgers.paths if ledgers is not None else ())]
    with atomic_directory(Path(output), command="forms survey", inputs=inputs) as staging:
        for key, part in groups:
            shown = (county_dirs[key[0]], *key[1:])
            rel = distinct_folder(Path(*(safe_name(k) for k in shown)), used)
            target = staging / rel
            target.mkdir(parents=True, exist_ok=True)
            place = place_label(key)
            write_roster(part, place, target / ROSTER_FILE)
            for n, name in enumerate(forms_files(part.height, forms_per_file)):
                volume = part.slice(n * forms_per_file, forms_per_file)
                write_forms_workbook(volume, target / name)
            write_entry_workbook(part, place, target / ENTRY_FILE)
            written.append(SurveyGroup(key, part.height, rel.as_posix()))
        unit_groups = write_unit_forms(units, staging) if units is not None else []
        names = list(GROUP_COLUMNS[by])
        index = pl.DataFrame(
            {
                **{n: [g.key[i] for g in written] for i, n in enumerate(names)},
                "县区名称": [regions.display_name(g.key[0]) for g in written],
                "人数": [g.persons for g in written],
                "目录": [g.directory for g in written],
            },
            schema={
                **dict.fromkeys(names, pl.String),
                "县区名称": pl.String,
                "人数": pl.Int64,
                "目录": pl.String,
            },
        )
        neutralise_frame(index).write_csv(staging / INDEX_FILE, include_bom=True)
        summary = {
            "by": by,
            "persons": frame.height,
            "groups": len(written),
            "files_per_group": [ROSTER_FILE, FORMS_FILE, ENTRY_FILE],
            # More persons than this in a group: its FORMS_FILE in volumes (forms_files).
            "forms_per_file": forms_per_file,
            "units": None if units is None else units.height,
        }
        if left_out is not None:
            summary["confirmed_by_survey"] = left_out.by_survey
            summary["confirmed_by_recorded_ledger"] = left_out.by_ledger
        if ledger is not None:
            ledger.write(staging)
            summary["ledger"] = ledger.summary()
        (staging / SUMMARY_FILE).write_text(
            json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        folders = [g.directory for g in written] + [g.directory for g in unit_groups]
        sealed = seal_groups(staging, folders) if seal else {}
    recorded = None
    if db is not None and ledger is not None:
        recorded = record_ledger(db, ledger.confirmed, as_of or date.today())
    return SurveyFormsResult(
        Path(output),
        by,
        frame.height,
        written,
        sealed,
        ledger=ledger,
        units=unit_groups,
        left_out=left_out,
        ledger_recorded=recorded,
    )


def seal_groups(staging: Path, directories: list[str]) -> dict[str, str]:
    """Seal each group's folder into ``sealed/<county-township-village>.zip``; their passwords."""
    (staging / SEALED_DIR).mkdir()
    passwords: dict[str, str] = {}
    for directory in directories:
        archive = f"{SEALED_DIR}/{directory.replace('/', '-')}.zip"
        password = new_password()
        folder = staging / directory
        write_archive(
            staging / archive,
            ((f, f.relative_to(folder).as_posix()) for f in sorted(folder.iterdir())),
            password,
        )
        passwords[archive] = password
    return passwords
