"""The person tables of one piece as CSV: one sort of the persons, written slice by slice.

needs_survey, uninsured and confirmed are filters of the same person rows
(:func:`canbao.match.present.tables_of_persons`), each sorted by county, township, village and
ID (:data:`canbao.match.present.SORT_KEYS`, nulls last, ties in target order). A stable sort
of a filter is the filter of the stable sort, so the person rows are sorted once and taken
slice by slice; each slice gives the three tables' rows of it, appended to their files. No
table is ever collected whole: at 1 M persons that held the 880,000 confirmed rows beside the
person rows (docs/performance-measurements.md, "Second round").
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO, Final

import polars as pl

from canbao.cells import FORMULA_STARTS, columns_needing_quotes, neutralise_text
from canbao.match import present
from canbao.match._kept_tables import Kept, KeptTables

# Sorted person rows written at a time.
SLICE_ROWS: Final = 250_000
# IDs of the valid form, and the numbers they give (:func:`_number_key`) with one more for none.
_ID_FORM: Final = r"^[0-9]{17}[0-9X]$"
ID_ROOM: Final = 11 * 10**17 + 1
# The first characters of a text that cells.neutralise_text may quote.
_QUOTE_STARTS: Final = frozenset("'" + FORMULA_STARTS)
_COLUMN_OF = {heading: column for column, heading in present.PERSON_COLUMNS.items()}
# The sort keys as columns of the person rows (before they get their headings).
ORDER: Final = tuple(_COLUMN_OF[heading] for heading in present.SORT_KEYS)


def write_person_csv(
    targets: pl.LazyFrame,
    schemes: present.Schemes,
    out: Path,
    kept: Kept | None = None,
) -> dict[str, Path]:
    """Write needs_survey, uninsured and confirmed as sorted CSV under ``out``; their paths.

    ``kept``: tables to keep in memory as written (the lists of --county-lists).
    """
    rows = sorted_rows(present.person_rows(targets, schemes, birth_as_date=True).collect())
    if kept is None:
        return _sink_tables(rows, out)
    with PersonCsv(out, kept, rows.lazy()) as tables:
        # No person at all: one empty slice writes the headers.
        for start in range(0, max(rows.height, 1), SLICE_ROWS):
            tables.append(rows.slice(start, SLICE_ROWS).lazy(), first=start == 0)
    return tables.paths


def _sink_tables(rows: pl.DataFrame, out: Path) -> dict[str, Path]:
    """The three tables of the sorted person rows ``rows``, written by the engine together
    (one query, three CSV sinks in parallel), never collected; their paths.

    The same bytes as :class:`PersonCsv`'s slices (``write_csv`` and ``sink_csv`` format alike):
    only the columns in which some value needs a quote are neutralised, as
    :func:`~canbao.cells.neutralise_frame` does; the columns the tables make (the reasons,
    the categories) only if one of their codes or labels could need it
    (:func:`made_may_need_quote`).
    """
    quoted = columns_needing_quotes(rows)
    tables = present.tables_of_persons(rows.lazy())
    paths = {name: out / f"{name}.csv" for name in tables}
    sinks = []
    for name, table in tables.items():
        neutral = neutral_headings(table.collect_schema(), quoted)
        neutralised = table.with_columns(neutralise_text(pl.col(neutral))) if neutral else table
        sinks.append(neutralised.sink_csv(paths[name], include_bom=True, lazy=True))
    pl.collect_all(sinks)
    return paths


def neutral_headings(schema: pl.Schema, quoted: set[str]) -> list[str]:
    """The text columns (headings) of a person table to neutralise, given ``quoted``, the
    person rows' columns with a value that needs a quote (:func:`columns_needing_quotes`): a
    table's rows are some of the person rows, so :func:`~canbao.cells.neutralise_frame` of the
    table would change these columns and no other (the same bytes, one search for the three
    tables); the columns the tables make only if :func:`made_may_need_quote`."""
    text = [h for h, dtype in schema.items() if dtype == pl.String]
    made = [h for h in text if h not in _COLUMN_OF] if made_may_need_quote() else []
    return [h for h in text if _COLUMN_OF.get(h, h) in quoted] + made


def made_may_need_quote() -> bool:
    """Whether a reason or category cell of the tables could need a quote: it is codes or
    labels of the vocabulary joined by ``;`` (or empty), so it begins with one of them, and
    :func:`~canbao.cells.neutralise_text` quotes only a text that begins with a formula
    character or an apostrophe. None does, so the regex over the tables' rows is skipped (about
    0.01 CPU-s at 1 M persons, docs/performance-measurements.md seventh round)."""
    texts = [t for flags in (present.REASONS, present.UNINSURED_FLAGS) for t in flags.items()]
    return any(text[:1] in _QUOTE_STARTS for pair in texts for text in pair if text)


class PersonCsv:
    """The three person tables' CSV files under ``out``, open while sorted rows are appended.

    Shared by one piece (slices of one sort) and the sharded run (batches of townships, each
    sorted; :mod:`canbao.match._person_tables`): each appended part gives the three tables' rows
    of it. ``kept``: the tables to keep as well (in memory, or staged under ``kept_in``:
    :mod:`canbao.match._kept_tables`), filled when the files are closed.
    """

    def __init__(
        self, out: Path, kept: Kept | None, like: pl.LazyFrame, kept_in: Path | None = None
    ) -> None:
        # ``like``: person rows of the appended kind (none needed), for the tables' names;
        # ``kept_in``: the folder the kept tables' parts are staged in (None: in memory).
        names = list(present.tables_of_persons(like.head(0)))
        self.paths = {name: out / f"{name}.csv" for name in names}
        self._kept = KeptTables(kept, kept_in)
        self._stack = ExitStack()
        self._files: dict[str, BinaryIO] = {}

    def __enter__(self) -> PersonCsv:
        for name, path in self.paths.items():
            self._files[name] = self._stack.enter_context(path.open("wb"))
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self._stack.close()
        if kind is None:  # after an error the tables are not kept (nor their parts joined)
            self._kept.close()

    def append(self, rows: pl.LazyFrame, *, first: bool) -> None:
        """Append the tables' rows of the sorted person rows ``rows`` (``first``: headers too).

        The person rows are searched for values that need a quote once, not each table
        (:func:`neutral_headings`), and the three tables are made together."""
        persons = rows.collect()
        quoted = columns_needing_quotes(persons)
        tables = present.tables_of_persons(persons.lazy())
        for name, table in zip(tables, pl.collect_all(tables.values()), strict=True):
            neutral = neutral_headings(table.schema, quoted)
            written = table.with_columns(neutralise_text(pl.col(neutral))) if neutral else table
            _append(self._files[name], written, first=first)
            if self._kept.wanted(name):
                self._kept.add(name, table)


def sorted_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (a frame no one else holds) sorted by :data:`ORDER`, column by column.

    A column is made one chunk before it is gathered: from the streaming engine's 29 chunks a
    gather cost 0.03 CPU-s per string column of 1 M rows, from one chunk a tenth of it (0.6
    against 0.14 CPU-s for the person rows). Column by column, each unsorted column dropped as
    its sorted one is made, so the sorted rows are never held beside the whole unsorted frame
    (a rechunk of the whole frame held 190 MB more at 1 M persons, this about 60 MB).
    """
    order = sort_order(rows)
    columns = rows.get_columns()
    del rows
    ordered = []
    while columns:
        ordered.append(columns.pop(0).rechunk().gather(order))
    return pl.DataFrame(ordered)


