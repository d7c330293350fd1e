"""Discrimination and stability metrics of a score: pure, vectorised, shared with monitoring.

Conventions: ``y_true`` is 1 for the event (bad) and 0 otherwise; ``y_score`` grows with the
risk of the event (a probability of bad, or *minus* scorecard points), exactly as in
scikit-learn. KS and divergence do not depend on the direction. Gains tables and score
distributions take points (higher is safer) by default and say so in a parameter.

The functions here cover discrimination (``auc``, ``gini``, ``ks``, ``divergence``,
``roc_curve``, ``ks_curve``, ``bootstrap_ci``); the gains table and score distribution live in
``_gains.py`` and PSI/CSI in ``_stability.py``; all are importable from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard._gains import gains_table, score_bands, score_distribution
from creditfactory.scorecard._stability import csi, psi, psi_label, psi_table

__all__ = [
    "ConfidenceInterval",
    "auc",
    "auc_ks",
    "bootstrap_ci",
    "csi",
    "divergence",
    "gains_table",
    "gini",
    "ks",
    "ks_curve",
    "psi",
    "psi_label",
    "psi_table",
    "roc_curve",
    "score_bands",
    "score_distribution",
]

FloatArray = NDArray[np.float64]


def _prepare(
    y_true: ArrayLike, y_score: ArrayLike, sample_weight: ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    y = np.asarray(y_true, dtype=np.float64).ravel()
    s = np.asarray(y_score, dtype=np.float64).ravel()
    if y.shape != s.shape:
        raise InvalidArgument(f"y_true has {y.size} values but y_score has {s.size}")
    w = np.ones_like(s) if sample_weight is None else np.asarray(sample_weight, np.float64).ravel()
    if w.shape != s.shape:
        raise InvalidArgument(f"sample_weight has {w.size} values but y_score has {s.size}")
    if not np.all(np.isfinite(s)):
        raise InvalidArgument("y_score holds missing or infinite values")
    if not np.all((y == 0) | (y == 1)):
        raise InvalidArgument("y_true must hold only 0 (good) and 1 (bad)")
    if np.any(w < 0):
        raise InvalidArgument("sample_weight must not be negative")
    if not (np.any((y == 1) & (w > 0)) and np.any((y == 0) & (w > 0))):
        raise InvalidArgument("y_true must hold both goods and bads (with positive weight)")
    return y, s, w


def _grouped_cumulative(
    y: FloatArray, s: FloatArray, w: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Cumulative bad and good weight at the end of each group of tied scores, ascending."""
    order = np.argsort(s, kind="mergesort")
    s_sorted, y_sorted, w_sorted = s[order], y[order], w[order]
    group_end = np.flatnonzero(np.r_[s_sorted[1:] != s_sorted[:-1], True])
    cum_bad = np.cumsum(w_sorted * y_sorted)[group_end]
    cum_good = np.cumsum(w_sorted * (1.0 - y_sorted))[group_end]
    return s_sorted[group_end], cum_bad, cum_good


