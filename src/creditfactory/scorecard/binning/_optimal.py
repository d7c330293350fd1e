"""Exact optimal merging of ordered pre-bins into bins that maximise IV under a shape constraint.

Information value is a sum over bins, so the best partition of P ordered pre-bins into
contiguous bins is a dynamic programme. The state is the *last* bin ``[j, i)`` of a prefix
(so the event-rate step to the previous bin ``[l, j)`` can be checked) and, when
``max_bins`` can bind, the number of bins. One Python step per ``j`` does a max over ``l``
vectorised over ``(bins, l, i)``: O(K P^3) element operations on a few dozen pre-bins,
never on rows. Brute force over all partitions agrees (see the tests).

Peak (valley) shapes add a second phase: event rates rise then fall (fall then rise).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = ["MergeResult", "TRENDS", "optimal_merge", "optimal_merges"]

TRENDS = ("ascending", "descending", "peak", "valley")
_NEG = -np.inf


class MergeResult(NamedTuple):
    """Bin boundaries as pre-bin indices ``0 = b0 < b1 < ... < bm = P`` and the IV reached."""

    bounds: tuple[int, ...]
    iv: float


def segment_tables(
    count: np.ndarray, n_event: np.ndarray, total: float, total_event: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Event rate, IV term and count of every candidate bin ``[j, i)`` (``(P+1, P+1)`` each)."""
    c = np.concatenate(([0.0], np.cumsum(count, dtype=np.float64)))
    e = np.concatenate(([0.0], np.cumsum(n_event, dtype=np.float64)))
    n = c[None, :] - c[:, None]
    b = e[None, :] - e[:, None]
    total_good = total - total_event
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, b / np.where(n > 0, n, 1.0), 0.0)
    eps = 0.5 / total
    r = np.clip(rate, eps, 1.0 - eps)
    woe = np.log((1.0 - r) / r) + math.log(total_event / total_good)
    value = ((n - b) / total_good - b / total_event) * woe
    return rate, value, n


def optimal_merge(
    count: np.ndarray,
    n_event: np.ndarray,
    *,
    total: float,
    total_event: float,
    trend: str | None,
    max_bins: int,
    min_count: float,
) -> MergeResult:
    """Best contiguous merge of pre-bins under ``trend`` (None = unconstrained).

    Every bin holds at least ``min_count`` rows (a single bin always qualifies); strictly
    monotone event rates between neighbours (per phase for peak/valley). Ties in IV go to
    fewer bins.

    Examples
    --------
    >>> cnt = np.array([100, 100, 100, 100]); ev = np.array([5, 10, 8, 30])
    >>> optimal_merge(cnt, ev, total=400, total_event=53, trend="ascending",
    ...               max_bins=4, min_count=50).bounds
    (0, 1, 3, 4)
    """
    return optimal_merges(count, n_event, total=total, total_event=total_event, trend=trend,
                          max_bins=max_bins, min_count=min_count)[trend]


def optimal_merges(
    count: np.ndarray,
    n_event: np.ndarray,
    *,
    total: float,
    total_event: float,
    trend: str | None,
    max_bins: int,
    min_count: float,
) -> dict[str | None, MergeResult]:
    """Like :func:`optimal_merge`; a peak (valley) run also yields the ascending (descending)
    optimum for free, under that key, so ``"auto"`` needs two runs instead of four."""
    p = len(count)
    rate, value, n = segment_tables(count, n_event, total, total_event)
    upper = np.triu(np.ones((p + 1, p + 1), dtype=bool), k=1)
    valid = upper & (n >= min_count)
    valid[0, p] = True
    value = np.where(valid, value, _NEG)
    r = (-1.0 if trend in ("descending", "valley") else 1.0) * rate
    cap = p if min_count <= 0 else min(p, int(float(np.sum(count)) // min_count))
    return _solve(value, r, trend, None if max_bins >= cap else max(1, min(max_bins, p)))


def _solve(value: np.ndarray, r: np.ndarray, trend: str | None, layers: int | None
           ) -> dict[str | None, MergeResult]:
    """The DP, one pass over the start ``j`` of the last bin, vectorised over the bin count
    layer, the previous start ``l`` and the end ``i``. ``layers=None``: the bin-count limit
    cannot bind, so one layer stands for any number of bins."""
    p = value.shape[0] - 1
    n_layers = 1 if layers is None else layers
    two = trend in ("peak", "valley")
    shape = (n_layers, p + 1, p + 1)
    up, down = np.full(shape, _NEG), np.full(shape, _NEG)
    up_arg, down_arg = np.zeros(shape, dtype=np.intp), np.zeros(shape, dtype=np.intp)
    down_src = np.zeros(shape, dtype=np.intp)
    up[0, 0] = value[0]
    src = slice(0, 1) if layers is None else slice(0, n_layers - 1)
    dst = slice(0, 1) if layers is None else slice(1, n_layers)
    for j in range(1, p):
        if layers is not None and n_layers == 1:
            break
        rise = (np.ones((j, p + 1), dtype=bool) if trend is None
                else r[:j, j, None] < r[None, j, :])
        prev_up = up[src, :j, j, None]
        cand = np.where(rise, prev_up, _NEG)
        arg = cand.argmax(axis=1)
        up[dst, j] = value[j] + cand.max(axis=1)
        up_arg[dst, j] = arg
        if two:
            fall = r[:j, j, None] > r[None, j, :]
            both = np.concatenate((np.where(fall, prev_up, _NEG),
                                   np.where(fall, down[src, :j, j, None], _NEG)), axis=1)
            arg = both.argmax(axis=1)
            down[dst, j] = value[j] + both.max(axis=1)
            down_arg[dst, j], down_src[dst, j] = arg % j, arg // j

    def best(phases: tuple[int, ...]) -> MergeResult:
        tables = (up, down)
        top, where = _NEG, (0, 0, 0)
        for k in range(n_layers):
            for ph in phases:
                j = int(np.argmax(tables[ph][k, :, p]))
                val = float(tables[ph][k, j, p])
                if top == _NEG or val > top + 1e-12 * max(1.0, abs(top)):
                    top, where = val, (k, ph, j)
        k, phase, j = where
        bounds, i = [p], p
        while j > 0:
            bounds.append(j)
            if phase == 0:
                nxt = int(up_arg[k, j, i])
            else:
                nxt, phase = int(down_arg[k, j, i]), int(down_src[k, j, i])
            i, j, k = j, nxt, (k if layers is None else k - 1)
        return MergeResult(tuple(sorted({0, *bounds})), top)

    out = {trend: best((0, 1) if two else (0,))}
    if two:
        out["ascending" if trend == "peak" else "descending"] = best((0,))
    return out
