"""Progress of the campaign from the registration database (``canbao progress``).

The nine rates of 人社厅发〔2017〕28号 per county and period, its progress table (进度表) with the
columns answered by hand as a template, tables (一) and (二) with their survey-fed columns, and the
facts scoring reads. docs/database.md ("Progress") defines every count.
"""

from __future__ import annotations

from canbao.progress._inputs import Manual, read_manual, read_population
from canbao.progress._rates import RATES, Rate, RateSpec
from canbao.progress.api import ProgressReport, UnitRates, progress_report, write_progress

__all__ = [
    "RATES",
    "Manual",
    "ProgressReport",
    "Rate",
    "RateSpec",
    "UnitRates",
    "progress_report",
    "read_manual",
    "read_population",
    "write_progress",
]
