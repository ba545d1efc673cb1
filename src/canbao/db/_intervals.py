"""The statements every interval table shares: a person's value held from one snapshot to another.

``canbao.person_states`` keeps (state, detail) per person, ``canbao.person_places`` (county,
township, village): both are one row per interval in which a person held a value, opened by the
snapshot that first showed it (began) and closed by the first that did not (ended). A load puts
the snapshot's rows in a temporary table and runs two statements ($1 area, $2 as-of date, $3
run): end every open interval the snapshot lacks, begin one for every row without an open one.
A revision or a rebuild rewinds the table to before its date (:meth:`IntervalTable.rewind`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from canbao.db._connection import Connection


@dataclass(frozen=True)
class IntervalTable:
    """One interval table: its name, the columns of its value, the temporary table of a load."""

    name: str
    values: tuple[str, ...]
    incoming: str

    def _same(self, left: str, right: str) -> str:
        pairs = [("person_key", "person_key"), *((v, v) for v in self.values)]
        return " AND ".join(f"{left}.{a} = {right}.{b}" for a, b in pairs)

    @property
    def end_statement(self) -> str:
        """End every open interval of the area that the snapshot no longer has."""
        return (
            f"UPDATE {self.name} AS p SET ended = $2, ended_run = $3 "
            "WHERE p.area = $1 AND p.ended IS NULL AND p.retired_by IS NULL AND NOT EXISTS ("
            f"SELECT 1 FROM {self.incoming} i WHERE {self._same('i', 'p')})"
        )

    @property
    def begin_statement(self) -> str:
        """Open an interval for every row of the snapshot that has no open one."""
        values = ", ".join(self.values)
        chosen = ", ".join(f"i.{v}" for v in self.values)
        return (
            f"INSERT INTO {self.name} (area, person_key, {values}, began, ended, "
            "began_run, ended_run, retired_by) "
            f"SELECT $1, i.person_key, {chosen}, $2, NULL, $3, NULL, NULL FROM {self.incoming} i "
            f"WHERE NOT EXISTS (SELECT 1 FROM {self.name} p WHERE p.area = $1 "
            f"AND p.ended IS NULL AND p.retired_by IS NULL AND {self._same('p', 'i')})"
        )

    def rewind(self, con: Connection, area: str, as_of: date, run_id: int) -> None:
        """Take the table back to just before ``as_of``; what is replaced is retired, not deleted.

        Intervals that began on or after the date are retired. Intervals that ended on or after
        it are retired and reopened as a copy (same beginning), since from that date on the new
        snapshot decides.
        """
        values = ", ".join(self.values)
        con.execute(
            f"UPDATE {self.name} SET retired_by = $3 "
            "WHERE area = $1 AND retired_by IS NULL AND began >= $2",
            (area, as_of, run_id),
        )
        con.execute(
            f"INSERT INTO {self.name} (area, person_key, {values}, began, ended, began_run, "
            f"ended_run, retired_by) SELECT area, person_key, {values}, began, NULL, began_run, "
            f"NULL, NULL FROM {self.name} WHERE area = $1 AND retired_by IS NULL AND ended >= $2",
            (area, as_of),
        )
        con.execute(
            f"UPDATE {self.name} SET retired_by = $3 "
            "WHERE area = $1 AND retired_by IS NULL AND ended >= $2",
            (area, as_of, run_id),
        )

    def held_on(self, columns: str, *, changed: bool = False) -> str:
        """A query of ``columns`` over the intervals that held on $2 in area $1; with
        ``changed``, only of the persons :data:`CHANGED` finds between $3 and $4."""
        only = f" AND person_key IN ({CHANGED})" if changed else ""
        return (
            f"SELECT {columns} FROM {self.name} WHERE area = $1 AND retired_by IS NULL "
            f"AND began <= $2 AND (ended IS NULL OR ended > $2){only}"
        )


# The persons of area $1 whose lists may differ between the dates $3 and $4 (after $3, up to
# $4): a standing state interval began or ended in between, or a valid form confirmed them in
# between (the visit list). Anyone else holds the same states on both dates, so ``changes``
# reads only these (a few per cent of a city) instead of every person twice.
CHANGED = (
    "SELECT person_key FROM canbao.person_states WHERE area = $1 AND retired_by IS NULL "
    "AND ((began > $3 AND began <= $4) OR (ended > $3 AND ended <= $4)) "
    "UNION SELECT person_key FROM canbao.survey_results WHERE confirmed "
    "AND visited > $3 AND visited <= $4"
)


STATES = IntervalTable("canbao.person_states", ("state", "detail"), "canbao_incoming")
PLACES = IntervalTable(
    "canbao.person_places", ("county", "township", "village"), "canbao_places_incoming"
)