def auc(y_true: ArrayLike, y_score: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """Area under the ROC curve, from ranks: ties count one half, as in scikit-learn.

    One sort, O(n log n), no thresholds loop; equals ``sklearn.metrics.roc_auc_score``.

    Parameters
    ----------
    y_true : array-like of {0, 1}
        1 marks the event (bad).
    y_score : array-like of float
        Grows with the risk of the event.
    sample_weight : array-like of float, optional

    Returns
    -------
    float

    Examples
    --------
    >>> auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    >>> auc([0, 1], [0.5, 0.5])
    0.5
    """
    y, s, w = _prepare(y_true, y_score, sample_weight)
    _, cum_bad, cum_good = _grouped_cumulative(y, s, w)
    return _auc_of(cum_bad, cum_good)


def auc_ks(
    y_true: ArrayLike, y_score: ArrayLike, sample_weight: ArrayLike | None = None
) -> tuple[float, float]:
    """``(auc(...), ks(...))`` from one sort of the scores: the same two numbers, bit for bit.

    Examples
    --------
    >>> auc_ks([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    (0.75, 0.5)
    """
    y, s, w = _prepare(y_true, y_score, sample_weight)
    _, cum_bad, cum_good = _grouped_cumulative(y, s, w)
    return _auc_of(cum_bad, cum_good), float(np.max(np.abs(cum_bad / cum_bad[-1]
                                                           - cum_good / cum_good[-1])))


def _auc_of(cum_bad: FloatArray, cum_good: FloatArray) -> float:
    bad_in_group = np.diff(cum_bad, prepend=0.0)
    good_in_group = np.diff(cum_good, prepend=0.0)
    good_below = cum_good - good_in_group
    pairs = float(np.dot(bad_in_group, good_below + 0.5 * good_in_group))
    return float(pairs / (cum_bad[-1] * cum_good[-1]))


def gini(y_true: ArrayLike, y_score: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """Gini coefficient (accuracy ratio) ``2·AUC − 1``.

    Examples
    --------
    >>> gini([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.5
    """
    return 2.0 * auc(y_true, y_score, sample_weight) - 1.0


def roc_curve(
    y_true: ArrayLike, y_score: ArrayLike, sample_weight: ArrayLike | None = None
) -> tuple[FloatArray, FloatArray]:
    """False- and true-positive rates at every distinct threshold, from (0, 0) to (1, 1).

    Examples
    --------
    >>> fpr, tpr = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr.tolist(), tpr.tolist()
    ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    """
    y, s, w = _prepare(y_true, y_score, sample_weight)
    _, cum_bad, cum_good = _grouped_cumulative(y, -s, w)
    tpr = np.r_[0.0, cum_bad / cum_bad[-1]]
    fpr = np.r_[0.0, cum_good / cum_good[-1]]
    return fpr, tpr


def ks_curve(
    y_true: ArrayLike, y_score: ArrayLike, sample_weight: ArrayLike | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Cumulative shares of bads and goods at or below each distinct score, ascending.

    Returns ``(thresholds, cum_bad_share, cum_good_share)``; KS is the largest gap.

    Examples
    --------
    >>> t, b, g = ks_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> t.tolist(), b.tolist(), g.tolist()
    ([0.1, 0.35, 0.4, 0.8], [0.0, 0.5, 0.5, 1.0], [0.5, 0.5, 1.0, 1.0])
    """
    y, s, w = _prepare(y_true, y_score, sample_weight)
    thresholds, cum_bad, cum_good = _grouped_cumulative(y, s, w)
    return thresholds, cum_bad / cum_bad[-1], cum_good / cum_good[-1]


def ks(y_true: ArrayLike, y_score: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """Kolmogorov–Smirnov statistic: the largest gap between the bads' and goods' score CDFs.

    Examples
    --------
    >>> ks([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.5
    >>> ks([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    1.0
    """
    _, cum_bad, cum_good = ks_curve(y_true, y_score, sample_weight)
    return float(np.max(np.abs(cum_bad - cum_good)))


def divergence(
    y_true: ArrayLike, y_score: ArrayLike, sample_weight: ArrayLike | None = None
) -> float:
    """FICO's divergence ``(μ_good − μ_bad)² / ((σ²_good + σ²_bad) / 2)`` of the score.

    Variances are population (weighted) variances. Infinite when both classes are constant
    at different scores.

    Examples
    --------
    >>> divergence([0, 0, 1, 1], [1.0, 3.0, 5.0, 7.0])
    16.0
    """
    y, s, w = _prepare(y_true, y_score, sample_weight)
    bad = y == 1
    mu_b = np.average(s[bad], weights=w[bad])
    mu_g = np.average(s[~bad], weights=w[~bad])
    var_b = np.average((s[bad] - mu_b) ** 2, weights=w[bad])
    var_g = np.average((s[~bad] - mu_g) ** 2, weights=w[~bad])
    pooled = (var_g + var_b) / 2.0
    gap = (mu_g - mu_b) ** 2
    if pooled == 0.0:
        return 0.0 if gap == 0.0 else float("inf")
    return float(gap / pooled)


class ConfidenceInterval(NamedTuple):
    """A point estimate and the percentile bootstrap interval around it."""

    estimate: float
    low: float
    high: float


def bootstrap_ci(
    metric: Callable[[FloatArray, FloatArray], float],
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    n_boot: int = 200,
    level: float = 0.95,
    random_state: int | None = 0,
) -> ConfidenceInterval:
    """Percentile bootstrap interval of ``metric(y_true, y_score)``.

    Resamples goods and bads separately (stratified) so every replicate holds both classes
    and the bad rate stays that of the sample.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 500)
    >>> s = y + rng.normal(size=500)
    >>> ci = bootstrap_ci(auc, y, s, n_boot=100)
    >>> ci.low < ci.estimate < ci.high
    True
    """
    if n_boot < 1:
        raise InvalidArgument(f"n_boot must be at least 1, got {n_boot}")
    if not 0.0 < level < 1.0:
        raise InvalidArgument(f"level must lie in (0, 1), got {level}")
    y, s, _ = _prepare(y_true, y_score, None)
    rng = np.random.default_rng(random_state)
    bads, goods = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    values = np.empty(n_boot)
    for i in range(n_boot):
        idx = np.concatenate(
            [rng.choice(bads, bads.size, replace=True), rng.choice(goods, goods.size)]
        )
        values[i] = metric(y[idx], s[idx])
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(values, [tail, 1.0 - tail])
    return ConfidenceInterval(float(metric(y, s)), float(low), float(high))
