"""Placing a case's fraud neighbourhood: rings by hop around the application.

:func:`layout` places the nodes of a neighbourhood dict (``{"center", "nodes", "links",
"truncated"}``); it is pure, so a given neighbourhood always gives the same picture. Nodes are named by ``key`` when they carry one (the online graph
names training, stored and unsaved applications apart) and by ``application_id`` otherwise.
Hop-1 nodes are ordered by arrival; each further ring is ordered by the angle of its links into
the ring inside it and turned to line up with them, which keeps links short and few crossing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["PlacedNode", "PlacedLink", "NeighbourhoodLayout", "layout"]


@dataclass(frozen=True)
class PlacedNode:
    key: str
    hop: int
    x: float
    y: float
    known_bad: bool
    title: str


@dataclass(frozen=True)
class PlacedLink:
    source: str
    target: str
    x1: float
    y1: float
    x2: float
    y2: float
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class NeighbourhoodLayout:
    width: int
    height: int
    node_radius: float
    centre: str
    nodes: tuple[PlacedNode, ...]
    links: tuple[PlacedLink, ...]
    truncated: bool


def _key(node: Mapping[str, Any]) -> str:
    return str(node["key"] if node.get("key") is not None else node["application_id"])


def _title(node: Mapping[str, Any], centre: bool) -> str:
    origin = node.get("origin")
    app_id = node.get("application_id")
    if app_id is None:
        first = "an application not yet saved"
    else:
        first = f"{'training ' if origin == 'training' else ''}application {app_id}"
    parts = [first + (" (this case)" if centre else "")]
    if not centre and node.get("hop") is not None:
        parts.append(f"{node['hop']} hop(s) away")
    if node.get("applied_at"):
        parts.append(f"applied {str(node['applied_at'])[:10]}")
    if node.get("channel_id"):
        parts.append(f"channel {node['channel_id']}")
    elif not centre and node.get("same_channel_as_center") is not None:
        parts.append("same channel" if node["same_channel_as_center"] else "another channel")
    if node.get("known_bad_since"):
        parts.append(f"known bad since {str(node['known_bad_since'])[:10]}")
    return ", ".join(parts)


def _circular_mean(angles: list[float]) -> float:
    s = sum(math.sin(a) for a in angles)
    c = sum(math.cos(a) for a in angles)
    return math.atan2(s, c) % (2 * math.pi)


def layout(nbh: Mapping[str, Any], width: int = 640, height: int = 440) -> NeighbourhoodLayout:
    """Place the centre in the middle and hop ``h`` nodes evenly on ring ``h``."""
    centre = str(nbh["center"])
    raw = {_key(n): n for n in nbh.get("nodes", [])}
    raw.setdefault(centre, {"key": centre, "hop": 0})
    hop = {a: (0 if a == centre else max(1, int(n.get("hop") or 1))) for a, n in raw.items()}
    pairs: dict[tuple[str, str], set[str]] = {}
    for link in nbh.get("links", []):
        s, t = str(link["source"]), str(link["target"])
        if s != t and s in raw and t in raw:
            pairs.setdefault((min(s, t), max(s, t)), set()).update(map(str, link.get("kinds", ())))
    neighbours: dict[str, list[str]] = {a: [] for a in raw}
    for s, t in pairs:
        neighbours[s].append(t)
        neighbours[t].append(s)

    rings: dict[int, list[str]] = {}
    for a, h in hop.items():
        rings.setdefault(h, []).append(a)
    deepest = max(rings)
    margin = 18.0
    step = (min(width, height) / 2 - margin) / max(deepest, 1)
    cx, cy = width / 2, height / 2
    angle: dict[str, float] = {centre: 0.0}
    for h in sorted(k for k in rings if k > 0):
        members = rings[h]

        def key(a: str, h: int = h) -> tuple[float, str, str]:
            inner = [angle[b] for b in neighbours[a] if hop[b] == h - 1 and b in angle]
            towards = _circular_mean(inner) if inner and h > 1 else 0.0
            return towards, str(raw[a].get("applied_at") or ""), a

        keys = {a: key(a) for a in members}
        members.sort(key=keys.__getitem__)
        n = len(members)
        offset = -math.pi / 2
        if h > 1:
            offset = _circular_mean([keys[a][0] - 2 * math.pi * k / n for k, a in enumerate(members)])
        for k, a in enumerate(members):
            angle[a] = (offset + 2 * math.pi * k / n) % (2 * math.pi)
    crowd = max(
        (len(m) / (2 * math.pi * h * step) for h, m in rings.items() if h > 0), default=0.0
    )
    radius = max(2.5, min(9.0, 0.4 / crowd if crowd else 9.0))
    pos = {
        a: (cx + hop[a] * step * math.cos(angle[a]), cy + hop[a] * step * math.sin(angle[a]))
        for a in raw
    }
    nodes = tuple(
        PlacedNode(
            a,
            hop[a],
            round(pos[a][0], 1),
            round(pos[a][1], 1),
            bool(raw[a].get("known_bad_since")),
            _title(raw[a], a == centre),
        )
        for a in sorted(raw, key=lambda a: (hop[a], a))
    )
    links = tuple(
        PlacedLink(
            s,
            t,
            round(pos[s][0], 1),
            round(pos[s][1], 1),
            round(pos[t][0], 1),
            round(pos[t][1], 1),
            tuple(sorted(kinds)),
        )
        for (s, t), kinds in sorted(pairs.items())
    )
    return NeighbourhoodLayout(
        width, height, round(radius, 1), centre, nodes, links, bool(nbh.get("truncated"))
    )
