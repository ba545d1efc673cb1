"""The unit part of ``make demo``: a clerk fills the unit entry sheets of ``forms survey``.

``python scripts/demo_units.py --forms FORMS_DIR --output DIR`` copies every
``单位/<县区>/单位信息录入表.xlsx`` under FORMS_DIR to DIR, filled in with one mistake of each kind
intake checks (``canbao.synth._unit_clerk``); ``canbao intake`` then reads them back.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from canbao.synth._unit_clerk import fill_unit_entry_sheets


def main() -> None:
    """Fill the unit sheets and say what was planted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--forms", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args()
    planted = fill_unit_entry_sheets(args.forms, args.output, seed=args.seed)
    kinds = ", ".join(sorted(p.reason for p in planted.planted))
    print(
        f"unit entry sheets of {len(planted.files)} county(ies) filled by a 'clerk', "
        f"{len(planted.planted)} mistakes planted ({kinds}) -> {args.output}"
    )


if __name__ == "__main__":
    main()
