"""Legal-group gaps on a generated city: planted truth, the oracle, tables, switches and the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.codes import SCHEMES
from canbao.match.national_book import read_basic_tables
from canbao.synth.city import generate_city
from tests.spec_oracle import oracle
from tests.test_match_examples import match_args

AS_OF = date(2017, 6, 30)
KINDS = ("injury", "unemployment", "maternity")
COLUMNS = {"injury": "工伤保险应参未参人数", "unemployment": "失业保险应参未参人数",
           "maternity": "生育保险应参未参人数"}  # fmt: skip
GAP_KEY = ["公民身份号码", "类别代码", "单位编号"]


def read(path: Path) -> pl.DataFrame:
    """A CSV with every column as text (the city's files and canbao's results)."""
    return pl.read_csv(path, infer_schema=False)


def match(out: Path, city: Path, *extra: str, drop: tuple[str, ...] = ()) -> dict:
    """Run canbao match on the city (less the roster kinds in ``drop``); return the summary."""
    args = match_args(out, city)
    keep: list[str] = []
    for flag, value in zip(args[::2], args[1::2], strict=True):
        if flag.removeprefix("--") not in drop:
            keep += [flag, value]
    result = CliRunner().invoke(app, [*keep, *extra])
    assert result.exit_code == 0, result.stderr
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean city of 900 persons with the three rosters and their gaps planted."""
    out = tmp_path_factory.mktemp("legal") / "city"
    generate_city(900, seed=14, as_of=AS_OF, output=out, messy=False, legal_groups=True)
    return out


@pytest.fixture(scope="module")
def matched(city: Path) -> Path:
    """The match of the city with every roster and the default rule."""
    out = city.parent / "out"
    match(out, city)
    return out


def test_gaps_equal_the_planted_truth(city: Path, matched: Path) -> None:
    """Every person, missing kind and employer of legal_group_gaps is the planted one."""
    got = read(matched / "legal_group_gaps.csv").select(GAP_KEY)
    expected = read(city / "expected" / "legal_group_gaps.csv").select(GAP_KEY)
    assert expected.height > 0
    assert sorted(got.iter_rows()) == sorted(expected.iter_rows())


def test_summary_counts_equal_the_planted_truth(city: Path, matched: Path) -> None:
    """missing_* and the members equal the generator's, and every proof adds up."""
    got = json.loads((matched / "summary.json").read_text(encoding="utf-8"))
    exp = json.loads((city / "expected" / "summary_expected.json").read_text(encoding="utf-8"))
    legal = got["legal_groups"]
    assert legal["judged"] == list(KINDS) and legal["not_judged"] == {}
    assert legal["persons"] == exp["legal_groups"]["legal_group"]
    for kind in KINDS:
        assert legal[f"missing_{kind}"] == exp["legal_groups"][f"missing_{kind}"] > 0
    assert got["enrolment_rows"] == exp["enrolment_rows"]
    assert got["linked"] == exp["linked_rows"]
    names = [eq["equation"] for eq in got["conservation"]]
    assert [f"legal_group = has_{k} + missing_{k}" for k in KINDS] == names[-3:]
    assert all(eq["ok"] for eq in got["conservation"])


def _oracle_input(city: Path) -> tuple[list[dict], list[dict]]:
    """The city's rosters as the oracle's plain rows (a clean city: codes and labels only)."""
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    code_of = {label: code for code, label in SCHEMES.items()}
    household, records = [], []
    for name, info in manifest["rosters"].items():
        frame = read(city / name)
        if info["kind"] in ("household", "floating"):
            frame = frame.rename({"身份证号码": "公民身份号码", "状态": "人员状态"}, strict=False)
            for line, row in enumerate(frame.to_dicts(), start=2):
                household.append(
                    {"id": row["公民身份号码"], "name": row["姓名"], "sex": row["性别"],
                     "status": row["人员状态"], "county": row["县区"], "village": row["村(社区)"],
                     "address": row["常住地址"], "roster": info["kind"], "file": name,
                     "line": line}
                )  # fmt: skip
            continue
        heads = dict.fromkeys(["身份证号码", "证件号码", "身份证号"], "公民身份号码")
        heads |= {"户籍姓名": "姓名", "险种类型": "险种", "参保险种": "险种", "统筹区": "参保地"}
        heads |= {"行政区划代码": "参保地", "人员状态": "参保状态", "状态": "参保状态"}
        frame = frame.rename(heads, strict=False)
        default = {"injury": "30", "unemployment": "40", "maternity": "50"}.get(info["kind"])
        for line, row in enumerate(frame.to_dicts(), start=2):
            scheme = row.get("险种") or default
            birth = row.get("出生日期")
            records.append(
                {"id": row["公民身份号码"], "name": row["姓名"], "sex": row.get("性别"),
                 "birth": date.fromisoformat(birth) if birth else None,
                 "scheme": code_of.get(scheme, scheme), "region": row["参保地"],
                 "status": row["参保状态"], "roster": info["kind"], "file": name, "line": line,
                 "employer": row.get("单位编号")}
            )  # fmt: skip
    return household, records


