"""Scorecards, ours vs optbinning 1.0.0, side by side in one run; prints the ratios.

(a) German Credit (70/30 stratified, random_state=42): test AUC/KS of our logistic and
    divergence cards vs optbinning's ``Scorecard`` (BinningProcess + LogisticRegression).
(b) Scoring 1,000,000 rows: our compiled scorer vs optbinning's ``Scorecard.score``.
(c) One-record scoring: median of ``score_record`` (target <= 20 us).
(d) BIN's binning benchmark (bench/scorecard_binning.py) when present.

Run: ``.venv/bin/python bench/scorecard_vs_optbinning.py [--rows 1000000] [--skip-binning]``
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from creditfactory.scorecard import Binner, Scorecard, metrics

GERMAN = Path(__file__).resolve().parents[2] / "shared" / "data" / "german_credit.csv"


def _optbinning_card(x: pd.DataFrame, y: np.ndarray):
    from optbinning import BinningProcess
    from optbinning import Scorecard as OptScorecard

    process = BinningProcess(list(x.columns))
    card = OptScorecard(binning_process=process, estimator=LogisticRegression(),
                        scaling_method="pdo_odds",
                        scaling_method_params={"pdo": 20, "odds": 50, "scorecard_points": 600})
    return card.fit(x, y)


def german() -> None:
    df = pd.read_csv(GERMAN)
    y = (df.pop("creditability") == "bad").to_numpy().astype(int)
    xtr, xte, ytr, yte = train_test_split(df, y, test_size=0.3, stratify=y, random_state=42)
    rows = []
    t = time.perf_counter()
    opt = _optbinning_card(xtr, ytr)
    t_opt = time.perf_counter() - t
    risk = opt.predict_proba(xte)[:, 1]
    base = metrics.auc(yte, risk)
    rows.append(("optbinning Scorecard", base, metrics.ks(yte, risk), t_opt))
    for objective in ("logistic", "divergence"):
        t = time.perf_counter()
        card = Scorecard(objective=objective, selection="none",
                         binner=Binner(n_prebins=20)).fit(xtr, ytr)
        elapsed = time.perf_counter() - t
        risk = -card.points(xte)
        rows.append((f"ours {objective}", metrics.auc(yte, risk), metrics.ks(yte, risk), elapsed))
    print("(a) German Credit, test 30 % (target: AUC >= optbinning - 0.005)")
    for name, auc, ks, secs in rows:
        print(f"    {name:<22} AUC {auc:.4f} (diff {auc - base:+.4f})  KS {ks:.4f}  fit {secs:.2f}s")


def _synthetic(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    cols = {f"n{j}": rng.normal(size=n) for j in range(13)}
    cols["c0"] = rng.choice([f"a{k}" for k in range(8)], n)
    cols["c1"] = rng.choice([f"b{k}" for k in range(25)], n)
    x = pd.DataFrame(cols)
    x.loc[rng.random(n) < 0.01, "n0"] = np.nan
    logit = -3 + 0.5 * x["n0"].fillna(0) - 0.4 * x["n1"] + 0.3 * x["n2"] ** 2 + 0.2 * x["n3"]
    logit += x["c0"].str[1:].astype(int) * 0.08
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).to_numpy().astype(int)
    return x, y


def _best(fn, repeat: int) -> tuple[float, float]:
    """Best wall-clock and best process-CPU seconds of ``repeat`` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def scoring(n_rows: int) -> None:
    x_fit, y_fit = _synthetic(100_000)
    opt = _optbinning_card(x_fit, y_fit)
    ours = Scorecard(selection="none").fit(x_fit, y_fit)
    big, _ = _synthetic(n_rows, seed=1)
    wall_ours, cpu_ours = _best(lambda: ours.points(big), 7)
    wall_opt, cpu_opt = _best(lambda: opt.score(big), 3)
    print(f"(b) scoring {n_rows:,} rows x {big.shape[1]} features, best of 7 (ours) and of 3 "
          "(optbinning); target >= 10x")
    print(f"    wall  optbinning Scorecard.score {wall_opt:.3f}s  ours {wall_ours:.3f}s  "
          f"ratio {wall_opt / wall_ours:.1f}x")
    print(f"    CPU   optbinning Scorecard.score {cpu_opt:.3f}s  ours {cpu_ours:.3f}s  "
          f"ratio {cpu_opt / cpu_ours:.1f}x  (process time: steadier on a shared machine)")
    records = big.head(2000).to_dict("records")
    scorer = ours.scorer_
    clock = time.perf_counter_ns
    samples = np.empty(20_000)
    for i in range(samples.size):
        rec = records[i % len(records)]
        t0 = clock()
        scorer.score_record(rec)
        samples[i] = clock() - t0
    print(f"(c) one record, {len(scorer.features)} features: median "
          f"{np.median(samples) / 1e3:.1f} us, p90 {np.percentile(samples, 90) / 1e3:.1f} us "
          f"(target: median <= 20 us)")


def binning() -> None:
    path = Path(__file__).with_name("scorecard_binning.py")
    if not path.exists():
        print("(d) bench/scorecard_binning.py not present: skipped")
        return
    spec = importlib.util.spec_from_file_location("scorecard_binning", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    print("(d) binning + WoE, from bench/scorecard_binning.py (its defaults)", flush=True)
    saved = sys.argv
    sys.argv = [str(path)]
    try:
        module.main()
    finally:
        sys.argv = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-binning", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    german()
    scoring(args.rows)
    if not args.skip_binning:
        binning()


if __name__ == "__main__":
    main()
