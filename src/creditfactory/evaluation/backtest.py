"""The fraud a back-tested strategy kept out, told apart by the world's truth."""

from __future__ import annotations

from typing import Any

import pandas as pd

from creditfactory.strategy.backtest_run import BacktestRun

__all__ = ["evaluate_backtest", "fraud_kept_out"]


def fraud_kept_out(run: BacktestRun, truth: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per strategy label: the fraudulent applications decided and the share not approved."""
    is_fraud = truth.set_index("application_id")["is_fraud"]
    figures: dict[str, dict[str, Any]] = {}
    for label, result in zip(run.labels, run.results, strict=True):
        decisions = result.decisions
        fraud = is_fraud.reindex(decisions["application_id"], fill_value=False).to_numpy(bool)
        approved = (decisions["decision"] == "approve").to_numpy()
        figures[label] = {
            "fraud_applications": int(fraud.sum()),
            "fraud_caught": float((~approved[fraud]).mean()) if fraud.any() else 0.0,
        }
    return figures


def evaluate_backtest(run: BacktestRun, truth: pd.DataFrame | None) -> BacktestRun:
    """``run`` with the truth's figures in each summary; ``run`` itself without a truth."""
    if truth is None:
        return run
    return run.with_figures(fraud_kept_out(run, truth))
