"""Survey forms and intake (docs/forms.md): library functions usable without the CLI.

::

    from canbao.forms import write_survey_forms, run_intake, write_template
    forms = write_survey_forms(Path("match-out"), Path("forms"), by="village")
    result = run_intake(forms.entry_sheets(), survey=Path("match-out"), output=Path("intake"))
    write_template("evaluation", Path("rules/huaibei-2017.yaml"), Path("评估表.xlsx"))
"""

from __future__ import annotations

from canbao.forms.intake import IntakeResult, run_intake
from canbao.forms.intake_checks import PROBLEMS, find_problems, normalise_entries
from canbao.forms.intake_facts import count_facts
from canbao.forms.intake_read import read_entry_file, read_entry_files
from canbao.forms.survey import SurveyFormsResult, SurveyGroup, write_survey_forms
from canbao.forms.templates import write_template
from canbao.score.datatable import read_datatable  # lives with scoring, which reads it

__all__ = [
    "PROBLEMS",
    "IntakeResult",
    "SurveyFormsResult",
    "SurveyGroup",
    "count_facts",
    "find_problems",
    "normalise_entries",
    "read_datatable",
    "read_entry_file",
    "read_entry_files",
    "run_intake",
    "write_survey_forms",
    "write_template",
]
