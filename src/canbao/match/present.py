"""Turn the result sets into the output tables with the official Chinese headings.

This is the Polars edge after the engine-neutral set logic: labels, sorting and the
aggregation of the records involved into one readable cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import polars as pl

from canbao.codes import ENROLMENT_STATUS_LABELS, INSURANCE_TYPES, SCHEMES
from canbao.match._linked_rows import RowsWhere
from canbao.match._staging import write_staged
from canbao.match.vocabulary import ConflictKind, DuplicateKind, LinkClass, Reason, UninsuredFlag

# Code -> label of each kind, for the Polars expressions (canbao.match.vocabulary owns them).
REASONS = Reason.labels()
UNINSURED_FLAGS = UninsuredFlag.labels()
DUPLICATE_LABELS = DuplicateKind.labels()
CONFLICT_LABELS = ConflictKind.labels()

PERSON_COLUMNS = {
    "county": "县区",
    "township": "乡镇(街道)",
    "village": "村(社区)",
    "person_number": "人员编号",
    "name": "姓名",
    "sex_out": "性别",
    "id_norm": "公民身份号码",
    "birth_out": "出生日期",
    "identity": "个人身份",
    "hukou_type": "户口性质",
    "hukou_place": "户口所在地",
    "address": "常住地址",
    "schemes_now": "现参保险种",
    # Last, so that readers keyed on position still work: 户籍 or 流动 (docs/match.md
    # "Household and floating persons": a county tells them apart).
    "roster_out": "名册",
}
PERSON_ROSTER_LABELS = {"household": "户籍", "floating": "流动"}
# The person tables (needs_survey, uninsured, confirmed) are in survey-roster order. Their
# functions return them unsorted: canbao.match._person_tables sorts and writes them.
SORT_KEYS = ["县区", "乡镇(街道)", "村(社区)", "公民身份号码"]
# The text of a birth date (出生日期) in the person tables: the ISO date, as the CSV writer
# gives a Date.
BIRTH_FORMAT = "%Y-%m-%d"


def labelled(column: str, labels: dict[str, str]) -> pl.Expr:
    """A code column shown by its label; a code without a label is shown as it is.

    A chain of comparisons, not ``replace``: in a streamed query (a sink) ``replace`` and
    ``replace_strict`` made Polars 2.1 hold every row of the frame (1 GB more for the person
    rows of 3 M persons), the comparisons stream. The label sets are small (at most a dozen).
    """
    shown = pl.col(column)
    for code, label in labels.items():
        shown = pl.when(pl.col(column) == code).then(pl.lit(label)).otherwise(shown)
    return shown


# Each scheme code is a bit of a person's scheme set (see current_schemes).
SCHEME_BITS = {code: 1 << i for i, code in enumerate(sorted(SCHEMES))}


# The schemes per person: in memory, or staged in the work folder (stage_current_schemes).
Schemes = pl.DataFrame | pl.LazyFrame


def current_schemes(linked: pl.LazyFrame, parts: int = 1) -> pl.DataFrame:
    """Per person key, from the active linked records: the scheme codes joined by ``;``
    (``schemes_now``, what the form pre-fills), the scheme set as bits of :data:`SCHEME_BITS`
    (``mask``) and whether a record is in the area (``local_active``).

    A person's set is the OR of their records' bits: an integer aggregation is an order of
    magnitude cheaper than joining strings per person, and the few distinct bit patterns are
    spelled out once at the end. The national tables read the same aggregate. ``parts``: the
    persons are aggregated in that many parts by their key (a sharded match: one shard's
    share of the aggregation's table held at a time; at 10 M persons the whole table held
    about 1 GB, docs/scale-measurements.md sixth round); the rows are in no particular order
    either way.
    """
    pieces = [_masks(linked, part, parts) for part in range(parts)]
    return _spelled(pl.concat(pieces, how="vertical") if parts > 1 else pieces[0])


def stage_current_schemes(linked: pl.LazyFrame, parts: int, folder: Path) -> pl.LazyFrame:
    """:func:`current_schemes`, each part staged in ``folder`` as it is made, never all held:
    one row per insured person, about 30 bytes, kept from the person tables to the counts
    (10 M persons: about 300 MB; docs/scale-measurements.md, thirteenth round)."""
    return stage_schemes_by_group([linked], parts, folder)


def stage_schemes_by_group(
    groups: Sequence[pl.LazyFrame], parts: int, folder: Path
) -> pl.LazyFrame:
    """:func:`stage_current_schemes` of linked records that come in groups, each holding every
    record of its persons (a sharded match's shards): each group is aggregated alone, in
    ``parts`` parts by key, so the whole records are never read once per part and each
    aggregation's table holds one group's persons (docs/scale-measurements.md, eighteenth
    round)."""
    folder.mkdir()
    files = []
    for group, records in enumerate(groups):
        for part in range(parts):
            files.append(folder / f"schemes_{group}_{part}.parquet")
            write_staged(_spelled(_masks(records, part, parts)), files[-1], folder)
    return pl.scan_parquet(files)


def _masks(linked: pl.LazyFrame, part: int, parts: int) -> pl.DataFrame:
    """The scheme bits and ``local_active`` of the persons of one part (of ``parts``)."""
    bit = pl.col("scheme").replace_strict(SCHEME_BITS, default=0, return_dtype=pl.Int32)
    active = linked.filter((pl.col("link") == LinkClass.LINKED.value) & pl.col("active"))
    return (
        (active if parts == 1 else active.filter(pl.col("id_key") % parts == part))
        .select("id_key", bit.alias("mask"), "in_area")
        .group_by("id_key")
        .agg(pl.col("mask").bitwise_or(), pl.col("in_area").any().alias("local_active"))
        .collect()
    )


def _spelled(masks: pl.DataFrame) -> pl.DataFrame:
    """``masks`` with ``schemes_now``: each distinct bit pattern spelled once. Every pattern is
    mapped; the ``default`` only keeps the text type for no rows (Polars 2.1's ``replace_strict``
    of an empty mapping without one keeps the masks' type)."""
    codes = list(SCHEME_BITS)
    patterns = masks.get_column("mask").unique().to_list()
    spelled = {m: ";".join(c for i, c in enumerate(codes) if m >> i & 1) for m in patterns}
    now = pl.col("mask").replace_strict(spelled, default=None, return_dtype=pl.String)
    return masks.select(
        "id_key",
        now.alias("schemes_now"),
        "mask",
        "local_active",
    )


def _person_columns(joined: pl.LazyFrame, *, birth_as_date: bool = False) -> pl.LazyFrame:
    birth = pl.coalesce(pl.col("id_birth"), pl.col("birth_col"))
    return joined.with_columns(
        sex_out=pl.coalesce(pl.col("id_sex"), pl.col("sex_col"), pl.col("sex")),
        birth_out=birth if birth_as_date else birth.dt.to_string(BIRTH_FORMAT),
        roster_out=labelled("_roster", PERSON_ROSTER_LABELS),
    )


def _flagged_table(
    rows: pl.LazyFrame,
    flags: dict[str, str],
    flag_column: Callable[[str], str],
    headings: tuple[str, str],
) -> pl.LazyFrame:
    """Person rows with the codes of their true flags joined by ``;`` and their labels.

    Each joined by one ``concat_str`` that skips the false flags: lists of codes, joined and
    split again to look up their labels, cost five times as long (0.3 CPU-s at 1 M persons).
    """

    def joined(texts: dict[str, str]) -> pl.Expr:
        true = [pl.when(pl.col(flag_column(c))).then(pl.lit(t)) for c, t in texts.items()]
        return pl.concat_str(true, separator=";", ignore_nulls=True)

    return rows.select(
        *(pl.col(src).alias(dst) for src, dst in PERSON_COLUMNS.items()),
        joined({c: c for c in flags}).alias(headings[0]),
        joined(flags).alias(headings[1]),
    )


# The flag columns of the targets that the person tables read.
_PERSON_FLAGS = ["needs_survey", *(r.column for r in Reason), *UninsuredFlag.codes()]


def person_tables(targets: pl.LazyFrame, schemes: Schemes) -> dict[str, pl.LazyFrame]:
    """needs_survey, uninsured and confirmed, unsorted (SORT_KEYS), over one collected frame.

    The three tables read the same household rows joined to their schemes: collected once for
    all targets it took a third of the time of three separate plans at 1 M persons (0.75 s
    against 2.1 s), holding the targets' person columns (about 200 MB per million).
    """
    return tables_of_persons(person_rows(targets, schemes).collect().lazy())


def person_rows(
    targets: pl.LazyFrame, schemes: Schemes, *, birth_as_date: bool = False
) -> pl.LazyFrame:
    """The target persons' columns and flags that the person tables read, in target order.

    ``birth_as_date``: the birth date (出生日期) left a Date, for CSV, whose writer gives it the
    text of :data:`BIRTH_FORMAT` (the same bytes; at 1 M persons about 0.01-0.07 CPU-s less
    than the text made, gathered and written, docs/performance-measurements.md seventh round).
    """
    # maintain_order="left": the streaming engine then probes batch by batch (see sets.left_join).
    joined = targets.join(schemes.lazy(), on="id_key", how="left", maintain_order="left")
    rows = _person_columns(joined, birth_as_date=birth_as_date)
    return rows.select(*PERSON_COLUMNS, *_PERSON_FLAGS)


def person_rows_beside(
    targets: pl.LazyFrame, schemes: Schemes, path: Path, *, birth_as_date: bool = False
) -> pl.LazyFrame:
    """:func:`person_rows`, the schemes joined to the targets' keys alone and staged at ``path``.

    Streamed whole, the join of the wide target rows held them all (1.0 GB more at 3 M persons);
    joined to the key column alone it holds little, and the staged columns are read beside the
    targets (two files in the same order).
    """
    keys = targets.select("id_key").join(
        schemes.lazy(), on="id_key", how="left", maintain_order="left"
    )
    keys.drop("id_key").sink_parquet(path, compression="uncompressed")
    joined = pl.concat([targets, pl.scan_parquet(path)], how="horizontal")
    rows = _person_columns(joined, birth_as_date=birth_as_date)
    return rows.select(*PERSON_COLUMNS, *_PERSON_FLAGS)


def tables_of_persons(rows: pl.LazyFrame) -> dict[str, pl.LazyFrame]:
    """needs_survey, uninsured and confirmed of some :func:`person_rows`, unsorted."""
    return {
        "needs_survey": _flagged_table(
            rows.filter(pl.col("needs_survey")),
            REASONS,
            Reason.column_of,
            ("原因代码", "原因"),
        ),
        "uninsured": _flagged_table(
            rows.filter(pl.col(Reason.UNINSURED.column)),
            UNINSURED_FLAGS,
            str,
            ("类别代码", "类别"),
        ),
        "confirmed": rows.filter(~pl.col("needs_survey")).select(
            *(pl.col(src).alias(dst) for src, dst in PERSON_COLUMNS.items())
        ),
    }


def _record_text() -> pl.Expr:
    status = labelled("estatus", ENROLMENT_STATUS_LABELS)
    return pl.format(
        "{} {} {} ({}:{})",
        pl.col("scheme"),
        pl.col("region").fill_null("-"),
        status,
        pl.col("_file"),
        pl.col("_line"),
    )


# Persons with a duplicate whose records are spelled out in one group-by: past it, in parts.
DUPLICATE_KEYS_PER_PART: Final = 50_000
_DUPLICATE_RECORD_COLUMNS: Final = ("id_key", "itype", "text", "receiving", "id_norm", "name")
_DUPLICATE_RECORD_COLUMNS_MORE: Final = ("e_row", "link")


def duplicates_table(
    found: pl.LazyFrame,
    linked: pl.LazyFrame,
    where: RowsWhere | None = None,
) -> pl.LazyFrame:
    """One row per person, insurance type and kind, with the records involved.

    Only the records of persons with a duplicate are spelled out (a few per thousand). Their
    keys as a list to look up: a semi join made a streamed query hold every active record
    (0.5 GB more at 3 M persons). The group-by that spells them out held about 3 KB per
    person (0.95 GB at 10 M persons, docs/scale-measurements.md seventh round), so past
    :data:`DUPLICATE_KEYS_PER_PART` persons their records are read once and grouped in parts
    of persons; the rows are sorted by ID, insurance type and kind, which are unique (the same
    rows, the same order)."""
    keys = found.select("id_key").unique().collect().get_column("id_key")
    wanted = pl.col("id_key").is_not_null() & pl.col("active")
    wanted = wanted & pl.col("id_key").is_in(keys.implode())
    active = linked.filter(wanted) if where is None else where(wanted)
    records = active.with_columns(text=_record_text(), receiving=pl.col("estatus") == "receiving")
    parts = -(-keys.len() // DUPLICATE_KEYS_PER_PART)
    if parts <= 1:
        return _duplicate_rows(found, records)
    held = records.select(*_DUPLICATE_RECORD_COLUMNS, *_DUPLICATE_RECORD_COLUMNS_MORE).collect()
    pieces = [
        _duplicate_rows(*(f.filter(pl.col("id_key") % parts == part) for f in (found, held.lazy())))
        for part in range(parts)
    ]
    rows = pl.concat([piece.collect() for piece in pieces], how="vertical")
    return rows.lazy().sort("公民身份号码", "险种类型", "类别代码")


def _duplicate_rows(found: pl.LazyFrame, records: pl.LazyFrame) -> pl.LazyFrame:
    """:func:`duplicates_table` of the persons of ``found``, from their active ``records``
    (with their ``text`` and whether they are ``receiving``)."""
    grouped = records.group_by("id_key", "itype").agg(
        pl.col("text").sort().str.join("; ").alias("all_records"),
        pl.col("text").filter(pl.col("receiving")).sort().str.join("; ").alias("benefit_records"),
        pl.col("id_norm").first(),
        # The name of the person's first record that has one (file order), so that a
        # person whose records spell the name differently gets the same name every run.
        pl.col("name").sort_by("e_row").drop_nulls().first(),
        pl.col("link").is_in([LinkClass.LINKED.value]).any().alias("in_household"),
    )
    return (
        found.join(grouped, on=["id_key", "itype"], how="left")
        .select(
            pl.col("id_norm").alias("公民身份号码"),
            pl.col("name").alias("姓名"),
            labelled("itype", INSURANCE_TYPES).alias("险种类型"),
            pl.col("kind").alias("类别代码"),
            labelled("kind", DUPLICATE_LABELS).alias("类别"),
            pl.when(pl.col("kind").is_in([k.value for k in DuplicateKind if k.benefit]))
            .then(pl.col("benefit_records"))
            .otherwise(pl.col("all_records"))
            .alias("涉及记录"),
            pl.when(pl.col("in_household"))
            .then(pl.lit("是"))
            .otherwise(pl.lit("否"))
            .alias("有户籍信息"),
        )
        .sort("公民身份号码", "险种类型", "类别代码")
    )
