"""Logistic regression on WoE, kept only while every coefficient keeps points monotone in WoE.

WoE is ``ln(share of goods / share of bads)``: positive is safer. A card fitted to the log-odds
of *good* on WoE columns gives each bin ``coefficient × WoE`` log-odds; a negative coefficient
would turn a feature's safest bin into its riskiest, so such features are dropped (one at a
time, most negative first) and the rest refitted.

The fit is Newton's method (iteratively reweighted least squares) on the few dozen WoE
columns: each step is one weighted cross-product of the design, it converges quadratically,
and every refit after a drop starts from the previous coefficients, so it takes two or three
steps. The intercept is not penalised (as in scikit-learn's ``LogisticRegression``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import linalg
from scipy.special import expit, log_expit

from creditfactory.scorecard._stats import FloatArray
from creditfactory.scorecard.errors import TrainingDataInvalid

__all__ = ["LogisticFit", "fit_logistic", "newton_logistic"]

_STEP_TOL = 1e-9  # largest coefficient change (log-odds per unit WoE) at convergence
_SUBSAMPLE_ROWS = 20_000  # a cold start on more rows first solves on every k-th row


@dataclass(frozen=True)
class LogisticFit:
    """Intercept and per-feature coefficients (log-odds of good), and who was dropped why."""

    intercept: float
    coefficients: dict[int, float]
    dropped: dict[int, str]


def newton_logistic(
    x: FloatArray,
    y: FloatArray,
    weight: FloatArray,
    penalty: float = 0.0,
    start: FloatArray | None = None,
    max_iter: int = 100,
    tol: float = _STEP_TOL,
) -> FloatArray:
    """Coefficients ``[intercept, β...]`` minimising ``Σ w·logloss + penalty/2·|β|²``.

    ``start`` warm-starts the solve; steps are halved while the objective does not fall,
    so a poor start or separable data cannot make it diverge. A cold start on many rows
    first solves on an evenly spaced subsample (every k-th row, weights times k): its
    optimum is within sampling error of the full one, so the full-data steps that follow
    start in Newton's quadratic range. The optimum is the same; only the path is shorter.

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> beta = newton_logistic(x, np.array([0.0, 1.0, 0.0, 1.0]), np.ones(4))
    >>> [round(float(b), 4) for b in beta]
    [-1.3623, 0.9082]
    """
    n, p = x.shape
    design = np.empty((n, p + 1))
    design[:, 0] = 1.0
    design[:, 1:] = x
    ridge = np.full(p + 1, float(penalty))
    ridge[0] = 0.0
    if start is None and n > 2 * _SUBSAMPLE_ROWS:
        k = n // _SUBSAMPLE_ROWS
        start = newton_logistic(x[::k], y[::k], weight[::k] * k, penalty, None, max_iter,
                                tol=1e-4)
    beta = np.zeros(p + 1) if start is None else np.asarray(start, dtype=np.float64).copy()
    if start is None:
        rate = float(np.clip(np.average(y, weights=weight), 1e-12, 1 - 1e-12))
        beta[0] = np.log(rate / (1.0 - rate))

    def objective(b: FloatArray) -> tuple[float, FloatArray]:
        eta = design @ b
        loglik = float(weight @ (y * eta + log_expit(-eta)))
        return -loglik + 0.5 * float(ridge @ (b * b)), eta

    value, eta = objective(beta)
    scaled = np.empty_like(design)
    factor = None
    last = np.inf
    for _ in range(max_iter):
        prob = expit(eta)
        grad = design.T @ (weight * (y - prob)) - ridge * beta
        if factor is None:
            # the Hessian is kept while each step shrinks at least tenfold (near the optimum
            # it hardly changes): a step then costs one pass over the rows instead of three
            root = np.sqrt(weight * prob * (1.0 - prob))
            np.multiply(design, root[:, None], out=scaled)
            hess = scaled.T @ scaled
            hess[np.diag_indices_from(hess)] += ridge + 1e-10 * max(
                float(np.trace(hess)) / (p + 1), 1e-12)
            factor = linalg.cho_factor(hess)
        step = linalg.cho_solve(factor, grad)
        t = 1.0
        while True:
            trial, trial_eta = objective(beta + t * step)
            if trial <= value + 1e-12 * max(abs(value), 1.0) or t < 1e-8:
                break
            t *= 0.5
        beta = beta + t * step
        value, eta = trial, trial_eta
        size = float(np.abs(t * step).max())
        if size < tol:
            break
        if t < 1.0 or size > 0.1 * last:
            factor = None
        last = size
    return beta


def fit_logistic(
    x_woe: FloatArray,
    is_bad: np.ndarray,
    features: Sequence[int],
    penalty: float = 0.0,
    sample_weight: FloatArray | None = None,
    max_iter: int = 100,
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
        L2 strength ``λ`` on the coefficients (scikit-learn's ``C = 1/λ``); ``0``: none.

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
    y_good = (~np.asarray(is_bad, dtype=bool)).astype(np.float64)
    if y_good.min() == y_good.max():
        raise TrainingDataInvalid("the training sample has one class only; a card needs goods and bads")
    weight = (np.ones(len(y_good)) if sample_weight is None
              else np.asarray(sample_weight, dtype=np.float64))
    keep = list(features)
    dropped: dict[int, str] = {}
    start: FloatArray | None = None
    while True:
        if not keep:
            rate = float(np.average(y_good, weights=weight))
            return LogisticFit(float(np.log(rate / (1 - rate))), {}, dropped)
        beta = newton_logistic(x_woe[:, keep], y_good, weight, max(penalty, 0.0), start,
                               max_iter)
        coef = beta[1:]
        worst = int(np.argmin(coef))
        if coef[worst] > 0:
            return LogisticFit(
                float(beta[0]),
                {j: float(c) for j, c in zip(keep, coef, strict=True)},
                dropped,
            )
        dropped[keep[worst]] = f"coefficient {coef[worst]:.4g} <= 0 would reverse its points"
        keep.pop(worst)
        start = np.delete(beta, worst + 1)
