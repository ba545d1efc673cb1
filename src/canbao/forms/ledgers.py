"""Village ledgers (台账): persons confirmed directly (直接确认) instead of a door-to-door visit.

淮人社秘〔2017〕166号 三(三): a village compares the survey roster with the ledgers it keeps
anyway (居民医保, 城居保, 新生儿登记, 低保, 暂住证, 人口普查) and may confirm a person from them
directly. ``canbao forms survey --ledger FILE…`` does this comparison: a person needing a survey
whose normalised citizen ID *and* normalised name are found in a ledger is confirmed by ledger
and leaves the visit list (roster, forms and entry sheet); they stay in the match's needs-survey
set, whose counts are the rates' denominators. The same ID under another name confirms nobody
and is reported. A person the match sent to the survey for an invalid ID is never confirmed by a
ledger: the ID itself is what the visit must settle.

Ledgers are rosters of kind ``ledger`` (any format ``read_roster`` takes, headers mapped by the
built-in aliases or a ``--columns`` map); the ledger's source comes from its 台账 column or, for a
file (or a blank cell) without one, from ``--ledger-source``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl

from canbao import regions
from canbao.cells import neutralise_frame
from canbao.errors import InputError, UsageError
from canbao.i18n import _, ngettext
from canbao.ids import normalize_id
from canbao.match.names import normalize_name_expr
from canbao.match.vocabulary import Reason
from canbao.roster import load_column_map, read_roster
from canbao.shown_path import shown_path
from canbao.workdir import work_folder

# The ledgers 淮人社秘〔2017〕166号 三(三) names; any other source text is accepted as written.
LEDGER_SOURCES: Final = ("居民医保", "城居保", "新生儿登记", "低保", "暂住证", "人口普查")
PLACE_COLUMNS: Final = ("县区", "乡镇(街道)", "村(社区)")
MISSING_PLACE: Final = "未填写"

CONFIRMED_FILE: Final = "ledger_confirmed.csv"
NAME_DIFFERS_FILE: Final = "ledger_name_differs.csv"
SPARED_FILE: Final = "ledger_spared.csv"
TASK_TABLE_FILE: Final = "task_table.csv"

# Headings of the outputs (docs/forms.md, "Village ledgers").
NEEDS_N: Final = "需入户调查人员数"
CONFIRMED_N: Final = "台账直接确认人数"
TO_VISIT_N: Final = "仍需入户调查人员数"
SOURCE_HEADING: Final = "台账"
LEDGER_FILE_HEADING: Final = "台账文件"
LEDGER_LINE_HEADING: Final = "台账行号"
LEDGER_NAME_HEADING: Final = "台账姓名"


@dataclass(frozen=True)
class LedgerFiles:
    """The ledgers given to ``forms survey``: files, an optional column map and default source."""

    paths: tuple[Path, ...]
    columns: Path | None = None
    source: str | None = None

    def read(self) -> tuple[pl.DataFrame, int]:
        """Every ledger row (normalised ID and name, source, file, line) and the unreadable rows."""
        if not self.paths:
            raise UsageError(
                _("no ledger file given"), fix=_("name one or more files with --ledger")
            )
        default = (self.source or "").strip() or None
        colmap = load_column_map(self.columns) if self.columns is not None else None
        frames: list[pl.DataFrame] = []
        unreadable = 0
        with work_folder("forms survey") as work:
            for path in self.paths:
                roster = read_roster(Path(path), "ledger", columns=colmap, workdir=work)
                if "name" not in roster.info.mapping:
                    raise InputError(
                        _(
                            "the ledger {path} has no name column (a ledger confirms a person "
                            "by ID and name together)"
                        ).format(path=shown_path(path)),
                        fix=_(
                            "name the column in a --columns map (`name: 户主姓名`) or add a "
                            "姓名 column"
                        ),
                    )
                frames.append(roster.frame.collect())
                unreadable += roster.unreadable.select(pl.len()).collect().item()
        rows = pl.concat(frames, how="vertical")
        source = pl.col("ledger_source").str.strip_chars()
        rows = rows.with_columns(
            pl.when(source.str.len_chars() > 0)
            .then(source)
            .otherwise(pl.lit(default, pl.String))
            .alias("ledger_source")
        )
        unnamed = rows.filter(pl.col("ledger_source").is_null())
        if unnamed.height:
            file, line = unnamed.row(0, named=True)["_file"], unnamed.row(0, named=True)["_line"]
            raise InputError(
                ngettext(
                    "ledger {path}, line {line}: no ledger source ({n} row in all)",
                    "ledger {path}, line {line}: no ledger source ({n} rows in all)",
                    unnamed.height,
                ).format(path=shown_path(file), line=line, n=unnamed.height),
                fix=_("add a 台账 column ({sources}) or give --ledger-source").format(
                    sources="/".join(LEDGER_SOURCES)
                ),
            )
        kept = rows.select(
            normalize_id(pl.col("id")).alias("_id"),
            normalize_name_expr(pl.col("name")).alias("_name"),
            pl.col("name").str.strip_chars().alias(LEDGER_NAME_HEADING),
            pl.col("ledger_source").alias(SOURCE_HEADING),
            pl.col("_file").alias(LEDGER_FILE_HEADING),
            pl.col("_line").alias(LEDGER_LINE_HEADING),
        ).filter(pl.col("_id").is_not_null())
        return kept, unreadable


@dataclass(frozen=True)
class LedgerOutcome:
    """The needs-survey roster split by the ledgers (frames hold full IDs and names)."""

    confirmed: pl.DataFrame  # needs_survey rows + 台账, 台账文件, 台账行号
    name_differs: pl.DataFrame  # needs_survey rows + 台账姓名, 台账, 台账文件, 台账行号
    to_visit: pl.DataFrame  # the visit list: needs_survey less the confirmed
    spared: pl.DataFrame  # per village: needs, confirmed by ledger, still to visit
    task_table: pl.DataFrame  # per county: the same three counts
    ledger_rows: int
    ledger_unreadable: int = 0

    def summary(self) -> dict[str, Any]:
        """Counts for forms.json and --json (no personal data)."""
        needs = self.confirmed.height + self.to_visit.height
        return {
            "ledger_rows": self.ledger_rows,
            "ledger_unreadable_rows": self.ledger_unreadable,
            "needs_survey": needs,
            "confirmed_by_ledger": self.confirmed.height,
            "to_visit": self.to_visit.height,
            "id_with_other_name": self.name_differs.height,
            "conservation_ok": needs == self.spared[NEEDS_N].sum(),
            "villages_spared": self.spared.filter(pl.col(CONFIRMED_N) > 0).height,
        }

    def write(self, directory: Path) -> None:
        """Write the four ledger files (Chinese headings, full values: the work product)."""
        for name, frame in (
            (CONFIRMED_FILE, self.confirmed),
            (NAME_DIFFERS_FILE, self.name_differs),
            (SPARED_FILE, self.spared),
            (TASK_TABLE_FILE, self.task_table),
        ):
            neutralise_frame(frame).write_csv(directory / name, include_bom=True)


def _places(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).fill_null(MISSING_PLACE) for c in PLACE_COLUMNS)


def _counts(needs: pl.DataFrame, confirmed: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """Needs, confirmed by ledger and still to visit per group of ``keys`` (a join, no loop)."""
    total = _places(needs).group_by(keys).agg(pl.len().alias(NEEDS_N))
    done = _places(confirmed).group_by(keys).agg(pl.len().alias(CONFIRMED_N))
    out = total.join(done, on=list(keys), how="left").with_columns(pl.col(CONFIRMED_N).fill_null(0))
    return out.with_columns(
        (pl.col(NEEDS_N) - pl.col(CONFIRMED_N)).alias(TO_VISIT_N),
        pl.col(NEEDS_N).cast(pl.Int64),
        pl.col(CONFIRMED_N).cast(pl.Int64),
    ).sort(keys)


def apply_ledgers(
    needs: pl.DataFrame, ledgers: pl.DataFrame | None, *, unreadable: int = 0
) -> LedgerOutcome:
    """Split ``needs`` (a match's needs_survey) into confirmed by ledger and still to visit."""
    columns = needs.columns
    if ledgers is None:
        ledgers = pl.DataFrame(
            schema={
                "_id": pl.String,
                "_name": pl.String,
                LEDGER_NAME_HEADING: pl.String,
                SOURCE_HEADING: pl.String,
                LEDGER_FILE_HEADING: pl.String,
                LEDGER_LINE_HEADING: pl.Int64,
            }
        )
    valid = ~pl.col("原因代码").fill_null("").str.split(";").list.contains(Reason.INVALID_ID.value)
    keyed = needs.with_row_index("_order").with_columns(
        pl.col("公民身份号码").alias("_id"), normalize_name_expr(pl.col("姓名")).alias("_name")
    )
    hits = keyed.filter(valid).join(ledgers, on="_id", how="inner", suffix="_ledger")
    same = hits.filter(pl.col("_name") == pl.col("_name_ledger"))
    # One person may be in several ledgers: every source is named, the first row located.
    confirmed = (
        same.sort("_order", LEDGER_FILE_HEADING, LEDGER_LINE_HEADING)
        .group_by("_order", maintain_order=True)
        .agg(
            pl.all().exclude(SOURCE_HEADING).first(),
            pl.col(SOURCE_HEADING).unique(maintain_order=True).str.join("；"),
        )
        .select(*columns, SOURCE_HEADING, LEDGER_FILE_HEADING, LEDGER_LINE_HEADING)
    )
    differs = (
        hits.join(same.select("_order").unique(), on="_order", how="anti")
        .sort("_order", LEDGER_FILE_HEADING, LEDGER_LINE_HEADING)
        .select(
            *columns,
            LEDGER_NAME_HEADING,
            SOURCE_HEADING,
            LEDGER_FILE_HEADING,
            LEDGER_LINE_HEADING,
        )
    )
    to_visit = keyed.join(same.select("_order").unique(), on="_order", how="anti").select(columns)
    spared = _counts(needs, confirmed, PLACE_COLUMNS)
    county = _counts(needs, confirmed, ("县区",))
    task = county.select(
        pl.col("县区").alias("县区代码"),
        regions.county_name_expr(pl.col("县区")).alias("县（区）"),
        NEEDS_N,
        CONFIRMED_N,
        TO_VISIT_N,
    )
    return LedgerOutcome(
        confirmed=confirmed,
        name_differs=differs,
        to_visit=to_visit,
        spared=spared.with_columns(
            regions.county_name_expr(pl.col("县区")).alias("县区名称")
        ).select("县区", "县区名称", *PLACE_COLUMNS[1:], NEEDS_N, CONFIRMED_N, TO_VISIT_N),
        task_table=task,
        ledger_rows=ledgers.height,
        ledger_unreadable=unreadable,
    )


SHOWN_VILLAGES: Final = 20


def ledger_report(outcome: LedgerOutcome) -> list[str]:
    """Lines for the terminal: totals and each spared village (place names only, no person)."""
    s = outcome.summary()
    confirmed = _(
        "{confirmed} persons confirmed by a ledger, {to_visit} still to visit "
        "({needs_survey} needed a survey)"
    )
    lines = [
        confirmed.format(
            confirmed=s["confirmed_by_ledger"],
            to_visit=s["to_visit"],
            needs_survey=s["needs_survey"],
        )
    ]
    if s["id_with_other_name"]:
        other = _("{n} persons with the same ID but another name: not confirmed, still to visit")
        lines.append(f"{other.format(n=s['id_with_other_name'])} -> {NAME_DIFFERS_FILE}")
    spared = outcome.spared.filter(pl.col(CONFIRMED_N) > 0)
    village = _("  {place}: {spared} fewer visits, {to_visit} still to visit")
    for row in spared.head(SHOWN_VILLAGES).iter_rows(named=True):
        place = " ".join(str(row[c]) for c in ("县区名称", *PLACE_COLUMNS[1:]))
        lines.append(village.format(place=place, spared=row[CONFIRMED_N], to_visit=row[TO_VISIT_N]))
    if spared.height > SHOWN_VILLAGES:
        more = _("  ... {villages} villages in all, see {path}")
        lines.append(more.format(villages=spared.height, path=SPARED_FILE))
    return lines
