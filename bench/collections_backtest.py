"""Collections strategies on the world: ``default`` against ``bucket_only`` on seeds 5-8, with
every perturbed world; and the back-test's time on a book of 1,000,000 loans.

    .venv/bin/python bench/collections_backtest.py [--applications 40000] [--seeds 5 6 7 8] [--root DIR] [--json FILE]
    .venv/bin/python bench/collections_backtest.py --big 1000000 --root DIR [--big-world W]   # DIR/p5, DIR/w5 from the first form

First form: for each seed, a 36-month world of ``--applications`` applications
(``creditfactory simulate``), its ``default`` portfolio run (``creditfactory portfolio run``;
both kept in ``--root`` and reused when present), then the collections back-test as
``creditfactory collections backtest`` runs it. Targets: ``default`` beats ``bucket_only`` by
>= 15 % in net recovery at no higher cost and by >= 10 % in M1 cure rate; C-card AUC for a cure
within 30 days >= 0.75 out of time.

Second form: a book of ``--big`` loans made from the seed-5 run by replication (every loan's
month-ends copied with new loan ids, payout shifted by 0..23 months), the same for its
delinquency episodes and their borrowers' hidden state. Timed: finding the episodes in the
1,000,000-loan monthly table, the development play, the C-card's fit, both strategies' plays
(with their actions) and, with ``--big-world W`` (``creditfactory simulate --applications
1000000``), reading that world and rebuilding the hidden state of as many borrowers as there
are episodes. The perturbed worlds are not included (each adds a development play, a fit and
two plays). Target <= 120 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

CLI = [sys.executable, "-m", "creditfactory"]


def ensure_run(root: Path, seed: int, applications: int) -> tuple[Path, Path]:
    world, run = root / f"w{seed}", root / f"p{seed}"
    if not (world / "meta.json").exists():
        subprocess.run([*CLI, "simulate", "--applications", str(applications), "--seed", str(seed),
                        "--out", str(world)], check=True, capture_output=True)
    if not (run / "summary.json").exists():
        subprocess.run([*CLI, "portfolio", "run", str(world), "--strategy", "default", "--out", str(run)],
                       check=True, capture_output=True)
    return world, run


def seeds(args: argparse.Namespace) -> list[dict[str, Any]]:
    from creditfactory.evaluation.collections import collections_backtest

    rows = []
    for seed in args.seeds:
        world, run = ensure_run(args.root, seed, args.applications)
        t0 = time.perf_counter()
        s = collections_backtest(run, world, "default", "bucket_only", ceiling=True).summary
        a, b = s["strategies"]["default"], s["strategies"]["bucket_only"]
        c, p = s["comparison"], s["perturbed"]
        cc = s["ccard"]["out_of_time_bucket_only"]
        row = {"seed": seed, "episodes": s["episodes"], "seconds": round(time.perf_counter() - t0, 1),
               "net_recovery": [a["net_recovery"], b["net_recovery"]], "cost": [a["cost"], b["cost"]],
               "net_recovery_gain": c["net_recovery_gain"], "cost_ratio": c["cost_ratio"],
               "m1_cure": [a["cure_rate_m1_30d"], b["cure_rate_m1_30d"]], "m1_cure_gain": c["m1_cure_gain"],
               "write_off_rate": [a["write_off_rate"], b["write_off_rate"]],
               "net_value_gain": c["net_value_gain"], "net_value": [a["net_value"], b["net_value"]],
               "net_cash_gain": c["net_cash_gain"],
               "m1_cure_by_reason": [a["cure_rate_m1_30d_by_reason"], b["cure_rate_m1_30d_by_reason"]],
               "ceiling": {k: s["ceiling"]["comparison"][k] for k in ("net_recovery_gain", "m1_cure_gain",
                                                                        "cost_ratio", "net_value_gain")},
               "perturbed_gain_min": p["net_recovery_gain_min"], "perturbed_gain_median": p["net_recovery_gain_median"],
               "perturbed_wins": p["wins"], "perturbed_draws": len(p["draws"]),
               "perturbed_cost_ratio_max": max(d["cost_ratio"] for d in p["draws"]),
               "ccard_auc_oot": cc["auc"], "ccard_auc_oot_lightgbm": cc.get("auc_lightgbm"),
               "ccard_auc_oot_under_default": s["ccard"]["out_of_time_default"]["auc"],
               "reason_accuracy": s["reasons"]["accuracy"],
               "reason_recall": {k: v["recall"] for k, v in s["reasons"]["per_reason"].items()},
               "truth_shares": s["reasons"]["truth_shares"]}
        rows.append(row)
        print(f"seed {seed}: net recovery {row['net_recovery_gain']:+.1%} at cost x{row['cost_ratio']:.2f}, "
              f"M1 cure {a['cure_rate_m1_30d']:.1%} / {b['cure_rate_m1_30d']:.1%} ({row['m1_cure_gain']:+.1%}), "
              f"written off {a['write_off_rate']:.2%} / {b['write_off_rate']:.2%}, net value {row['net_value_gain']:+.1%}, "
              f"all cash less cost {row['net_cash_gain']:+.1%}; knowing the reasons: net recovery "
              f"{row['ceiling']['net_recovery_gain']:+.1%}, M1 cure {row['ceiling']['m1_cure_gain']:+.1%}; "
              f"perturbed: {p['wins']}/{len(p['draws'])} wins, gain min {p['net_recovery_gain_min']:+.1%} "
              f"median {p['net_recovery_gain_median']:+.1%}; C-card AUC {cc['auc']:.3f} "
              f"(LightGBM {cc.get('auc_lightgbm') or float('nan'):.3f}); reasons right {row['reason_accuracy']:.1%} "
              f"({', '.join(f'{k} {v:.0%}' for k, v in row['reason_recall'].items())}) "
              f"[{row['seconds']} s]", flush=True)
    return rows


def big(args: argparse.Namespace) -> dict[str, Any]:
    from creditfactory.collections.episodes import delinquency_episodes
    from creditfactory.collections.reasons import load_reason_model
    from creditfactory.collections.strategy import load_collections_strategy
    from creditfactory.evaluation.collections import _fit_ccard, _subset, prepare_accounts
    from creditfactory.evaluation.collections_play import Accounts, play
    from creditfactory.services.monitoring_run import read_portfolio
    from creditfactory.world.collections_response import load_response

    world, run = ensure_run(args.root, 5, args.applications)
    response = load_response()
    t0 = time.perf_counter()
    _, acc, seed = prepare_accounts(run, world, response)
    t_truth = time.perf_counter() - t0
    tables = read_portfolio(run, transactions=False)
    loans, monthly = tables.loans, tables.monthly
    k = len(loans)
    copies = -(-args.big // k)
    shift = np.repeat(np.arange(copies) % 24, k)[: args.big]
    which = np.tile(np.arange(k), copies)[: args.big]
    big_loans = loans.iloc[which].reset_index(drop=True)
    big_loans["loan_id"] = np.arange(1, args.big + 1)
    id_of = pd.Series(np.arange(len(loans)), index=loans["loan_id"].to_numpy())
    m = monthly.assign(_pos=id_of.reindex(monthly["loan_id"].to_numpy()).to_numpy())
    m = m.sort_values(["_pos", "month"], kind="stable").reset_index(drop=True)
    counts = np.bincount(m["_pos"].to_numpy(), minlength=k)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    lengths = counts[which]
    first = np.r_[0, np.cumsum(lengths)[:-1]]
    idx = np.repeat(starts[which] - first, lengths) + np.arange(lengths.sum())
    big_m = m.iloc[idx].drop(columns="_pos").reset_index(drop=True)
    big_m["loan_id"] = np.repeat(big_loans["loan_id"].to_numpy(), lengths)
    big_m["month"] = (pd.to_datetime(big_m["month"]).to_numpy().astype("datetime64[M]")
                      + np.repeat(shift, lengths).astype("timedelta64[M]")).astype("datetime64[ns]")
    print(f"book: {len(big_loans):,} loans, {len(big_m):,} month-ends", flush=True)
    t = {}
    t0 = time.perf_counter()
    ep = delinquency_episodes(big_loans, big_m)
    t["episodes"] = time.perf_counter() - t0
    # the accounts: the real run's episodes with their borrowers' hidden state, replicated to
    # the big book's count, each copy shifted like its loans
    n_big = len(ep)
    reps = -(-n_big // len(acc.key))
    j = np.tile(np.arange(len(acc.key)), reps)[:n_big]
    c = np.repeat(np.arange(reps), len(acc.key))[:n_big]
    static = acc.static.iloc[j].reset_index(drop=True)
    big_acc = Accounts(static=static, key=(c * 10_000_000 + acc.key[j]).astype(np.int64),
                       start_step=acc.start_step[j] + (c % 24) * 6, reason=acc.reason[j], contact=acc.contact[j],
                       burden=acc.burden[j], book_size=acc.book_size * args.big / k)
    cut = np.quantile(big_acc.start_step, 0.5)
    dev_mask = big_acc.start_step < cut - 6
    reasons = load_reason_model()
    t0 = time.perf_counter()
    history = play(response, _subset(big_acc, dev_mask), load_collections_strategy("bucket_only"), seed=seed, reasons=reasons)
    t["development play"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    card = _fit_ccard(history, "logistic")
    t["C-card fit"] = time.perf_counter() - t0
    test = _subset(big_acc, big_acc.start_step >= cut)
    for name in ("default", "bucket_only"):
        t0 = time.perf_counter()
        p = play(response, test, load_collections_strategy(name), seed=seed, reasons=reasons,
                 scorer=lambda x: card.predict_proba(x)[:, 1], actions=True)
        t[f"play {name}"] = time.perf_counter() - t0
        print(f"{name}: {len(test.key):,} accounts, {len(p.actions) if p.actions is not None else 0:,} actions", flush=True)
    if args.big_world is not None:
        t["world truth join"] = world_join(args.big_world, n_big)
    total = sum(t.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    out = {"loans": args.big, "episodes": n_big, "seconds": {k2: round(v, 1) for k2, v in t.items()},
           "world_truth_join_on_the_small_run": round(t_truth, 1), "total_seconds": round(total, 1),
           "peak_gb": round(peak, 2)}
    print(json.dumps(out, indent=1))
    return out


def world_join(world: Path, n_episodes: int) -> float:
    """Seconds to read a big world and rebuild the hidden state of ``n_episodes`` borrowers
    (the applications of the first ``n_episodes`` rows, as the back-test does for the
    episodes' borrowers)."""
    from creditfactory.data import load
    from creditfactory.world.repayment_state import hidden_borrowers, last_months, world_macro

    t0 = time.perf_counter()
    meta = json.loads((world / "meta.json").read_text("utf-8"))
    data = load(world, money="float")
    apps = data.applications.iloc[: n_episodes].reset_index(drop=True)
    assert data.truth is not None  # a simulated world always has one
    ids = apps["application_id"].to_numpy()
    hidden_borrowers(apps, data.truth, world_macro(meta), int(meta["seed"]), last_months(data.performance, ids))
    seconds = time.perf_counter() - t0
    print(f"world {world}: {len(data.applications):,} applications read, {n_episodes:,} borrowers rebuilt "
          f"in {seconds:.1f} s", flush=True)
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--applications", type=int, default=40_000)
    ap.add_argument("--seeds", type=int, nargs="*", default=[5, 6, 7, 8])
    ap.add_argument("--root", type=Path, default=Path("bench-collections"))
    ap.add_argument("--big", type=int, default=0)
    ap.add_argument("--big-world", type=Path, help="with --big: a world of that size, to time the truth join")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    result: Any = big(args) if args.big else seeds(args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