def test_gaps_and_members_equal_the_oracle(city: Path, matched: Path) -> None:
    """The plain reading of docs/match.md's rules finds the same gaps and members on the city."""
    household, records = _oracle_input(city)
    exp = oracle(household, records, None, AS_OF, legal_kinds=KINDS)
    got = read(matched / "legal_group_gaps.csv").select(GAP_KEY)
    assert set(got.iter_rows()) == exp.legal_gaps
    summary = json.loads((matched / "summary.json").read_text(encoding="utf-8"))
    assert summary["legal_groups"]["persons"] == len(exp.legal_members)


def test_tables_count_the_gaps_per_county_and_employer(city: Path, matched: Path) -> None:
    """Task table, table (一) and the unit follow-up count the planted gaps by county and unit."""
    planted = read(city / "expected" / "legal_group_gaps.csv")
    people = pl.concat(
        [
            read(city / "household.csv").select(pl.col("公民身份号码").alias("id"), "县区"),
            read(city / "floating.csv").select(pl.col("身份证号码").alias("id"), "县区"),
        ]
    )
    placed = planted.join(people, left_on="公民身份号码", right_on="id")
    assert placed.height == planted.height
    for kind in KINDS:
        part = placed.filter(pl.col("类别代码") == f"missing_{kind}")
        by_county = dict(part.group_by("县区").len().iter_rows())
        task = read(matched / "task_table.csv").filter(pl.col("县区代码").is_not_null())
        got = {c: int(n) for c, n in task.select("县区代码", COLUMNS[kind]).iter_rows()}
        assert {c: n for c, n in got.items() if n} == by_county
        total = read(matched / "task_table.csv").filter(pl.col("县（区）") == "合计")
        assert int(total[COLUMNS[kind]][0]) == part.height
        table1 = read_basic_tables(matched / "basic_data_tables.xlsx")["基础数据情况表(一)"]
        assert table1.filter(pl.col("县（区）") == "合计")[COLUMNS[kind]][0] == part.height
        by_unit = dict(part.group_by("单位编号").len().iter_rows())
        units = read(matched / "legal_group_units.csv")
        got_units = {u: int(n) for u, n in units.select("单位编号", COLUMNS[kind]).iter_rows()}
        assert {u: n for u, n in got_units.items() if n} == by_unit
    persons = dict(placed.group_by("单位编号").agg(pl.col("公民身份号码").n_unique()).iter_rows())
    units = read(matched / "legal_group_units.csv").select("单位编号", "法定群体未参保人数")
    assert {u: int(n) for u, n in units.iter_rows()} == persons


def test_gaps_send_nobody_to_the_survey(city: Path, matched: Path, tmp_path: Path) -> None:
    """With --legal-groups none the person files are the same bytes and no gap file is written."""
    summary = match(tmp_path / "off", city, "--legal-groups", "none")
    assert summary["legal_groups"]["rule"] is None
    assert summary["legal_groups"]["missing_injury"] is None
    for name in ("needs_survey", "uninsured", "confirmed", "conflicts", "duplicates"):
        assert (tmp_path / "off" / f"{name}.csv").read_bytes() == (
            matched / f"{name}.csv"
        ).read_bytes(), name
    assert not (tmp_path / "off" / "legal_group_gaps.csv").exists()
    assert COLUMNS["injury"] not in read(tmp_path / "off" / "task_table.csv").columns


