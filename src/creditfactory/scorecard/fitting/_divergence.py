"""Divergence fitting: bin weights that best separate goods from bads, under constraints.

Divergence ``D(w) = (w'Δ)² / (w'Sw)`` (``Δ`` the gap of the class mean indicator vectors,
``S`` their pooled covariance) does not change when ``w`` is scaled, so maximising it over a
cone of weights is the convex problem ``min ½ w'(S + λI)w − w'Δ`` over that cone: the scale
comes out on its own, and without constraints the answer is Fisher's discriminant
``(S + λI)⁻¹Δ``, whose scale is the log-odds scale of a linear discriminant. Score engineering:
each feature's weights are measured from its first bin (fixed at 0); regular bins of a
monotone binning are parametrised by their increments, whose signs follow the WoE pattern,
so monotonicity is a bound; pinned weights and equal-weight groups are linear equalities.
The rows are never touched here: only :class:`IndicatorStats`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import linalg, optimize

from creditfactory.scorecard._stats import FloatArray, IndicatorStats, block_diagonal
from creditfactory.scorecard.errors import ConstraintInfeasible

BinRef = tuple[int, int]


@dataclass(frozen=True)
class BlockSpec:
    """Shape of one feature's weights: its bins and the sign of each regular-bin step.

    ``directions[k]`` constrains ``w[k + 1] - w[k]`` for regular bins: ``+1`` non-negative,
    ``-1`` non-positive, ``0`` free.
    """

    n_bins: int
    n_regular: int
    directions: tuple[int, ...] = ()


@dataclass(frozen=True)
class Engineering:
    """Score-engineering constraints, with bins named as (feature position, bin index)."""

    pinned: Mapping[BinRef, float] = field(default_factory=dict)
    equal_groups: Sequence[Sequence[BinRef]] = ()


def _design(specs: Sequence[BlockSpec]) -> tuple[FloatArray, list[tuple[float, float]]]:
    """Map parameters to bin weights (``w = T θ``) and give each parameter its bounds."""
    total = sum(s.n_bins for s in specs)
    cols: list[FloatArray] = []
    bounds: list[tuple[float, float]] = []
    off = 0
    for s in specs:
        reg = max(min(s.n_regular, s.n_bins), 1)
        for k in range(1, s.n_bins):
            col = np.zeros(total)
            if k < reg:
                col[off + k : off + reg] = 1.0
                d = s.directions[k - 1] if k - 1 < len(s.directions) else 0
                bounds.append((0.0, np.inf) if d > 0 else (-np.inf, 0.0) if d < 0 else (-np.inf, np.inf))
            else:
                col[off + k] = 1.0
                bounds.append((-np.inf, np.inf))
            cols.append(col)
        off += s.n_bins
    t = np.column_stack(cols) if cols else np.zeros((total, 0))
    return t, bounds


def _equalities(
    specs: Sequence[BlockSpec], eng: Engineering
) -> tuple[FloatArray, FloatArray]:
    """Rows ``E`` and right-hand sides ``e`` of ``E w = e`` on the stacked bin weights."""
    off = np.concatenate([[0], np.cumsum([s.n_bins for s in specs])]).astype(int)
    total = int(off[-1])
    rows: list[FloatArray] = []
    rhs: list[float] = []
    for (f, b), v in eng.pinned.items():
        r = np.zeros(total)
        r[off[f] + b] = 1.0
        rows.append(r)
        rhs.append(float(v))
    for group in eng.equal_groups:
        first = group[0]
        for other in group[1:]:
            r = np.zeros(total)
            r[off[first[0]] + first[1]] += 1.0
            r[off[other[0]] + other[1]] -= 1.0
            rows.append(r)
            rhs.append(0.0)
    if not rows:
        return np.zeros((0, total)), np.zeros(0)
    return np.vstack(rows), np.asarray(rhs)


def fit_divergence(
    stats: IndicatorStats,
    specs: Sequence[BlockSpec],
    penalty: float = 0.0,
    engineering: Engineering | None = None,
) -> FloatArray:
    """Bin weights maximising (penalised) divergence under score-engineering constraints.

    Parameters
    ----------
    stats : IndicatorStats
        Class moments of the bin indicators of exactly the features in ``specs``.
    specs : sequence of BlockSpec
        One per feature, in the order of ``stats``.
    penalty : float
        Ridge ``λ`` (``0`` for none) on each feature's own score variance
        ``Σ_k share_k (w_k − mean w)²`` -- it shrinks weights towards the feature's average,
        whatever bin is the reference. Given in the units of an L2 penalty on a sum of
        per-row losses, it is divided by the effective sample size ``1 / (1/goods + 1/bads)``
        because ``S`` and ``Δ`` are per-row averages.
    engineering : Engineering, optional
        Pinned weights (in the fitted scale) and equal-weight groups.

    Returns
    -------
    ndarray of shape (K,)
        One weight per bin, first bin of every feature at 0; goods score higher.

    Examples
    --------
    >>> import numpy as np
    >>> from creditfactory.scorecard._stats import gather_stats
    >>> rng = np.random.default_rng(0)
    >>> b = rng.integers(0, 3, size=(2000, 1))
    >>> bad = rng.random(2000) < np.array([0.4, 0.2, 0.1])[b[:, 0]]
    >>> w = fit_divergence(gather_stats(b, [3], bad), [BlockSpec(3, 3, (1, 1))])
    >>> bool(w[0] == 0 and w[1] <= w[2])
    True
    """
    eng = engineering or Engineering()
    t, bounds = _design(specs)
    cov = stats.pooled_cov
    ridge = penalty * (1.0 / stats.weight_good + 1.0 / stats.weight_bad)
    q = t.T @ (cov + ridge * block_diagonal(cov, stats.n_bins)) @ t
    a = t.T @ stats.delta
    jitter = 1e-9 * max(float(np.trace(q)) / max(q.shape[0], 1), 1e-12)
    q = q + jitter * np.eye(q.shape[0])
    e_rows, e_rhs = _equalities(specs, eng)
    if q.shape[0] == 0:
        return np.zeros(t.shape[0])
    bounded = any(np.isfinite(lo) or np.isfinite(hi) for lo, hi in bounds)
    if e_rows.shape[0] == 0 and not bounded:
        theta = linalg.solve(q, a, assume_a="pos")
    elif e_rows.shape[0] == 0:
        theta = _bounded_quadratic(q, a, bounds)
    else:
        theta = _constrained_quadratic(q, a, bounds, e_rows @ t, e_rhs)
    return np.asarray(t @ theta, dtype=np.float64)


def _bounded_quadratic(
    q: FloatArray, a: FloatArray, bounds: list[tuple[float, float]]
) -> FloatArray:
    """``min ½θ'Qθ − a'θ`` under bounds, as bounded least squares on the Cholesky factor."""
    chol = linalg.cholesky(q, lower=True)
    target = linalg.solve_triangular(chol, a, lower=True)
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])
    res = optimize.lsq_linear(chol.T, target, bounds=(lo, hi), method="bvls", tol=1e-12)
    return np.asarray(res.x, dtype=np.float64)


def _constrained_quadratic(
    q: FloatArray,
    a: FloatArray,
    bounds: list[tuple[float, float]],
    e_mat: FloatArray,
    e_rhs: FloatArray,
) -> FloatArray:
    """``min ½θ'Qθ − a'θ`` under bounds and equalities.

    A heavily weighted least-squares penalty on the equalities, solved with the bounds by
    BVLS, finds the active bounds; the KKT system with those bounds fixed then gives the
    exact solution (an active-set polish). Contradictory equalities leave a residual.
    """
    scale = float(np.trace(q)) / q.shape[0]
    rho = 1e8 * scale / max(float((e_mat**2).sum(axis=1).max()), 1e-300)
    chol = linalg.cholesky(q, lower=True)
    lhs = np.vstack([chol.T, np.sqrt(rho) * e_mat])
    rhs = np.concatenate([linalg.solve_triangular(chol, a, lower=True), np.sqrt(rho) * e_rhs])
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])
    x = np.asarray(optimize.lsq_linear(lhs, rhs, bounds=(lo, hi), method="bvls",
                                       tol=1e-12).x, dtype=np.float64)
    tol = 1e-9 * max(1.0, float(np.abs(x).max()))
    active = (np.abs(x - lo) <= tol) | (np.abs(x - hi) <= tol)
    free = ~active
    polished = x.copy()
    if free.any():
        n_free = int(free.sum())
        kkt = np.block([[q[np.ix_(free, free)], e_mat[:, free].T],
                        [e_mat[:, free], np.zeros((e_mat.shape[0], e_mat.shape[0]))]])
        top = a[free] - q[np.ix_(free, active)] @ x[active]
        bottom = e_rhs - e_mat[:, active] @ x[active]
        sol = np.linalg.lstsq(kkt, np.concatenate([top, bottom]), rcond=None)[0]
        polished[free] = sol[:n_free]
    inside = np.all(polished >= lo - 1e-9) and np.all(polished <= hi + 1e-9)
    best = polished if inside else x
    limit = 1e-6 * max(1.0, float(np.abs(e_rhs).max(initial=0.0)))
    if np.abs(e_mat @ best - e_rhs).max(initial=0.0) > limit:
        raise ConstraintInfeasible("the pinned and equal-weight constraints cannot all hold")
    return np.clip(best, lo, hi)


def monotone_directions(woe: NDArray[np.floating], n_regular: int) -> tuple[int, ...]:
    """Signs of the WoE steps along the regular bins (ties take the feature's main sign)."""
    steps = np.diff(np.asarray(woe[:n_regular], dtype=np.float64))
    main = 1 if steps.sum() >= 0 else -1
    return tuple(int(np.sign(s)) if s != 0 else main for s in steps)
