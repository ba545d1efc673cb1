"""Spot checks (抽查比对): a seeded, stratified sample of entered forms, and its outcome counted.

淮人社秘〔2017〕166号 二(三): 县（区）经办机构要对数据质量进行抽查比对. The notice names no sample
size, so canbao's is documented here and in docs/forms.md:

- the population is every entered form that intake counts as entered (登记信息入库: visited,
  confirmed, no problem, not a second entry, on the roster): what the machine checks passed, the
  spot check looks at what only a second visit can see;
- strata are the village (县区, 乡镇(街道), 村(社区)) and the clerk who entered the form (经办人,
  the entry sheet's own column; a blank one is the stratum ``未填写``), so every clerk of every
  village is checked;
- a stratum of N forms gives ``min(N, max(minimum, ceil(N × rate)))`` forms; by default rate 5 %
  and minimum 1 (``--sample-rate``, ``--sample-min``); a county's size is the sum of its strata;
- which forms: the ``size`` smallest draws of a counter-based generator (splitmix64, the one of
  :mod:`canbao.rng`) keyed by the seed and the citizen ID, so the sample depends on the seed
  and the persons only, not on the order of the files or the polars version. The same seed gives
  the same sample; another seed another one.

The spot-check sheet (抽查表.xlsx) lists the sample for the checkers to fill:
与入户调查一致 (是/否), 不一致项目 (the item that differs), 抽查人, 抽查日期.
``canbao intake … --spot-check FILLED`` reads it back and adds 抽查人数, 抽查一致人数,
抽查不一致人数 (and 抽查未填写人数) per county to facts.csv.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

import polars as pl
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from canbao import regions
from canbao.cells import neutralise_frame, text_only_workbook
from canbao.errors import InputError, UsageError
from canbao.forms.form_codes import CONFIRMED, ENTRY_HEADINGS, VISITED, YES_NO
from canbao.forms.intake_read import _raw_csv, _raw_xlsx
from canbao.i18n import _, ngettext
from canbao.rng import Rng
from canbao.sheet_style import BODY_FONT, BOX, WRAP, setup_print, title_and_headings
from canbao.shown_path import shown_path

DEFAULT_RATE: Final = Fraction(5, 100)
DEFAULT_MINIMUM: Final = 1
DEFAULT_SEED: Final = 1
SHEET_FILE: Final = "抽查表.xlsx"
SHEET_TITLE: Final = "抽查表"
SAMPLE_FILE: Final = "spot_check_sample.csv"
STRATA_FILE: Final = "spot_check_strata.csv"
UNFILLED: Final = "未填写"
STRATUM: Final = ("县区", "乡镇(街道)", "村(社区)", "经办人")
AGREES: Final = "与入户调查一致"
DIFFERING_ITEM: Final = "不一致项目"
SHEET_COLUMNS: Final = (
    ("序号", 6),
    ("县区", 14),
    ("乡镇(街道)", 12),
    ("村(社区)", 12),
    ("经办人", 9),
    ("姓名", 9),
    ("公民身份号码", 21),
    ("录入文件", 40),
    ("行号", 6),
    (AGREES, 10),
    (DIFFERING_ITEM, 16),
    ("抽查人", 9),
    ("抽查日期", 11),
)
SHEET_HEADER_ROW: Final = 3
SAMPLED_N: Final = "抽查人数"
AGREE_N: Final = "抽查一致人数"
DISAGREE_N: Final = "抽查不一致人数"
BLANK_N: Final = "抽查未填写人数"


def parse_rate(text: str) -> Fraction:
    """``5``, ``5%``, ``2.5 %`` (a percentage) as an exact fraction in (0, 1]."""
    cleaned = text.strip().removesuffix("%").removesuffix("％").strip()
    try:
        rate = Fraction(cleaned) / 100
    except (ValueError, ZeroDivisionError):
        rate = Fraction(-1)
    if not 0 < rate <= 1:
        raise UsageError(
            _("--sample-rate {value!r}: not a percentage above 0 and at most 100").format(
                value=text
            ),
            fix=_("give the share of each stratum to check, e.g. --sample-rate 5%"),
        )
    return rate


@dataclass(frozen=True)
class SampleSpec:
    """How the spot-check sample is drawn: the seed, the rate and the minimum per stratum."""

    seed: int = DEFAULT_SEED
    rate: Fraction = DEFAULT_RATE
    minimum: int = DEFAULT_MINIMUM

    def to_json(self) -> dict[str, Any]:
        """The spec as recorded in intake.json."""
        return {"seed": self.seed, "rate": f"{self.rate * 100}%", "minimum": self.minimum}


def _id_key(norm: pl.Expr) -> pl.Expr:
    # A valid 18-character ID as one integer: 17 digits and the check character (X = 10).
    check = pl.when(norm.str.slice(17) == "X").then(pl.lit("10")).otherwise(norm.str.slice(17))
    return norm.str.slice(0, 17).cast(pl.UInt64) * 11 + check.cast(pl.UInt64)


def draw_sample(entries: pl.DataFrame, spec: SampleSpec) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (the sampled forms, the strata with their sizes) from intake's passed entries.

    ``entries`` holds intake's normalised rows plus ``通过`` (no problem).
    """
    counted = (
        (pl.col(f"{VISITED}__code") == "是")
        & (pl.col(f"{CONFIRMED}__code") == "是")
        & pl.col("通过")
    ).fill_null(False)
    pool = entries.filter(counted).with_columns(pl.col(c).fill_null(UNFILLED) for c in STRATUM)
    n = pl.len().over(STRATUM)
    # ceil(N × p / q) in integers: exact, whatever the rate.
    share = (n * spec.rate.numerator + spec.rate.denominator - 1) // spec.rate.denominator
    size = pl.min_horizontal(n, pl.max_horizontal(share, pl.lit(spec.minimum)))
    draw = Rng(spec.seed).bits("spot_check", _id_key(pl.col("id_norm")))
    ranked = pool.with_columns(
        n.alias("_n"),
        size.alias("_size"),
        draw.rank("ordinal").over(STRATUM).alias("_rank"),
    )
    sample = ranked.filter(pl.col("_rank") <= pl.col("_size")).sort(
        *STRATUM, "公民身份号码", "_file", "_row"
    )
    strata = (
        ranked.group_by(STRATUM)
        .agg(
            pl.len().cast(pl.Int64).alias("录入人数"),
            pl.col("_size").first().cast(pl.Int64).alias(SAMPLED_N),
        )
        .sort(STRATUM)
    )
    return sample, strata


