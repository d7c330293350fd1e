"""The identity graph for live decisions: add one application, get its features at once.

State is a value -> holders index, structural adjacency sets, a union-find over
applications and the last monthly risk snapshot; :meth:`OnlineGraph.add` touches only the new
application's values and neighbours. Its numbers equal :class:`IdentityGraph`'s batch build
(the tests replay a batch through it), including the ties rule: applications with the same
``applied_at`` do not see each other.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping

import numpy as np

from creditfactory.fraud._features import DAY, FEATURES
from creditfactory.fraud.config import KIND_CODE, KINDS, GraphConfig
from creditfactory.fraud.errors import ApplicationOutOfOrder
from creditfactory.fraud.identity import LINK_COLUMNS
from creditfactory.fraud.propagation import month_starts, snapshot_risk

NEVER = np.iinfo(np.int64).max
_PHONE, _CONTACT = KIND_CODE["phone"], KIND_CODE["contact"]


class OnlineGraph:
    """Incremental identity graph; feed applications in ``applied_at`` order."""

    def __init__(self, config: GraphConfig | None = None) -> None:
        self.config = config or GraphConfig()
        self._caps = self.config.cap_array()
        self._structural = self.config.structural_mask().tolist()
        self._cap_list = self._caps.tolist()
        self._holders: dict[int, tuple[list[int], list[int], list[int]]] = {}
        self.ids: list[int] = []
        self._row: dict[int, int] = {}
        self._t: list[int] = []
        self._channel: list[int] = []
        self._rid: list[int] = []
        self._bad: list[int] = []
        self._bad_by_id: dict[int, int] = {}
        self.adj: list[dict[int, int]] = []
        self._parent: list[int] = []
        self._size: list[int] = []
        self._pending: list[tuple[int, list[int]]] = []
        self._boundary = -(2**62)
        self._next_boundary = -(2**62)
        self._risk: dict[int, float] = {}
        self._eu: list[int] = []
        self._ev: list[int] = []

    def __len__(self) -> int:
        return len(self.ids)

    def mark_bad(self, application_id: int, known_at: int) -> None:
        """Record that an application became a known bad at ``known_at`` (epoch seconds)."""
        self._bad_by_id[application_id] = known_at
        row = self._row.get(application_id)
        if row is not None:
            self._bad[row] = known_at

    def add(self, application: Mapping[str, int]) -> dict[str, float]:
        """Insert one hashed application (a row of :func:`identity_table`); its features."""
        t = int(application["applied_at"])
        if self._t and t < self._t[-1]:
            raise ApplicationOutOfOrder(
                f"application {application['application_id']} applied before the last one added"
            )
        if self._pending and t > self._t[self._pending[0][0]]:
            self._flush()
        if t >= self._next_boundary:
            boundary = int(month_starts(np.array([t]))[0])
            self.refresh_risk(boundary)
        me = len(self.ids)
        pairs, counted = self._link(application, me, t)
        feats = self._features(pairs, counted, t, int(application["channel"]))
        app_id = int(application["application_id"])
        self.ids.append(app_id)
        self._row[app_id] = me
        self._t.append(t)
        self._channel.append(int(application["channel"]))
        self._rid.append(int(application.get("resident_id", 0)))
        self._bad.append(self._bad_by_id.get(app_id, NEVER))
        self.adj.append(dict(pairs))
        for j, m in pairs.items():
            self.adj[j][me] = m
        self._eu.extend([me] * len(pairs))
        self._ev.extend(pairs)
        self._parent.append(me)
        self._size.append(1)
        self._pending.append((me, list(pairs)))
        return feats

    def _link(
        self, application: Mapping[str, int], me: int, t: int
    ) -> tuple[dict[int, int], list[int]]:
        pairs: dict[int, int] = {}
        counted = [0] * len(KINDS)
        seen: set[int] = set()
        for column, kind_name in LINK_COLUMNS.items():
            h = int(application[column])
            if h == 0 or h in seen:
                continue
            seen.add(h)
            kind = KIND_CODE[kind_name]
            apps, times, kinds = self._holders.setdefault(h, ([], [], []))
            rank = bisect_left(times, t)
            if rank < self._cap_list[kind]:
                if self._structural[kind]:
                    phone_space = kind in (_PHONE, _CONTACT)
                    for j, kj in zip(apps[:rank], kinds[:rank], strict=True):
                        lk = kind
                        if phone_space:
                            lk = _PHONE if kind == _PHONE and kj == _PHONE else _CONTACT
                        pairs[j] = pairs.get(j, 0) | (1 << lk)
                else:
                    counted[kind] += rank
            apps.append(me)
            times.append(t)
            kinds.append(kind)
        rid = int(application.get("resident_id", 0))
        if rid:
            pairs = {j: m for j, m in pairs.items() if self._rid[j] != rid}
        return pairs, counted

    def _features(
        self, pairs: dict[int, int], counted: list[int], t: int, channel: int
    ) -> dict[str, float]:
        out = dict.fromkeys(FEATURES, 0.0)
        masks = list(pairs.values())
        union = 0
        for code, kind in enumerate(KINDS):
            if self._structural[code]:
                out[f"n_link_{kind}"] = float(sum((m >> code) & 1 for m in masks))
            else:
                out[f"n_link_{kind}"] = float(counted[code])
                if counted[code] > 0:
                    union |= 1 << code
        for m in masks:
            union |= m
        out["n_kinds"] = float(union.bit_count())
        out["max_shared_kinds"] = float(max((m.bit_count() for m in masks), default=0))
        out["n_strong_1hop"] = float(sum(m.bit_count() >= 2 for m in masks))
        bad, times, chan = self._bad, self._t, self._channel
        out["n_linked_1hop"] = float(len(pairs))
        out["n_bad_1hop"] = float(sum(bad[j] < t for j in pairs))
        reach = set(pairs)
        for k in pairs:
            reach.update(j for j in self.adj[k] if times[j] < t)
        out["n_linked_2hop"] = float(len(reach))
        out["n_bad_2hop"] = float(sum(bad[j] < t for j in reach))
        if pairs:
            out["same_channel_share"] = sum(chan[j] == channel for j in pairs) / len(pairs)
        d7, d30 = (d * DAY for d in self.config.velocity_days)
        out["velocity_7d"] = float(sum(t - times[j] <= d7 for j in pairs))
        out["velocity_30d"] = float(sum(t - times[j] <= d30 for j in pairs))
        roots = {self._find(j) for j in pairs}
        out["component_size"] = float(1 + sum(self._size[r] for r in roots))
        present = [self._risk.get(j, 0.0) for j in pairs if times[j] < self._boundary]
        if present:
            out["propagated_risk"] = self.config.alpha * (sum(present) / len(present))
        return out

    def _find(self, x: int) -> int:
        parent = self._parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def _flush(self) -> None:
        for a, nbrs in self._pending:
            for b in nbrs:
                ra, rb = self._find(a), self._find(b)
                if ra != rb:
                    if self._size[ra] < self._size[rb]:
                        ra, rb = rb, ra
                    self._parent[rb] = ra
                    self._size[ra] += self._size[rb]
        self._pending = []

    def refresh_risk(self, boundary: int) -> None:
        """Recompute the risk snapshot at a month start (``add`` calls it on a new month).

        A periodic job in production: run it at midnight on the first of the month so that
        no application waits for it.
        """
        self._boundary = boundary
        nxt = np.int64(boundary).astype("datetime64[s]").astype("datetime64[M]") + 1
        self._next_boundary = int(nxt.astype("datetime64[s]").astype(np.int64))
        if not self._eu:
            self._risk = {}
            return
        u = np.asarray(self._eu, np.int64)
        v = np.asarray(self._ev, np.int64)
        nodes = np.unique(np.concatenate([u, v]))
        ui = np.searchsorted(nodes, u)
        vi = np.searchsorted(nodes, v)
        risk = snapshot_risk(
            ui, vi, np.asarray(self._t, np.int64)[nodes], np.asarray(self._bad, np.int64)[nodes],
            np.array([boundary], np.int64), self.config.alpha, self.config.n_iter,
        )[:, 0]
        self._risk = dict(zip(nodes.tolist(), risk.tolist(), strict=True))
