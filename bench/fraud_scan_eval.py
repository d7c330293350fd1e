"""Evaluate ``creditfactory fraud scan`` output against a world's truth (evaluation only).

    python bench/fraud_scan_eval.py WORLD_DIR SCAN_DIR

The figures are :func:`creditfactory.evaluation.evaluate_scan`'s: per stage at which a flag
could stop a loan (decision, pre-payout re-check, retrospective) and per payout delay, ring
and impersonation recall and precision; then how the channel scorecard ranks and flags the
packaging channels.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from creditfactory.data import read_table
from creditfactory.evaluation.fraud_scan import evaluate_scan


def main(world_dir: Path, scan_dir: Path) -> None:
    apps = read_table(world_dir, "applications", columns=["application_id", "channel_id", "applied_at"])
    figures, table = evaluate_scan(scan_dir, apps, read_table(world_dir, "truth"))
    for k, v in figures.items():
        print(f"{k:32s} {v:.4f}" if isinstance(v, float) else f"{k:32s} {v}")
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.4f}".format):
        print("\nflags raised by each stage (cumulative), then by the payout if it came "
              "that long after applying:")
        print(table)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
