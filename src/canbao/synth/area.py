"""The counties a synthetic city is drawn over: Huaibei's four (the default) or a province's.

The default city puts every person, whatever its size, into the four counties of Huaibei (濉溪县
half of them). That is a city's map, not a province's: at 10 M persons one county holds 5 M, while
a real county holds at most about 2 M and a province of 60-100 M has over a hundred counties. The
repair step's candidates (persons born on one day in one county whose IDs are two substitutions
apart) grow with the persons of a county, so a benchmark of a province needs a province's counties.

``province=True`` (:func:`province_chunks`) takes real GB/T 2260 county codes of 安徽省 in code
order (then 河南省, 江苏省, 山东省 when more are needed), as many as give about
:data:`COUNTY_PERSONS` persons per county, each county weighted 0.5-1.5 by a fixed hash of its
code. The counties are generated in chunks of about :data:`CHUNK_PERSONS` persons, one after the
other, so the generator's memory stays bounded however large the province. Citizen IDs must be
unique over the province: a chunk's local IDs carry its own counties' codes, and the IDs of persons
born elsewhere take the codes of other provinces dealt to the chunks in turn (each chunk its own
share), so no two chunks draw a sequence number under the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

from canbao import regions
from canbao.synth import pools

# Mean household persons per county of a province-mode city (安徽: about 61 M persons in 104
# county-level units).
COUNTY_PERSONS: Final = 500_000
# Persons generated at a time in province mode (a chunk's narrow core is held whole).
CHUNK_PERSONS: Final = 2_000_000
# Provinces whose counties a province-mode city takes, in this order.
PROVINCES: Final = ("34", "41", "32", "37")
PROVINCE_TOWNSHIPS: Final = 12
_OUTSIDE: Final = ("320102", "410102", "370102", "330106", "110101", "310101")
_COUNTY_ENDINGS: Final = ("区", "县", "市", "旗")


@dataclass(frozen=True)
class Area:
    """Counties of a city (or of one chunk of a province) and the codes drawn beside them."""

    counties: tuple[str, ...]
    weights: tuple[float, ...]  # share of the persons per county, summing to 1
    townships: tuple[int, ...]  # townships per county
    id_elsewhere: tuple[str, ...]  # ID region codes of persons born outside the area
    outside: tuple[str, ...]  # enrolment regions (参保地) outside the area
    retired: str | None  # a retired code of the area's city some local IDs still carry
    rural: tuple[str, ...]  # counties (县, not 区): mostly towns rather than streets

    def geography(self) -> list[tuple[str, int, str, str, bool]]:
        """(county, index within county, township, village, urban) for every village."""
        return pools.geography(dict(zip(self.counties, self.townships, strict=True)), self.rural)


HUAIBEI: Final = Area(
    counties=pools.COUNTY_CODES,
    weights=(0.5, 0.15, 0.22, 0.13),
    townships=tuple(pools.TOWNSHIP_COUNTS[c] for c in pools.COUNTY_CODES),
    id_elsewhere=pools.ID_REGIONS_ELSEWHERE,
    outside=pools.REGIONS_OUTSIDE,
    retired=pools.RETIRED_CITY_CODE,
    rural=("340621",),
)


def _is_county(code: str) -> bool:
    found = regions.region(code)
    return (
        found is not None
        and not found.retired
        and not code.endswith("00")
        and found.name != "市辖区"
        and found.name.endswith(_COUNTY_ENDINGS)
    )


@cache
def _all_counties() -> tuple[str, ...]:
    return tuple(sorted(c for c in regions.names_frame()["code"].to_list() if _is_county(c)))


def _weight(code: str) -> float:
    return 0.5 + pools.hash_small(code) % 1000 / 1000


def province_counties(persons: int, county_persons: int = COUNTY_PERSONS) -> list[str]:
    """The counties of a province-mode city: one per ``county_persons`` persons, at least 2."""
    wanted = max(2, round(persons / county_persons))
    ordered = [c for p in PROVINCES for c in _all_counties() if c.startswith(p)]
    return ordered[:wanted]


def province_chunks(
    persons: int, county_persons: int = COUNTY_PERSONS, chunk_persons: int = CHUNK_PERSONS
) -> list[tuple[Area, int]]:
    """The chunks of a province-mode city: each an :class:`Area` and its household persons.

    Consecutive counties (in code order) are packed into chunks of at least ``chunk_persons``
    expected persons and two counties; the persons of the chunks add up to ``persons``.
    """
    counties = province_counties(persons, county_persons)
    total = sum(_weight(c) for c in counties)
    groups: list[list[str]] = [[]]
    for i, code in enumerate(counties):
        group = groups[-1]
        group.append(code)
        left = len(counties) - i - 1
        big = sum(_weight(c) for c in group) / total * persons >= chunk_persons
        if big and len(group) >= 2 and left >= 2:
            groups.append([])
    provinces = {c[:2] for c in counties}
    elsewhere = [c for c in _all_counties() if c[:2] not in provinces]
    outside = tuple(c for c in _OUTSIDE if c[:2] not in provinces)[:4]
    retired_city = next((g for g in groups if any(c[:4] == "3406" for c in g)), None)
    chunks: list[tuple[Area, int]] = []
    done, share = 0, 0.0
    for n, group in enumerate(groups):
        weights = [_weight(c) for c in group]
        share += sum(weights) / total
        size = round(share * persons) - done
        done += size
        area = Area(
            counties=tuple(group),
            weights=tuple(w / sum(weights) for w in weights),
            townships=(PROVINCE_TOWNSHIPS,) * len(group),
            id_elsewhere=tuple(elsewhere[n :: len(groups)]),
            outside=outside,
            retired=pools.RETIRED_CITY_CODE if group is retired_city else None,
            rural=tuple(c for c in group if (regions.county_name(c) or "").endswith("县")),
        )
        chunks.append((area, size))
    return chunks
