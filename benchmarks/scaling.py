"""Scaling: the throughput benchmark at growing N; cost should grow linearly, memory stay flat.

    python -m benchmarks.scaling [--sizes 100 1000 10000] [--workers 2] [--corpus generated]

Each size is one full `benchmarks.throughput` measurement (pipeline and bare spaCy on the same
texts). Fixed costs (start-up, model loads) dominate small runs, so besides time per document
the table shows the marginal cost between consecutive sizes: equal marginal costs mean linear
growth. The last line is one JSON object with every row.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from benchmarks.corpus import DEFAULT_SEED
from benchmarks.throughput import measure


def marginal_ms_per_doc(previous: dict | None, row: dict, figure: str) -> float | None:
    """Milliseconds of pipeline time (`pipeline_wall_s` or `pipeline_cpu_s`) each extra document
    added since the previous size."""
    if previous is None:
        return None
    return 1000 * (row[figure] - previous[figure]) / (row["docs"] - previous["docs"])


def print_table(rows: list[dict]) -> None:
    print(f"{'N':>7} {'words':>9} {'wall s':>8} {'ms/doc':>8} {'marginal ms/doc':>16} {'marginal CPU ms/doc':>20} {'docs/s':>8} "
          f"{'words/s':>8} {'ratio vs spaCy':>15} {'peak RSS MB':>12} {'peak PSS MB':>12}")
    for row in rows:
        wall, cpu = row["marginal_ms_per_doc"], row["marginal_cpu_ms_per_doc"]
        shown = "-" if wall is None else f"{wall:.1f}"
        shown_cpu = "-" if cpu is None else f"{cpu:.1f}"
        ratio = f"{row['ratio_vs_spacy']:.3f}" if "ratio_vs_spacy" in row else "-"
        print(f"{row['docs']:>7} {row['words']:>9} {row['pipeline_wall_s']:>8.1f} "
              f"{1000 * row['pipeline_wall_s'] / row['docs']:>8.1f} {shown:>16} {shown_cpu:>20} {row['docs_per_s']:>8.1f} "
              f"{row['words_per_s']:>8.0f} {ratio:>15} {row['peak_rss_mb']:>12.0f} {row['peak_pss_mb']:>12.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000], help="values of N")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="processes (default: one per CPU)")
    parser.add_argument("--corpus", choices=("bbc", "generated"), default="generated",
                        help="generated (default): uniform 400-700 word articles at every size")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--spacy-up-to", type=int, metavar="N",
                        help="measure the bare spaCy baseline only for sizes up to N (default: all)")
    args = parser.parse_args(argv)
    rows: list[dict] = []
    for size in sorted(args.sizes):
        with_baseline = args.spacy_up_to is None or size <= args.spacy_up_to
        row = measure(size, args.workers, args.corpus, args.seed, baseline=with_baseline, full_spacy=False)
        previous = rows[-1] if rows else None
        row["marginal_ms_per_doc"] = marginal_ms_per_doc(previous, row, "pipeline_wall_s")
        row["marginal_cpu_ms_per_doc"] = marginal_ms_per_doc(previous, row, "pipeline_cpu_s")
        rows.append(row)
        print(json.dumps(row, sort_keys=True), flush=True)
    print(f"scaling: {args.corpus} articles, {args.workers} process(es)")
    print_table(rows)
    print(json.dumps({"scaling": rows}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
