"""The behaviour scorecard out of time, against the A-card at origination and a DPD-only rule.

Run (about two minutes a seed on 2 cores with the defaults):

    .venv/bin/python bench/bcard.py [--applications 100000] [--seeds 5 6 7 8] [--json FILE]
                                       [--downturn INDUSTRY@MONTH ...]

For each seed: a 36-month world (``write_world``), the ``default`` strategy's portfolio run
(models trained on the first 12 months, the rest decided, booked and repaid through the
servicing book, as ``creditfactory portfolio run`` does) with the world's monthly signals;
then, on the book, the B-card trained on the loan-months of its first 18 months (those whose
six-month window had closed by then, labelled as known then) and judged on the loan-months
after them. Target: more than 90 DPD within the next six months. Compared on the same
out-of-time loan-months:

- ``A-card at origination``: the loan's ``a_pd`` from ``loans.parquet``;
- ``DPD rule``: days past due now, ties broken by the worst DPD of the last six months;
- the B-card (``logistic`` and ``divergence`` from the scorecard toolkit, ``lightgbm``
  challenger), and the logistic card without the world's signals (book data alone).

Everything again with every signal at half strength (``SignalConfig.at_strength(0.5)``: the
same book, the signals published again). Target: B-card AUC ≥ 0.05 above both references on
every seed, at full strength.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.data import load
from creditfactory.evaluation.portfolio import (
    as_if_last_months,
    book_approved,
    play_portfolio,
    portfolio_signals,
)
from creditfactory.models import train_lending_models
from creditfactory.models.bcard import (
    BehaviourScorecard,
    build_features,
    development_sample,
    label_bad,
)
from creditfactory.models.bcard_features import SIGNAL_FEATURES
from creditfactory.scorecard import metrics
from creditfactory.strategy import load_strategy
from creditfactory.strategy.backtest_run import backtest_strategies
from creditfactory.world import WorldConfig, write_world
from creditfactory.world.config import SignalConfig
from creditfactory.world.macro import parse_downturn

TRAIN_BOOK_MONTHS = 18
MARGIN = 0.05


def book(world: Path) -> dict[str, Any]:
    """The default strategy's portfolio run on ``world``, kept in memory."""
    data = load(world, money="float")
    strategy = load_strategy("default")
    provider = train_lending_models(data, key=b"bench-key-0123456789abcdef012345", train_months=12)
    decisions = backtest_strategies(data, [strategy], provider, train_months=12).results[0].decisions
    loans, apps = book_approved(data.applications, decisions)
    last_mob = as_if_last_months(data.performance, apps["application_id"].to_numpy())
    meta = json.loads((world / "meta.json").read_text())
    assert data.truth is not None  # a simulated world always has one
    played = play_portfolio(loans, apps, data.truth, last_mob, meta)
    return {"loans": loans, "apps": apps, "truth": data.truth, "last_mob": last_mob, "meta": meta,
            "played": played}


def signals_at(run: dict[str, Any], scale: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The world's signals of the run's active loan-months at ``scale`` times their strength."""
    return portfolio_signals(run["loans"], run["apps"], run["truth"], run["last_mob"], run["meta"],
                             run["played"], SignalConfig().at_strength(scale))


def dpd_rule(X: pd.DataFrame) -> np.ndarray:
    """Days past due now, ties broken by the worst of the last six months."""
    return X["dpd"].to_numpy(float) * 1000 + X["max_dpd_6m"].to_numpy(float)


def evaluate(run: dict[str, Any], sig: pd.DataFrame, index: pd.DataFrame) -> list[dict[str, Any]]:
    """AUC of each model on the out-of-time loan-months."""
    loans, pb = run["loans"], run["played"]
    m = pb.monthly
    X = build_features(loans, m, pb.transactions, sig, index)
    start = pd.to_datetime(loans["booked_on"]).min().to_period("M").to_timestamp()
    cut = start + pd.DateOffset(months=TRAIN_BOOK_MONTHS - 1)
    dev, y_dev = development_sample(X, m, cut)
    y = label_bad(m, X)
    oot = (pd.to_datetime(X["month"]) > cut).to_numpy() & np.isfinite(y)
    Xo, yo = X[oot], y[oot].astype(int)
    risks = {"A-card at origination": loans.set_index("loan_id")["a_pd"].reindex(Xo["loan_id"]).to_numpy(),
             "DPD rule": dpd_rule(Xo)}
    for objective in ("logistic", "divergence", "lightgbm"):
        card = BehaviourScorecard(objective).fit(dev, y_dev)
        risks[f"B-card ({objective})"] = card.predict_proba(Xo)[:, 1]
    plain = dev.assign(**{c: np.nan for c in SIGNAL_FEATURES})
    card = BehaviourScorecard("logistic").fit(plain, y_dev)
    risks["B-card (logistic) without signals"] = card.predict_proba(
        Xo.assign(**{c: np.nan for c in SIGNAL_FEATURES}))[:, 1]
    base = {"dev_rows": len(dev), "dev_bads": int(y_dev.sum()), "oot_rows": len(Xo), "oot_bads": int(yo.sum()),
            "oot_bad_loans": int(Xo.loc[yo == 1, "loan_id"].nunique())}
    return [base | {"model": k, "auc": metrics.auc(yo, r)} for k, r in risks.items()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--applications", type=int, default=100_000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[5, 6, 7, 8])
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--downturn", action="append", default=None,
                    help="INDUSTRY@MONTH, repeatable (default: the world's, C18 at 55 %%)")
    args = ap.parse_args()
    placed = None if args.downturn is None else tuple(parse_downturn(d) for d in args.downturn)
    rows = []
    for seed in args.seeds:
        t0 = time.perf_counter()
        world = Path(tempfile.mkdtemp(prefix=f"bcard-bench-{seed}-")) / "world"
        write_world(WorldConfig(args.applications, 36, seed, downturns=placed), world)
        run = book(world)
        for scale in (1.0, 0.5):
            for r in evaluate(run, *signals_at(run, scale)):
                rows.append({"seed": seed, "signals": "full" if scale == 1 else "half"} | r)
        print(f"seed {seed}: {len(run['loans']):,} loans in {time.perf_counter() - t0:.0f} s", flush=True)
    table = pd.DataFrame(rows)
    wide = table.pivot_table(index=["signals", "model"], columns="seed", values="auc", sort=False)
    wide["mean"] = wide.mean(axis=1)
    pd.set_option("display.width", 160)
    print(wide.round(3).to_string())
    for strength, part in table.groupby("signals", sort=False):
        best_ref = part[part["model"].isin(["A-card at origination", "DPD rule"])].groupby("seed")["auc"].max()
        for model in ("B-card (logistic)", "B-card (divergence)", "B-card (lightgbm)"):
            edge = part[part["model"] == model].set_index("seed")["auc"] - best_ref
            print(f"{strength:4s} {model:22s} edge over the better reference: min {edge.min():+.3f} "
                  f"mean {edge.mean():+.3f}  target +{MARGIN:.2f}: {'met' if edge.min() >= MARGIN else 'NOT met'}")
    print(table.drop_duplicates(["seed", "signals"])[["seed", "signals", "dev_rows", "dev_bads", "oot_rows",
                                                       "oot_bads", "oot_bad_loans"]].to_string(index=False))
    if args.json:
        args.json.write_text(table.to_json(orient="records", indent=1))


if __name__ == "__main__":
    main()
