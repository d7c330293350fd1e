"""The neighbourhood of a kept application in the live graph, for the case page to draw.

Nodes are named by where they came from: the training history (by its id), the store (by the
kept id) or a live application not yet kept.
"""

from __future__ import annotations

from typing import Any

from creditfactory.fraud.live.state import UNSAVED, LiveState
from creditfactory.fraud.neighbourhood import online_neighbourhood

__all__ = ["kept_neighbourhood"]


def kept_neighbourhood(state: LiveState, application_id: int, hops: int = 2,
                       max_nodes: int = 200) -> dict[str, Any] | None:
    """The neighbourhood of the kept application ``application_id``; ``None`` if unknown."""
    with state.lock:
        row = state.graph.row_of(-application_id)
        if row is None:
            return None
        return online_neighbourhood(state.graph, row, _node_name, hops, max_nodes)


def _node_name(graph_id: int) -> dict[str, Any]:
    if graph_id >= 0:
        return {"key": f"training:{graph_id}", "origin": "training",
                "application_id": graph_id}
    if graph_id <= UNSAVED:
        return {"key": f"unsaved:{UNSAVED - graph_id}", "origin": "unsaved",
                "application_id": None}
    return {"key": f"store:{-graph_id}", "origin": "store", "application_id": -graph_id}
