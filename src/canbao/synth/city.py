"""``generate_city``: rosters of a synthetic Huaibei with every finding planted, and the truth.

The output directory holds the rosters (see :func:`canbao.synth.writers.roster_files`),
``manifest.json`` (files, kinds, seed, story counts), a README and ``expected/`` with the result
sets a correct ``canbao match --as-of <as_of>`` must produce (docs/synthetic.md explains each).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from canbao.atomic import atomic_directory
from canbao.i18n import _
from canbao.rng import Rng
from canbao.synth import legal as legal_rosters
from canbao.synth import pools
from canbao.synth.area import HUAIBEI, Area, province_chunks
from canbao.synth.ledgers import LEDGER_OUTPUTS, plant_ledgers
from canbao.synth.people import add_details, build_core, place_key, plan_counts
from canbao.synth.readme import readme_text
from canbao.synth.records import build_records
from canbao.synth.stories import FLOATING_FRACTIONS, GROUP_FRACTIONS, HOUSEHOLD_FRACTIONS
from canbao.synth.truth import EXPECTED_FILES, expected_sets, tag_records
from canbao.synth.units import PROVINCE_UNIT_PREFIX, unit_files, write_units
from canbao.synth.writers import (
    RosterFile,
    Sink,
    enrolment_columns,
    person_columns,
    roster_files,
)

XLSX_MAX_PERSONS = 50_000
# Persons per block of villages: bounds the memory (about 3 GB per million persons in a block).
BLOCK_PERSONS = 400_000
ENROLMENT_FILES = ("pension_employee", "pension_resident", "medical_employee", "medical_resident")


@dataclass(frozen=True)
class CityManifest:
    """What :func:`generate_city` wrote: where, from what, and the expected counts."""

    output: Path
    persons: int
    seed: int
    as_of: date
    messy: bool
    rosters: dict[str, dict[str, str]]  # file name -> kind, format, encoding
    story_counts: dict[str, int]
    summary: dict[str, Any] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)  # expected unit counts (synth/units.py)
    area: tuple[str, ...] = pools.COUNTY_CODES  # the counties the persons live in
    province: bool = False  # spread over a province's counties (canbao.synth.area)
    rosters_only: bool = False  # no expected/ or ledgers

    def to_json(self) -> dict[str, Any]:
        """The manifest as written to ``manifest.json`` (paths relative to the city)."""
        return {
            "generator": "canbao.synth",
            "persons": self.persons,
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "messy": self.messy,
            "area": list(self.area),
            "rosters": self.rosters,
            "stories": self.story_counts,
            # Only when set: the manifests of Huaibei's cities stay as they were.
            **({"province": True} if self.province else {}),
            **({"rosters_only": True} if self.rosters_only else {}),
        }


def _fractions(overrides: Mapping[str, float] | None) -> tuple[dict[str, float], ...]:
    household, floating, groups = (
        dict(HOUSEHOLD_FRACTIONS),
        dict(FLOATING_FRACTIONS),
        dict(GROUP_FRACTIONS),
    )
    for key, value in (overrides or {}).items():
        target = next((d for d in (household, floating, groups) if key in d), None)
        if target is None:
            raise ValueError(_("unknown story fraction {key!r}").format(key=key))
        if not 0 <= value <= 1:
            problem = _("story fraction {key!r} must lie in [0, 1], not {value}")
            raise ValueError(problem.format(key=key, value=value))
        target[key] = value
    return household, floating, groups


def generate_city(
    persons: int,
    *,
    seed: int,
    as_of: date,
    output: Path,
    messy: bool = True,
    fractions: Mapping[str, float] | None = None,
    legal_groups: bool = False,
    province: bool | tuple[int, int] = False,
    rosters_only: bool = False,
) -> CityManifest:
    """Write a city of ``persons`` household persons into ``output`` (replaced atomically).

    ``legal_groups``: also write work-injury, unemployment and maternity rosters with planted
    legal-group gaps (:mod:`canbao.synth.legal`, a random stream of their own).
    ``province``: spread the persons over a province's counties, about 500,000 per county, and
    generate them chunk by chunk in bounded memory (:mod:`canbao.synth.area`; the unit rosters
    over the same counties, listed in the manifest's rosters); a pair (persons per county, per
    chunk) sets those sizes (small provinces for tests).
    ``rosters_only``: write the rosters, manifest and README only (no ``expected/``, ledgers or
    truth of the units and legal groups): what a benchmark's match reads.
    """
    if persons < 1:
        raise ValueError(_("a city needs at least one person"))
    shares = _fractions(fractions)
    if isinstance(province, tuple):
        chunks = province_chunks(persons, *province)
    else:
        chunks = province_chunks(persons) if province else [(HUAIBEI, persons)]
    rng = Rng(seed)
    specs = roster_files(messy=messy, xlsx=persons <= XLSX_MAX_PERSONS)
    legal = legal_rosters.LegalPlanting(seed, as_of) if legal_groups else None
    expected: tuple[str, ...] = EXPECTED_FILES
    if legal is not None:
        specs |= legal_rosters.legal_files()
        expected = (*EXPECTED_FILES, legal_rosters.EXPECTED)
    names = {k: s.name for k, s in specs.items()}
    outputs = {
        **specs,
        **{f: RosterFile(f, f"expected/{f}.csv", "expected", "csv", "utf-8") for f in expected},
        **LEDGER_OUTPUTS,
    }
    summary: dict[str, Any] = {}
    counts: dict[str, int] = {}
    with atomic_directory(Path(output), command="demo") as staging:
        if not rosters_only:
            (staging / "expected").mkdir()
        sink = Sink(staging, outputs)
        try:
            offsets: dict[str, int] = dict.fromkeys(specs, 0)
            first_pid = 0
            for area, size in chunks:
                chunk_counts = plan_counts(size, *shares)
                core = build_core(rng, chunk_counts, as_of, area, first_pid)
                first_pid += sum(chunk_counts.values())
                counts = _add(counts, chunk_counts)
                for low, high in _blocks(core):
                    block = core.filter(place_key().is_between(low, high))
                    part = _write_block(
                        rng, block, sink, offsets, names, messy=messy, legal=legal, area=area,
                        with_truth=not rosters_only,
                    )  # fmt: skip
                    summary = _add(summary, part)
                del core  # the next chunk's core replaces it
        finally:
            sink.close()
        # Units from a random stream of their own: the persons' files stay as they were.
        areas = tuple(c for area, _size in chunks for c in area.counties)
        insured_encoding = specs["medical_resident"].encoding
        units = {}
        if province:
            units = write_units(
                staging, seed=seed, persons=persons, encoding=insured_encoding,
                counties=areas, prefix=PROVINCE_UNIT_PREFIX, with_truth=not rosters_only,
            )  # fmt: skip
            specs |= unit_files(insured_encoding)
        elif not rosters_only:
            units = write_units(staging, seed=seed, persons=persons, encoding=insured_encoding)
        manifest = CityManifest(
            output=Path(output),
            persons=persons,
            seed=seed,
            as_of=as_of,
            messy=messy,
            rosters={
                s.name: {"kind": s.kind, "format": s.format, "encoding": s.encoding}
                for s in specs.values()
            },
            story_counts={k: v for k, v in counts.items() if v},
            summary=summary,
            units=units if not rosters_only else {},
            area=areas,
            province=bool(province),
            rosters_only=rosters_only,
        )
        if not rosters_only:
            text = json.dumps(summary, ensure_ascii=False, indent=2)
            path = staging / "expected" / "summary_expected.json"
            path.write_text(text + "\n", encoding="utf-8")
        (staging / "manifest.json").write_text(
            json.dumps(manifest.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        (staging / "README.md").write_text(readme_text(manifest), encoding="utf-8")
    return manifest


def _blocks(core: pl.DataFrame) -> list[tuple[int, int]]:
    """Consecutive village ranges holding about BLOCK_PERSONS persons each."""
    sizes = core.group_by(place_key().alias("place")).len().sort("place")
    blocks: list[tuple[int, int]] = []
    low: int | None = None
    total = 0
    for place, size in sizes.iter_rows():  # one row per village: a few hundred
        low = place if low is None else low
        total += size
        if total >= BLOCK_PERSONS:
            blocks.append((low, place))
            low, total = None, 0
    if low is not None:
        blocks.append((low, int(sizes["place"][-1])))
    return blocks


def _write_block(
    rng: Rng,
    block: pl.DataFrame,
    sink: Sink,
    offsets: dict[str, int],
    names: dict[str, str],
    *,
    messy: bool,
    legal: legal_rosters.LegalPlanting | None = None,
    area: Area = HUAIBEI,
    with_truth: bool = True,
) -> dict[str, Any]:
    """Write one block of villages to every file; return its part of the summary (``with_truth``:
    with the expected result sets and ledgers, else the rosters alone and no summary)."""
    people = add_details(rng, block, area)
    household = people.filter(pl.col("group") == "household").sort(place_key(), "pid")
    household = household.with_columns(
        hh_line=pl.int_range(pl.len(), dtype=pl.Int64) + 2 + offsets["household"]
    )
    people = people.join(household.select("pid", "hh_line"), on="pid", how="left")
    records = build_records(rng, people, messy=messy, area=area)
    order = rng.bits("order", pl.col("rkey") * 2 + pl.col("copy").cast(pl.UInt64))
    first_line = pl.col("file").replace_strict(
        list(ENROLMENT_FILES), [offsets[f] + 1 for f in ENROLMENT_FILES], return_dtype=pl.Int64
    )
    line = order.rank("ordinal").over("file").cast(pl.Int64) + first_line
    records = records.with_columns(line=line)

    sink.append("household", household.select(person_columns("household")))
    floating = people.filter(pl.col("group") == "floating").sort(place_key(), "pid")
    sink.append("floating", floating.select(person_columns("floating")))
    written = ["file", "line", "id_written", "name_written", "sex_written", "birth_written"]
    written += ["scheme", "region", "enrol_status", "employer"]
    narrow = records.select(written)
    for key in ENROLMENT_FILES:
        rows = narrow.filter(pl.col("file") == key).sort("line")
        sink.append(key, rows.select(enrolment_columns(key, messy=messy)))
        offsets[key] += rows.height
    offsets["household"] += household.height
    offsets["floating"] += floating.height
    if not with_truth and legal is None:
        return {}
    records = tag_records(records)
    legal_part = None if legal is None else legal.plant(people, records)
    if legal_part is not None:
        for key, frame in legal_part[0].items():
            sink.append(key, frame)
            offsets[key] += frame.height
    if not with_truth:
        return {}
    truth = expected_sets(people, records, names)
    for name in EXPECTED_FILES:
        sink.append(name, truth[name])
    for name, frame in plant_ledgers(rng.seed, people, truth["needs_survey"]).items():
        sink.append(name, frame)
    summary = dict(truth["summary"])
    if legal_part is not None:
        legal_rows, gaps, counts = legal_part
        sink.append(legal_rosters.EXPECTED, gaps)
        summary["enrolment_rows"] += counts.pop("enrolment_rows")
        summary["linked_rows"] += sum(f.height for f in legal_rows.values())
        summary["legal_groups"] = counts
    return summary


def _add(total: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """Sum two summaries key by key (blocks hold disjoint persons, so counts add)."""
    out = dict(total)
    for key, value in part.items():
        if isinstance(value, dict):
            out[key] = _add(out.get(key, {}), value)
        else:
            out[key] = out.get(key, 0) + value
    return out
