"""Portfolio run speed and memory: a world's applications decided, booked and repaid.

Phases, each timed (wall clock and this process's CPU time, since the machine is shared) with
the process's peak resident memory at the end, and the load average at the start and the end:
1. the world (``write_world``, skipped when ``--world`` names one already written);
2. loading it and deciding the out-of-time applications as the back-test does (``--strategy``;
   ``policy_only`` trains no model, ``default`` trains the A-card and the others first);
3. booking the approved ones (bank routing) and playing them through the world's borrowers and
   the servicing book (``play_portfolio``);
4. writing the files and the report (``write_portfolio``).

Target: 1,000,000 applications over 36 months in 120 s and 6 GB (phases 2-4).
Run: .venv/bin/python -P bench/portfolio.py [--applications 1000000] [--seed 5]
     [--world DIR] [--strategy policy_only] [--out DIR]
(``-P``: the script's folder not first on the path, where a bench module may shadow the
standard library's.)

Measured on the shared 2-core machine, world of ``creditfactory simulate --applications
1000000 --seed 5``, policy_only (390,769 loans, 10.4 M payments, 12.0 M month-end rows):
phases 2-4 in 48.8 s wall at load 2.5-4 (CPU 53.0 s: decide 15.0, book 2.0, play 28.2, write
7.7; 118.7 s wall at load 4-6), peak 5.53 GiB, set while deciding; the code before
(``732b29d``) took 555.6 s wall at load 7-11 (CPU 103.9 s: decide 14.1, book 4.2, play 62.5,
write 23.1), peak 6.71 GiB. With ``--strategy default`` (210,504 loans) deciding took 179 s
CPU (models trained, fraud scores recomputed with the known bads month by month, the
appetite's calibration) and book, play and write 20 s; with the identity graph built once and
each judged month re-scoring only its own rows, and the calibration on arrays, the same run
takes 129.9 s CPU (decide 110.5, book 1.8, play 13.8, write 3.8), 248.5 s wall at load 4.7-9.7,
peak 5.85 GiB, the same 210,504 loans. What deciding costs now is mostly training: the
identity table's keyed hashes (10.5 M HMACs in Python, the largest part), the two LightGBM
fits, the world's loading and the graph features.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from creditfactory.data import load
from creditfactory.evaluation.portfolio import (
    WORLD_COLUMNS,
    as_if_last_months,
    book_approved,
    play_portfolio,
)
from creditfactory.evaluation.portfolio_report import write_portfolio
from creditfactory.strategy import NoScores, ScoreProvider, load_strategy
from creditfactory.strategy.backtest_run import backtest_strategies, uses_scores
from creditfactory.world import WorldConfig, write_world


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def cpu() -> float:
    return time.process_time()


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--applications", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--world", type=Path, default=None)
    ap.add_argument("--strategy", default="policy_only")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="portfolio-bench-"))
    world = args.world or root / "world"
    t = time.perf_counter()
    if args.world is None:
        write_world(WorldConfig(args.applications, 36, args.seed), world)
        print(f"world: {args.applications:,} applications in {time.perf_counter() - t:.1f} s")
    print(f"load average at the start: {load_average()}")
    t0, c0 = time.perf_counter(), cpu()
    data = load(world, money="float", columns=WORLD_COLUMNS)
    strategy = load_strategy(args.strategy)
    provider: ScoreProvider = NoScores()
    if uses_scores([strategy]):
        from creditfactory.models import train_lending_models

        provider = train_lending_models(data, key=b"bench-key-0123456789abcdef012345", train_months=12)
    decisions = backtest_strategies(data, [strategy], provider, train_months=12).results[0].decisions
    t1, c1 = time.perf_counter(), cpu()
    print(f"decide: {len(decisions):,} applications in {t1 - t0:.1f} s, CPU {c1 - c0:.1f} s "
          f"(peak {peak_gb():.2f} GB)")
    loans, apps = book_approved(data.applications, decisions)
    last_mob = as_if_last_months(data.performance, apps["application_id"].to_numpy())
    truth = data.truth
    assert truth is not None  # a simulated world always has one
    del data, decisions  # what the play needs of them is taken
    t2, c2 = time.perf_counter(), cpu()
    played = play_portfolio(loans, apps, truth, last_mob, json.loads((world / "meta.json").read_text()))
    t3, c3 = time.perf_counter(), cpu()
    print(f"book: {len(loans):,} loans in {t2 - t1:.1f} s, CPU {c2 - c1:.1f} s; play: {t3 - t2:.1f} s, "
          f"CPU {c3 - c2:.1f} s, {len(played.transactions):,} payments, {len(played.monthly):,} "
          f"month-end rows (peak {peak_gb():.2f} GB)")
    summary = write_portfolio(loans, played, strategy.name, args.out or root / "run")
    t4, c4 = time.perf_counter(), cpu()
    print(f"write: {t4 - t3:.1f} s, CPU {c4 - c3:.1f} s; total (decide to write) {t4 - t0:.1f} s, "
          f"CPU {c4 - c0:.1f} s, peak {peak_gb():.2f} GB; cumulative NPL "
          f"{summary['cumulative_npl_rate']:.2%}, net loss {summary['net_loss_rate']:.2%}")
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