def sample_summary(strata: pl.DataFrame, spec: SampleSpec) -> dict[str, Any]:
    """Sizes per county for intake.json (no personal data)."""
    per_county = strata.group_by("县区").agg(pl.col("录入人数").sum(), pl.col(SAMPLED_N).sum())
    return {
        **spec.to_json(),
        "strata": strata.height,
        "per_county": {
            row["县区"]: {"entered": row["录入人数"], "sampled": row[SAMPLED_N]}
            for row in per_county.sort("县区").iter_rows(named=True)
        },
    }


def sheet_rows(sample: pl.DataFrame) -> pl.DataFrame:
    """The rows of the spot-check sheet (the columns to fill are blank)."""
    return sample.select(
        pl.int_range(1, pl.len() + 1).cast(pl.String).alias("序号"),
        regions.code_and_name_expr(pl.col("县区")).alias("县区"),
        "乡镇(街道)",
        "村(社区)",
        "经办人",
        "姓名",
        "公民身份号码",
        pl.col("_file").alias("录入文件"),  # as given to intake: every sheet is 信息录入表.xlsx
        pl.col("_row").cast(pl.String).alias("行号"),
        *(pl.lit(None, pl.String).alias(h) for h, _ in SHEET_COLUMNS[9:]),
    )


def write_sheet(rows: pl.DataFrame, path: Path) -> None:
    """Write the spot-check workbook: one row per sampled form, 是/否 and item drop-downs."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_TITLE
    last = get_column_letter(len(SHEET_COLUMNS))
    title_and_headings(
        ws,
        "全民参保登记数据质量抽查表",
        f"共抽查 {rows.height} 份；与入户调查（复核走访）不一致的，请在不一致项目中写明项目",
        SHEET_COLUMNS,
        SHEET_HEADER_ROW,
    )
    for values in rows.iter_rows():
        ws.append(list(values))
    end = SHEET_HEADER_ROW + max(rows.height, 1)
    for line in ws.iter_rows(min_row=SHEET_HEADER_ROW + 1, max_row=end, max_col=len(SHEET_COLUMNS)):
        for cell in line:
            cell.font, cell.border, cell.alignment = BODY_FONT, BOX, WRAP
            cell.number_format = "@"
    items = wb.create_sheet("项目")
    for i, heading in enumerate(ENTRY_HEADINGS[4:], start=1):
        items.cell(row=i, column=1, value=heading)
    for heading, formula, strict in (
        (AGREES, '"是,否"', True),
        (DIFFERING_ITEM, f"'项目'!$A$1:$A${len(ENTRY_HEADINGS) - 4}", False),
    ):
        letter = get_column_letter([h for h, _ in SHEET_COLUMNS].index(heading) + 1)
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.showErrorMessage = strict  # an item list to pick from; free text is allowed
        dv.add(f"{letter}{SHEET_HEADER_ROW + 1}:{letter}{end}")
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(row=SHEET_HEADER_ROW + 1, column=8)
    ws.print_area = f"A1:{last}{end}"
    setup_print(ws, landscape=True, title_rows=f"{SHEET_HEADER_ROW}:{SHEET_HEADER_ROW}")
    text_only_workbook(wb).save(path)


def write_sample(directory: Path, sample: pl.DataFrame, strata: pl.DataFrame) -> None:
    """Write 抽查表.xlsx, the sample as CSV and the strata table into intake's output."""
    rows = sheet_rows(sample)
    write_sheet(rows, directory / SHEET_FILE)
    neutralise_frame(rows.select([h for h, _ in SHEET_COLUMNS[:9]])).write_csv(
        directory / SAMPLE_FILE, include_bom=True
    )
    neutralise_frame(strata).write_csv(directory / STRATA_FILE, include_bom=True)


