"""canbao report: one offline HTML page, every chart shown by a real browser, nothing personal."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from canbao.cli import app
from canbao.match.county_lists import write_county_lists
from canbao.report import ReportInputs, build_sections
from canbao.report._svg import PALETTE
from tests.browser import colour_counts, pdf_text, print_to_pdf

ROOT = Path(__file__).resolve().parent.parent
SCORE = ROOT / "examples" / "score"
GOLDEN = ROOT / "examples" / "city" / "golden"
runner = CliRunner()
PERSONAL = ("公民身份号码", "姓名", "人员编号", "常住地址")


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example score runs of Huaibei (self and review) and Changzhou (fees)."""
    base = tmp_path_factory.mktemp("scores")
    runs = {
        "huaibei": [
            *("--rules", "huaibei-2017", str(SCORE / "huaibei-2017-submission.csv")),
            str(SCORE / "huaibei-2017-submission.xlsx"),
            *("--self", str(SCORE / "huaibei-2017-self.csv")),
        ],
        "changzhou": [
            *("--rules", "changzhou-2016", str(SCORE / "changzhou-2016-submission.csv")),
            *("--self", str(SCORE / "changzhou-2016-self.csv")),
        ],
    }
    for name, args in runs.items():
        result = runner.invoke(app, ["score", *args, "--output", str(base / name), "--quiet"])
        assert result.exit_code == 0, result.stderr
    return {name: base / name for name in runs}


@pytest.fixture(scope="module")
def report(
    example_city_output: Path, scored: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, object]]:
    """The report of the example city with both score runs, and its --json summary."""
    output = tmp_path_factory.mktemp("report") / "报告.html"
    args = ["report", str(example_city_output), "--output", str(output), "--json"]
    args += ["--score", str(scored["huaibei"]), "--score", str(scored["changzhou"])]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    return output, json.loads(result.stdout)


def test_the_json_lists_every_chart_and_the_page_draws_each(
    report: tuple[Path, dict[str, object]],
) -> None:
    """--json names the file and ten charts; the page holds one inline SVG with bars for each."""
    path, summary = report
    assert summary["report"] == str(path)
    charts = summary["charts"]
    assert charts == [
        "coverage", "uninsured_county", "survey_county", "survey_township", "survey_village",
        "duplicates", "conflicts", "ranking_1", "ranking_2", "fees_2",
    ]  # fmt: skip
    html = path.read_text(encoding="utf-8")
    for key in charts:
        svg = re.search(rf'<svg class="chart" id="{key}".*?</svg>', html, re.S)
        assert svg is not None, key
        assert '<rect class="bar"' in svg.group(0), key


def test_the_page_needs_nothing_from_outside(report: tuple[Path, dict[str, object]]) -> None:
    """No script, link, image, font or address: the page is whole, and its policy loads nothing."""
    html = report[0].read_text(encoding="utf-8")
    for pattern in (r"<script", r"<link", r"<img", r"<iframe", r"src=", r"href=", r"url\(",
                    r"@import", r"@font-face", r"https?:", r"//[a-z]"):  # fmt: skip
        assert re.search(pattern, html, re.I) is None, pattern
    assert "default-src 'none'" in html
    assert "Noto Sans CJK SC" in html and "Microsoft YaHei" in html


def test_the_counts_add_up_to_the_summary(example_city_output: Path) -> None:
    """Villages add up to needs_survey and the counties' uninsured persons to uninsured."""
    inputs = ReportInputs(example_city_output)
    summary = inputs.summary
    assert inputs.survey_load["persons"].sum() == summary["needs_survey"]
    assert inputs.uninsured["persons"].sum() == summary["uninsured"]
    flags = summary["uninsured_flags"]
    assert inputs.uninsured["missing_pension"].sum() == flags["missing_pension"]


def test_chromium_offline_renders_titles_labels_and_bars(
    example_city_output: Path,
    scored: dict[str, Path],
    report: tuple[Path, dict[str, object]],
    tmp_path: Path,
) -> None:
    """Chromium with no network prints each chart's title, every label and value, and its bars."""
    path, _ = report
    pdf, requested = print_to_pdf(path, tmp_path)
    assert requested == []
    text = re.sub(r"\s+", "", pdf_text(pdf))
    inputs = ReportInputs(example_city_output, (scored["huaibei"], scored["changzhou"]))
    for section in build_sections(inputs):
        assert section.title in text
        for chart in section.charts:
            assert chart.title.replace(" ", "") in text, chart.key
            for label in chart.categories:
                assert label.replace(" ", "") in text, (chart.key, label)
            for series in chart.series:
                assert all(t in text for t in series.texts), (chart.key, series.name)
    drawn = colour_counts(pdf, tmp_path, list(PALETTE[:3]))
    assert all(n > 200 for n in drawn.values()), drawn


