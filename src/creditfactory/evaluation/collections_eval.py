"""Figures of the collections back-test that need the world's truth or the held-out outcomes:
the C-card's AUC for a cure within 30 days (development and out of time, with the LightGBM
challenger), and the inferred reason's accuracy per reason against the hidden one."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from creditfactory.collections.strategy import REASONS
from creditfactory.evaluation.collections_play import Played
from creditfactory.scorecard import metrics

__all__ = ["ccard_figures", "reason_accuracy"]


def _auc(y: np.ndarray, p: np.ndarray) -> float | None:
    return float(metrics.auc(y, p)) if len(np.unique(y)) == 2 else None


def ccard_figures(history: Played, played: dict[str, Played], card: Any, objective: str) -> dict[str, Any]:
    """AUC of the cure chance on the development rows and on each strategy's out-of-time rows
    (the same card), and the challenger's out of time under the conventional strategy."""
    from creditfactory.models.ccard import CollectionScorecard

    dev = history.snapshots
    out: dict[str, Any] = {"objective": objective, "version": card.version_,
                           "development": {"rows": len(dev), "cure_rate": float(dev["cured_30d"].mean()),
                                           "auc": _auc(dev["cured_30d"].to_numpy(), card.predict_proba(dev)[:, 1])}}
    challenger = None
    try:
        challenger = CollectionScorecard(objective="lightgbm").fit(dev, dev["cured_30d"].to_numpy())
    except Exception:  # noqa: BLE001 - too few rows for the challenger is not an error of the back-test
        challenger = None
    for name, p in played.items():
        s = p.snapshots
        y = s["cured_30d"].to_numpy()
        row: dict[str, Any] = {"rows": len(s), "cure_rate": float(y.mean()) if len(y) else 0.0,
                               "auc": _auc(y, card.predict_proba(s)[:, 1]) if len(s) else None}
        if challenger is not None and len(s):
            row["auc_lightgbm"] = _auc(y, challenger.predict_proba(s)[:, 1])
        m1 = s[s["bucket"] == 1]
        if len(m1):
            row["auc_m1"] = _auc(m1["cured_30d"].to_numpy(), card.predict_proba(m1)[:, 1])
        out[f"out_of_time_{name}"] = row
    if len(dev):
        out["reasons_example"] = card.reasons(dev.head(3)).tolist()
    return out


def reason_accuracy(snapshots: pd.DataFrame, truth: np.ndarray) -> dict[str, Any]:
    """Per hidden reason: accounts, the share whose likeliest inferred reason is it (recall),
    the share of accounts inferred as it that have it (precision), and the mean probability
    given to the true reason; at every bucket entry of the out-of-time episodes."""
    if not len(snapshots):
        return {}
    probs = snapshots[[f"p_{r}" for r in REASONS]].to_numpy()
    true = truth[snapshots["episode"].to_numpy()]
    guess = probs.argmax(axis=1)
    per: dict[str, Any] = {}
    for i, name in enumerate(REASONS):
        has, said = true == i, guess == i
        per[name] = {"rows": int(has.sum()),
                     "recall": float((said & has).sum() / max(has.sum(), 1)),
                     "precision": float((said & has).sum() / max(said.sum(), 1)),
                     "mean_probability_of_truth": float(probs[has, i].mean()) if has.any() else None}
    return {"accuracy": float((guess == true).mean()), "per_reason": per,
            "by_bucket": {f"M{b}": float((guess == true)[snapshots["bucket"].to_numpy() == b].mean())
                          for b in sorted(snapshots["bucket"].unique().astype(int))}}
