"""Scoring county work by YAML rule sets (``canbao score``, ``canbao rules check``).

Library use, without the CLI::

    from canbao.score import score_files, check_files
    result = score_files(Path("rules/huaibei-2017.yaml"), [Path("sub.csv")], output=Path("out"))
    result.workbook, result.as_json()
"""

from __future__ import annotations

from canbao.score.api import (
    CheckReport,
    ScoreResult,
    check_files,
    score_evaluation,
    score_files,
)
from canbao.score.check import Finding, check_rules
from canbao.score.evaluate import CountyResult, Evaluation, evaluate
from canbao.score.fees import ROUNDING_RULE, Fee, compute_fee
from canbao.score.intervals import Interval, parse_interval
from canbao.score.loader import LoadedRules, load_rules
from canbao.score.submissions import Row, read_submission

__all__ = [
    "ROUNDING_RULE",
    "CheckReport",
    "CountyResult",
    "Evaluation",
    "Fee",
    "Finding",
    "Interval",
    "LoadedRules",
    "Row",
    "ScoreResult",
    "check_files",
    "check_rules",
    "compute_fee",
    "evaluate",
    "load_rules",
    "parse_interval",
    "read_submission",
    "score_evaluation",
    "score_files",
]