def test_the_net_log_catches_a_page_that_fetches(tmp_path: Path) -> None:
    """The check above is not blind: a page with an image and a style sheet from outside shows
    both requests in the browser's net log (they fail: there is no network)."""
    page = tmp_path / "fetching.html"
    page.write_text(
        '<!DOCTYPE html><img src="http://example.invalid/x.png">'
        '<link rel="stylesheet" href="https://fonts.example.invalid/a.css">',
        encoding="utf-8",
    )
    _, requested = print_to_pdf(page, tmp_path)
    assert requested == ["http://example.invalid/x.png", "https://fonts.example.invalid/a.css"]


def _personal_values() -> set[str]:
    """Every ID, 人员编号, name and address in the example city's result tables."""
    values: set[str] = set()
    for name in ("needs_survey", "uninsured", "duplicates", "conflicts", "confirmed"):
        frame = pl.read_csv(GOLDEN / f"{name}.csv", infer_schema=False)
        for column in PERSONAL:
            if column in frame.columns:
                values |= {v for v in frame[column].drop_nulls().to_list() if len(v) >= 2}
    return values


def _xlsx_text(book: Path) -> str:
    with zipfile.ZipFile(book) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


def test_nothing_that_leaves_holds_an_id_or_a_name(
    example_city_output: Path,
    scored: dict[str, Path],
    report: tuple[Path, dict[str, object]],
    tmp_path: Path,
) -> None:
    """The report, the national tables, the task table and the evaluation workbooks hold no ID,
    人员编号, name or address of the example city; the field teams' lists do."""
    personal = _personal_values()
    assert len(personal) > 2000
    upward = {
        "report": report[0].read_text(encoding="utf-8"),
        **{
            book.name: _xlsx_text(book)
            for book in [
                example_city_output / "basic_data_tables.xlsx",
                example_city_output / "task_table.xlsx",
                *scored["huaibei"].glob("*.xlsx"),
                *scored["changzhou"].glob("*.xlsx"),
            ]
        },
    }
    for name, text in upward.items():
        leaked = sorted(v for v in personal if v in text)
        assert leaked == [], (name, len(leaked))

    needs = pl.read_csv(GOLDEN / "needs_survey.csv", infer_schema=False)
    lists = write_county_lists({"needs_survey": needs}, tmp_path).values()
    field_text = "".join(_xlsx_text(book) for book in lists)
    assert all(v in field_text for v in needs["公民身份号码"].head(20).to_list())
    assert all(v in field_text for v in needs["姓名"].head(20).to_list())


def test_a_rerun_replaces_its_own_report_but_no_other_file(
    example_city_output: Path, tmp_path: Path
) -> None:
    """The report overwrites a report canbao wrote, refuses any other file, and --force wins."""
    target = tmp_path / "r.html"
    args = ["report", str(example_city_output), "-o", str(target), "--quiet"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0 and first.stdout == ""
    assert runner.invoke(app, args).exit_code == 0
    other = tmp_path / "notes.html"
    other.write_text("<p>mine</p>", encoding="utf-8")
    refused = runner.invoke(app, ["report", str(example_city_output), "-o", str(other)])
    assert refused.exit_code == 2
    assert other.read_text(encoding="utf-8") == "<p>mine</p>"
    forced = runner.invoke(app, ["report", str(example_city_output), "-o", str(other), "--force"])
    assert forced.exit_code == 0 and "canbao" in other.read_text(encoding="utf-8")


def test_a_folder_that_is_no_match_exits_3(tmp_path: Path) -> None:
    """A folder without summary.json is unusable input, named with the fix."""
    result = runner.invoke(app, ["report", str(tmp_path), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 3
    assert "summary.json" in result.stderr


@given(
    values=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12),
    label=st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=12),
)
def test_every_bar_fits_the_axis_and_the_svg_is_well_formed(values: list[int], label: str) -> None:
    """The axis reaches the largest value, no bar runs past it, any label is escaped text."""
    from xml.etree import ElementTree

    from canbao.report._sections import counts
    from canbao.report._svg import PLOT_PX, BarChart, axis_end, bar_chart_svg

    assert axis_end(max(values)) >= max(values)
    chart = BarChart("k", label, [f"{label}{i}" for i in range(len(values))], [counts("n", values)])
    svg = ElementTree.fromstring(bar_chart_svg(chart))
    bars = [r for r in svg.iter("rect") if r.get("class") == "bar"]
    assert len(bars) == len(values)
    assert all(0 <= float(b.get("width", "-1")) <= PLOT_PX for b in bars)
    shown = [t.text for t in svg.iter("text")]
    assert all(f"{label}{i}" in shown for i in range(len(values)))


def test_control_characters_in_a_place_name_are_dropped() -> None:
    """A place name with a stray control character (a pasted export) still gives valid SVG."""
    from xml.etree import ElementTree

    from canbao.report._sections import counts
    from canbao.report._svg import BarChart, bar_chart_svg

    chart = BarChart("k", "村\x1f", ["吕楼\x0b村"], [counts("n", [3])])
    svg = ElementTree.fromstring(bar_chart_svg(chart))
    assert "吕楼村" in [t.text for t in svg.iter("text")]


def test_a_rule_set_of_checks_only_draws_no_ranking(
    example_city_output: Path, tmp_path: Path
) -> None:
    """mohrss-2017 checks relations and gives no totals: the report leaves its scores out."""
    score = ["score", "--rules", "mohrss-2017", str(SCORE / "mohrss-2017-submission.csv")]
    assert runner.invoke(app, [*score, "-o", str(tmp_path / "mo"), "-q"]).exit_code == 0
    args = ["report", str(example_city_output), "--score", str(tmp_path / "mo")]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "r.html"), "--json"])
    assert result.exit_code == 0, result.stderr
    assert "scores" not in json.loads(result.stdout)["sections"]


