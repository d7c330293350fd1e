"""The scorecard toolkit end to end, ours vs optbinning, side by side in one run, with ratios.

Like is compared with like: a process against a process, in memory against in memory.
(1) Fit on N rows x 33 features (bench/scorecard_binning.py's synthetic table, Parquet):
    ``creditfactory scorecard fit`` as a process (start-up, file reading, fit, train AUC and
    KS, model file) against optbinning as a process (Python start-up, imports, reading the
    same file, ``Scorecard.fit`` with BinningProcess + LogisticRegression, pickle); then both
    in memory; then, stricter, our process against optbinning's fit in memory.
(2) Score M rows: ``creditfactory scorecard score`` as a process (start-up, reading, scoring,
    writing the table with score and pd) against optbinning's process doing the same (reading
    with pandas, ``Scorecard.score``, writing the table with score only, which spares it a
    ``predict_proba``); then both in memory; then our process against optbinning's
    ``Scorecard.score`` in memory; then one record.
(3) German Credit (70/30 stratified): test AUC of the CLI with its default settings (the
    CLI itself on the random_state=42 split; the same settings on ten more seeds) against
    optbinning's defaults.

Times are the best of ``--repeat`` runs, wall clock and CPU (CPU of a process includes its
children). On a shared, loaded machine wall clock mostly measures waiting for a core, so
the CPU ratio is the one to read. Targets: fit >= 3x, score >= 10x, German AUC >=
optbinning's.
Run: ``.venv/bin/python bench/scorecard_vs_optbinning.py [--rows 200000] [--score-rows 1000000]``
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from creditfactory.scorecard import Scorecard, load_card, load_scorer, metrics

HERE = Path(__file__).resolve().parent
GERMAN = HERE.parents[1] / "shared" / "data" / "german_credit.csv"
_SCRIPT = Path(sys.executable).with_name("creditfactory")
CLI = ([str(_SCRIPT)] if _SCRIPT.exists()
       else [sys.executable, "-c", "from creditfactory.cli import main; main()"])
# the settings `creditfactory scorecard fit` uses by default
CLI_DEFAULTS: dict[str, Any] = {"chance_dof": "coefficients", "random_state": 0}

OPT_FIT = """
import pickle, sys, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from optbinning import BinningProcess, Scorecard
from sklearn.linear_model import LogisticRegression
frame = pd.read_parquet(sys.argv[1])
y = frame.pop(sys.argv[2]).to_numpy()
text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
card = Scorecard(binning_process=BinningProcess(list(frame.columns), categorical_variables=text),
                 estimator=LogisticRegression(), scaling_method="pdo_odds",
                 scaling_method_params={"pdo": 20, "odds": 50, "scorecard_points": 600})
card.fit(frame, y)
with open(sys.argv[3], "wb") as f:
    pickle.dump(card, f)
"""

OPT_SCORE = """
import pickle, sys, warnings
warnings.filterwarnings("ignore")
import pandas as pd
with open(sys.argv[1], "rb") as f:
    card = pickle.load(f)
