"""The match's vocabulary: one place for every code, its label and its national heading.

The codes and labels are checked against the golden files the tool wrote (the official headings
a reader sees), the yardstick is checked to read them without loading the matcher, and the
sources are searched for a code written out anywhere but in the vocabulary.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import canbao
from canbao.match import run_match
from canbao.match.national_book import read_basic_tables
from canbao.match.prepare import DEFAULT_SCHEME_BY_KIND
from canbao.match.summary_model import LegalGroupsSummary, MatchSummary
from canbao.match.tables import TABLE1_COLUMNS, TABLE2_COLUMNS
from canbao.match.vocabulary import (
    ConflictKind,
    DecisionKind,
    DuplicateKind,
    LegalGap,
    LegalKind,
    LinkClass,
    Reason,
    UninsuredFlag,
)
from canbao.roster.kinds import RosterGroup, RosterKind

REPO = Path(__file__).resolve().parent.parent
SRC = Path(canbao.__file__).resolve().parent
CITY = Path("examples") / "city"
GOLDEN = REPO / CITY / "golden"
AnyKind = (
    type[LinkClass]
    | type[Reason]
    | type[UninsuredFlag]
    | type[DuplicateKind]
    | type[ConflictKind]
    | type[LegalGap]
    | type[LegalKind]
    | type[DecisionKind]
)
# The kinds whose codes no source file may spell out. LegalKind's codes are the roster kinds'
# names (canbao.roster.kinds), another vocabulary spelled the same: it is labelled, not searched.
KINDS: tuple[AnyKind, ...] = (
    LinkClass,
    Reason,
    UninsuredFlag,
    DuplicateKind,
    ConflictKind,
    LegalGap,
    DecisionKind,
)
LABELLED: tuple[AnyKind, ...] = (*KINDS, LegalKind)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("kind", LABELLED, ids=lambda k: k.__name__)
def test_every_member_has_a_chinese_label_and_a_unique_code(kind: AnyKind) -> None:
    """Each member's code is its value, written in snake case, and its label is Chinese."""
    codes = [m.value for m in kind]
    labels = [m.label for m in kind]
    assert len(set(codes)) == len(codes) and len(set(labels)) == len(labels)
    for member in kind:
        assert member == member.value and re.fullmatch(r"[a-z]+(_[a-z]+)*", member.value)
        assert CJK.search(member.label), member


def test_the_legal_kinds_are_enrolment_roster_kinds_with_their_gaps() -> None:
    """Each legal kind is an enrolment roster kind of its insurance type, with one gap and column.

    The summary's legal-group counts are the gaps' codes, one field each.
    """
    for kind in LegalKind:
        assert RosterKind(kind.value).group is RosterGroup.ENROLMENT
        assert DEFAULT_SCHEME_BY_KIND[kind.value][0] == kind.itype
        assert kind.gap.kind is kind and kind.gap.column == kind.gap.heading
        assert kind.gap.label == f"应参未参{kind.label}"
    assert [g.kind.gap for g in LegalGap] == list(LegalGap)
    fields = {f.name for f in dataclasses.fields(LegalGroupsSummary)}
    assert set(LegalGap.codes()) <= fields


def _pairs(path: Path, code: str, label: str) -> dict[str, str]:
    """Every (code, label) pair a golden file shows, the ;-joined lists split apart."""
    frame = pl.read_csv(path, infer_schema=False).select(code, label).unique().drop_nulls()
    pairs: dict[str, str] = {}
    for codes, labels in frame.iter_rows():
        pairs.update(zip(codes.split(";"), labels.split(";"), strict=True))
    return pairs


