"""benchmarks.native_profile sums perf's samples into kinds of work, in CPU seconds."""

from __future__ import annotations

import pytest
from benchmarks.native_profile import OTHER, grouped_report, kind_of, table

# The head and three lines of `perf report --stdio --sort dso,sym -g none` (2 s of CPU sampled).
REPORT = """# Samples: 1K of event 'cpu-clock:ppp'
# Event count (approx.): 2000000000
#
    50.00%  _polars_runtime.abi3.so   [.] polars_compute::cast::cast_to_dictionary::<u32>
    25.00%  [kernel.kallsyms]         [k] clear_page_erms
    25.00%  libc.so.6                 [.] __memmove_avx512_unaligned_erms
"""


@pytest.mark.parametrize(
    ("dso", "symbol", "kind"),
    [
        ("_polars_runtime.abi3.so", "polars_compute::cast::cast_to_dictionary::<u32>", "Parquet"),
        ("_polars_runtime.abi3.so", "polars_parquet::arrow::read::deserialize::x", "Parquet"),
        ("_polars_runtime.abi3.so", "polars_expr::idx_table::single_key::probe_subset", "hash"),
        ("[kernel.kallsyms]", "copy_folio_from_iter_atomic", "kernel: file"),
        ("[kernel.kallsyms]", "clear_page_erms", "kernel: page"),
        ("libpython3.11.so.1.0", "_PyPegen_is_memoized", "Python"),
        ("libfoo.so", "bar", OTHER),
    ],
)
def test_a_sampled_function_has_its_kind_of_work(dso: str, symbol: str, kind: str) -> None:
    """Each function falls in the first kind whose pattern its library and name match."""
    assert kind_of(dso, symbol).startswith(kind)


def test_the_report_is_summed_into_cpu_seconds_per_kind() -> None:
    """A line's share of the samples times the CPU time sampled, summed per kind."""
    kinds = grouped_report(REPORT)
    assert kinds == {
        "Parquet writing: dictionary trials": pytest.approx(1.0),
        "kernel: page faults, page clearing": pytest.approx(0.5),
        "memory copies and compares (libc)": pytest.approx(0.5),
    }
    printed = table({"a": kinds, "b": {**kinds, "kernel: other": 0.25}})
    assert "| total | 2.00 | 2.25 | +0.25 |" in printed
