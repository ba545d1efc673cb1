"""Region codes and names of GB/T 2260 (中华人民共和国行政区划代码), from python-stdnum's data.

python-stdnum ships ``cn/loc.dat``, the codes of every province, city and county since 1980 with
each name's years of validity (``[1983-2001]东市区,[2002-]瑶海区``). It is kept up to date with
each release of the package, so canbao keeps no table of its own. Data is always joined on the
six-digit code; names are for display only, because they repeat within a province (鼓楼区 is
320106 in Nanjing and 320302 in Xuzhou).

The data names no successor for a code that was retired. :func:`successor` therefore takes the
current code of the same city with the same name (a code renumbered), else the city itself:
every retired county code of a city still lies in that city (docs/match.md, "The area").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import polars as pl

from canbao.errors import InputError
from canbao.i18n import _
from canbao.masking import mask_name

_SPAN = re.compile(r"^\[(?P<start>[0-9]*)-(?P<end>[0-9]*)\](?P<name>.*)$")
_LEADING_CODE = re.compile(r"^([0-9]{6})(?![0-9])")
# How the names of GB/T 2260's county-level and city-level regions end.
_REGION_ENDINGS = ("区", "县", "市", "旗", "州", "盟", "地区")


@dataclass(frozen=True)
class Region:
    """One six-digit region code with its latest name and whether it is still in use."""

    code: str
    name: str
    province: str
    city: str
    retired: bool
    valid_until: int | None

    @property
    def city_code(self) -> str:
        """The code of the city (prefecture) the region belongs to: its first four digits + 00."""
        return self.code[:4] + "00"

    @property
    def city_shown(self) -> str:
        """The city as a form prints it: empty where GB/T 2260 has a grouping, not a city
        (市辖区 of Beijing, 省直辖县级行政单位 of Henan)."""
        return self.city if self.city.endswith(("市", "州", "盟", "地区")) else ""


def _latest(spec: str) -> tuple[str, int | None]:
    """The latest name of a ``[from-to]name,...`` spec and the year it ended (None: current)."""
    name, until = spec, None
    for part in spec.split(","):
        match = _SPAN.match(part.strip())
        if match is None:
            name, until = part.strip(), None
            continue
        name = match.group("name")
        until = int(match.group("end")) if match.group("end") else None
    return name, until


@cache
def _regions() -> dict[str, Region]:
    from stdnum import numdb  # imported on first use: the data file is parsed once per process

    regions: dict[str, Region] = {}
    for _p, province_code, _n, province_props, counties in numdb.get("cn/loc").prefixes:
        province = str(province_props.get("province", ""))
        cities: dict[str, str] = {}
        for _c, suffix, _n, props, _r in counties:
            name, until = _latest(str(props.get("county", "")))
            code = f"{province_code}{suffix}"
            if suffix.endswith("00"):
                cities[code[:4]] = name
            regions[code] = Region(code, name, province, "", until is not None, until)
        for code, region in list(regions.items()):
            if code.startswith(province_code):
                city = cities.get(code[:4], province)
                regions[code] = Region(
                    code, region.name, province, city, region.retired, region.valid_until
                )
    return regions


def region(code: str) -> Region | None:
    """The region of a six-digit code, or None when GB/T 2260 never had it."""
    return _regions().get(code)


def county_name(code: str | None) -> str | None:
    """The latest name of a county code (玄武区 for 320102), or None when the code is unknown."""
    if code is None:
        return None
    found = _regions().get(code)
    return found.name if found is not None else None


def display_name(code: str) -> str:
    """The name to print for a county code: its name, or the code itself when unknown."""
    return county_name(code) or code


def successor(code: str) -> str:
    """The code a retired region counts by today (itself when still in use or unknown)."""
    found = _regions().get(code)
    if found is None or not found.retired:
        return code
    for other in _regions().values():
        if other.code[:4] == code[:4] and not other.retired and other.name == found.name:
            return other.code
    return found.city_code


def retired_successors(cities: Iterable[str]) -> dict[str, str]:
    """Every retired code of the given cities (four-digit prefixes) with its :func:`successor`."""
    wanted = set(cities)
    return {
        code: successor(code)
        for code, found in _regions().items()
        if found.retired and code[:4] in wanted
    }


@cache
def names_frame() -> pl.DataFrame:
    """Every code with its latest name, province, city and whether it is retired (for joins)."""
    rows = list(_regions().values())
    return pl.DataFrame(
        {
            "code": [r.code for r in rows],
            "name": [r.name for r in rows],
            "province": [r.province for r in rows],
            "city": [r.city for r in rows],
            "retired": [r.retired for r in rows],
        }
    )


def county_name_expr(code: pl.Expr) -> pl.Expr:
    """Vectorised :func:`display_name`: the county's name, or the code when unknown."""
    frame = names_frame()
    mapping = dict(zip(frame["code"].to_list(), frame["name"].to_list(), strict=True))
    return code.replace_strict(mapping, default=code, return_dtype=pl.String)


