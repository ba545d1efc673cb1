"""The area of a match and whether an ID was issued inside it (docs/match.md, "The area").

An ID's region code (its first six digits) is where the number was issued, perhaps under a county
code since retired or renamed. A code is inside the area when its city (first four digits) is
the city of an area prefix; only prefixes longer than a city that ``--area`` names explicitly are
matched by the code itself, a retired code by its GB/T 2260 successor. The default area (the
household roster's counties) is not explicit, so a Huaibei ID of 340611 (retired 1984) is inside.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from canbao.errors import InputError
from canbao.i18n import _
from canbao.match.summary_model import AreaBasis
from canbao.regions import county_name, retired_successors


def _exact(area: Sequence[str], explicit: bool) -> list[str]:
    """The prefixes matched by code: longer than a city and given explicitly."""
    return [p for p in area if explicit and len(p) > 4]


def id_in_area(id_norm: pl.Expr, area: Sequence[str], *, explicit: bool) -> pl.Expr:
    """Tell whether an ID's own region code (its first six digits) lies inside the area.

    docs/match.md, "The area": the code is where the number was issued, perhaps under a county code
    since retired, so it is inside when its city (first four digits) is the city of an area prefix.
    Only prefixes longer than a city that ``--area`` names explicitly are matched by the code
    itself, a retired code by its GB/T 2260 successor. The default area (the household roster's
    counties) is not explicit: a Huaibei ID of 340611 (retired 1984) counts inside by its city.
    """
    code = id_norm.str.slice(0, 6)
    exact = _exact(area, explicit)
    inside = pl.lit(False)
    for city in sorted({p[:4] for p in area if p not in exact}):
        inside = inside | code.str.starts_with(city)
    if exact:
        successors = retired_successors({p[:4] for p in exact})
        counted = code.replace(successors) if successors else code
        for prefix in exact:
            inside = inside | counted.str.starts_with(prefix)
    return inside.fill_null(False)


def area_basis(area: Sequence[str], *, explicit: bool) -> AreaBasis:
    """The summary's ``area_basis``: at which level non-local was decided, with names.

    人社厅发〔2017〕28号 counts 非本省籍 at a province; at a city the heading says 非本地户籍, so
    the output says whether the area was taken by city or by the codes --area named.
    """
    exact = _exact(area, explicit)
    cities = sorted({p[:4] for p in area if p not in exact})
    return AreaBasis(
        explicit=explicit,
        by_city={c: county_name(c.ljust(6, "0")) or c for c in cities},
        by_code={p: county_name(p.ljust(6, "0")) or p for p in exact},
    )


def default_area(household: pl.LazyFrame) -> list[str]:
    """The counties written in the household roster (6-digit codes): the default --area.

    ``household`` is the prepared frame, whose ``county_given`` is the roster's own 县区 value
    (``county`` falls back to the ID's region, which is the birthplace, not the area).
    """
    counties = (
        household.select(pl.col("county_given").alias("county").unique())
        .filter(pl.col("county").str.contains(r"^[0-9]{4,6}$"))
        .collect()
        .get_column("county")
        .sort()
        .to_list()
    )
    if not counties:
        raise InputError(
            _("the household roster has no county codes (县区), so the area cannot be derived"),
            fix=_("give the area's region-code prefixes with --area, e.g. --area 3406"),
        )
    return [str(c) for c in counties]
