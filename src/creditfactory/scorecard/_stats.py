"""Per-class first and second moments of the bin indicators: everything divergence needs.

One pass over the rows gathers, for goods and bads separately, the weighted count of every bin
and of every pair of bins of two features (co-occurrence counts). The indicator design is
never materialised: a pair of features costs one ``np.bincount`` over the rows. After this pass
the divergence fit, the marginal contributions and the divergence of any card are small
dense linear algebra on a ``K x K`` matrix (``K`` = total number of bins).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from creditfactory.scorecard.errors import TrainingDataInvalid

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class IndicatorStats:
    """Weighted class moments of the bin indicators of several features.

    Attributes
    ----------
    n_bins : tuple of int
        Number of bins of each feature, in column order.
    weight_good, weight_bad : float
        Total (sample-weighted) count of goods and of bads.
    mean_good, mean_bad : ndarray of shape (K,)
        Share of goods (bads) falling in each bin.
    second_good, second_bad : ndarray of shape (K, K)
        Share of goods (bads) falling in both bins of a pair (the indicator second moments).
    """

    n_bins: tuple[int, ...]
    weight_good: float
    weight_bad: float
    mean_good: FloatArray
    mean_bad: FloatArray
    second_good: FloatArray
    second_bad: FloatArray

    @cached_property
    def offsets(self) -> NDArray[np.intp]:
        """Start of each feature's block in the stacked ``K`` bins."""
        return np.concatenate([[0], np.cumsum(self.n_bins)]).astype(np.intp)

    @cached_property
    def delta(self) -> FloatArray:
        """Difference of the class mean vectors, goods minus bads."""
        return self.mean_good - self.mean_bad

    @cached_property
    def pooled_cov(self) -> FloatArray:
        """Average of the two class covariance matrices of the indicators (computed once)."""
        cov_g = self.second_good - np.outer(self.mean_good, self.mean_good)
        cov_b = self.second_bad - np.outer(self.mean_bad, self.mean_bad)
        return 0.5 * (cov_g + cov_b)

    def subset(self, features: Sequence[int]) -> IndicatorStats:
        """The statistics of the given features alone (in that order), without the rows.

        Examples
        --------
        >>> b = np.array([[0, 1], [1, 1], [1, 0], [0, 0]])
        >>> bad = np.array([True, False, False, True])
        >>> full, one = gather_stats(b, [2, 2], bad), gather_stats(b[:, [1]], [2], bad)
        >>> bool(np.array_equal(full.subset([1]).second_bad, one.second_bad))
        True
        """
        idx = self.block(features)
        return IndicatorStats(
            n_bins=tuple(self.n_bins[j] for j in features),
            weight_good=self.weight_good,
            weight_bad=self.weight_bad,
            mean_good=self.mean_good[idx],
            mean_bad=self.mean_bad[idx],
            second_good=self.second_good[np.ix_(idx, idx)],
            second_bad=self.second_bad[np.ix_(idx, idx)],
        )

    def block(self, features: Sequence[int]) -> NDArray[np.intp]:
        """Positions in ``K`` of the bins of the given features."""
        off = self.offsets
        return np.concatenate([np.arange(off[j], off[j + 1]) for j in features]).astype(np.intp)

    def divergence(self, weights: FloatArray, features: Sequence[int] | None = None) -> float:
        """Divergence of the score ``sum of bin weights`` over the given features.

        ``weights`` holds one weight per bin of ``features`` (all features when ``None``).
        """
        idx = self.block(range(len(self.n_bins)) if features is None else features)
        w = np.asarray(weights, dtype=np.float64)
        gap = float(w @ self.delta[idx])
        var = float(w @ self.pooled_cov[np.ix_(idx, idx)] @ w)
        if var <= 0.0:
            return 0.0
        return gap * gap / var


