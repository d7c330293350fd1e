"""The monthly risk snapshot of the incremental graph: known-bad risk spread along its links.

Each application's ``propagated_risk`` reads the snapshot taken at the start of its month.
The snapshot of the next month start can be prepared ahead (:meth:`RiskSnapshots.prepare_risk`,
e.g. in a background thread during the month's last days): when the first application of the
month arrives, only the components touched since the preparation are recomputed, so that
application does not wait for the whole graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from creditfactory.fraud.graph_config import GraphConfig
from creditfactory.fraud.propagation import snapshot_risk

__all__ = ["PreparedRisk", "RiskMark", "RiskSnapshots"]

@dataclass(frozen=True)
class RiskMark:
    """Where the graph stood when a snapshot preparation began (rows, edges, bad marks)."""

    boundary: int
    rows: int
    edges: int
    marks: int


@dataclass(frozen=True)
class PreparedRisk:
    """A month start's risk snapshot computed ahead, valid for the graph as of ``mark``."""

    mark: RiskMark
    risk: dict[int, float]


class RiskSnapshots:
    """The snapshot part of :class:`~creditfactory.fraud.incremental.OnlineGraph`."""

    config: GraphConfig
    ids: list[int]
    adj: list[dict[int, int]]
    full_refreshes: int
    _t: list[int]
    _bad: list[int]
    _eu: list[int]
    _ev: list[int]
    _marked: list[int]
    _boundary: int
    _next_boundary: int
    _risk: dict[int, float]
    _prepared: PreparedRisk | None

    def refresh_risk(self, boundary: int) -> None:
        """Install the risk snapshot at a month start (``add`` calls it on a new month).

        A snapshot prepared ahead for ``boundary`` is used, patched where the graph changed
        since; otherwise the whole snapshot is computed here.
        """
        prepared, self._prepared = self._prepared, None
        if prepared is not None and prepared.mark.boundary == boundary:
            risk = self._patched(prepared)
        else:
            self.full_refreshes += 1
            risk = self._snapshot(boundary, len(self.ids), len(self._eu))
        self._install(boundary, risk)

    def _install(self, boundary: int, risk: dict[int, float]) -> None:
        self._boundary = boundary
        nxt = np.int64(boundary).astype("datetime64[s]").astype("datetime64[M]") + 1
        self._next_boundary = int(nxt.astype("datetime64[s]").astype(np.int64))
        self._risk = risk

    def risk_mark(self) -> RiskMark:
        """Where the graph stands, for :meth:`prepare_risk` (take it under the writers' lock)."""
        return RiskMark(self._next_boundary, len(self.ids), len(self._eu), len(self._marked))

    def prepare_risk(self, mark: RiskMark) -> None:
        """Compute the snapshot at ``mark.boundary`` from the graph as of ``mark``.

        Safe to run while other threads add applications: it reads only what existed at
        ``mark``, and whatever changed since is recomputed when the snapshot is installed.
        """
        risk = self._snapshot(mark.boundary, mark.rows, mark.edges)
        if mark.boundary == self._next_boundary:
            self._prepared = PreparedRisk(mark, risk)

    @property
    def prepared(self) -> RiskMark | None:
        """The mark of the snapshot prepared for the next month start, if any."""
        return None if self._prepared is None else self._prepared.mark

    def _snapshot(self, boundary: int, n_rows: int, n_edges: int) -> dict[int, float]:
        bad = np.asarray(self._bad[:n_rows], np.int64)
        seeds = np.flatnonzero(bad < boundary)
        u = np.asarray(self._eu[:n_edges], np.int64)
        v = np.asarray(self._ev[:n_edges], np.int64)
        return self._risk_of(u, v, seeds, boundary)

    def _risk_of(
        self, u: np.ndarray, v: np.ndarray, seeds: np.ndarray, boundary: int
    ) -> dict[int, float]:
        """Snapshot risk of the edges' ends and of the known bads (linked or not yet)."""
        nodes = np.unique(np.concatenate([u, v, seeds]))
        if not len(nodes):
            return {}
        ui = np.searchsorted(nodes, u)
        vi = np.searchsorted(nodes, v)
        rows = nodes.tolist()
        times = self._t
        bad = self._bad
        risk = snapshot_risk(
            ui, vi, np.array([times[r] for r in rows], np.int64),
            np.array([bad[r] for r in rows], np.int64),
            np.array([boundary], np.int64), self.config.alpha, self.config.n_iter,
        )[:, 0]
        return dict(zip(rows, risk.tolist(), strict=True))

    def _patched(self, prepared: PreparedRisk) -> dict[int, float]:
        """The prepared snapshot with the components touched since its mark recomputed.

        Risk spreads only along edges, so a component nothing touched keeps its numbers.
        """
        mark = prepared.mark
        touched = set(range(mark.rows, len(self.ids)))
        touched.update(self._eu[mark.edges:], self._ev[mark.edges:], self._marked[mark.marks:])
        seen: set[int] = set()
        stack = list(touched)
        while stack:
            a = stack.pop()
            if a not in seen:
                seen.add(a)
                stack.extend(b for b in self.adj[a] if b not in seen)
        risk = prepared.risk
        for a in seen:
            risk.pop(a, None)
        u = [a for a in seen for b in self.adj[a] if b < a]
        v = [b for a in seen for b in self.adj[a] if b < a]
        seeds = [a for a in seen if self._bad[a] < mark.boundary]
        risk.update(self._risk_of(np.asarray(u, np.int64), np.asarray(v, np.int64),
                                  np.asarray(seeds, np.int64), mark.boundary))
        return risk

