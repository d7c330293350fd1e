"""The estimator's selection step: the ridge to use, then features by marginal contribution.

Both run on the bin indices of the candidate features; the record says why each candidate was
kept or dropped, for the ``selection_`` table a validation team reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from creditfactory.scorecard._bins import FeatureBinning
from creditfactory.scorecard._stats import FloatArray, IndicatorStats
from creditfactory.scorecard.fitting import BinRef, Engineering, block_specs, choose_penalty
from creditfactory.scorecard.selection import marginal_contributions, stepwise_select

Decision = tuple[str, str]


def resolve_penalty(
    penalty: float | str,
    objective: str,
    binnings: Sequence[FeatureBinning],
    bins: np.ndarray,
    is_bad: np.ndarray,
    sample_weight: FloatArray | None,
    monotone: bool,
    engineering: tuple[dict[BinRef, float], tuple[tuple[BinRef, ...], ...]],
    seed: int,
) -> tuple[float, dict[float, float]]:
    """The ridge to fit with and, for ``"auto"`` divergence, the held-out score of each."""
    if penalty != "auto":
        return float(penalty), {}
    if objective == "logistic" or not binnings:
        return 1.0, {}
    specs = block_specs(binnings, monotone)
    return choose_penalty(bins, specs, is_bad, sample_weight, Engineering(*engineering),
                          seed=seed)


def select_by_contribution(
    binnings: Sequence[FeatureBinning],
    stats: IndicatorStats | None,
    min_contribution: float,
    max_features: int | None,
    penalty: float,
    chance_adjusted: bool,
    dof: Sequence[int] | None = None,
) -> tuple[list[int], dict[int, Decision]]:
    """Positions of the chosen features and a (status, reason) for every candidate.

    ``dof``: free parameters per candidate for the chance adjustment (default bins − 1).
    """
    decisions: dict[int, Decision] = {
        j: ("dropped", "marginal contribution too small") for j in range(len(binnings))}
    if not binnings or stats is None:
        return [], decisions
    chosen, steps = stepwise_select(stats, list(range(len(binnings))), min_contribution,
                                    max_features, penalty, chance_adjusted, dof)
    for s in steps:
        status = "kept" if s.action == "added" else "dropped"
        decisions[s.feature] = (status, f"{s.action} with contribution {s.contribution:.4f}")
    return chosen, decisions


def select_with(
    selector: Any,
    binnings: Sequence[FeatureBinning],
    bins: np.ndarray,
    is_bad: np.ndarray,
) -> tuple[list[int], dict[int, Decision]]:
    """Run a selector with ``fit(X_woe, y)`` and ``get_support()`` on the WoE columns."""
    names = [b.name for b in binnings]
    if not names:
        return [], {}
    woe = pd.DataFrame({b.name: b.woe[bins[:, j]] for j, b in enumerate(binnings)})
    fitted = clone(selector).fit(woe, is_bad.astype(np.int64))
    support = np.asarray(fitted.get_support(), dtype=bool)
    report = getattr(fitted, "report_", None)
    reasons: dict[str, str] = {}
    if isinstance(report, pd.DataFrame) and {"feature", "reason"} <= set(report.columns):
        reasons = dict(zip(report["feature"].astype(str), report["reason"].astype(str),
                           strict=True))
    decisions = {j: ("kept" if support[j] else "dropped", reasons.get(n, ""))
                 for j, n in enumerate(names)}
    return [j for j in range(len(names)) if support[j]], decisions


def card_divergence(
    binnings: Sequence[FeatureBinning],
    weights: Sequence[FloatArray],
    stats: IndicatorStats | None,
    penalty: float,
) -> tuple[float, dict[str, float]]:
    """In-sample divergence of a card and each feature's marginal contribution.

    ``stats`` are the indicator statistics of exactly the card's features.
    """
    if not binnings or stats is None:
        return 0.0, {}
    contrib = marginal_contributions(stats, list(range(len(binnings))), penalty)
    return stats.divergence(np.concatenate(list(weights))), {
        b.name: contrib[j] for j, b in enumerate(binnings)}
