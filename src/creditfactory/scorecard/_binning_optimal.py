"""Exact optimal merging of ordered pre-bins into bins that maximise IV under a shape constraint.

Information value is a sum over bins, so the best partition of P ordered pre-bins into
contiguous bins is a dynamic programme. The state is the *last* bin ``[j, i)`` of a prefix
(so a monotone constraint between neighbours can be checked) and the number of bins ``k``;
one step is a max over the previous bin's start ``l``, vectorised over ``(l, j, i)`` with
NumPy: O(P^3) work per bin count, on a few dozen pre-bins, never on rows.

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
    sign = -1.0 if trend in ("descending", "valley") else 1.0
    r = sign * rate
    if trend is None:
        rise = np.ones((p + 1,) * 3, dtype=bool)
    else:
        rise = r[:, :, None] < r[None, :, :]
    fall = r[:, :, None] > r[None, :, :] if trend in ("peak", "valley") else None

    first = np.full((p + 1, p + 1), _NEG)
    first[0] = value[0]
    up, down = [first], [np.full_like(first, _NEG)]
    up_arg: list[np.ndarray] = [np.zeros(first.shape, dtype=np.intp)]
    down_arg: list[tuple[np.ndarray, np.ndarray]] = [(up_arg[0], up_arg[0])]
    for _ in range(1, max(1, min(max_bins, p))):
        prev_up, prev_down = up[-1], down[-1]
        if not np.isfinite(prev_up).any() and not np.isfinite(prev_down).any():
            break
        cand = np.where(rise, prev_up[:, :, None], _NEG)
        arg = cand.argmax(axis=0)
        up.append(value + np.take_along_axis(cand, arg[None], axis=0)[0])
        up_arg.append(arg)
        if fall is None:
            down.append(np.full_like(first, _NEG))
            down_arg.append((arg, arg))
            continue
        from_up = np.where(fall, prev_up[:, :, None], _NEG)
        from_down = np.where(fall, prev_down[:, :, None], _NEG)
        stacked = np.concatenate((from_up, from_down), axis=0)
        sarg = stacked.argmax(axis=0)
        down.append(value + np.take_along_axis(stacked, sarg[None], axis=0)[0])
        down_arg.append((sarg % (p + 1), sarg // (p + 1)))
    out = {trend: _best(up, down, up_arg, down_arg, p, phases=(0, 1))}
    if trend in ("peak", "valley"):
        mono = "ascending" if trend == "peak" else "descending"
        out[mono] = _best(up, down, up_arg, down_arg, p, phases=(0,))
    return out


def _best(
    up: list[np.ndarray],
    down: list[np.ndarray],
    up_arg: list[np.ndarray],
    down_arg: list[tuple[np.ndarray, np.ndarray]],
    p: int,
    phases: tuple[int, ...],
) -> MergeResult:
    best, where = _NEG, (0, 0, 0)
    for k in range(len(up)):
        for phase in phases:
            table = (up, down)[phase][k]
            j = int(np.argmax(table[:, p]))
            if best == _NEG or table[j, p] > best + 1e-12 * max(1.0, abs(best)):
                best, where = float(table[j, p]), (k, phase, j)
    k, phase, j = where
    bounds, i = [p], p
    while k > 0:
        bounds.append(j)
        if phase == 0:
            l_ = int(up_arg[k][j, i])
        else:
            l_, src = (int(a[j, i]) for a in down_arg[k])
            phase = src
        i, j, k = j, l_, k - 1
    bounds.append(0)
    return MergeResult(tuple(sorted(set(bounds))), best)
