"""Ring recall at payout: the batch scan's "re-check before payout" beside the live path's.

    python bench/fraud_payout_recheck.py WORLD [WORLD ...] [--payout-days 2] [--out DIR]

For each world (``creditfactory simulate --applications 200000 --seed S --out WORLD``, as the
README's fraud rows), runs ``creditfactory fraud scan`` in process, then replays the scan's
window through the live fraud graph (:func:`creditfactory.evaluation.payout_recheck.live_replay`:
applications in time order under an injected clock, each re-checked by the service's re-check
``payout_days`` after applying) and prints both ring recalls, the gap and the time of each.
Evaluation only: the truth is read here and in ``creditfactory.evaluation``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from creditfactory.data import load, read_table
from creditfactory.evaluation.fraud_scan import evaluate_scan
from creditfactory.evaluation.payout_recheck import ReplayOptions, live_replay, replay_figures
from creditfactory.fraud.scan import ScanOptions, scan_world
from creditfactory.settings import load_settings


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def one_world(world: Path, out: Path, payout_days: float, known_bads: bool) -> dict[str, float]:
    key = load_settings().identity_key
    w0, c0 = _clock()
    scan_world(world, out, key, ScanOptions(payout_days=payout_days))
    w1, c1 = _clock()
    apps = read_table(world, "applications", columns=["application_id", "channel_id",
                                                      "applied_at"])
    truth = read_table(world, "truth")
    _, stages = evaluate_scan(out, apps, truth)
    lending = load(world, money="float")
    w2, c2 = _clock()
    replay = live_replay(lending.applications, lending.performance, out, key,
                         ReplayOptions(payout_days=payout_days, known_bads=known_bads))
    w3, c3 = _clock()
    live = replay_figures(replay, truth)
    replay.to_parquet(out / "live_replay.parquet", index=False)
    batch_payout = float(stages["ring_recall"].astype(float)["pre_payout"])
    return {
        "batch_decision_ring_recall": float(stages["ring_recall"].astype(float)["decision"]),
        "batch_payout_ring_recall": batch_payout,
        "batch_payout_ring_precision": float(stages["ring_precision_all_flagged"].astype(float)["pre_payout"]),
        "live_decision_ring_recall": live["decision_ring_recall"],
        "live_payout_ring_recall": live["payout_ring_recall"],
        "live_payout_ring_precision": live["payout_ring_precision"],
        "live_payout_fraud_precision": live["payout_fraud_precision"],
        "gap_points": 100 * (live["payout_ring_recall"] - batch_payout),
        "ring_members": live["ring_members"],
        "window_applications": live["window_applications"],
        "batch_scan_wall_s": w1 - w0, "batch_scan_cpu_s": c1 - c0,
        "live_replay_wall_s": w3 - w2, "live_replay_cpu_s": c3 - c2,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("worlds", nargs="+", type=Path)
    parser.add_argument("--payout-days", type=float, default=2.0)
    parser.add_argument("--out", type=Path, default=Path("/tmp/fraud-payout-recheck"))
    parser.add_argument("--no-known-bads", action="store_true",
                        help="the re-check ignores applications found bad since (as the scan)")
    args = parser.parse_args(argv)
    worst = 0.0
    for world in args.worlds:
        figures = one_world(world, args.out / world.name, args.payout_days,
                            not args.no_known_bads)
        print(f"== {world}")  # noqa: T201
        for k, v in figures.items():
            print(f"{k:32s} {v:.4f}")  # noqa: T201
        worst = max(worst, abs(figures["gap_points"]))
    print(f"largest gap: {worst:.2f} points (target within 2)")  # noqa: T201
    return 0 if worst <= 2 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
