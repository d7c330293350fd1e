"""Logistic regression on WoE, kept only while every coefficient keeps points monotone in WoE.

WoE is ``ln(share of goods / share of bads)``: positive is safer. A card fitted to the log-odds
of *good* on WoE columns gives each bin ``coefficient × WoE`` log-odds; a negative coefficient
would turn a feature's safest bin into its riskiest, so such features are dropped (one at a
time, most negative first) and the rest refitted.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from creditfactory.scorecard._stats import FloatArray
from creditfactory.scorecard.errors import TrainingDataInvalid


@dataclass(frozen=True)
class LogisticFit:
    """Intercept and per-feature coefficients (log-odds of good), and who was dropped why."""

    intercept: float
    coefficients: dict[int, float]
    dropped: dict[int, str]


def fit_logistic(
    x_woe: FloatArray,
    is_bad: np.ndarray,
    features: Sequence[int],
    penalty: float = 0.0,
    sample_weight: FloatArray | None = None,
    max_iter: int = 200,
) -> LogisticFit:
    """Fit ``logit P(good) = a + Σ β_j WoE_j`` with ``β_j > 0`` enforced by dropping.

    Parameters
    ----------
    x_woe : ndarray of shape (n_rows, n_features)
        WoE of every row in every candidate feature.
    is_bad : ndarray of bool
        True for bads.
    features : sequence of int
        Columns of ``x_woe`` to start from.
    penalty : float
        L2 strength ``λ`` (``C = 1/λ``); ``0`` fits without penalty.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> w = rng.normal(size=(500, 2))
    >>> bad = rng.random(500) < 1 / (1 + np.exp(2 + w[:, 0]))
    >>> fit = fit_logistic(w, bad, [0, 1])
    >>> 0 in fit.coefficients and fit.coefficients[0] > 0
    True
    """
    y_good = (~np.asarray(is_bad, dtype=bool)).astype(np.int64)
    if y_good.min() == y_good.max():
        raise TrainingDataInvalid("the training sample has one class only; a card needs goods and bads")
    keep = list(features)
    dropped: dict[int, str] = {}
    c_value = np.inf if penalty <= 0 else 1.0 / penalty
    while True:
        if not keep:
            rate = float(np.average(y_good, weights=sample_weight))
            return LogisticFit(float(np.log(rate / (1 - rate))), {}, dropped)
        model = LogisticRegression(C=c_value, max_iter=max_iter, tol=1e-8)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x_woe[:, keep], y_good, sample_weight=sample_weight)
        coef = model.coef_.ravel()
        worst = int(np.argmin(coef))
        if coef[worst] > 0:
            return LogisticFit(
                float(model.intercept_[0]),
                {j: float(c) for j, c in zip(keep, coef, strict=True)},
                dropped,
            )
        dropped[keep[worst]] = f"coefficient {coef[worst]:.4g} <= 0 would reverse its points"
        keep.pop(worst)
