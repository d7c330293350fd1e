"""Statistics behind feature selection on WoE columns: IV, correlation, VIF, logistic AIC/AUC.

All vectorised over rows; the logistic fit is a few Newton (IRLS) steps with warm starts,
which is what makes stepwise selection affordable on hundreds of thousands of rows.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit
from sklearn.metrics import roc_auc_score

from creditfactory.scorecard._bins import woe_from_counts

__all__ = ["column_iv", "abs_correlation", "vif", "LogitFit", "logit_fit", "criterion_gain"]

_MAX_LEVELS = 100
_NEWTON_TOL = 1e-6  # log-likelihood units: stop when the Newton decrement promises less


def column_iv(x: np.ndarray, y: np.ndarray) -> float:
    """IV of one column, each distinct value a bin (a WoE column has one value per bin);
    a column with more than ``_MAX_LEVELS`` distinct values is cut at its deciles first.

    Examples
    --------
    >>> round(column_iv(np.array([0.5, 0.5, -0.7, -0.7]), np.array([0, 0, 1, 0])), 3)
    1.297
    """
    values = np.nan_to_num(x.astype(np.float64, copy=False), nan=np.inf)
    codes = np.unique(values, return_inverse=True)[1].ravel()
    if codes.max(initial=0) >= _MAX_LEVELS:
        edges = np.unique(np.quantile(values[np.isfinite(values)], np.linspace(0.1, 0.9, 9)))
        codes = np.searchsorted(edges, values, side="right")
    count = np.bincount(codes)
    events = np.bincount(codes, weights=y).astype(np.int64)
    return woe_from_counts(count, events)[1]


def abs_correlation(X: np.ndarray) -> np.ndarray:
    """Absolute Pearson correlation matrix; constant columns correlate 0 with everything."""
    centred = X - X.mean(axis=0)
    norm = np.sqrt(np.einsum("ij,ij->j", centred, centred))
    safe = np.where(norm > 0, norm, 1.0)
    corr = (centred.T @ centred) / np.outer(safe, safe)
    corr[norm == 0, :] = 0.0
    corr[:, norm == 0] = 0.0
    return np.abs(corr)


def vif(X: np.ndarray) -> np.ndarray:
    """Variance inflation factor of every column: the diagonal of the inverse correlation
    matrix (``inf`` for a column that is an exact combination of the others)."""
    if X.shape[1] == 1:
        return np.ones(1)
    centred = X - X.mean(axis=0)
    norm = np.sqrt(np.einsum("ij,ij->j", centred, centred))
    z = centred / np.where(norm > 0, norm, 1.0)
    corr = z.T @ z
    sign, _ = np.linalg.slogdet(corr)
    if sign <= 0 or np.linalg.cond(corr) > 1e12:
        inv = np.linalg.pinv(corr)
        out = np.diag(inv).copy()
        rank_deficient = np.abs(corr @ inv - np.eye(len(corr))).max(axis=1) > 1e-6
        out[rank_deficient] = np.inf
        return out
    return np.diag(np.linalg.inv(corr)).copy()


class LogitFit:
    """A fitted logistic regression with intercept: coefficients, log-likelihood, AIC."""

    def __init__(self, beta: np.ndarray, loglik: float, eta: np.ndarray) -> None:
        self.beta, self.loglik, self.eta = beta, loglik, eta

    @property
    def aic(self) -> float:
        return 2.0 * self.beta.size - 2.0 * self.loglik


def logit_fit(X: np.ndarray, y: np.ndarray, start: np.ndarray | None = None,
              max_iter: int = 50) -> LogitFit:
    """Maximum-likelihood logistic regression by Newton steps with step halving; the
    Hessian (the costly part) is kept while steps gain little, and a tiny ridge keeps
    separated data finite.

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 1, 0, 1])
    >>> round(logit_fit(X, y).aic, 3)
    8.695
    """
    n, k = X.shape
    design = np.empty((n, k + 1))
    design[:, 0] = 1.0
    design[:, 1:] = X
    beta = np.zeros(k + 1) if start is None else start.astype(np.float64).copy()
    if start is None:
        rate = np.clip(y.mean(), 1e-9, 1 - 1e-9)
        beta[0] = np.log(rate / (1 - rate))
    ridge = 1e-8 * n

    def loglik(eta: np.ndarray) -> float:
        return float(np.sum(y * eta - np.logaddexp(0.0, eta)))

    eta = design @ beta
    current = loglik(eta)
    hess: np.ndarray | None = None
    for _ in range(max_iter):
        p = expit(eta)
        grad = design.T @ (y - p) - ridge * np.r_[0.0, beta[1:]]
        if hess is None:
            root = design * np.sqrt(p * (1 - p))[:, None]
            hess = root.T @ root
            hess[np.diag_indices_from(hess)] += ridge
            hess[0, 0] -= ridge
        step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        if float(grad @ step) < 2.0 * _NEWTON_TOL:
            break
        halved = False
        for _ in range(30):
            new_eta = design @ (beta + step)
            new = loglik(new_eta)
            if new >= current - 1e-12:
                break
            step /= 2.0
            halved = True
        beta, eta = beta + step, new_eta
        gain, current = new - current, new
        if halved or gain > 1.0:
            hess = None
        if gain < _NEWTON_TOL:
            break
    return LogitFit(beta, current, eta)


def criterion_gain(criterion: str, fit: LogitFit, y: np.ndarray) -> float:
    """Higher-is-better value of a fitted model: ``-AIC`` or AUC."""
    if criterion == "aic":
        return -fit.aic
    if y.min() == y.max():
        return 0.5
    return float(roc_auc_score(y, fit.eta))
