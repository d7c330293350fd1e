"""Fit the binning of one numeric feature: quantile pre-bins, then the optimal merge.

All row-level work is vectorised (a sort of at most ``_SAMPLE`` values for the quantiles, one
``searchsorted`` and two ``bincount`` over the rows); the merge runs on the pre-bin counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from creditfactory.scorecard._binning_optimal import MergeResult, optimal_merges
from creditfactory.scorecard._bins import FeatureBinning

__all__ = ["BinningSpec", "fit_numeric", "choose_trend", "prebin_splits"]

_SAMPLE = 200_000
# 'auto' takes a peak/valley shape only if it adds this share of IV over the best monotone one
_SHAPE_GAIN = 0.10


@dataclass(frozen=True)
class BinningSpec:
    """Resolved per-feature settings of a :class:`~creditfactory.scorecard.Binner`."""

    max_bins: int
    min_bin_share: float
    n_prebins: int
    trend: str | None
    special_values: tuple[float | str, ...]
    user_splits: tuple | None
    rare_share: float = 0.0


def prebin_splits(x: np.ndarray, n_prebins: int) -> np.ndarray:
    """Cut points at the quantiles of ``x`` (finite, no NaN), each the midpoint between the
    quantile value and the distinct value below it, so the cut sits between observed values.

    Examples
    --------
    >>> prebin_splits(np.array([1.0, 1, 2, 2, 3, 3, 4, 4]), 4).tolist()
    [1.5, 2.5, 3.5]
    """
    if x.size == 0:
        return np.empty(0)
    step = max(1, x.size // _SAMPLE)
    s = np.sort(x[::step])
    q = s[(np.arange(1, n_prebins) * s.size) // n_prebins]
    q = np.unique(q[q > s[0]])
    prev = s[np.searchsorted(s, q, side="left") - 1]
    mid = prev + (q - prev) / 2.0
    mid = np.where(mid > prev, mid, q)
    return np.unique(mid)


def choose_trend(results: dict[str | None, MergeResult]) -> str:
    """'auto': the best monotone trend, unless a peak/valley adds ``_SHAPE_GAIN`` of IV."""
    mono = max(("ascending", "descending"), key=lambda t: results[t].iv)
    shape = max(("peak", "valley"), key=lambda t: results[t].iv)
    base = results[mono].iv
    if results[shape].iv > base * (1.0 + _SHAPE_GAIN) + 1e-12:
        return shape
    return mono


def merge(
    count: np.ndarray, n_event: np.ndarray, total: int, total_event: int, spec: BinningSpec
) -> tuple[tuple[int, ...], str | None]:
    """Optimal bounds over the pre-bins and the trend used (``'auto'`` resolved)."""
    def run(trend: str | None) -> dict[str | None, MergeResult]:
        return optimal_merges(count, n_event, total=float(total), total_event=float(total_event),
                              trend=trend, max_bins=spec.max_bins,
                              min_count=spec.min_bin_share * total)

    if spec.trend == "auto":
        results = {**run("peak"), **run("valley")}
        trend = choose_trend(results)
        return results[trend].bounds, trend
    return run(spec.trend)[spec.trend].bounds, spec.trend


def fit_numeric(name: str, x: np.ndarray, y: np.ndarray, spec: BinningSpec) -> FeatureBinning:
    """Fit one numeric feature; ``x`` float64 (NaN = missing), ``y`` 0/1 int."""
    specials = tuple(float(v) for v in spec.special_values if not isinstance(v, str))
    missing = np.isnan(x)
    special_idx = np.full(x.shape, -1, dtype=np.int64)
    for k, v in enumerate(specials):
        special_idx[x == v] = k
    regular = ~missing & (special_idx < 0)
    xr, yr = x[regular], y[regular]
    total, total_event = int(x.size), int(y.sum())
    informative = 0 < total_event < total
    trend: str | None = None
    if spec.user_splits is not None:
        splits = np.unique(np.asarray(spec.user_splits, dtype=np.float64))
    elif informative and xr.size:
        pre = prebin_splits(xr[np.isfinite(xr)], spec.n_prebins)
        idx = np.searchsorted(pre, xr, side="right")
        cnt = np.bincount(idx, minlength=pre.size + 1)
        ev = np.bincount(idx, weights=yr, minlength=pre.size + 1).astype(np.int64)
        pre, cnt, ev = _drop_empty(pre, cnt, ev)
        bounds, trend = merge(cnt, ev, total, total_event, spec)
        splits = pre[np.asarray(bounds[1:-1], dtype=np.intp) - 1]
    else:
        splits = np.empty(0)
    idx = np.searchsorted(splits, xr, side="right")
    n_reg = splits.size + 1
    count = np.concatenate((
        np.bincount(idx, minlength=n_reg),
        np.bincount(special_idx[special_idx >= 0], minlength=len(specials)),
        [int(missing.sum())],
    ))
    n_event = np.concatenate((
        np.bincount(idx, weights=yr, minlength=n_reg),
        np.bincount(special_idx[special_idx >= 0], weights=y[special_idx >= 0],
                    minlength=len(specials)),
        [float(y[missing].sum())],
    )).astype(np.int64)
    return FeatureBinning.from_counts(
        name, "numeric", splits=tuple(splits.tolist()), special_values=specials,
        count=count, n_event=n_event, monotonic_trend=trend,
    )


def _drop_empty(
    pre: np.ndarray, cnt: np.ndarray, ev: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Remove empty pre-bins by dropping the cut point that created each."""
    empty = cnt == 0
    if not empty.any():
        return pre, cnt, ev
    drop_split = empty[1:].copy()
    if empty[0] and pre.size:
        drop_split[0] = True
    pre = pre[~drop_split]
    idx = np.cumsum(np.concatenate(([0], ~drop_split))).astype(np.intp)
    return (pre, np.bincount(idx, weights=cnt).astype(np.int64),
            np.bincount(idx, weights=ev).astype(np.int64))
