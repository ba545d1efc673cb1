"""The survey part of ``make demo``: survey forms, a filled sample, intake and score on a match.

``uv run --locked python scripts/demo_survey.py --match DIR --output DIR`` writes ``forms/``,
``filled/``, ``intake/``, ``score/`` under the output. Demo scaffolding, not part of canbao's
public API: the sample clerk it uses is ``canbao.synth._entry_sheets``.
The county's own answers for the indicators intake does not count (yes/no items, training,
units) come from ``examples/score/huaibei-2017-submission.csv`` (its first county), copied to
every county of the match.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import polars as pl

from canbao import regions
from canbao.cells import neutralise_frame
from canbao.cli_common import echo
from canbao.forms.intake import SUBMISSION_FILE, run_intake
from canbao.forms.survey import write_survey_forms
from canbao.score import score_files
from canbao.synth._entry_sheets import fill_sample_entry_sheet


def run_forms_chain(
    match_dir: Path,
    output: Path,
    *,
    rules: Path,
    answers: Path,
    as_of: date,
    seed: int = 2017,
) -> dict[str, object]:
    """Run forms -> sample filling -> intake -> score; return a small summary."""
    output.mkdir(parents=True, exist_ok=True)
    forms = write_survey_forms(match_dir, output / "forms", by="village")
    planted = fill_sample_entry_sheet(output / "forms", output / "filled", seed=seed, as_of=as_of)
    result = run_intake(
        planted.files, output=output / "intake", survey=match_dir, as_of=as_of, rules=rules
    )
    provided = set(result.facts["指标"].unique())
    own = pl.read_csv(answers, infer_schema=False)
    first = own["县区"][0]
    own = own.filter((pl.col("县区") == first) & ~pl.col("指标").is_in(sorted(provided)))
    counties = result.facts["县区"].unique().sort().to_list()
    # A county writes its name (杜集区); intake counts by code (340602): score joins them.
    named = [own.with_columns(pl.lit(regions.display_name(c)).alias("县区")) for c in counties]
    neutralise_frame(pl.concat(named)).write_csv(output / "county_answers.csv", include_bom=True)
    scored = score_files(
        rules,
        [output / "county_answers.csv", output / "intake" / SUBMISSION_FILE],
        output=output / "score",
        from_match=match_dir,
    )
    return {
        "groups": len(forms.groups),
        "persons": forms.persons,
        "planted": len(planted.planted),
        "problems": result.problems.height,
        "totals": {c.name: str(c.total) for c in scored.evaluation.counties},
    }


def main() -> None:
    """Command-line entry for the demo chain's forms part."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--match", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--rules", type=Path, default=Path("rules/huaibei-2017.yaml"))
    parser.add_argument(
        "--answers", type=Path, default=Path("examples/score/huaibei-2017-submission.csv")
    )
    parser.add_argument("--as-of", default="2017-06-30")
    args = parser.parse_args()
    summary = run_forms_chain(
        args.match,
        args.output,
        rules=args.rules,
        answers=args.answers,
        as_of=date.fromisoformat(args.as_of),
    )
    out = args.output
    echo(
        f"survey forms: {summary['groups']} village workbook sets, "
        f"{summary['persons']} persons -> {out}/forms"
    )
    echo(
        f"sample entry sheets filled by a 'clerk', {summary['planted']} mistakes planted "
        f"-> {out}/filled"
    )
    echo(f"intake: {summary['problems']} problems found -> {out}/intake/problems.csv")
    totals = summary["totals"]
    assert isinstance(totals, dict)
    for county, total in totals.items():
        echo(f"score (huaibei-2017) {county}: {total}")
    echo(f"evaluation workbook -> {out}/score")


if __name__ == "__main__":
    main()
