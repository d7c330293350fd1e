"""Seeding the live fraud graph with the training history (the applications the fraud model
learnt from, and when each became a known bad).

Seeding costs about a second per hundred thousand applications; batch back-tests never score
a live application, so the history is kept and seeded only when a live application first
needs it (:meth:`HistorySeed.ensure`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditfactory.fraud.labels import NEVER
from creditfactory.fraud.live.state import LiveState

__all__ = ["HistorySeed"]


class HistorySeed:
    """The history a live graph is seeded with, seeded now or on first use."""

    def __init__(self, state: LiveState) -> None:
        self._state = state
        self._pending: tuple[pd.DataFrame, np.ndarray] | None = None

    def now(self, identity: pd.DataFrame, bad_time: np.ndarray) -> None:
        """Add the rows of an identity table (with their known-bad times) in time order.

        An empty graph is filled in one vectorised pass; a graph already holding applications
        has the rows added one by one.
        """
        with self._state.lock:
            _seed(self._state, identity, bad_time)

    def on_first_use(self, identity: pd.DataFrame, bad_time: np.ndarray) -> None:
        """Keep the history and seed from it only when :meth:`ensure` is first called."""
        with self._state.lock:
            self._pending = (identity, np.asarray(bad_time, np.int64))

    def ensure(self) -> None:
        """Seed from the kept history now, if that has not happened yet."""
        if self._pending is None:
            return
        with self._state.lock:
            if self._pending is not None:
                identity, bad = self._pending
                try:
                    _seed(self._state, identity, bad)
                finally:
                    self._pending = None


def _seed(state: LiveState, identity: pd.DataFrame, bad_time: np.ndarray) -> None:
    graph = state.graph
    bad = np.asarray(bad_time, np.int64)
    ids = identity["application_id"].to_numpy(np.int64)
    order = np.lexsort((ids, identity["applied_at"].to_numpy(np.int64)))
    if not len(graph):
        graph.seed(identity.iloc[order].reset_index(drop=True), bad[order])
        return
    for app_id, b in zip(ids[bad < NEVER].tolist(), bad[bad < NEVER].tolist(), strict=True):
        graph.mark_bad(app_id, b)
    cols = [c for c in identity.columns if c != "channel_id"]
    for row in identity[cols].iloc[order].to_dict("records"):
        graph.add({str(k): int(v) for k, v in row.items()})