frame = pd.read_parquet(sys.argv[2])
points = card.score(frame)
frame.assign(score=points).to_parquet(sys.argv[3], index=False)
"""


def _load_binning_bench():
    spec = importlib.util.spec_from_file_location("scorecard_binning", HERE / "scorecard_binning.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _opt_card(x: pd.DataFrame, y: np.ndarray):
    from optbinning import BinningProcess
    from optbinning import Scorecard as OptScorecard

    text = [c for c in x.columns if not pd.api.types.is_numeric_dtype(x[c])]
    card = OptScorecard(binning_process=BinningProcess(list(x.columns), categorical_variables=text),
                        estimator=LogisticRegression(), scaling_method="pdo_odds",
                        scaling_method_params={"pdo": 20, "odds": 50, "scorecard_points": 600})
    return card.fit(x, y)


def _best(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds (this process and its children) of ``repeat`` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        r0, c0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.process_time()
        w0 = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - w0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(time.process_time() - c0 + (r1.ru_utime + r1.ru_stime)
                    - (r0.ru_utime + r0.ru_stime))
    return min(walls), min(cpus)


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=os.environ.copy())


def _row(label: str, ours: tuple[float, float], theirs: tuple[float, float],
         target: float, results: list[tuple[str, float, float]]) -> None:
    wall, cpu = theirs[0] / ours[0], theirs[1] / ours[1]
    print(f"    {label:<44} ours {ours[0]:6.2f}s ({ours[1]:5.2f} CPU)  optbinning "
          f"{theirs[0]:6.2f}s ({theirs[1]:5.2f} CPU)  ratio {wall:5.1f}x wall, {cpu:5.1f}x CPU"
          f"  (target >= {target:g}x)")
    results.append((label, wall, cpu))


def fit_and_score(folder: Path, rows: int, score_rows: int, repeat: int,
                  results: list[tuple[str, float, float]]) -> None:
    bench = _load_binning_bench()
    x, y = bench.synthetic(rows)
    train = folder / "train.parquet"
    x.assign(bad=y).to_parquet(train, index=False)
    big, _ = bench.synthetic(score_rows, seed=11)
    data = folder / "score.parquet"
    big.to_parquet(data, index=False)
    (folder / "opt_fit.py").write_text(OPT_FIT)
    (folder / "opt_score.py").write_text(OPT_SCORE)
    card_json, card_pkl = folder / "card.json", folder / "card.pkl"

    print(f"(1) fit, {rows:,} rows x {x.shape[1]} features, best of {repeat}", flush=True)
    cli_fit = _best(lambda: _run([*CLI, "scorecard", "fit", str(train), "--target", "bad",
                                  "--out", str(card_json)]), repeat)
    opt_proc = _best(lambda: _run([sys.executable, str(folder / "opt_fit.py"), str(train), "bad",
                                   str(card_pkl)]), repeat)
    opt_mem = _best(lambda: _opt_card(x, y), repeat)
    ours_mem = _best(lambda: Scorecard(**CLI_DEFAULTS).fit(x, y), repeat)
    _row("CLI fit vs optbinning fit, both processes", cli_fit, opt_proc, 3, results)
    _row("in-memory fit vs optbinning Scorecard.fit", ours_mem, opt_mem, 3, results)
    _row("CLI fit vs optbinning Scorecard.fit in memory", cli_fit, opt_mem, 3, results)
    card, opt = load_card(card_json), _opt_card(x, y)
    holdout, y_hold = bench.synthetic(rows // 2, seed=5)
    print(f"    holdout AUC: ours {metrics.auc(y_hold, card.predict_proba(holdout)[:, 1]):.4f}  "
          f"optbinning {metrics.auc(y_hold, opt.predict_proba(holdout)[:, 1]):.4f}")

    print(f"(2) score, {score_rows:,} rows x {big.shape[1]} features, best of {repeat}", flush=True)
    out = folder / "scored.parquet"
    cli_score = _best(lambda: _run([*CLI, "scorecard", "score", str(card_json), str(data),
                                    "--out", str(out)]), repeat)
    opt_score_proc = _best(lambda: _run([sys.executable, str(folder / "opt_score.py"),
                                         str(card_pkl), str(data), str(out)]), repeat)
    opt_score_mem = _best(lambda: opt.score(big), repeat)
    scorer = load_scorer(card_json)
    ours_score_mem = _best(lambda: scorer.score(big), repeat)
    _row("CLI score vs optbinning score, both processes", cli_score, opt_score_proc, 10,
         results)
    _row("in-memory score vs optbinning Scorecard.score", ours_score_mem, opt_score_mem, 10,
         results)
    _row("CLI score vs optbinning Scorecard.score in memory", cli_score, opt_score_mem, 10,
         results)
    records = big.head(2000).to_dict("records")
    samples = np.empty(20_000)
    for i in range(samples.size):
        t0 = time.perf_counter_ns()
        scorer.score_record(records[i % len(records)])
        samples[i] = time.perf_counter_ns() - t0
    print(f"    one record, {len(scorer.features)} features: median "
          f"{np.median(samples) / 1e3:.1f} us, p90 {np.percentile(samples, 90) / 1e3:.1f} us")


def _german_split(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    df = pd.read_csv(GERMAN)
    y = (df["creditability"] == "bad").to_numpy().astype(int)
    return train_test_split(df, y, test_size=0.3, stratify=y, random_state=seed)


def german(folder: Path, results: list[tuple[str, float, float]]) -> None:
    if not GERMAN.exists():
        print(f"(3) German Credit: {GERMAN} not found, skipped")
        return
    tr, te, ytr, yte = _german_split(42)
    tr.to_csv(folder / "german_train.csv", index=False)
    te.to_csv(folder / "german_test.csv", index=False)
    _run([*CLI, "scorecard", "fit", str(folder / "german_train.csv"), "--target",
          "creditability", "--bad", "bad", "--out", str(folder / "german.json")])
    _run([*CLI, "scorecard", "score", str(folder / "german.json"),
          str(folder / "german_test.csv"), "--out", str(folder / "german_scored.csv")])
    scored = pd.read_csv(folder / "german_scored.csv")
    cli_auc = metrics.auc(yte, scored["pd"].to_numpy())
    target = "creditability"
    opt = _opt_card(tr.drop(columns=target), ytr)
    opt_auc = metrics.auc(yte, opt.predict_proba(te.drop(columns=target))[:, 1])
    print("(3) German Credit, test 30 %, default settings")
    print(f"    random_state=42, through the CLI: ours {cli_auc:.4f}  optbinning {opt_auc:.4f}  "
          f"diff {cli_auc - opt_auc:+.4f}")
    results.append(("German AUC (seed 42), ours - optbinning", cli_auc - opt_auc, np.nan))
    diffs = []
    for seed in range(10):
        tr, te, ytr, yte = _german_split(seed)
        x_tr, x_te = tr.drop(columns=target), te.drop(columns=target)
        ours = metrics.auc(yte, Scorecard(**CLI_DEFAULTS).fit(x_tr, ytr).predict_proba(x_te)[:, 1])
        theirs = metrics.auc(yte, _opt_card(x_tr, ytr).predict_proba(x_te)[:, 1])
        diffs.append((ours, theirs))
    arr = np.asarray(diffs)
    wins = int((arr[:, 0] >= arr[:, 1]).sum())
    print(f"    random_state=0..9, CLI settings in memory: mean ours {arr[:, 0].mean():.4f}  "
          f"optbinning {arr[:, 1].mean():.4f}  diff {arr[:, 0].mean() - arr[:, 1].mean():+.4f}"
          f"  (ours >= optbinning on {wins} of 10)")
    results.append(("German AUC (mean of 10 seeds), ours - optbinning",
                    float(arr[:, 0].mean() - arr[:, 1].mean()), np.nan))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--score-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-german", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    results: list[tuple[str, float, float]] = []
    folder = Path(tempfile.mkdtemp(prefix="scorecard_bench_"))
    try:
        fit_and_score(folder, args.rows, args.score_rows, args.repeat, results)
        if not args.skip_german:
            german(folder, results)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("summary (optbinning / ours; AUC rows: ours - optbinning; on a loaded machine "
          "read the CPU ratio)")
    for label, wall, cpu in results:
        if np.isnan(cpu):
            print(f"    {label:<52} {wall:+.4f}")
        else:
            print(f"    {label:<52} {wall:5.1f}x wall  {cpu:5.1f}x CPU")


if __name__ == "__main__":
    main()
