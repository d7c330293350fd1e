"""Binning + WoE: creditfactory's WoETransformer against optbinning's BinningProcess.

Side by side in one run, on (1) a deterministic synthetic table of N rows x (30 numeric,
three with 1 % missing, + 3 categorical of 8/25/150 levels, ~5 % bad) and (2) German Credit
(70/30 stratified split, random_state=42). Times are fit + transform (metric="woe"); AUC is
of the same LogisticRegression fitted on each side's WoE columns, in-sample and on a
holdout. Run: ``.venv/bin/python bench/scorecard_binning.py --rows 200000 --repeat 3``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from creditfactory.scorecard import WoETransformer

GERMAN = Path(__file__).resolve().parents[2] / "shared" / "data" / "german_credit.csv"
CATEGORICAL_LEVELS = (8, 25, 150)


def synthetic(rows: int, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    """Monotone, U-shaped, skewed, integer and pure-noise numerics plus three categoricals."""
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {}
    logit = np.zeros(rows)
    for i in range(30):
        kind = i % 6
        if kind == 0:
            x = rng.normal(size=rows)
            logit += 0.45 * x
        elif kind == 1:
            x = rng.lognormal(mean=8.0, sigma=1.0, size=rows)
            logit -= 0.35 * (np.log(x) - 8.0)
        elif kind == 2:
            x = rng.poisson(3.0, size=rows).astype(np.float64)
            logit += 0.12 * (x - 3.0)
        elif kind == 3:
            x = rng.uniform(-2, 2, size=rows)
            logit += 0.25 * (x**2 - 1.33)
        elif kind == 4:
            x = rng.normal(size=rows)
            logit += 0.9 * np.tanh(2 * x) * (i % 4 == 0)
        else:
            x = rng.standard_t(4, size=rows)
        cols[f"num_{i:02d}"] = x
    for i in (0, 7, 13):
        missing = rng.uniform(size=rows) < 0.01
        cols[f"num_{i:02d}"][missing] = np.nan
        logit[missing] += 0.6
    for n_levels in CATEGORICAL_LEVELS:
        weights = 1.0 / np.arange(1, n_levels + 1) ** 0.8
        codes = rng.choice(n_levels, size=rows, p=weights / weights.sum())
        effect = rng.normal(scale=0.5, size=n_levels)
        logit += effect[codes]
        cols[f"cat_{n_levels}"] = np.array([f"L{k:03d}" for k in range(n_levels)],
                                           dtype=object)[codes]
    logit += -4.55
    y = (rng.uniform(size=rows) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    return pd.DataFrame(cols), y


def lr_auc(train: np.ndarray, y_train: np.ndarray, tests: list[tuple[np.ndarray, np.ndarray]]
           ) -> list[float]:
    model = LogisticRegression(solver="lbfgs", max_iter=2000).fit(train, y_train)
    return [float(roc_auc_score(yy, model.predict_proba(xx)[:, 1])) for xx, yy in tests]


def run_ours(X: pd.DataFrame, y: np.ndarray, X_test: pd.DataFrame, n_jobs: int | None
             ) -> tuple[float, np.ndarray, np.ndarray]:
    start = time.perf_counter()
    woe = WoETransformer(n_jobs=n_jobs).fit(X, y)
    train = woe.transform(X)
    elapsed = time.perf_counter() - start
    return elapsed, train, woe.transform(X_test)


def run_optbinning(X: pd.DataFrame, y: np.ndarray, X_test: pd.DataFrame
                   ) -> tuple[float, np.ndarray, np.ndarray]:
    from optbinning import BinningProcess

    categorical = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    start = time.perf_counter()
    process = BinningProcess(variable_names=list(X.columns), categorical_variables=categorical)
    process.fit(X, y)
    train = process.transform(X, metric="woe")
    elapsed = time.perf_counter() - start
    return elapsed, np.asarray(train), np.asarray(process.transform(X_test, metric="woe"))


def compare(label: str, X: pd.DataFrame, y: np.ndarray, X_test: pd.DataFrame,
            y_test: np.ndarray, repeat: int, n_jobs: int | None) -> None:
    ours_t, opt_t = [], []
    for _ in range(repeat):
        t, ours_train, ours_test = run_ours(X, y, X_test, n_jobs)
        ours_t.append(t)
        t, opt_train, opt_test = run_optbinning(X, y, X_test)
        opt_t.append(t)
    ours_auc = lr_auc(ours_train, y, [(ours_train, y), (ours_test, y_test)])
    opt_auc = lr_auc(opt_train, y, [(opt_train, y), (opt_test, y_test)])
    ratios = [o / c for o, c in zip(opt_t, ours_t, strict=True)]
    print(f"== {label}: {len(X):,} rows x {X.shape[1]} features, bad rate {y.mean():.3f}")
    print(f"fit+transform s   ours {min(ours_t):.3f}   optbinning {min(opt_t):.3f}   "
          f"ratio (optbinning/ours) per run {', '.join(f'{r:.1f}x' for r in ratios)}")
    print(f"AUC in-sample     ours {ours_auc[0]:.4f}   optbinning {opt_auc[0]:.4f}")
    print(f"AUC holdout       ours {ours_auc[1]:.4f}   optbinning {opt_auc[1]:.4f}   "
          f"diff {ours_auc[1] - opt_auc[1]:+.4f}")


def german(repeat: int) -> None:
    df = pd.read_csv(GERMAN)
    y = (df.pop("creditability") == "bad").to_numpy(dtype=np.int64)
    X_tr, X_te, y_tr, y_te = train_test_split(df, y, test_size=0.3, stratify=y, random_state=42)
    compare("German credit (70/30, random_state=42)", X_tr, y_tr, X_te, y_te, repeat, None)
    try:
        from optbinning import BinningProcess, Scorecard

        card = Scorecard(binning_process=BinningProcess(variable_names=list(df.columns)),
                         estimator=LogisticRegression(solver="lbfgs", max_iter=2000))
        card.fit(X_tr, y_tr)
        auc = roc_auc_score(y_te, card.predict_proba(X_te)[:, 1])
        print(f"optbinning Scorecard test AUC {auc:.4f} (reference)")
    except Exception as exc:  # the reference figure is informative only
        print(f"optbinning Scorecard failed: {exc}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument("--skip-german", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    X, y = synthetic(args.rows + args.rows // 2)
    cut = args.rows
    compare("synthetic", X.iloc[:cut], y[:cut], X.iloc[cut:].reset_index(drop=True), y[cut:],
            args.repeat, args.n_jobs)
    if not args.skip_german:
        german(args.repeat)


if __name__ == "__main__":
    main()
