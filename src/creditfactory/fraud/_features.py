"""Point-in-time graph features of every application, computed from the link pairs at once.

Every number uses only applications strictly earlier than the one described and known bads
observable before its ``applied_at``; the online graph computes the same numbers one
application at a time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from creditfactory.fraud._kernels import component_sizes
from creditfactory.fraud._links import Links
from creditfactory.fraud.graph_config import KINDS, GraphConfig
from creditfactory.fraud.propagation import month_starts, snapshot_risk

DAY = 86_400
FEATURES: tuple[str, ...] = (
    *(f"n_link_{k}" for k in KINDS),
    "n_kinds",
    "max_shared_kinds",
    "n_strong_1hop",
    "n_linked_1hop",
    "n_bad_1hop",
    "n_linked_2hop",
    "n_bad_2hop",
    "same_channel_share",
    "velocity_7d",
    "velocity_30d",
    "component_size",
    "propagated_risk",
)


def _per_row_or(pi: np.ndarray, values: np.ndarray, n: int, op: np.ufunc) -> np.ndarray:
    out = np.zeros(n, values.dtype)
    if len(pi):
        first = np.ones(len(pi), bool)
        first[1:] = pi[1:] != pi[:-1]
        starts = np.flatnonzero(first)
        out[pi[starts]] = op.reduceat(values, starts)
    return out


def batch_features(
    links: Links, channel: np.ndarray, bad_time: np.ndarray, config: GraphConfig
) -> pd.DataFrame:
    """All point-in-time features, one row per application in row order."""
    t = links.times
    n = len(t)
    pi, pj, mask = links.pi, links.pj, links.pmask
    ti = t[pi]
    cols: dict[str, np.ndarray] = {}
    for code, kind in enumerate(KINDS):
        if kind in config.structural:
            cols[f"n_link_{kind}"] = np.bincount(pi, weights=(mask >> code) & 1, minlength=n)
        else:
            cols[f"n_link_{kind}"] = links.counted[:, code].astype(np.float64)
    row_or = _per_row_or(pi, mask, n, np.bitwise_or)
    plain = (links.counted > 0) @ (1 << np.arange(len(KINDS)))
    cols["n_kinds"] = np.bitwise_count((row_or | plain.astype(np.int32)).astype(np.uint32))
    shared = np.bitwise_count(mask.astype(np.uint32)).astype(np.int64)
    cols["max_shared_kinds"] = _per_row_or(pi, shared, n, np.maximum)
    cols["n_strong_1hop"] = np.bincount(pi, weights=shared >= 2, minlength=n)
    cols["n_linked_1hop"] = np.bincount(pi, minlength=n)
    bad_j = bad_time[pj] < ti
    cols["n_bad_1hop"] = np.bincount(pi, weights=bad_j, minlength=n)
    n2, b2 = _two_hop(pi, pj, t, bad_time, n)
    cols["n_linked_2hop"], cols["n_bad_2hop"] = n2, b2
    same = np.bincount(pi, weights=channel[pj] == channel[pi], minlength=n)
    cols["same_channel_share"] = np.divide(
        same, cols["n_linked_1hop"], out=np.zeros(n), where=cols["n_linked_1hop"] > 0
    )
    for days, name in zip(config.velocity_days, ("velocity_7d", "velocity_30d"), strict=True):
        cols[name] = np.bincount(pi, weights=(ti - t[pj]) <= days * DAY, minlength=n)
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(pi, minlength=n), out=indptr[1:])
    cols["component_size"] = component_sizes(t, indptr, pj)
    cols["propagated_risk"] = _propagated(pi, pj, t, bad_time, config)
    return pd.DataFrame({k: np.asarray(cols[k], dtype=np.float64) for k in FEATURES})


def _two_hop(
    pi: np.ndarray, pj: np.ndarray, t: np.ndarray, bad_time: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct earlier applications within two hops, and how many were known bad."""
    if len(pi) == 0:
        return np.zeros(n), np.zeros(n)
    one = np.ones(len(pi), np.int32)
    lower = sp.csr_matrix((one, (pi, pj)), shape=(n, n))
    sym = (lower + lower.T).tocsr()
    reach = (lower + lower @ sym).tocsr()
    rows = np.repeat(np.arange(n), np.diff(reach.indptr))
    cols = reach.indices
    keep = (t[cols] < t[rows]) & (cols != rows)
    rows, cols = rows[keep], cols[keep]
    return (
        np.bincount(rows, minlength=n).astype(np.float64),
        np.bincount(rows, weights=bad_time[cols] < t[rows], minlength=n),
    )


def _propagated(
    pi: np.ndarray, pj: np.ndarray, t: np.ndarray, bad_time: np.ndarray, config: GraphConfig
) -> np.ndarray:
    """alpha x mean snapshot risk of earlier neighbours, at the month start before arrival."""
    n = len(t)
    out = np.zeros(n)
    if len(pi) == 0:
        return out
    seeded = _seeded_nodes(pi, pj, bad_time < np.iinfo(np.int64).max, n)
    keep = seeded[pi]
    if not keep.any():
        return out
    nodes, inverse = np.unique(np.concatenate([pi[keep], pj[keep]]), return_inverse=True)
    ci, cj = inverse[: keep.sum()], inverse[keep.sum() :]
    month = month_starts(t)
    boundaries = np.unique(month[nodes])
    risk = snapshot_risk(
        ci, cj, t[nodes], bad_time[nodes], boundaries, config.alpha, config.n_iter
    )
    pi, pj = pi[keep], pj[keep]
    cj = np.searchsorted(nodes, pj)
    col = np.searchsorted(boundaries, month[pi])
    present = t[pj] < month[pi]
    vals = np.where(present, risk[cj, col], 0.0)
    num = np.bincount(pi, weights=vals, minlength=n)
    den = np.bincount(pi, weights=present, minlength=n)
    return config.alpha * np.divide(num, den, out=out, where=den > 0)


def _seeded_nodes(pi: np.ndarray, pj: np.ndarray, seed: np.ndarray, n: int) -> np.ndarray:
    """Applications whose final component holds a known bad: elsewhere risk is zero."""
    adj = sp.csr_matrix((np.ones(len(pi), np.int8), (pi, pj)), shape=(n, n))
    _, labels = connected_components(adj, directed=False)
    return np.isin(labels, np.unique(labels[seed]))