def sort_order(rows: pl.DataFrame) -> pl.Series:
    """The row numbers of ``rows`` in :data:`ORDER` (nulls last, ties in row order).

    By one Int128 number per row when every ID has the valid form (:func:`_number_key`): a
    sort of 1 M 18-character IDs with the three places cost 0.39 CPU-s, the number 0.18.
    """
    key = _number_key(rows)
    if key is None:
        by = pl.arg_sort_by(ORDER, nulls_last=True, maintain_order=True)
        return rows.select(by).to_series()
    return rows.select(key.arg_sort()).to_series()


def _number_key(rows: pl.DataFrame) -> pl.Expr | None:
    """A number per row in the order of :data:`ORDER`, distinct for every row, or None.

    Each place is its rank among the place's values (text order; a null after them all), the
    ID its 17 digits and its check character (X after 9: the text order of IDs of the valid
    form; a null after them all), the row number last (the ties). None when an ID has another
    form or the number would need more than 126 bits (a city of a billion villages).
    """
    *places, id_column = ORDER
    ids = pl.col(id_column)
    if (
        not rows.height
        or not rows.select((ids.is_null() | ids.str.contains(_ID_FORM)).all()).item()
    ):
        return None
    key, room = pl.lit(0, pl.Int128), ID_ROOM * rows.height
    for place in places:
        values = rows.get_column(place).drop_nulls().unique().sort()
        rank = pl.col(place).cast(pl.Enum(values.to_list())).to_physical().cast(pl.Int128)
        key, room = (
            key * (values.len() + 1) + rank.fill_null(values.len()),
            room * (values.len() + 1),
        )
    if room >= 2**126:
        return None
    check = ids.str.slice(17, 1)
    number = ids.str.slice(0, 17).cast(pl.Int128) * 11 + pl.when(check == "X").then(
        pl.lit(10, pl.Int128)
    ).otherwise(check.cast(pl.Int128, strict=False))
    key = key * ID_ROOM + number.fill_null(ID_ROOM - 1)
    return key * rows.height + pl.int_range(pl.len(), dtype=pl.Int128)


def _append(out: BinaryIO, table: pl.DataFrame, *, first: bool) -> None:
    """Append ``table`` as CSV; ``first``: with the header and BOM (also for no rows). The
    caller has neutralised it (:meth:`PersonCsv.append`): nothing here quotes a formula."""
    if first or table.height:
        table.write_csv(out, include_header=first, include_bom=first)
