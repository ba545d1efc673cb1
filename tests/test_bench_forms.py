"""The forms benchmark's group is one village of distinct persons that the forms can read."""

from __future__ import annotations

from pathlib import Path

from benchmarks.bench_forms import needs_survey_of

from canbao.forms.survey_roster import read_needs_survey


def test_the_group_is_one_village_of_distinct_ids(tmp_path: Path) -> None:
    """Seven hundred rows (more than the example holds): one village, seven hundred IDs."""
    rows = read_needs_survey(needs_survey_of(700, tmp_path / "match"))
    assert rows.height == 700
    assert rows.select("县区", "乡镇(街道)", "村(社区)").unique().height == 1
    assert rows.get_column("公民身份号码").n_unique() == 700
