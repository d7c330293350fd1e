"""One application's neighbourhood as plain data, for the case page to draw.

Nodes are applications within ``hops`` structural links (as of the graph's last arrival),
links carry their kinds, and known bads are marked with the date they became known. Values
appear only as link kinds, never raw or hashed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from creditfactory.fraud.config import KINDS
from creditfactory.fraud.graph import IdentityGraph
from creditfactory.fraud.labels import NEVER


def neighbourhood(graph: IdentityGraph, application_id: int, hops: int = 2,
                  max_nodes: int = 200) -> dict[str, Any]:
    """``{"center", "nodes": [...], "links": [...], "truncated"}``, JSON-serialisable."""
    centre = graph.row_of(application_id)
    adj = graph.adjacency()
    seen = {centre: 0}
    frontier = [centre]
    truncated = False
    for depth in range(1, hops + 1):
        nxt: list[int] = []
        for r in frontier:
            for j in adj.indices[adj.indptr[r]:adj.indptr[r + 1]].tolist():
                if j not in seen:
                    if len(seen) >= max_nodes:
                        truncated = True
                        break
                    seen[j] = depth
                    nxt.append(j)
        frontier = nxt
    rows = np.fromiter(seen, np.int64)
    ident = graph.identity
    ids = ident["application_id"].to_numpy()
    times = ident["applied_at"].to_numpy()
    nodes = [
        {
            "application_id": int(ids[r]),
            "hop": seen[int(r)],
            "applied_at": str(times[r].astype("datetime64[s]")),
            "channel_id": str(ident["channel_id"].iat[r]),
            "known_bad_since": None if graph.bad_time[r] == NEVER
            else str(np.int64(graph.bad_time[r]).astype("datetime64[s]")),
        }
        for r in rows
    ]
    links = graph.links
    inside = np.isin(links.pi, rows) & np.isin(links.pj, rows)
    edges = [
        {"source": int(ids[a]), "target": int(ids[b]),
         "kinds": [k for c, k in enumerate(KINDS) if m >> c & 1]}
        for a, b, m in zip(links.pi[inside].tolist(), links.pj[inside].tolist(),
                           links.pmask[inside].tolist(), strict=True)
    ]
    return {"center": int(application_id), "nodes": nodes, "links": edges,
            "truncated": truncated}