def test_without_output_the_report_goes_beside_the_match(tmp_path: Path) -> None:
    """No --output: MATCH_DIR-report.html beside the match directory, never inside it."""
    import shutil

    from canbao.report import default_output

    match = tmp_path / "比对结果"
    shutil.copytree(GOLDEN, match)
    result = runner.invoke(app, ["report", str(match)])
    assert result.exit_code == 0, result.stderr
    assert default_output(match) == tmp_path.resolve() / "比对结果-report.html"
    assert default_output(match).is_file()
    assert str(default_output(match)) in result.stdout
    assert not any(p.suffix == ".html" for p in match.iterdir())


def test_the_changes_of_a_second_month_are_one_more_section(
    example_city_output: Path, tmp_path: Path
) -> None:
    """With --changes (June and August of the example city recorded in a DuckDB file), the
    report adds entries and departures per list and the reasons, adding up to counts.csv."""
    from tests.test_match_examples import match_args

    db = str(tmp_path / "登记库.duckdb")
    august = ROOT / "examples" / "city-2017-08"
    for city, month in ((ROOT / "examples" / "city", "06"), (august, "08")):
        result = runner.invoke(app, [*match_args(tmp_path / month, city), "--db", db])
        assert result.exit_code == 0, result.stderr
    done = runner.invoke(app, ["changes", "--db", db, "--output", str(tmp_path / "c"), "-q"])
    assert done.exit_code == 0, done.stderr
    args = ["report", str(tmp_path / "08"), "--changes", str(tmp_path / "c")]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "r.html"), "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["charts"][-2:] == ["changes_lists", "changes_reasons"]
    counts = pl.read_csv(tmp_path / "c" / "counts.csv", infer_schema=False)
    total = counts["人数"].cast(pl.Int64).sum()
    inputs = ReportInputs(tmp_path / "08", (), tmp_path / "c")
    section = next(s for s in build_sections(inputs) if s.key == "changes")
    lists, reasons = section.charts
    assert sum(v or 0 for s in lists.series for v in s.values) == total
    assert sum(v or 0 for v in reasons.series[0].values) == total
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    changed = pl.read_csv(tmp_path / "c" / "changes.csv", infer_schema=False)["公民身份号码"]
    assert changed.len() > 0 and not any(v in html for v in changed.to_list())


def test_the_progress_rates_are_one_more_section(example_city_output: Path, tmp_path: Path) -> None:
    """With --progress, the report draws the survey and register rates per county over the
    campaign and the area's rates per period, each bar the rate of its 分子 and 分母."""
    from canbao.db import open_database
    from canbao.progress import progress_report, write_progress
    from tests.db.test_progress import POPULATION, load, places

    db = str(tmp_path / "登记库.duckdb")
    load(db)
    out = tmp_path / "progress"
    with open_database(db) as opened:
        write_progress(progress_report(opened, population=POPULATION, places=places), out)
    args = ["report", str(example_city_output), "--progress", str(out)]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "r.html"), "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["charts"][-2:] == ["progress_counties", "progress_periods"]
    section = next(
        s
        for s in build_sections(ReportInputs(example_city_output, (), None, out))
        if s.key == "progress"
    )
    counties, periods = section.charts
    assert counties.categories == ["杜集区", "相山区"]
    # worked out by hand in tests/db/test_progress.py: 杜集区 5: 2/2, 6: 2/2, 7: 5/10;
    # 相山区 5: 1/1, 6: 0/1, 7: 1/8
    assert [s.values for s in counties.series] == [[100.0, 100.0], [100.0, 0.0], [50.0, 12.5]]
    assert [s.name for s in counties.series] == ["入户率", "入户调查完成率", "登记信息入库率"]
    assert len(periods.categories) >= 1
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "各县区累计进度" in html and "全市各期进度" in html
