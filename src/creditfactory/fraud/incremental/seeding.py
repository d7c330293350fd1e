"""The incremental graph's state for a whole time-ordered history, in one vectorised pass.

Replaying history through :meth:`OnlineGraph.add` costs seconds per hundred thousand
applications; everything ``add`` leaves behind (who holds each value, the links, the
components) follows from the history as a whole. Value and resident-ID holders stay in
compact arrays (:class:`SeededIndex`) and become the online lists only when a new
application touches them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from creditfactory.errors import InvalidArgument
from creditfactory.fraud._links import holder_ranks, structural_pairs
from creditfactory.fraud.graph_config import KIND_CODE, GraphConfig
from creditfactory.fraud.identity import LINK_COLUMNS

__all__ = ["SeedState", "SeededIndex", "adjacency", "seed_state"]


class SeededIndex:
    """Key -> the rows holding it (in row order), as sorted keys over a CSR of rows."""

    def __init__(self, keys: np.ndarray, indptr: np.ndarray, rows: np.ndarray) -> None:
        self.keys = keys
        self.indptr = indptr
        self.rows = rows

    @classmethod
    def of(cls, keys: np.ndarray, rows: np.ndarray) -> tuple[SeededIndex, np.ndarray]:
        """Index of ``(key, row)`` entries sorted by key then row; also each entry's group."""
        new = np.ones(len(keys), bool)
        new[1:] = keys[1:] != keys[:-1]
        starts = np.flatnonzero(new)
        indptr = np.append(starts, len(keys)).astype(np.int64)
        group = np.cumsum(new) - 1
        return cls(keys[starts], indptr, rows), group

    def found(self, keys: list[int]) -> list[tuple[int, int, int]]:
        """``(position in keys, start, end)`` of the keys held by some row, in ``keys`` order.

        The online graph asks this for a dozen values per application, most of them new:
        a handful of array operations and nothing per key missing.
        """
        if not len(self.keys) or not keys:
            return []
        k = np.array(keys, np.uint64)
        at = self.keys.searchsorted(k)
        hit = (self.keys.take(at, mode="clip") == k).tolist()
        if True not in hit:
            return []
        pos, indptr = at.tolist(), self.indptr
        return [(n, int(indptr[pos[n]]), int(indptr[pos[n] + 1]))
                for n, held in enumerate(hit) if held]

    def spans(self, keys: list[int]) -> list[tuple[int, int]]:
        """Positions in ``rows`` of the holders of each key (an empty span if none)."""
        if not len(self.keys) or not keys:
            return [(0, 0)] * len(keys)
        k = np.array(keys, np.uint64)
        i = np.minimum(np.searchsorted(self.keys, k), len(self.keys) - 1)
        found = self.keys[i] == k
        start = np.where(found, self.indptr[i], 0)
        end = np.where(found, self.indptr[i + 1], 0)
        return list(zip(start.tolist(), end.tolist(), strict=True))


@dataclass
class SeedState:
    """What replaying the history would leave in :class:`OnlineGraph`, as arrays."""

    values: SeededIndex  # value hash -> holder rows
    value_kinds: np.ndarray  # int8 link kind of each holder entry
    residents: SeededIndex  # resident ID -> rows
    pi: np.ndarray  # later row of each link, sorted by (pi, pj)
    pj: np.ndarray
    pmask: np.ndarray  # link kinds bit mask
    parent: np.ndarray  # union-find root of each row, rows of the last second excluded
    size: np.ndarray  # component size at each root


def seed_state(identity: pd.DataFrame, config: GraphConfig) -> SeedState:
    """The online state after adding every row of a time-ordered identity table."""
    times = identity["applied_at"].to_numpy(np.int64)
    n = len(times)
    if n and np.any(np.diff(times) < 0):
        raise InvalidArgument("applications must be sorted by applied_at")
    hashes, rows, kinds = _entries(identity)
    values, group = SeededIndex.of(hashes, rows)
    rank = holder_ranks(group, times[rows], values.indptr)
    linking = (rank < config.cap_array()[kinds]) & config.structural_mask()[kinds]
    rid = identity["resident_id"].to_numpy(np.uint64) if "resident_id" in identity else None
    pi, pj, pmask = structural_pairs(values.indptr[group], rows, kinds, rank, linking, rid)
    if rid is None:
        rid = np.zeros(n, np.uint64)
    holders = np.flatnonzero(rid)
    order = holders[np.argsort(rid[holders], kind="stable")]
    residents, _ = SeededIndex.of(rid[order], order)
    parent, size = _components(times, pi, pj)
    return SeedState(values, kinds, residents, pi, pj, pmask, parent, size)


def _entries(identity: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hash, row, kind) of every non-zero link value, once per row (its first column wins),
    sorted by hash then row."""
    cols = list(LINK_COLUMNS)
    flat = np.column_stack([identity[c].to_numpy(np.uint64) for c in cols]).ravel()
    col_kind = np.array([KIND_CODE[LINK_COLUMNS[c]] for c in cols], np.int8)
    pos = np.flatnonzero(flat)
    order = pos[np.argsort(flat[pos], kind="stable")]
    h = flat[order]
    rows = order // len(cols)
    dup = np.zeros(len(h), bool)
    dup[1:] = (h[1:] == h[:-1]) & (rows[1:] == rows[:-1])
    keep = order[~dup]
    return h[~dup], keep // len(cols), col_kind[keep % len(cols)]


def _components(
    times: np.ndarray, pi: np.ndarray, pj: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Union-find roots and root sizes after every second but the last is merged.

    ``add`` merges an application's links only once a later second arrives, so the rows of
    the last second stay single until then.
    """
    n = len(times)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    closed = int(np.searchsorted(times, times[-1]))
    keep = pi < closed
    adj = sp.coo_matrix((np.ones(int(keep.sum()), np.int8), (pi[keep], pj[keep])),
                        shape=(closed, closed))
    _, labels = connected_components(adj, directed=False)
    _, first, counts = np.unique(labels, return_index=True, return_counts=True)
    parent = np.arange(n, dtype=np.int64)
    parent[:closed] = first[labels]
    size = np.ones(n, np.int64)
    size[first] = counts
    return parent, size


def adjacency(pi: np.ndarray, pj: np.ndarray, pmask: np.ndarray, n: int) -> list[dict[int, int]]:
    """Each row's links as ``{other row: kinds mask}``, from one-way sorted pairs."""
    a = np.concatenate([pi, pj])
    b = np.concatenate([pj, pi])
    order = np.lexsort((b, a))
    bounds = np.searchsorted(a[order], np.arange(n + 1)).tolist()
    others = b[order].tolist()
    masks = np.concatenate([pmask, pmask])[order].tolist()
    return [dict(zip(others[s:e], masks[s:e], strict=True)) if e > s else {}
            for s, e in zip(bounds[:-1], bounds[1:], strict=True)]
