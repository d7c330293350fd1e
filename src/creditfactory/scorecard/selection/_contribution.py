"""Marginal contribution of characteristics to divergence, and selection by it.

A characteristic's marginal contribution is the divergence the best card loses when it is
removed (or gains when it is added). Both come from the same :class:`IndicatorStats`, so a
whole forward/backward selection costs a few hundred small linear solves and no pass over
the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import linalg
from scipy.linalg import lapack

from creditfactory.scorecard._stats import IndicatorStats


def optimal_divergence(
    stats: IndicatorStats, features: Sequence[int], penalty: float = 0.0
) -> float:
    """Highest divergence a card on ``features`` reaches, without score engineering.

    Examples
    --------
    >>> import numpy as np
    >>> from creditfactory.scorecard._stats import gather_stats
    >>> b = np.array([[0], [1], [1], [0], [1], [0]])
    >>> s = gather_stats(b, [2], np.array([1, 0, 0, 1, 0, 0], dtype=bool))
    >>> round(optimal_divergence(s, [0]), 3)
    6.0
    """
    if len(features) == 0:
        return 0.0
    off = stats.offsets
    idx = np.concatenate([np.arange(off[j] + 1, off[j + 1]) for j in features]).astype(np.intp)
    if idx.size == 0:
        return 0.0
    cov = stats.pooled_cov[np.ix_(idx, idx)]
    gap = stats.delta[idx]
    ridge = penalty * (1.0 / stats.weight_good + 1.0 / stats.weight_bad)
    # cov + ridge * block_diagonal(cov) and + eps * I, written in place (same sums)
    q = cov.copy()
    if ridge != 0.0:
        start = 0
        for j in features:
            end = start + stats.n_bins[j] - 1
            q[start:end, start:end] += ridge * cov[start:end, start:end]
            start = end
    q[np.diag_indices_from(q)] += 1e-9 * max(float(np.trace(q)) / idx.size, 1e-12)
    w = _solve_pos(q, gap)
    var = float(w @ cov @ w)
    return 0.0 if var <= 0.0 else float((w @ gap) ** 2 / var)


def _solve_pos(q: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``linalg.solve(q, b, assume_a="pos")``, bit for bit, by LAPACK's ``posv`` alone.

    ``solve`` adds a condition estimate that costs as much again as the Cholesky solve on
    the small systems of a selection (thousands of them); ``q`` carries a ridge, so the
    estimate never warns. A ``q`` that is not positive definite goes to ``solve`` itself.
    """
    _, w, info = lapack.dposv(q, b, lower=0, overwrite_a=0, overwrite_b=0)
    if info != 0:
        return np.asarray(linalg.solve(q, b, assume_a="pos", check_finite=False))
    return np.asarray(w)


def marginal_contributions(
    stats: IndicatorStats, features: Sequence[int], penalty: float = 0.0
) -> dict[int, float]:
    """Divergence lost when each feature is removed from the card on ``features``."""
    full = optimal_divergence(stats, features, penalty)
    return {
        j: full - optimal_divergence(stats, [f for f in features if f != j], penalty)
        for j in features
    }


@dataclass(frozen=True)
class SelectionStep:
    """One decision of the stepwise selection, kept so a modeller can see why."""

    feature: int
    action: str
    contribution: float
    divergence: float


def stepwise_select(
    stats: IndicatorStats,
    candidates: Sequence[int],
    min_contribution: float = 0.001,
    max_features: int | None = None,
    penalty: float = 0.0,
    chance_adjusted: bool = True,
    dof: Sequence[int] | None = None,
) -> tuple[list[int], list[SelectionStep]]:
    """Forward selection by marginal gain, then backward removal of weak features.

    A feature enters while its gain is at least ``min_contribution``; afterwards every
    feature whose drop-one contribution is below it leaves, weakest first. With
    ``chance_adjusted`` each contribution is first reduced by what a feature without any
    signal gains on average in sample, ``dof·(1/goods + 1/bads)`` (Hotelling), so small
    samples do not fill the card with noise. ``dof`` are the free parameters each candidate
    brings to the card: by default ``bins − 1`` (free bin weights, the divergence card); a
    logistic card on WoE gives each feature one coefficient, so 1 each.

    Examples
    --------
    >>> import numpy as np
    >>> from creditfactory.scorecard._stats import gather_stats
    >>> rng = np.random.default_rng(1)
    >>> b = rng.integers(0, 2, size=(4000, 2))
    >>> bad = rng.random(4000) < np.where(b[:, 0] == 1, 0.4, 0.1)
    >>> chosen, _ = stepwise_select(gather_stats(b, [2, 2], bad), [0, 1], 0.01)
    >>> chosen
    [0]
    """
    unit = (1.0 / stats.weight_good + 1.0 / stats.weight_bad) if chance_adjusted else 0.0
    free = {j: stats.n_bins[j] - 1 for j in candidates} if dof is None else dict(
        zip(candidates, dof, strict=True))
    chance = {j: unit * free[j] for j in candidates}
    chosen: list[int] = []
    steps: list[SelectionStep] = []
    current = 0.0
    pool = list(candidates)
    limit = len(pool) if max_features is None else max_features
    while pool and len(chosen) < limit:
        gains = {
            j: optimal_divergence(stats, [*chosen, j], penalty) - current - chance[j]
            for j in pool
        }
        best = max(gains, key=lambda j: gains[j])
        if gains[best] < min_contribution:
            break
        chosen.append(best)
        pool.remove(best)
        current += gains[best] + chance[best]
        steps.append(SelectionStep(best, "added", gains[best], current))
    while len(chosen) > 1:
        contrib = {
            j: c - chance[j] for j, c in marginal_contributions(stats, chosen, penalty).items()
        }
        weakest = min(contrib, key=lambda j: contrib[j])
        if contrib[weakest] >= min_contribution:
            break
        chosen.remove(weakest)
        current -= contrib[weakest] + chance[weakest]
        steps.append(SelectionStep(weakest, "removed", contrib[weakest], current))
    return chosen, steps


def divergence_score(x_woe: pd.DataFrame | ArrayLike, y: ArrayLike) -> float:
    """Divergence of the best linear score on WoE columns (a ``score_fn`` for selectors).

    ``y`` is 1 for bad. Goods are expected to score higher; the value does not depend on it.
    """
    x = np.asarray(x_woe, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    bad = np.asarray(y).astype(bool)
    if bad.all() or not bad.any() or x.shape[1] == 0:
        return 0.0
    xg, xb = x[~bad], x[bad]
    gap = xg.mean(axis=0) - xb.mean(axis=0)
    cov = 0.5 * (np.atleast_2d(np.cov(xg, rowvar=False)) + np.atleast_2d(np.cov(xb, rowvar=False)))
    cov += 1e-9 * max(float(np.trace(cov)) / cov.shape[0], 1e-12) * np.eye(cov.shape[0])
    w = linalg.solve(cov, gap, assume_a="pos")
    return float(w @ gap)
