"""The data table (数据表) as scoring reads it: through the rule set loaded once."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
from openpyxl import Workbook

from canbao.score import load_rules, score_evaluation
from canbao.score.datatable import DATATABLE_VALUE_ROW, write_datatable

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules" / "huaibei-2017.yaml"
SUBMISSION = ROOT / "examples" / "score" / "huaibei-2017-submission.csv"
COUNTY = "濉溪县"


def test_datatable_scores_like_csv_without_reading_the_rule_file_again(tmp_path: Path) -> None:
    """A county's data-table facts score as in CSV, the rule file gone once it is loaded."""
    rules = tmp_path / "huaibei-2017.yaml"
    shutil.copy(RULES, rules)
    loaded = load_rules(rules)
    rules.unlink()  # scoring must work from the loaded rule set alone
    county = pl.read_csv(SUBMISSION, infer_schema=False, encoding="utf8").filter(
        pl.col("县区") == COUNTY
    )
    columns = {f.name: int(f.column) for f in loaded.rules.facts if f.column}
    in_table = county.filter(pl.col("指标").is_in(list(columns)))
    assert in_table.height > 0  # the example gives some data-table facts
    answers = tmp_path / "answers.csv"
    county.filter(~pl.col("指标").is_in(list(columns))).write_csv(answers)
    whole = tmp_path / "whole.csv"
    county.write_csv(whole)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    write_datatable(sheet)
    sheet["A2"] = f"填报单位名称[县（区）级单位]：{COUNTY}"
    for name, value in in_table.select("指标", "实际值").iter_rows():
        sheet.cell(row=DATATABLE_VALUE_ROW, column=columns[name] + 1).value = value
    table = tmp_path / "数据表.xlsx"
    book.save(table)
    from_table = score_evaluation(loaded, [answers, table])
    from_csv = score_evaluation(loaded, [whole])
    assert from_table.as_json() == from_csv.as_json()
