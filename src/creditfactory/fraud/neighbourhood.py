"""One application's neighbourhood as plain data, for the case page to draw.

Nodes are applications within ``hops`` structural links (as of the graph's last arrival),
links carry their kinds, and known bads are marked with the date they became known. Values
appear only as link kinds, never raw or hashed. The batch graph and the online graph give the
same shape; the online one names each node by where it came from (``origin``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from creditfactory.fraud.graph import IdentityGraph
from creditfactory.fraud.graph_config import KINDS
from creditfactory.fraud.incremental import OnlineGraph
from creditfactory.fraud.labels import NEVER


def _walk(neighbours: Callable[[int], Iterable[int]], centre: int, hops: int,
          max_nodes: int) -> tuple[dict[int, int], bool]:
    """Rows within ``hops`` of ``centre`` with their hop, and whether ``max_nodes`` cut it."""
    seen = {centre: 0}
    frontier = [centre]
    truncated = False
    for depth in range(1, hops + 1):
        nxt: list[int] = []
        for r in frontier:
            for j in neighbours(r):
                if j not in seen:
                    if len(seen) >= max_nodes:
                        truncated = True
                        break
                    seen[j] = depth
                    nxt.append(j)
        frontier = nxt
    return seen, truncated


def _kinds(mask: int) -> list[str]:
    return [k for c, k in enumerate(KINDS) if mask >> c & 1]


def _when(seconds: int) -> str | None:
    return None if seconds == NEVER else str(np.int64(seconds).astype("datetime64[s]"))


def neighbourhood(graph: IdentityGraph, application_id: int, hops: int = 2,
                  max_nodes: int = 200) -> dict[str, Any]:
    """``{"center", "nodes": [...], "links": [...], "truncated"}``, JSON-serialisable."""
    centre = graph.row_of(application_id)
    adj = graph.adjacency()
    seen, truncated = _walk(
        lambda r: adj.indices[adj.indptr[r]:adj.indptr[r + 1]].tolist(), centre, hops, max_nodes)
    rows = np.fromiter(seen, np.int64)
    ident = graph.identity
    ids = ident["application_id"].to_numpy()
    times = ident["applied_at"].to_numpy()
    nodes = [
        {
            "application_id": int(ids[r]),
            "hop": seen[int(r)],
            "applied_at": _when(int(times[r])),
            "channel_id": str(ident["channel_id"].iat[r]),
            "known_bad_since": _when(int(graph.bad_time[r])),
        }
        for r in rows
    ]
    links = graph.links
    inside = np.isin(links.pi, rows) & np.isin(links.pj, rows)
    edges = [
        {"source": int(ids[a]), "target": int(ids[b]), "kinds": _kinds(m)}
        for a, b, m in zip(links.pi[inside].tolist(), links.pj[inside].tolist(),
                           links.pmask[inside].tolist(), strict=True)
    ]
    return {"center": int(application_id), "nodes": nodes, "links": edges,
            "truncated": truncated}


def online_neighbourhood(graph: OnlineGraph, row: int, name: Callable[[int], dict[str, Any]],
                         hops: int = 2, max_nodes: int = 200) -> dict[str, Any]:
    """The same shape from an :class:`OnlineGraph` row.

    ``name`` turns a graph application id into the fields that identify a node to the reader,
    with a unique ``"key"`` that links refer to (e.g. ``{"key": "store:7", "origin": "store",
    "application_id": 7}``). The online graph holds no raw channel,
    so nodes say whether they came through the centre's channel instead.
    """
    seen, truncated = _walk(lambda r: sorted(graph.adj[r]), row, hops, max_nodes)
    channel = graph.channel_of
    nodes = [
        {
            **name(graph.ids[r]),
            "hop": hop,
            "applied_at": _when(graph.times[r]),
            "same_channel_as_center": channel(r) == channel(row),
            "known_bad_since": _when(graph.bad[r]),
        }
        for r, hop in seen.items()
    ]
    edges = [
        {"source": name(graph.ids[a])["key"], "target": name(graph.ids[b])["key"],
         "kinds": _kinds(m)}
        for a in sorted(seen) for b, m in sorted(graph.adj[a].items()) if b < a and b in seen
    ]
    return {"center": name(graph.ids[row])["key"], "nodes": nodes, "links": edges,
            "truncated": truncated}
