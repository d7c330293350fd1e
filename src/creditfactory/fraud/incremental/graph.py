"""The incremental identity graph: add one application, get its features at once.

State is a value -> holders index, structural adjacency sets, a union-find over
applications, a resident-ID index for the rules and the last monthly risk snapshot;
:meth:`OnlineGraph.add` touches only the new application's values and neighbours. Its numbers
equal :class:`IdentityGraph`'s batch build (the tests replay a batch through it), including the
ties rule: applications with the same ``applied_at`` do not see each other.

The monthly risk snapshot is kept and prepared ahead by :mod:`.risk`. A history can be loaded
at once (:meth:`OnlineGraph.seed`): the state replaying it would leave is computed in one
vectorised pass (:mod:`.seeding`), so a service starts in seconds, not minutes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.errors import InvalidArgument
from creditfactory.fraud._features import DAY, FEATURES
from creditfactory.fraud.errors import ApplicationOutOfOrder
from creditfactory.fraud.graph_config import KIND_CODE, KINDS, GraphConfig
from creditfactory.fraud.identity import LINK_COLUMNS, SELF_COLUMNS
from creditfactory.fraud.incremental.risk import PreparedRisk, RiskSnapshots
from creditfactory.fraud.incremental.seeding import SeededIndex, adjacency, seed_state
from creditfactory.fraud.propagation import month_starts

__all__ = ["NEVER", "OnlineGraph"]

NEVER = np.iinfo(np.int64).max
_PHONE, _CONTACT = KIND_CODE["phone"], KIND_CODE["contact"]
_LINK_PLAN = tuple((column, KIND_CODE[kind]) for column, kind in LINK_COLUMNS.items())
_LINK_NAMES = tuple(f"n_link_{kind}" for kind in KINDS)


class OnlineGraph(RiskSnapshots):
    """Incremental identity graph; feed applications in ``applied_at`` order."""

    def __init__(self, config: GraphConfig | None = None) -> None:
        self.config = config or GraphConfig()
        self._caps = self.config.cap_array()
        self._structural = self.config.structural_mask().tolist()
        self._cap_list = self._caps.tolist()
        self._plain_codes = [c for c, structural in enumerate(self._structural) if not structural]
        self._d7, self._d30 = (d * DAY for d in self.config.velocity_days)
        # value -> its holders' (rows, times, link kinds) in arrival order; a value held once
        # (most are) keeps a flat (row, time, kind) of ints, which the cyclic collector skips
        self._holders: dict[int, tuple[Any, Any, Any]] = {}
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
        self._by_rid: dict[int, list[int]] = {}
        self._own: dict[int, tuple[int, ...]] = {}
        self._marked: list[int] = []
        self._prepared: PreparedRisk | None = None
        self.full_refreshes = 0
        empty = SeededIndex(np.zeros(0, np.uint64), np.zeros(1, np.int64), np.zeros(0, np.int64))
        self._seeded_values = self._seeded_residents = empty
        self._seeded_kinds = np.zeros(0, np.int8)
        self._seeded_times = np.zeros(0, np.int64)
        self._seeded_own = np.zeros((0, len(SELF_COLUMNS)), np.uint64)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def times(self) -> list[int]:
        """``applied_at`` (epoch seconds) by row."""
        return self._t

    @property
    def bad(self) -> list[int]:
        """Known-bad time by row (``NEVER`` if not known bad)."""
        return self._bad

    @property
    def next_boundary(self) -> int:
        """The month start whose risk snapshot the next month's first application needs."""
        return self._next_boundary

    def known_bad_at(self, application_id: int) -> int:
        """When an application became a known bad (``NEVER`` if it has not)."""
        return self._bad_by_id.get(application_id, NEVER)

    def row_of(self, application_id: int) -> int | None:
        """The row of an application, ``None`` if it is not in the graph."""
        return self._row.get(application_id)

    def time_of(self, row: int) -> int:
        return self._t[row]

    def channel_of(self, row: int) -> int:
        """The keyed hash of the channel an application came through."""
        return self._channel[row]

    def same_resident_id(self, row: int) -> list[int]:
        """Rows holding the resident ID of ``row`` (itself included), in order of arrival."""
        rid = self._rid[row]
        return self._resident_rows(rid) if rid else []

    def own_values(self, row: int) -> tuple[int, ...]:
        """The hashes a returning customer keeps (``SELF_COLUMNS``) of a row with a resident ID."""
        if row < len(self._seeded_own):
            return tuple(self._seeded_own[row].tolist())
        return self._own[row]

    def mark_bad(self, application_id: int, known_at: int) -> None:
        """Record that an application became a known bad at ``known_at`` (epoch seconds)."""
        self._bad_by_id[application_id] = known_at
        row = self._row.get(application_id)
        if row is not None:
            self._bad[row] = known_at
            self._marked.append(row)

    def relabel(self, old_id: int, new_id: int) -> None:
        """Give the application ``old_id`` the id ``new_id`` (and any bad mark made for it)."""
        row = self._row.pop(old_id)
        self.ids[row] = new_id
        self._row[new_id] = row
        if new_id in self._bad_by_id:
            self._bad[row] = self._bad_by_id[new_id]
            self._marked.append(row)

    def seed(self, identity: pd.DataFrame, bad_time: np.ndarray) -> None:
        """Load a history into this empty graph as if each row had been added in order.

        ``identity`` is an identity table sorted by ``applied_at`` and ``bad_time`` the time
        each row became a known bad (``NEVER`` if not yet), as if every mark were made before
        the first add: afterwards the graph answers exactly as a replayed one does.
        """
        if self.ids:
            raise InvalidArgument("only an empty graph can be seeded")
        bad = np.asarray(bad_time, np.int64)
        ids = identity["application_id"].to_numpy(np.int64)
        if len(bad) != len(ids):
            raise InvalidArgument("one known-bad time per application is needed")
        state = seed_state(identity, self.config)
        times = identity["applied_at"].to_numpy(np.int64)
        n = len(ids)
        for app_id, known in zip(ids[bad < NEVER].tolist(), bad[bad < NEVER].tolist(),
                                 strict=True):
            self._bad_by_id[app_id] = known
        self.ids = ids.tolist()
        self._row = dict(zip(self.ids, range(n), strict=True))
        self._t = times.tolist()
        self._channel = identity["channel"].to_numpy(np.uint64).tolist()
        rid = (identity["resident_id"].to_numpy(np.uint64) if "resident_id" in identity
               else np.zeros(n, np.uint64))
        self._rid = rid.tolist()
        self._bad = [self._bad_by_id.get(i, NEVER) for i in self.ids]
        self._seeded_values, self._seeded_kinds = state.values, state.value_kinds
        self._seeded_residents = state.residents
        self._seeded_times = times.copy()
        self._seeded_own = np.column_stack(
            [identity[c].to_numpy(np.uint64) for c in SELF_COLUMNS]
        ).reshape(n, len(SELF_COLUMNS))
        self.adj = adjacency(state.pi, state.pj, state.pmask, n)
        self._eu, self._ev = state.pi.tolist(), state.pj.tolist()
        self._parent, self._size = state.parent.tolist(), state.size.tolist()
        if n:
            last = int(np.searchsorted(times, times[-1]))
            self._pending = [(me, list(self.adj[me])) for me in range(last, n)]
            boundary = int(month_starts(times[-1:])[0])
            rows = int(np.searchsorted(times, boundary))
            self._install(boundary, self._snapshot(boundary, rows,
                                                   int(np.searchsorted(state.pi, rows))))
            self.full_refreshes += 1

    def _load_seeded(self, values: list[int]) -> None:
        """Move the seeded holders of these values into the live value index."""
        holders = self._holders
        fresh = [h for h in values if h and h not in holders]
        index = self._seeded_values
        for n, s, e in index.found(fresh):
            if e - s == 1:
                row = int(index.rows[s])
                holders[fresh[n]] = (row, int(self._seeded_times[row]),
                                     int(self._seeded_kinds[s]))
            else:
                rows = index.rows[s:e]
                holders[fresh[n]] = (rows.tolist(), self._seeded_times[rows].tolist(),
                                     self._seeded_kinds[s:e].tolist())

    def _resident_rows(self, rid: int) -> list[int]:
        """The rows holding a resident ID (the live list ``add`` appends to)."""
        rows = self._by_rid.get(rid)
        if rows is None:
            index = self._seeded_residents
            rows = self._by_rid[rid] = [r for _, s, e in index.found([rid])
                                        for r in index.rows[s:e].tolist()]
        return rows

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
        rid = int(application.get("resident_id", 0))
        self._rid.append(rid)
        if rid:
            self._resident_rows(rid).append(me)
            self._own[me] = tuple(int(application[c]) for c in SELF_COLUMNS)
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
        values = [int(application[column]) for column, _ in _LINK_PLAN]
        self._load_seeded(values)
        holders, caps, structural = self._holders, self._cap_list, self._structural
        for (_, kind), h in zip(_LINK_PLAN, values, strict=True):
            if h == 0 or h in seen:
                continue
            seen.add(h)
            held = holders.get(h)
            if held is None:
                holders[h] = (me, t, kind)
                continue
            if held[0].__class__ is int:
                held = holders[h] = ([held[0]], [held[1]], [held[2]])
            apps, times, kinds = held
            rank = bisect_left(times, t)
            if rank < caps[kind]:
                if structural[kind]:
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
        union = 0
        for code in self._plain_codes:
            out[_LINK_NAMES[code]] = float(counted[code])
            if counted[code] > 0:
                union |= 1 << code
        if not pairs:
            out["n_kinds"] = float(union.bit_count())
            out["component_size"] = 1.0
            return out
        per_kind = [0] * len(KINDS)
        widest = strong = 0
        for m in pairs.values():
            union |= m
            shared = m.bit_count()
            widest = max(widest, shared)
            strong += shared >= 2
            while m:
                low = m & -m
                per_kind[low.bit_length() - 1] += 1
                m ^= low
        for code, structural in enumerate(self._structural):
            if structural:
                out[_LINK_NAMES[code]] = float(per_kind[code])
        out["n_kinds"] = float(union.bit_count())
        out["max_shared_kinds"] = float(widest)
        out["n_strong_1hop"] = float(strong)
        bad, times, chan, adj = self._bad, self._t, self._channel, self.adj
        d7, d30 = self._d7, self._d30
        bad_1hop = same = fast = recent = 0
        reach = set(pairs)
        for j in pairs:
            bad_1hop += bad[j] < t
            same += chan[j] == channel
            fast += t - times[j] <= d7
            recent += t - times[j] <= d30
            reach.update([i for i in adj[j] if times[i] < t])
        out["n_linked_1hop"] = float(len(pairs))
        out["n_bad_1hop"] = float(bad_1hop)
        out["n_linked_2hop"] = float(len(reach))
        out["n_bad_2hop"] = float(sum([bad[j] < t for j in reach]))
        out["same_channel_share"] = same / len(pairs)
        out["velocity_7d"] = float(fast)
        out["velocity_30d"] = float(recent)
        roots = {self._find(j) for j in pairs}
        out["component_size"] = float(1 + sum([self._size[r] for r in roots]))
        total, count = 0.0, 0
        for j in sorted(pairs):  # the batch's summation order, for equal floats
            if times[j] < self._boundary:
                total += self._risk.get(j, 0.0)
                count += 1
        if count:
            out["propagated_risk"] = self.config.alpha * (total / count)
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