def gather_stats(
    bins: NDArray[np.integer],
    n_bins: Sequence[int],
    is_bad: NDArray[np.bool_],
    sample_weight: FloatArray | None = None,
) -> IndicatorStats:
    """Gather the class moments of the bin indicators in one pass over the rows.

    Parameters
    ----------
    bins : ndarray of shape (n_rows, n_features)
        Bin index of every row in every feature, ``0 <= bins[:, j] < n_bins[j]``.
    n_bins : sequence of int
        Number of bins of each feature.
    is_bad : ndarray of bool, shape (n_rows,)
        True for the bad (event) class.
    sample_weight : ndarray of shape (n_rows,), optional
        Row weights (bootstrap counts, for instance).

    Returns
    -------
    IndicatorStats

    Examples
    --------
    >>> import numpy as np
    >>> b = np.array([[0, 1], [1, 1], [1, 0], [0, 0]])
    >>> s = gather_stats(b, [2, 2], np.array([True, False, False, True]))
    >>> s.mean_good.tolist(), s.weight_bad
    ([0.0, 1.0, 0.5, 0.5], 2.0)
    """
    bins = np.asarray(bins)
    n_rows, n_feat = bins.shape
    nb = [int(k) for k in n_bins]
    total = int(sum(nb))
    y = np.asarray(is_bad, dtype=bool)
    sw = np.ones(n_rows) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    w_bad = float(sw[y].sum())
    w_good = float(sw[~y].sum())
    if w_bad <= 0.0 or w_good <= 0.0:
        raise TrainingDataInvalid("the training sample has one class only; a card needs goods and bads")
    off = np.concatenate([[0], np.cumsum(nb)]).astype(np.intp)
    second = np.zeros((2, total, total))
    cls = y.astype(np.intp)
    cols = list(np.ascontiguousarray(bins.T, dtype=np.intp))  # one pass, not one per column
    weights = None if sample_weight is None else sw  # unweighted counting is twice as fast
    # unweighted, features are paired (0, 1), (2, 3), ...: one count of (class, i, j, k)
    # gives the blocks (i, j) and (i, k) as its margins (exact integer sums), halving the
    # passes over the rows; weighted sums would change with the order of addition
    size = 2 if weights is None else 1
    groups = [list(range(g, min(g + size, n_feat))) for g in range(0, n_feat, size)]
    joint = [cols[g[0]] * nb[g[1]] + cols[g[1]] if len(g) == 2 else cols[g[0]] for g in groups]
    code = np.empty(n_rows, dtype=np.intp)
    for i in range(n_feat):
        base_i = cls * nb[i] + cols[i]
        for g, codes in zip(groups, joint, strict=True):
            if g[-1] < i:
                continue
            width = [nb[j] for j in g]
            np.multiply(base_i, int(np.prod(width)), out=code)
            code += codes
            counts = np.bincount(code, weights=weights, minlength=2 * nb[i] * int(np.prod(width)))
            counts = counts.reshape(2, nb[i], *width)
            for pos, j in enumerate(g):
                if j < i:
                    continue
                block = counts.sum(axis=3 - pos) if len(g) == 2 else counts
                second[:, off[i] : off[i + 1], off[j] : off[j + 1]] = block
                if i != j:
                    second[:, off[j] : off[j + 1], off[i] : off[i + 1]] = block.transpose(0, 2, 1)
    second[0] /= w_good
    second[1] /= w_bad
    mean_good = np.concatenate([np.diag(second[0])[off[j] : off[j + 1]] for j in range(n_feat)])
    mean_bad = np.concatenate([np.diag(second[1])[off[j] : off[j + 1]] for j in range(n_feat)])
    return IndicatorStats(
        n_bins=tuple(nb),
        weight_good=w_good,
        weight_bad=w_bad,
        mean_good=mean_good,
        mean_bad=mean_bad,
        second_good=second[0],
        second_bad=second[1],
    )


def combine_stats(parts: Sequence[IndicatorStats]) -> IndicatorStats:
    """Statistics of the union of disjoint samples (counts add; shares are re-weighted)."""
    w_good = sum(p.weight_good for p in parts)
    w_bad = sum(p.weight_bad for p in parts)

    def pooled(field: str, weight: str, total: float) -> FloatArray:
        return np.asarray(
            np.sum([getattr(p, field) * getattr(p, weight) for p in parts], axis=0) / total,
            dtype=np.float64,
        )

    return IndicatorStats(
        n_bins=parts[0].n_bins,
        weight_good=w_good,
        weight_bad=w_bad,
        mean_good=pooled("mean_good", "weight_good", w_good),
        mean_bad=pooled("mean_bad", "weight_bad", w_bad),
        second_good=pooled("second_good", "weight_good", w_good),
        second_bad=pooled("second_bad", "weight_bad", w_bad),
    )


def block_diagonal(cov: FloatArray, n_bins: Sequence[int]) -> FloatArray:
    """``cov`` with every entry between two different features set to zero."""
    out = np.zeros_like(cov)
    off = np.concatenate([[0], np.cumsum(n_bins)]).astype(int)
    for a, b in zip(off[:-1], off[1:], strict=True):
        out[a:b, a:b] = cov[a:b, a:b]
    return out