@pytest.mark.parametrize(
    ("kind", "file", "code", "label"),
    [
        (Reason, "needs_survey.csv", "原因代码", "原因"),
        (UninsuredFlag, "uninsured.csv", "类别代码", "类别"),
        (DuplicateKind, "duplicates.csv", "类别代码", "类别"),
        (ConflictKind, "conflicts.csv", "类别代码", "类别"),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else str(v),
)
def test_the_labels_are_the_ones_the_golden_files_show(
    kind: AnyKind, file: str, code: str, label: str
) -> None:
    """Every kind of the example city appears in its golden file with the vocabulary's label."""
    assert _pairs(GOLDEN / file, code, label) == {m.value: m.label for m in kind}


def test_the_national_headings_are_columns_of_the_basic_data_tables() -> None:
    """Each heading a kind carries is a column of table (一) or (二), as the golden xlsx has."""
    sheets = read_basic_tables(GOLDEN / "basic_data_tables.xlsx")
    written = {c for frame in sheets.values() for c in frame.columns}
    assert set(TABLE1_COLUMNS) | set(TABLE2_COLUMNS) <= written
    # 人社厅发〔2017〕28号 prints no column for medical duplicate benefits across regions.
    shown = {(t, k) for t in ("养老保险", "医疗保险") for k in DuplicateKind}
    shown -= {("医疗保险", DuplicateKind.CROSS_REGION_BENEFIT)}
    assert {f"{t}{k.heading}" for t, k in shown} <= set(TABLE1_COLUMNS)
    flags = {f.heading for f in UninsuredFlag if f.heading is not None}
    assert flags == {"养老保险应参未参人数", "医疗保险应参未参人数", "缴费中断人数"}
    assert flags <= written


def test_the_summary_is_typed_and_writes_summary_json_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run_match returns a MatchSummary whose to_json() is the golden summary.json, byte for byte.

    Run from the repository root with the rosters' relative paths, as the golden file was.
    """
    monkeypatch.chdir(REPO)
    manifest = json.loads((CITY / "manifest.json").read_text(encoding="utf-8"))
    files: dict[str, list[Path]] = {}
    for name, info in manifest["rosters"].items():
        files.setdefault(info["kind"], []).append(CITY / name)
    result = run_match(files, as_of=date.fromisoformat(manifest["as_of"]), output=tmp_path / "out")
    summary = result.summary
    assert isinstance(summary, MatchSummary)
    assert summary.duplicates[DuplicateKind.CROSS_SCHEME] > 0 and not summary.failed()
    golden = (GOLDEN / "summary.json").read_text(encoding="utf-8")
    assert summary.to_json() == golden
    assert (tmp_path / "out" / "summary.json").read_text(encoding="utf-8") == golden


# The yardstick's import of the vocabulary, in a fresh interpreter: the modules it loaded.
YARDSTICK_PROBE = """
import json, sys
import benchmarks.duckdb_match
print(json.dumps(sorted(sys.modules)))
"""


def test_the_yardstick_reads_the_vocabulary_without_loading_the_matcher() -> None:
    """benchmarks.duckdb_match loads the vocabulary module alone: no canbao.match in its process."""
    done = subprocess.run(
        [sys.executable, "-c", YARDSTICK_PROBE], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    modules = json.loads(done.stdout)
    assert not [m for m in modules if m == "canbao.match" or m.startswith("canbao.match.")]
    assert "_yardstick_match_vocabulary" in modules


def test_the_yardstick_labels_equal_the_vocabulary() -> None:
    """The DuckDB yardstick's label tables are the vocabulary's."""
    from benchmarks import duckdb_tables

    assert Reason.labels() == duckdb_tables.REASONS
    assert UninsuredFlag.labels() == duckdb_tables.UNINSURED_FLAGS
    assert DuplicateKind.labels() == duckdb_tables.DUPLICATE_LABELS
    assert ConflictKind.labels() == duckdb_tables.CONFLICT_LABELS


CODES = sorted({m.value for kind in KINDS for m in kind}, key=len, reverse=True)
# A code written as a string literal: in quotes of either kind, nothing else inside.
BARE = re.compile("[\"'](" + "|".join(CODES) + ")[\"']")

# Whole files or folders that speak another vocabulary which happens to share some codes.
OTHER_VOCABULARIES = {
    "src/canbao/synth": "the planted truth is an independent oracle of the matcher: it must not "
    "read the matcher's vocabulary, or the golden checks would compare the code with itself "
    "(synth/_entry_sheets.py, the demo's filled entry sheets, plants the intake's problem kinds)",
    "src/canbao/forms/intake_checks.py": "the intake's own problem kinds, with their own labels "
    "(公民身份号码无效 against the match's 身份证号码无效)",
}
# Single literals that are not a kind although they spell one, each with the reason.
ALLOWED = {
    ("src/canbao/match/present.py", "uninsured"): "the result file uninsured.csv (output contract)",
    ("src/canbao/match/county_lists.py", "uninsured"): "the result file uninsured.csv, listed",
    ("src/canbao/match/output_stages.py", "uninsured"): "the result file uninsured.csv, kept",
    ("src/canbao/match/output_stages.py", "non_local"): "the result file non_local.csv "
    "(output contract)",
    ("src/canbao/match/stages.py", "name_mismatch"): "a column of the staged linked frame",
    ("src/canbao/match/stages.py", "sex_mismatch"): "a column of the staged linked frame",
    ("src/canbao/match/stages.py", "birth_mismatch"): "a column of the staged linked frame",
    ("src/canbao/match/stages.py", "repeated_record"): "a column of the staged linked frame",
    ("src/canbao/match/stages.py", "deceased_enrolled"): "a column of the staged linked frame",
    ("src/canbao/match/damage.py", "invalid"): "a count of invalid IDs, not the link class",
    ("benchmarks/duckdb_tables.py", "linked"): "the SQL table of linked records, not the class",
    ("benchmarks/duckdb_tables.py", "uninsured"): "the result file uninsured.csv",
    ("benchmarks/duckdb_tables.py", "non_local"): "the result file non_local.csv",
    ("benchmarks/compare_outputs.py", "uninsured"): "the result file uninsured.csv",
    ("benchmarks/compare_outputs.py", "non_local"): "the result file non_local.csv",
}


def _sources() -> list[Path]:
    files = sorted(SRC.rglob("*.py")) + sorted((REPO / "benchmarks").rglob("*.py"))
    return [p for p in files if p.name != "vocabulary.py" or p.parent.name != "match"]


def test_no_code_of_a_kind_is_written_outside_the_vocabulary() -> None:
    """src/canbao and benchmarks/ name every kind through canbao.match.vocabulary.

    The few literals that spell a code but mean something else are listed with their reason;
    an entry that no longer matches anything fails too, so the list never outlives its entries.
    """
    found: set[tuple[str, str]] = set()
    stray: list[str] = []
    for path in _sources():
        name = path.relative_to(REPO).as_posix()
        if any(name == o or name.startswith(f"{o}/") for o in OTHER_VOCABULARIES):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in BARE.finditer(line):
                found.add((name, match.group(1)))
                if (name, match.group(1)) not in ALLOWED:
                    stray.append(f"{name}:{number}: {line.strip()}")
    assert not stray, "write these through canbao.match.vocabulary:\n" + "\n".join(stray)
    assert set(ALLOWED) <= found, f"no longer needed: {set(ALLOWED) - found}"
