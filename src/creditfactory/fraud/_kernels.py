"""Compiled union-find: the one inherently sequential step of the batch build.

Point-in-time component size (the size of the component an application joins, counting only
strictly earlier applications) needs the components as they grew; union-find in time order
gives them in one pass. Compiled with numba because a Python loop over a million
applications is seconds, not milliseconds.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _find(parent: np.ndarray, x: int) -> int:
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        nxt = parent[x]
        parent[x] = root
        x = nxt
    return root


@njit(cache=True)
def component_sizes(times: np.ndarray, indptr: np.ndarray, nbrs: np.ndarray) -> np.ndarray:
    """Size of each application's component on arrival; ``nbrs`` are strictly earlier."""
    n = len(times)
    parent = np.arange(n)
    size = np.ones(n, np.int64)
    stamp = np.zeros(n, np.int64)
    out = np.ones(n, np.int64)
    i = 0
    while i < n:
        j = i
        while j < n and times[j] == times[i]:
            j += 1
        for a in range(i, j):
            total = 1
            for p in range(indptr[a], indptr[a + 1]):
                r = _find(parent, nbrs[p])
                if stamp[r] != a + 1:
                    stamp[r] = a + 1
                    total += size[r]
            out[a] = total
        for a in range(i, j):
            for p in range(indptr[a], indptr[a + 1]):
                ra = _find(parent, a)
                rb = _find(parent, nbrs[p])
                if ra != rb:
                    if size[ra] < size[rb]:
                        ra, rb = rb, ra
                    parent[rb] = ra
                    size[ra] += size[rb]
        i = j
    return out
