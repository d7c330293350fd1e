"""What the live fraud graph's jobs share: the incremental graph, one lock, the ids it knows.

Applications scored here join the graph at once under a provisional id (below
:data:`UNSAVED`) and take their kept id later; each node's score and graph-rule hits are
kept (:attr:`LiveState.results`), so the same application scored again gets its first answer.
Near a month's end the next month's risk snapshot is prepared in a background thread, so the
month's first application does not compute it.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter

import numpy as np

from creditfactory.fraud.graph_config import GraphConfig
from creditfactory.fraud.identity import HASH_COLUMNS
from creditfactory.fraud.incremental import OnlineGraph, RiskMark
from creditfactory.fraud.rules import judge_one, online_one_evidence

__all__ = ["UNSAVED", "Hits", "LiveState", "Model", "fingerprint"]

UNSAVED = -(1 << 62)
"""Graph ids below this are live applications not yet kept."""

_PREPARE_LEAD = 3 * 86_400  # prepare the next snapshot in the month's last three days
_PREPARE_STALE = 2_000  # prepare again once this many applications arrived since

Hits = tuple[tuple[str, str], ...]
"""Rule hits as ``(code, reason)`` pairs."""

fingerprint: Callable[[Mapping[str, int]], tuple[int, ...]] = itemgetter(
    "applied_at", *HASH_COLUMNS)
"""What recognises one application's identity record: its time and its hashes."""


class Model:
    """The fraud model as the graph uses it: a probability for a feature row, turned into its
    rank among the development probabilities."""

    def __init__(self, predict: Callable[[list[float]], float], columns: Sequence[str],
                 ranks: np.ndarray) -> None:
        self.predict = predict
        self.columns = tuple(columns)
        self.ranks = np.sort(np.asarray(ranks, float)).tolist()
        self._n = max(len(self.ranks), 1)

    def score(self, feats: Mapping[str, float]) -> float:
        """The 0-1 fraud score of one application's graph features."""
        p = self.predict([feats[c] for c in self.columns])
        return bisect_right(self.ranks, p) / self._n


class LiveState:
    """The graph and the bookkeeping every job reads and writes under :attr:`lock`."""

    def __init__(self, model: Model, key: bytes, config: GraphConfig | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.model = model
        self.key = key
        self.graph = OnlineGraph(config)
        self.lock = threading.Lock()
        self.clock = clock
        self.next_unsaved = UNSAVED
        self.unsaved: dict[tuple[int, ...], list[int]] = {}
        self.by_fingerprint: dict[tuple[int, ...], int] = {}
        self.results: dict[int, tuple[float, Hits]] = {}
        self.background_refresh = True
        self._preparing = False

    def add(self, ident: dict[str, int]) -> int:
        """Insert an identity record (under the lock) and keep its score and graph-rule hits;
        its row. A record earlier than the graph's latest is placed one second after it."""
        graph = self.graph
        if len(graph) and ident["applied_at"] < graph.times[-1]:
            ident["applied_at"] = graph.times[-1] + 1
        feats = graph.add(ident)
        row = len(graph) - 1
        ev = online_one_evidence(graph, row, feats)
        ev.id_bad_example = shown_id(ev.id_bad_example)
        ev.contact_example = shown_id(ev.contact_example)
        ev.black_example = shown_id(ev.black_example)
        self._maybe_prepare()
        self.results[row] = (self.model.score(feats), tuple(judge_one(ev)))
        return row

    def relabel_waiting(self, key: tuple[int, ...], gid: int) -> bool:
        """Give the oldest provisional node with this fingerprint the id ``gid`` (under the lock)."""
        graph = self.graph
        if graph.row_of(gid) is not None:
            return False
        waiting = self.unsaved.get(key)
        if not waiting:
            return False
        graph.relabel(graph.ids[waiting.pop(0)], gid)
        if not waiting:
            del self.unsaved[key]
        return True

    def refresh_ahead(self) -> None:
        """Prepare the next month start's risk snapshot now."""
        with self.lock:
            mark = self.graph.risk_mark()
        self.graph.prepare_risk(mark)

    def _maybe_prepare(self) -> None:
        """Start a background preparation near the month's end (called under the lock)."""
        graph = self.graph
        if self._preparing or not self.background_refresh:
            return
        if graph.next_boundary - graph.times[-1] > _PREPARE_LEAD:
            return
        done = graph.prepared
        if done is not None and done.boundary == graph.next_boundary and (
                len(graph) - done.rows < _PREPARE_STALE):
            return
        self._preparing = True
        threading.Thread(target=self._prepare, args=(graph.risk_mark(),), daemon=True).start()

    def _prepare(self, mark: RiskMark) -> None:
        try:
            self.graph.prepare_risk(mark)
        finally:
            self._preparing = False


def shown_id(graph_id: int) -> int:
    """The id a reader knows: kept id for kept applications, 0 while unsaved."""
    if graph_id >= 0:
        return graph_id
    return 0 if graph_id <= UNSAVED else -graph_id
