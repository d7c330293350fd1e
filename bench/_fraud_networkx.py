"""The same point-in-time graph features computed the networkx way, as the benchmark's peer.

A bipartite networkx graph of applications and values, an application graph for links,
``networkx.utils.UnionFind`` for point-in-time components and ``nx.pagerank`` (personalised
on known bads, alpha 0.5) on each month's snapshot for the propagated risk. Everything but
the propagated risk is defined exactly as ours, and the benchmark checks they agree.
"""

from __future__ import annotations

from bisect import bisect_left

import networkx as nx
import numpy as np
import pandas as pd
from networkx.utils import UnionFind

from creditfactory.fraud._features import DAY, FEATURES
from creditfactory.fraud.graph_config import KIND_CODE, KINDS, GraphConfig
from creditfactory.fraud.identity import LINK_COLUMNS

PHONE, CONTACT = KIND_CODE["phone"], KIND_CODE["contact"]


def nx_features(identity: pd.DataFrame, bad: np.ndarray, config: GraphConfig) -> pd.DataFrame:
    n = len(identity)
    t = identity["applied_at"].to_numpy().tolist()
    chan = identity["channel"].to_numpy().tolist()
    bad_l = bad.tolist()
    caps = config.cap_array().tolist()
    structural = config.structural_mask().tolist()
    cols = list(LINK_COLUMNS)
    kinds = [KIND_CODE[LINK_COLUMNS[c]] for c in cols]
    values = identity[cols].to_numpy().tolist()
    bip = nx.Graph()
    apps = nx.Graph()
    apps.add_nodes_from(range(n))
    counted = np.zeros((n, len(KINDS)))
    for i in range(n):
        seen = set()
        for h, k in zip(values[i], kinds, strict=True):
            if h == 0 or h in seen:
                continue
            seen.add(h)
            node = ("v", h)
            if node not in bip:
                bip.add_node(node, holders=[], times=[])
            holders, times = bip.nodes[node]["holders"], bip.nodes[node]["times"]
            rank = bisect_left(times, t[i])
            if rank < caps[k]:
                if structural[k]:
                    for j, kj in holders[:rank]:
                        lk = k if k not in (PHONE, CONTACT) else (
                            PHONE if k == PHONE and kj == PHONE else CONTACT)
                        mask = apps.edges[i, j]["mask"] if apps.has_edge(i, j) else 0
                        apps.add_edge(i, j, mask=mask | (1 << lk))
                else:
                    counted[i, k] += rank
            bip.add_edge(i, node)
            holders.append((i, k))
            times.append(t[i])
    out = {f: np.zeros(n) for f in FEATURES}
    uf = UnionFind()
    i = 0
    d7, d30 = (d * DAY for d in config.velocity_days)
    while i < n:
        j = i
        while j < n and t[j] == t[i]:
            j += 1
        for a in range(i, j):
            nb = {b: apps.edges[a, b]["mask"] for b in apps.neighbors(a) if t[b] < t[a]}
            union = 0
            for code, kind in enumerate(KINDS):
                if structural[code]:
                    out[f"n_link_{kind}"][a] = sum((m >> code) & 1 for m in nb.values())
                else:
                    out[f"n_link_{kind}"][a] = counted[a, code]
                    union |= (1 << code) if counted[a, code] > 0 else 0
            for m in nb.values():
                union |= m
            out["n_kinds"][a] = union.bit_count()
            out["max_shared_kinds"][a] = max((m.bit_count() for m in nb.values()), default=0)
            out["n_strong_1hop"][a] = sum(m.bit_count() >= 2 for m in nb.values())
            out["n_linked_1hop"][a] = len(nb)
            out["n_bad_1hop"][a] = sum(bad_l[b] < t[a] for b in nb)
            reach = set(nb)
            for b in nb:
                reach.update(c for c in apps.neighbors(b) if t[c] < t[a])
            reach.discard(a)
            out["n_linked_2hop"][a] = len(reach)
            out["n_bad_2hop"][a] = sum(bad_l[b] < t[a] for b in reach)
            out["same_channel_share"][a] = (sum(chan[b] == chan[a] for b in nb) / len(nb)
                                            if nb else 0.0)
            out["velocity_7d"][a] = sum(t[a] - t[b] <= d7 for b in nb)
            out["velocity_30d"][a] = sum(t[a] - t[b] <= d30 for b in nb)
            roots = {uf[b] for b in nb}
            out["component_size"][a] = 1 + sum(_size(uf, r) for r in roots)
        for a in range(i, j):
            uf[a]
            for b in apps.neighbors(a):
                if t[b] < t[a]:
                    uf.union(a, b)
        i = j
    out["propagated_risk"] = _pagerank_risk(apps, np.asarray(t), bad, config.alpha)
    return pd.DataFrame(out)


def _size(uf: UnionFind, root: object) -> int:
    return uf.weights[root]


def _pagerank_risk(apps: nx.Graph, t: np.ndarray, bad: np.ndarray, alpha: float) -> np.ndarray:
    months = t.astype("datetime64[s]").astype("datetime64[M]")
    starts = months.astype("datetime64[s]").astype(np.int64)
    linked = [v for v in apps.nodes if apps.degree(v) > 0]
    risk = np.zeros(len(t))
    for b in np.unique(starts[linked]):
        present = [v for v in linked if t[v] < b]
        seeds = {v: 1.0 for v in present if bad[v] < b}
        if not seeds:
            continue
        sub = apps.subgraph(present)
        pr = nx.pagerank(sub, alpha=alpha, personalization=seeds, max_iter=100)
        for a in np.flatnonzero(starts == b).tolist():
            nb = [v for v in apps.neighbors(a) if t[v] < b]
            if nb:
                risk[a] = alpha * float(np.mean([pr.get(v, 0.0) for v in nb]))
    return risk
