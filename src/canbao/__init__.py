"""canbao (参保): toolkit for the universal insurance registration campaign (全民参保登记计划).

The public API is the ``__all__`` of each package, imported from the package itself; the
top level holds only ``__version__``, so that ``import canbao`` (and every command's start-up)
loads nothing it does not need:

- :mod:`canbao.roster`: ``read_roster`` and the roster kinds, fields and header aliases;
- :mod:`canbao.ids`, :mod:`canbao.uscc`: citizen IDs and credit codes as Polars expressions;
- :mod:`canbao.match`: ``run_match``, rosters in, the result sets out;
- :mod:`canbao.score`: ``load_rules``, ``score_files``, ``check_files``;
- :mod:`canbao.forms`: ``write_survey_forms``, ``run_intake``, ``write_template``;
- :mod:`canbao.synth`: ``generate_city``, a synthetic city with its expected results;
- :mod:`canbao.errors`, :mod:`canbao.masking`: the exceptions with their exit codes, masking.

Modules named ``_name.py`` are internal (the demo's sample clerks, ``canbao.synth._entry_sheets``
and ``canbao.synth._unit_clerk``) and may change without notice; no package re-exports them.
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version

# Polars' allocator (jemalloc, set up when Polars is imported) keeps a freed page resident for
# half a second and then, by default, another second as MADV_FREE, which still counts as the
# process's memory: a 1 M match reported 870-950 MiB for 630 held. Given back at once after
# the half second, the same match peaks at 760-780 MiB for the same CPU (docs/performance.md,
# "Why one piece peaked at 922 MB"). Polars appends this to its own setting. A setting of the
# user's is left alone; Polars' own, inherited from a parent process that imported Polars, is
# not the user's. No effect when Polars was imported before canbao.
_ALLOCATOR = "_RJEM_MALLOC_CONF"
if os.environ.get(_ALLOCATOR) in (None, "dirty_decay_ms:500,muzzy_decay_ms:1000"):
    os.environ[_ALLOCATOR] = "muzzy_decay_ms:0"

try:
    __version__ = version("canbao")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
