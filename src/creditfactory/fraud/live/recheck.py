"""The re-check before payout: a decided application judged again with what arrived since.

A ring's members apply days apart, and its first member has no ring-mate to link to when it
is decided. Before the money leaves, the case is looked at again in the graph as it is now:
it is tied to fraud when, over links sharing at least ``strong_kinds`` kinds of value (a
phone and a device, an address and a company), it reaches an application the fraud engine
flagged at its own decision (its score at least ``flag_score``) or one found bad since; or
when it shares any one value but the business name, through the same channel within
``burst_days``, with an application scored at least ``burst_score`` (a ring arrives in a
burst through one broker). These are the batch scan's spreading rules
(:func:`creditfactory.fraud.scan._spread`) asked of one application at one moment.

Ties an investigator has already cleared (``cleared``, by their keys) do not count again; a
new tie does. Nothing personal appears in a tie: applications by their kept or training id.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from creditfactory.fraud.graph_config import KIND_CODE, KINDS
from creditfactory.fraud.labels import NEVER
from creditfactory.fraud.live.state import UNSAVED, LiveState

__all__ = ["Recheck", "RecheckPolicy", "Tie", "recheck"]

_NOT_NAME = ~(1 << KIND_CODE["business_name"])
_DAY = 86_400


@dataclass(frozen=True)
class RecheckPolicy:
    """What ties a case to fraud at the re-check (scores are the live graph's 0-1 scores)."""

    flag_score: float
    strong_kinds: int = 2
    burst_days: float = 30.0
    burst_score: float = 1.01
    """Sources of a burst tie score at least this (above 1: no burst ties)."""
    known_bads: bool = True
    """Whether applications found bad (verification findings) are sources too."""
    max_nodes: int = 5_000
    """The strong component explored around the case is cut at this many applications."""

    def __post_init__(self) -> None:
        if not 0 <= self.flag_score <= 1:
            raise ValueError(f"flag_score must be in [0, 1], got {self.flag_score}")
        if self.strong_kinds < 1:
            raise ValueError(f"strong_kinds must be at least 1, got {self.strong_kinds}")
        if self.burst_days < 0 or self.max_nodes < 1:
            raise ValueError("burst_days must be at least 0 and max_nodes at least 1")


@dataclass(frozen=True)
class Tie:
    """One application the case is tied to, and why."""

    key: str  # "store:<kept id>", "training:<id>" or "unsaved:<n>"
    reason: str  # "ring_score", "known_bad" or "burst"
    kinds: str  # the kinds of value on the link that reached it
    hops: int
    score: float | None
    applied_at: int  # epoch seconds

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "reason": self.reason, "kinds": self.kinds, "hops": self.hops,
                "score": None if self.score is None else round(self.score, 4),
                "applied_at": self.applied_at}


@dataclass(frozen=True)
class Recheck:
    """The outcome: the ties found (none: the case may be paid out)."""

    application_id: int
    ties: tuple[Tie, ...]
    component_size: int

    @property
    def hit(self) -> bool:
        return bool(self.ties)

    def evidence(self) -> dict[str, Any]:
        """JSON-safe evidence for the investigator and the audit trail."""
        return {"application_id": self.application_id, "component_size": self.component_size,
                "ties": [t.as_dict() for t in self.ties]}


def _key(graph_id: int) -> str:
    if graph_id >= 0:
        return f"training:{graph_id}"
    if graph_id <= UNSAVED:
        return f"unsaved:{UNSAVED - graph_id}"
    return f"store:{-graph_id}"


def _kinds(mask: int) -> str:
    return ",".join(k for c, k in enumerate(KINDS) if mask >> c & 1)


def recheck(state: LiveState, application_id: int, policy: RecheckPolicy,
            cleared: Collection[str] = (), at: int | None = None) -> Recheck | None:
    """Re-check the kept application ``application_id`` in the graph as it is (under the
    lock); ``None`` when the graph does not hold it. ``at`` (epoch seconds, default: no
    limit): only bads known by then count."""
    with state.lock:
        graph = state.graph
        start = graph.row_of(-application_id)
        if start is None:
            return None
        adj, ids, times, bad, results = graph.adj, graph.ids, graph.times, graph.bad, state.results
        known_by = NEVER - 1 if at is None else at
        ties: dict[str, Tie] = {}

        def consider(row: int, reason_if_scored: str, min_score: float, mask: int,
                     hops: int) -> None:
            key = _key(ids[row])
            if key in cleared or key in ties:
                return
            scored = results.get(row)
            if scored is not None and scored[0] >= min_score:
                ties[key] = Tie(key, reason_if_scored, _kinds(mask), hops, scored[0], times[row])
            elif policy.known_bads and bad[row] <= known_by and reason_if_scored == "ring_score":
                ties[key] = Tie(key, "known_bad", _kinds(mask), hops,
                                None if scored is None else scored[0], times[row])

        seen = {start: 0}
        queue = deque([start])
        while queue and len(seen) < policy.max_nodes:
            row = queue.popleft()
            for nbr, mask in adj[row].items():
                if nbr in seen or mask.bit_count() < policy.strong_kinds:
                    continue
                seen[nbr] = seen[row] + 1
                consider(nbr, "ring_score", policy.flag_score, mask, seen[nbr])
                queue.append(nbr)
        t0, channel = times[start], graph.channel_of(start)
        for nbr, mask in adj[start].items():
            if (mask & _NOT_NAME and graph.channel_of(nbr) == channel
                    and abs(times[nbr] - t0) <= policy.burst_days * _DAY):
                consider(nbr, "burst", policy.burst_score, mask, 1)
        return Recheck(application_id, tuple(ties.values()), len(seen))
