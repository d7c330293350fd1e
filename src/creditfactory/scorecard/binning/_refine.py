"""Move each cut point of an optimal pre-bin merge to its best exact position in the data.

The merge is optimal on the pre-bin grid; a cut may still gain IV by moving inside the
pre-bins next to it. Each cut in turn is placed at the best distinct value within one
pre-bin either side (at most ``_CANDIDATES`` evenly spaced ones), keeping its neighbours fixed, the minimum bin count, and the direction
of every event-rate step (so the monotone, peak or valley shape holds). IV never drops.
Everything is read from the sorted values and the sorted values of the bad rows.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["refine_splits"]

_SWEEPS = 2
_CANDIDATES = 256  # positions tried per cut (evenly spaced distinct values of its window)


def refine_splits(
    s: np.ndarray,
    s_event: np.ndarray,
    splits: np.ndarray,
    grid: np.ndarray,
    *,
    total: float,
    total_event: float,
    min_count: float,
    constrained: bool,
) -> np.ndarray:
    """Refined cut points (same number, still sorted) for sorted values ``s``.

    Examples
    --------
    >>> s = np.arange(10.0); s_event = np.array([6.0, 7.0, 8.0, 9.0])
    >>> refine_splits(s, s_event, np.array([4.5]), np.array([2.5, 4.5, 6.5]), total=10,
    ...               total_event=4, min_count=2, constrained=True).tolist()
    [5.5]
    """
    if splits.size == 0 or s.size == 0:
        return splits
    splits = splits.copy()
    pos = np.searchsorted(s, splits, side="left")
    grid_pos = np.searchsorted(s, grid, side="left")
    total_good = total - total_event
    eps = 0.5 / total
    offset = math.log(total_event / total_good)

    def iv(n: np.ndarray, b: np.ndarray) -> np.ndarray:
        r = np.clip(b / np.maximum(n, 1.0), eps, 1.0 - eps)
        return ((n - b) / total_good - b / total_event) * (np.log((1.0 - r) / r) + offset)

    def events_below(p: np.ndarray | int) -> np.ndarray:
        p_arr = np.atleast_1d(np.asarray(p))
        vals = s[np.minimum(p_arr, s.size - 1)]
        out = np.searchsorted(s_event, vals, side="left")
        return np.where(p_arr >= s.size, s_event.size, out)

    for _ in range(_SWEEPS):
        for k in range(splits.size):
            edges = np.concatenate(([0], pos, [s.size]))
            a, cur, c = int(edges[k]), int(edges[k + 1]), int(edges[k + 2])
            g = int(np.searchsorted(grid_pos, cur, side="left"))
            lo = max(a + 1, int(grid_pos[g - 1]) if g > 0 else a + 1)
            hi = min(c - 1, int(grid_pos[g + 1]) if g + 1 < grid_pos.size else c - 1)
            if hi <= lo:
                continue
            t = np.arange(lo, hi + 1)
            t = t[(s[t] > s[t - 1]) & np.isfinite(s[t])]
            if t.size > _CANDIDATES:
                t = t[np.linspace(0, t.size - 1, _CANDIDATES).astype(np.intp)]
            if t.size == 0:
                continue
            e_a, e_c = (int(v) for v in events_below(np.array([a, c])))
            e_t = events_below(t)
            n_l, b_l = (t - a).astype(np.float64), (e_t - e_a).astype(np.float64)
            n_r, b_r = (c - t).astype(np.float64), (e_c - e_t).astype(np.float64)
            ok = (n_l >= min_count) & (n_r >= min_count)
            if constrained:
                ok &= _keeps_shape(edges, k, s, s_event, events_below, n_l, b_l, n_r, b_r)
            if not ok.any():
                continue
            gain = np.where(ok, iv(n_l, b_l) + iv(n_r, b_r), -np.inf)
            best = int(np.argmax(gain))
            now = events_below(cur)[0]
            current = iv(np.array([cur - a]), np.array([now - e_a], dtype=np.float64)) + iv(
                np.array([c - cur]), np.array([e_c - now], dtype=np.float64))
            if gain[best] > float(current[0]) + 1e-15:
                tb = int(t[best])
                splits[k] = s[tb - 1] + (s[tb] - s[tb - 1]) / 2.0
                if not s[tb - 1] < splits[k] <= s[tb]:
                    splits[k] = s[tb]
                pos[k] = tb
    return splits


def _keeps_shape(
    edges: np.ndarray, k: int, s: np.ndarray, s_event: np.ndarray, events_below: object,
    n_l: np.ndarray, b_l: np.ndarray, n_r: np.ndarray, b_r: np.ndarray,
) -> np.ndarray:
    """Candidates under which every event-rate step around cut ``k`` keeps its direction."""
    ev = np.asarray(events_below(edges), dtype=np.float64)  # type: ignore[operator]
    cnt = np.diff(edges).astype(np.float64)
    rate = np.diff(ev) / np.maximum(cnt, 1.0)
    r_l, r_r = b_l / np.maximum(n_l, 1.0), b_r / np.maximum(n_r, 1.0)
    ok = np.sign(r_r - r_l) == np.sign(rate[k + 1] - rate[k])
    if k > 0:
        ok &= np.sign(r_l - rate[k - 1]) == np.sign(rate[k] - rate[k - 1])
    if k + 2 < rate.size:
        ok &= np.sign(rate[k + 2] - r_r) == np.sign(rate[k + 2] - rate[k + 1])
    return ok
