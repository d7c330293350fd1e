"""A history's identity graph built once, re-read month by month as its known bads grow.

A back-test decides its judged months in order and each month's known bads are the history's
plus the loans the strategy booked earlier, so the graph's features and rules would be rebuilt
for every month. Most of them never read a known bad: links, components, velocity, the
resident-ID and age evidence are the same for every month. :class:`KnownBadGraph` builds
them once over the whole history and, for a range of rows, computes only what a known bad
changes (known-bad neighbours at one and two hops, the propagated risk at the rows' month
start, the known-bad rule evidence), reusing :class:`IdentityGraph` and the rules' ``judge``.

Every number a row gets uses only earlier applications and known bads observable before it,
so the rows of one month read here equal those of a graph rebuilt over the history up to
that month with the same known bads (the tests hold them equal).
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from creditfactory.errors import InvalidArgument
from creditfactory.fraud.graph import IdentityGraph
from creditfactory.fraud.graph_config import GraphConfig
from creditfactory.fraud.propagation import month_starts, snapshot_risk
from creditfactory.fraud.rules import (
    _BLACK_BITS,
    _CONTACT_BIT,
    VELOCITY_7D,
    RuleEvidence,
    batch_evidence,
    judge,
)

__all__ = ["KnownBadGraph"]


class KnownBadGraph:
    """Point-in-time features and rule hits of any rows of a history under any known bads.

    ``identity`` is the history's identity table in ``applied_at`` order and ``applications``
    the same applications (``resident_id``, ``applied_at``, ``age``) in the same order.
    """

    def __init__(self, identity: pd.DataFrame, applications: pd.DataFrame,
                 config: GraphConfig | None = None) -> None:
        if len(identity) != len(applications):
            raise InvalidArgument("one application per identity row is needed")
        self.graph = IdentityGraph.build(identity, None, config)
        self.config = self.graph.config
        links = self.graph.links
        self.times = links.times
        self.ids = identity["application_id"].to_numpy(np.int64)
        n = len(self.times)
        self._edge_start = np.searchsorted(links.pi, np.arange(n + 1))
        lower = sp.csr_matrix((np.ones(len(links.pi), np.int32), (links.pi, links.pj)), shape=(n, n))
        self._lower = lower
        self._sym = (lower + lower.T).tocsr()
        _, self._component = connected_components(self._sym, directed=False)
        self._evidence = batch_evidence(self.graph, applications.reset_index(drop=True))
        self._same_id = _earlier_same_resident(identity)

    def __len__(self) -> int:
        return len(self.times)

    def features(self, lo: int, hi: int, bad_time: np.ndarray) -> pd.DataFrame:
        """The features (``FEATURES`` columns) of rows ``lo:hi`` when ``bad_time`` (epoch
        seconds per row, ``NEVER`` for none; rows from ``hi`` on may be left out) are the
        known bads."""
        bad = np.asarray(bad_time, np.int64)
        out = self.graph.features.iloc[lo:hi].drop(columns=["application_id"]).reset_index(drop=True)
        pi, pj = self._edges(lo, hi)
        t = self.times
        m = hi - lo
        out["n_bad_1hop"] = np.bincount(pi - lo, weights=bad[pj] < t[pi], minlength=m).astype(np.float64)
        out["n_bad_2hop"] = self._bad_two_hop(lo, hi, bad)
        out["propagated_risk"] = self._propagated(lo, hi, bad)
        return out

    def rule_hits(self, lo: int, hi: int, bad_time: np.ndarray,
                  velocity_7d: int = VELOCITY_7D) -> pd.DataFrame:
        """One row per hit of rows ``lo:hi``: ``row`` (history row), ``code`` and ``reason``,
        as :func:`creditfactory.fraud.rules.rule_hits` gives them for those rows."""
        ev = self._known_bad_evidence(lo, hi, np.asarray(bad_time, np.int64))
        frames = [pd.DataFrame({"row": rows.astype(np.int64), "code": code, "reason": texts})
                  for rows, code, texts in judge(ev, velocity_7d)]
        return pd.concat(frames, ignore_index=True).sort_values(["row", "code"], ignore_index=True)

    def _edges(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self._edge_start[lo], self._edge_start[hi]
        return self.graph.links.pi[a:b], self.graph.links.pj[a:b]

    def _bad_two_hop(self, lo: int, hi: int, bad: np.ndarray) -> np.ndarray:
        rows_lower = self._lower[lo:hi]
        reach = (rows_lower + rows_lower @ self._sym).tocsr()
        rows = np.repeat(np.arange(lo, hi), np.diff(reach.indptr))
        cols = reach.indices
        t = self.times
        keep = (t[cols] < t[rows]) & (cols != rows)
        rows, cols = rows[keep], cols[keep]
        return np.bincount(rows - lo, weights=bad[cols] < t[rows], minlength=hi - lo)

    def _propagated(self, lo: int, hi: int, bad: np.ndarray) -> np.ndarray:
        """alpha x mean risk of the rows' earlier neighbours at their month start: one
        snapshot per month, over the components that hold a known bad by then."""
        t = self.times
        out = np.zeros(hi - lo)
        pi, pj = self._edges(lo, hi)
        month = month_starts(t[lo:hi]) if hi > lo else np.zeros(0, np.int64)
        for boundary in np.unique(month):
            present = int(np.searchsorted(t, boundary))
            seeds = np.flatnonzero(bad[:present] < boundary)
            if not len(seeds):
                continue
            nodes = np.flatnonzero(np.isin(self._component[:present], np.unique(self._component[seeds])))
            sub = self._lower[nodes][:, nodes].tocoo()
            risk = snapshot_risk(sub.row, sub.col, t[nodes], bad[nodes], np.array([boundary]),
                                 self.config.alpha, self.config.n_iter)[:, 0]
            mine = month[pi - lo] == boundary
            ri, rj = pi[mine], pj[mine]
            at = np.searchsorted(nodes, rj)
            at_ok = at < len(nodes)
            found = np.zeros(len(rj), bool)
            found[at_ok] = nodes[at[at_ok]] == rj[at_ok]
            vals = np.where(found, risk[np.minimum(at, len(nodes) - 1)], 0.0)
            num = np.bincount(ri - lo, weights=vals, minlength=hi - lo)
            den = np.bincount(ri - lo, weights=t[rj] < boundary, minlength=hi - lo)
            rows = np.flatnonzero((month == boundary) & (den > 0))
            out[rows] = self.config.alpha * (num[rows] / den[rows])
        return out

    def _known_bad_evidence(self, lo: int, hi: int, bad: np.ndarray) -> RuleEvidence:
        base = self._evidence
        ev = RuleEvidence.neutral(np.arange(lo, hi))
        for f in fields(RuleEvidence):
            if f.name != "row":
                setattr(ev, f.name, getattr(base, f.name)[lo:hi].copy())
        t, ids, pmask = self.times, self.ids, self.graph.links.pmask
        a, b = self._edge_start[lo], self._edge_start[hi]
        pi, pj, mask = self.graph.links.pi[a:b], self.graph.links.pj[a:b], pmask[a:b]
        known = bad[pj] < t[pi]
        for bits, count, example, kinds in ((_CONTACT_BIT, ev.contact_bad, ev.contact_example, None),
                                            (_BLACK_BITS, ev.black_bad, ev.black_example, ev.black_mask)):
            sel = known & ((mask & bits) != 0)
            si, sj = pi[sel] - lo, pj[sel]
            first = np.ones(len(si), bool)
            first[1:] = si[1:] != si[:-1]
            count[:] = np.bincount(si, minlength=hi - lo)
            example[si[first]] = ids[sj[first]]
            if kinds is not None:
                kinds[si[first]] = mask[sel][first]
        row, other = self._same_id
        s, e = np.searchsorted(row, [lo, hi])
        row, other = row[s:e], other[s:e]
        hit = bad[other] < t[row]
        row, other = row[hit], other[hit]
        first = np.ones(len(row), bool)
        first[1:] = row[1:] != row[:-1]
        ev.id_bad[row - lo] = True
        ev.id_bad_example[row[first] - lo] = ids[other[first]]
        return ev


def _earlier_same_resident(identity: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (row, earlier row with the same resident ID), sorted by row then earlier row."""
    rid = identity["resident_id"].to_numpy(np.uint64)
    t = identity["applied_at"].to_numpy(np.int64)
    f = pd.DataFrame({"rid": rid, "row": np.arange(len(rid))})
    f = f[(f["rid"] != 0) & f.duplicated("rid", keep=False)]
    m = f.merge(f, on="rid", suffixes=("", "_o"))
    row, other = m["row"].to_numpy(np.int64), m["row_o"].to_numpy(np.int64)
    keep = t[other] < t[row]
    row, other = row[keep], other[keep]
    order = np.lexsort((other, row))
    return row[order], other[order]
