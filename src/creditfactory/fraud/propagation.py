"""Risk propagated from known bads: personalised PageRank on monthly snapshots.

At each month start ``b`` the graph holds applications that arrived before ``b`` and the
known bads observable before ``b``; ``r = (1 - alpha) s + alpha * mean_{neighbours} r`` is
iterated as sparse matrix products, all snapshots at once (one column each, masked to the
applications present). A new application's risk is one more step: ``alpha`` times the mean
snapshot risk of its earlier neighbours. The same function serves the batch build and the
online graph's monthly refresh, so both see the same numbers.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def month_starts(times: np.ndarray) -> np.ndarray:
    """Start of the calendar month of each time, as int64 seconds."""
    months = times.astype("datetime64[s]").astype("datetime64[M]")
    return months.astype("datetime64[s]").astype(np.int64)


def snapshot_risk(
    u: np.ndarray,
    v: np.ndarray,
    node_time: np.ndarray,
    bad_time: np.ndarray,
    boundaries: np.ndarray,
    alpha: float,
    n_iter: int,
) -> np.ndarray:
    """PPR risk of every node at every boundary, shape (n_nodes, n_boundaries).

    ``u, v`` are undirected edges between node indices; a node counts at boundary ``b`` when
    ``node_time < b`` and seeds when ``bad_time < b``.
    """
    n = len(node_time)
    if n == 0 or len(boundaries) == 0:
        return np.zeros((n, len(boundaries)), np.float32)
    adj = sp.coo_matrix(
        (np.ones(2 * len(u), np.float32), (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(n, n)
    ).tocsr()
    present = (node_time[:, None] < boundaries[None, :]).astype(np.float32)
    seeds = (bad_time[:, None] < boundaries[None, :]).astype(np.float32) * present
    degree = adj @ present
    inv = np.divide(present, degree, out=np.zeros_like(degree), where=degree > 0)
    restart = np.float32(1.0 - alpha) * seeds
    step = np.float32(alpha) * inv
    r = restart
    for _ in range(n_iter):
        r = restart + step * (adj @ r)
    return r