def codes_named(name: str, within: Sequence[str] = ()) -> list[str]:
    """The codes whose latest name is ``name``, inside the prefixes ``within`` (all when empty).

    Codes still in use come first; a retired code is returned only when no current one fits.
    """
    matches = [
        r
        for r in _regions().values()
        if r.name == name and (not within or any(r.code.startswith(p) for p in within))
    ]
    current = sorted(r.code for r in matches if not r.retired)
    return current or sorted(r.code for r in matches)


def county_code(value: str, *, within: Sequence[str] = (), where: str = "") -> str:
    """A county given by its six-digit code or by its name, as a code; a clear error otherwise.

    ``where`` names the file and row for the message (``县区上报.csv 第 3 行``).
    """
    text = value.strip()
    code = _LEADING_CODE.match(text)
    if code is not None:  # "340602" or the entry sheet's "340602 杜集区": the code decides
        return code.group(1)
    codes = codes_named(text, within)
    place = _("{where}: ").format(where=where) if where else ""
    scope = ", ".join(within) if within else _("the whole country")
    if len(codes) == 1:
        return codes[0]
    if not codes:
        shown = _shown(text)
        raise InputError(
            _("{place}the county {name!r} is no county name of GB/T 2260 within {scope}").format(
                place=place, name=shown, scope=scope
            ),
            fix=_("write the six-digit region code (such as 340602), or correct the name"),
        )
    raise InputError(
        _("{place}the county name {name!r} has several region codes: {codes}").format(
            place=place, name=text, codes=_(", ").join(codes)
        ),
        fix=_("write the six-digit region code instead of the name, or narrow it with --area"),
    )


def _shown(text: str) -> str:
    """An unknown county value as a message may quote it: a misspelt region name or a code in
    full (the user must see what to fix), anything else masked, since a clerk's sheet may hold a
    person's name in the wrong column."""
    if text.isdigit() or text.endswith(_REGION_ENDINGS):
        return text
    return mask_name(text)


def known_codes(codes: Iterable[str]) -> list[str]:
    """The codes among ``codes`` that GB/T 2260 knows (for messages about unknown counties)."""
    table = _regions()
    return [c for c in codes if c in table]


def county_codes(
    values: pl.Series, *, within: Sequence[str] = (), where: Callable[[str], str] | None = None
) -> pl.Series:
    """Vectorised :func:`county_code`: codes, names or ``code name`` to codes (nulls stay null).

    Each distinct value is looked up once; ``where(value)`` names the file and row of a value for
    the error (its first occurrence).
    """
    mapping = {
        v: county_code(v, within=within, where=where(v) if where else "")
        for v in values.drop_nulls().unique().sort().to_list()
    }
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)


def display_names(codes: Iterable[str]) -> dict[str, str]:
    """A label per code for headings and folder names: its name, with the code where names repeat.

    Two counties of one output may share a name (鼓楼区 320106 and 320302); both then read
    ``鼓楼区(320106)`` so that no two columns or folders look the same.
    """
    names = {c: display_name(c) for c in sorted(set(codes))}
    repeated = {n for n, times in Counter(names.values()).items() if times > 1}
    return {c: f"{n}({c})" if n in repeated and n != c else n for c, n in names.items()}


def code_and_name_expr(code: pl.Expr) -> pl.Expr:
    """Vectorised ``320102 玄武区`` for sheets a clerk fills and canbao reads back (the code keys
    the data, the name is for the clerk); an unknown code stays as written."""
    name = county_name_expr(code)
    return pl.when(name != code).then(pl.concat_str([code, pl.lit(" "), name])).otherwise(code)


@cache
def _places() -> dict[str, str]:
    return {r.code: f"{r.province}{r.city_shown}" for r in _regions().values()}


def province_city_expr(code: pl.Expr) -> pl.Expr:
    """Vectorised province and city of a county code as an address begins (江苏省南京市 for
    320102, 北京市 for 110101); empty when the code is unknown."""
    return code.replace_strict(_places(), default="", return_dtype=pl.String)
