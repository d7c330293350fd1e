"""From bin indices to log-odds bin weights, for either objective, once or bagged.

The estimator in ``_scorecard.py`` bins and selects; this module turns the chosen features'
bin indices into one log-odds weight per bin (goods positive) and an intercept:

* ``logistic`` -- logistic regression on WoE, weights ``β_j · WoE_jk``;
* ``divergence`` -- bin weights maximising divergence under score engineering, then mapped to
  log-odds by a two-parameter logistic calibration of the fitted score (the only step after
  the statistics pass that reads rows: one vector per Newton step).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from creditfactory.scorecard._bins import FeatureBinning
from creditfactory.scorecard._stats import FloatArray, IndicatorStats, gather_stats
from creditfactory.scorecard.fitting._divergence import (
    BinRef,
    BlockSpec,
    Engineering,
    fit_divergence,
    monotone_directions,
)
from creditfactory.scorecard.fitting._logistic import fit_logistic

__all__ = ["CardWeights", "FitOptions", "calibrate", "fit_card", "bagged_card"]


@dataclass(frozen=True)
class FitOptions:
    """What the weight fit needs besides the data."""

    objective: str = "logistic"
    penalty: float = 0.0
    monotone_weights: bool = True
    pinned: dict[BinRef, float] = field(default_factory=dict)
    equal_groups: tuple[tuple[BinRef, ...], ...] = ()


@dataclass(frozen=True)
class CardWeights:
    """Log-odds (of good) weight per bin of every feature, the intercept, and notes."""

    weights: list[FloatArray]
    intercept: float
    dropped: dict[int, str] = field(default_factory=dict)


def block_specs(binnings: Sequence[FeatureBinning], monotone: bool) -> list[BlockSpec]:
    """Weight layout of each feature: monotone steps where its numeric binning is monotone."""
    specs = []
    for b in binnings:
        constrained = monotone and b.kind == "numeric" and b.monotonic_trend is not None
        dirs = monotone_directions(b.woe, b.n_regular) if constrained else ()
        specs.append(BlockSpec(b.n_bins, b.n_regular, dirs))
    return specs


def calibrate(
    score: FloatArray,
    is_bad: NDArray[np.bool_],
    sample_weight: FloatArray | None = None,
    slope: float | None = None,
) -> tuple[float, float]:
    """Intercept and slope of ``logit P(good) = a + b · score`` by Newton's method.

    With ``slope`` given only the intercept is fitted.

    Examples
    --------
    >>> s = np.array([0.0, 0.0, 1.0, 1.0, 1.0, 0.0])
    >>> a, b = calibrate(s, np.array([1, 0, 0, 0, 1, 1], dtype=bool))
    >>> round(a, 4), round(b, 4)
    (-0.6931, 1.3863)
    """
    good = (~np.asarray(is_bad, dtype=bool)).astype(np.float64)
    w = np.ones_like(good) if sample_weight is None else np.asarray(sample_weight, np.float64)
    sd = float(np.sqrt(np.average((score - np.average(score, weights=w)) ** 2, weights=w)))
    scale = sd if sd > 0 else 1.0
    z = score / scale
    rate = float(np.average(good, weights=w))
    beta = np.array([np.log(rate / (1.0 - rate)), 0.0 if slope is None else slope * scale])
    for _ in range(50):
        p = expit(beta[0] + beta[1] * z)
        r = w * (good - p)
        h = w * p * (1.0 - p)
        grad = np.array([r.sum(), (r * z).sum()])
        hess = np.array([[h.sum(), (h * z).sum()], [(h * z).sum(), (h * z * z).sum()]])
        hess += 1e-12 * np.eye(2)
        if slope is not None:
            step = np.array([grad[0] / hess[0, 0], 0.0])
        else:
            step = np.linalg.solve(hess, grad)
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return float(beta[0]), float(beta[1] / scale)


def _split(flat: FloatArray, sizes: Sequence[int]) -> list[FloatArray]:
    return [np.asarray(p) for p in np.split(flat, np.cumsum(sizes)[:-1])]


def fit_card(
    binnings: Sequence[FeatureBinning],
    bins: NDArray[np.integer],
    is_bad: NDArray[np.bool_],
    options: FitOptions,
    sample_weight: FloatArray | None = None,
    stats: IndicatorStats | None = None,
) -> CardWeights:
    """Fit one card on the given features' bin indices (rows x features).

    ``stats``: the indicator statistics of these rows and features when already gathered
    (the divergence objective needs them; they are gathered otherwise).
    """
    sizes = [b.n_bins for b in binnings]
    if not binnings:
        a, _ = calibrate(np.zeros(len(is_bad)), is_bad, sample_weight)
        return CardWeights([], a)
    if options.objective == "logistic":
        woe = np.empty((len(is_bad), len(binnings)), order="F")
        for j, binning in enumerate(binnings):
            np.take(binning.woe, bins[:, j], out=woe[:, j])
        fit = fit_logistic(woe, is_bad, range(len(binnings)), options.penalty, sample_weight)
        weights = [fit.coefficients.get(j, 0.0) * b.woe for j, b in enumerate(binnings)]
        return CardWeights(weights, fit.intercept, fit.dropped)
    if stats is None:
        stats = gather_stats(bins, sizes, is_bad, sample_weight)
    specs = block_specs(binnings, options.monotone_weights)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
    flat_bins = bins + offsets[:-1]
    scaled_pins = any(v != 0 for v in options.pinned.values())
    slope = 1.0
    for _ in range(6 if scaled_pins else 1):
        eng = Engineering({k: v / slope for k, v in options.pinned.items()}, options.equal_groups)
        raw = fit_divergence(stats, specs, options.penalty, eng)
        a, b = calibrate(raw[flat_bins].sum(axis=1), is_bad, sample_weight)
        converged = abs(b - slope) <= 1e-6 * abs(b)
        if not scaled_pins or converged:
            slope = b
            break
        slope = b if b > 0 else slope
    else:
        a = calibrate(raw[flat_bins].sum(axis=1) * slope, is_bad, sample_weight, slope=1.0)[0]
    weights = _neutral_empty_bins(
        _split(raw * slope, sizes), binnings, stats.mean_good * stats.weight_good
        + stats.mean_bad * stats.weight_bad, options,
    )
    return CardWeights(weights, a)


def _neutral_empty_bins(
    weights: list[FloatArray],
    binnings: Sequence[FeatureBinning],
    counts: FloatArray,
    options: FitOptions,
) -> list[FloatArray]:
    """Give special and missing bins unseen in training the feature's average weight.

    Left alone they would sit at the first bin's weight, often the best or worst of the
    feature; the average is the no-evidence choice. Engineered bins keep their constraints.
    """
    fixed = set(options.pinned) | {r for g in options.equal_groups for r in g}
    out = []
    start = 0
    for j, (w, b) in enumerate(zip(weights, binnings, strict=True)):
        c = counts[start : start + b.n_bins]
        start += b.n_bins
        w = w.copy()
        empty = [k for k in range(b.n_regular, b.n_bins)
                 if c[k] <= 0 and (j, k) not in fixed]
        if empty and c.sum() > 0:
            w[empty] = float(c @ w / c.sum())
        out.append(w)
    return out


def bagged_card(
    binnings: Sequence[FeatureBinning],
    bins: NDArray[np.integer],
    is_bad: NDArray[np.bool_],
    options: FitOptions,
    n_bags: int,
    seed: int | None,
) -> CardWeights:
    """Average of the cards fitted on ``n_bags`` bootstrap resamples (as row weights)."""
    rng = np.random.default_rng(seed)
    n = len(is_bad)
    cards: list[CardWeights] = []
    while len(cards) < n_bags:
        counts = np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64)
        if counts[is_bad].sum() == 0 or counts[~is_bad].sum() == 0:
            continue
        cards.append(fit_card(binnings, bins, is_bad, options, counts))
    weights = [np.mean([c.weights[j] for c in cards], axis=0) for j in range(len(binnings))]
    return CardWeights(weights, float(np.mean([c.intercept for c in cards])))