def test_a_kind_without_roster_is_not_judged(city: Path, tmp_path: Path) -> None:
    """Without the unemployment and maternity rosters only injury is judged, as planted."""
    summary = match(tmp_path / "injury", city, drop=("unemployment", "maternity"))
    legal = summary["legal_groups"]
    assert legal["judged"] == ["injury"]
    assert set(legal["not_judged"]) == {"unemployment", "maternity"}
    assert legal["missing_unemployment"] is None and legal["missing_maternity"] is None
    gaps = read(tmp_path / "injury" / "legal_group_gaps.csv").select(GAP_KEY)
    planted = read(city / "expected" / "legal_group_gaps.csv").select(GAP_KEY)
    injury = planted.filter(pl.col("类别代码") == "missing_injury")
    assert sorted(gaps.iter_rows()) == sorted(injury.iter_rows())
    task = read(tmp_path / "injury" / "task_table.csv")
    assert COLUMNS["injury"] in task.columns
    assert COLUMNS["unemployment"] not in task.columns


def test_another_rule_file_is_used(city: Path, tmp_path: Path) -> None:
    """--legal-groups FILE: a rule requiring injury of pension payers aged under 16 finds nobody."""
    rule = tmp_path / "nobody.toml"
    rule.write_text(
        'name = "nobody"\nschemes = ["11"]\nstatuses = ["paying"]\nrequires = ["injury"]\n'
        '[retirement_age]\n"男" = [{ years = 16 }]\n"女" = [{ years = 16 }]\n',
        encoding="utf-8",
    )
    summary = match(tmp_path / "custom", city, "--legal-groups", str(rule))
    legal = summary["legal_groups"]
    assert legal["rule"] == "nobody" and legal["judged"] == ["injury"]
    assert legal["persons"] == 0 and legal["missing_injury"] == 0
    assert "unemployment" not in legal["not_judged"]
    assert read(tmp_path / "custom" / "legal_group_gaps.csv").height == 0


def test_a_broken_rule_file_is_refused_whole_before_any_roster(tmp_path: Path) -> None:
    """Every problem of the rule file is listed (exit 5) before the rosters are even looked at."""
    rule = tmp_path / "broken.toml"
    rule.write_text(
        'name = "broken"\nschemes = ["11", "99"]\nstatuses = ["paying", "working"]\n'
        'requires = ["injury", "pension"]\ncolour = "red"\n[retirement_age]\n"男" = [\n'
        '  { to = "1964-12", years = 60 },\n  { from = "1965-03", years = 63, months = 12 },\n]\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app,
        ["match", "--household", str(tmp_path / "absent.csv"), "--legal-groups", str(rule),
         "--output", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 5, result.output
    text = result.stderr
    for needle in ("'99'", "'working'", "'pension'", "colour", "女", "months", "[1].from"):
        assert needle in text, needle
    assert f"{rule}:9: retirement_age.男[1].from" in text  # the row's own line
    assert "absent.csv" not in text
    assert not (tmp_path / "out").exists()


def test_an_unknown_rule_name_lists_the_bundled_rules(tmp_path: Path) -> None:
    """A name that is neither a file nor a bundled rule is exit 5 naming employees-2024."""
    result = CliRunner().invoke(
        app,
        ["match", "--household", str(tmp_path / "h.csv"), "--legal-groups", "employees-1999",
         "--output", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 5
    assert "employees-2024" in result.stderr


def test_legal_rosters_come_from_their_own_stream(tmp_path: Path) -> None:
    """Planting the three rosters leaves every other roster and expected set byte-identical."""
    generate_city(300, seed=5, as_of=AS_OF, output=tmp_path / "plain", messy=False)
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate_city(
            300, seed=seed, as_of=AS_OF, output=tmp_path / name, messy=False, legal_groups=True
        )
    for path in (tmp_path / "plain").rglob("*.csv"):
        name = path.relative_to(tmp_path / "plain")
        assert path.read_bytes() == (tmp_path / "a" / name).read_bytes(), name
    for name in ("injury.csv", "unemployment.csv", "maternity.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes()


def test_rosters_only_plants_the_same_legal_rosters(city: Path, tmp_path: Path) -> None:
    """With rosters_only a Huaibei city writes the same three rosters, no truth and no units."""
    out = tmp_path / "bare"
    generate_city(
        900, seed=14, as_of=AS_OF, output=out, messy=False, legal_groups=True, rosters_only=True
    )
    assert not (out / "expected").exists() and not (out / "units_registry.csv").exists()
    for kind in KINDS:
        assert (out / f"{kind}.csv").read_bytes() == (city / f"{kind}.csv").read_bytes(), kind