def _read_filled(path: Path) -> pl.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise InputError(
            _("{path}: no such file").format(path=shown_path(path)),
            fix=_("give the filled 抽查表 (.xlsx or .csv)"),
        )
    suffix = path.suffix.lower()
    if suffix not in {".xlsx", ".xlsm", ".csv", ".txt"}:
        raise InputError(
            _("{path}: unknown format {suffix!r}").format(path=shown_path(path), suffix=suffix),
            fix=_("give 抽查表 as .xlsx or .csv"),
        )
    raw = _raw_xlsx(path) if suffix in {".xlsx", ".xlsm"} else _raw_csv(path)
    cells = raw.with_columns(pl.all().str.strip_chars().str.strip_chars("\ufeff"))
    at = next(
        (i for i, row in enumerate(cells.head(10).iter_rows()) if "公民身份号码" in row), None
    )
    headings = [str(h) if h is not None else "" for h in cells.row(at)] if at is not None else []
    missing = [h for h in ("县区", "公民身份号码", AGREES) if h not in headings]
    if at is None or missing:
        raise InputError(
            _("{path}: not a spot-check sheet (抽查表): columns missing: {columns}").format(
                path=shown_path(path), columns=", ".join(missing or ["公民身份号码"])
            ),
            fix=_(
                "fill the {file} written by `canbao intake --sample` and keep its headings"
            ).format(file=SHEET_FILE),
        )
    assert at is not None
    picked = {h: headings.index(h) for h in ("县区", "公民身份号码", AGREES)}
    body = cells.slice(at + 1).select(
        *(pl.nth(i).replace("", None).alias(h) for h, i in picked.items()),
        pl.lit(str(path)).alias("_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + at + 2).alias("_row"),
    )
    return body.filter(pl.col("公民身份号码").is_not_null())


def read_spot_checks(paths: Sequence[Path]) -> pl.DataFrame:
    """Filled spot-check sheets stacked: 县区 (as written), 公民身份号码, the answer, file, row."""
    if not paths:
        raise InputError(_("no spot-check sheet given"), fix=_("name the filled 抽查表 files"))
    return pl.concat([_read_filled(p) for p in paths], how="vertical")


def count_spot_checks(filled: pl.DataFrame) -> pl.DataFrame:
    """Facts (县区, 指标, 实际值) from filled spot-check sheets: sampled, agreeing, not, blank.

    ``filled`` is :func:`read_spot_checks` with 县区 turned into codes (as intake does).
    """
    # The fold of codes.fold, as an expression: NFKC, no spaces, no trailing punctuation.
    folded = (
        pl.col(AGREES)
        .str.normalize("NFKC")
        .str.replace_all(r"\s+", "")
        .str.strip_chars("。.;；,，")
    )
    answer = folded.replace_strict(YES_NO.lookup(), default=None, return_dtype=pl.String)
    read = filled.with_columns(answer.alias("_answer"))
    bad = read.filter(pl.col(AGREES).is_not_null() & pl.col("_answer").is_null())
    if bad.height:
        row = bad.row(0, named=True)
        raise InputError(
            ngettext(
                "spot-check sheet {file}, row {row}: {column} = {value!r}, not 是 or 否 "
                "({n} row with another value)",
                "spot-check sheet {file}, row {row}: {column} = {value!r}, not 是 or 否 "
                "({n} rows with another value)",
                bad.height,
            ).format(
                file=row["_file"],
                row=row["_row"],
                column=AGREES,
                value=row[AGREES],
                n=bad.height,
            ),
            fix=_(
                "write 是 or 否 in the {column} column (or leave it blank if not yet checked)"
            ).format(column=AGREES),
        )
    counts = (
        read.with_columns(pl.col("县区").fill_null("未知"))
        .group_by("县区")
        .agg(
            pl.len().alias(SAMPLED_N),
            (pl.col("_answer") == "是").sum().alias(AGREE_N),
            (pl.col("_answer") == "否").sum().alias(DISAGREE_N),
            pl.col("_answer").is_null().sum().alias(BLANK_N),
        )
        .sort("县区")
    )
    return (
        counts.unpivot(index="县区", variable_name="指标", value_name="实际值")
        .with_columns(pl.col("实际值").cast(pl.Int64))
        .sort("县区", maintain_order=True)
    )
