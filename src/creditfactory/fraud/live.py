"""The fraud score of a live application, from its own linkage attributes.

Batch back-tests look fraud scores up by application id; an application arriving through the
API has no id the training world knows. :class:`LiveFraud` keeps an :class:`OnlineGraph`
seeded with the training world's applications (and the bads known from their performance),
adds each live application to it, and scores it with the same LightGBM and the same
rank-to-0-1 mapping as the batch path, plus the same :mod:`creditfactory.fraud.rules` judged
for the one application. Replayed in time order, world applications get exactly their batch
score and hits (the tests check it).

With a :data:`~creditfactory.fraud.live_source.CatchUpSource` attached, every score first
reads what was kept since the last read (or, with ``catch_up_every`` set, the first score after
that many seconds does: a busy server then reads once per interval instead of once per
application, and an application kept by another process may be missed by scores made up to
``catch_up_every`` seconds after it was kept; explicit :meth:`LiveFraud.catch_up` calls and the
case page's neighbourhood always read): applications decided by other processes (or before a
restart) join the graph under their kept id, and findings that made one a known bad mark it.
An application scored here is added at once under a provisional id and takes its kept id when
it comes back from the source (recognised by its hashed identity and time), or at once when
whoever keeps it says so (:meth:`LiveFraud.kept`): the source then skips it without opening its
record. Scoring the same application again (a re-decision after findings) gives its first
score, not a second node.

The identity record is computed once per application: a caller that needs it too (to keep it
with the application) computes it with :meth:`LiveFraud.identity_of` and hands it in under
:data:`FRAUD_IDENTITY` in the application mapping, which :meth:`LiveFraud.assess` then uses as is.

The graph is shared state: one lock serialises additions, so concurrent requests each see
every application added before them. A live application whose ``applied_at`` is earlier than
the graph's latest is placed one second after it (the graph only moves forward, and a late
arrival still sees everything added before it). Near a month's
end the next month's risk snapshot is prepared in a background thread, so the month's first
application does not compute it.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.fraud.config import GraphConfig
from creditfactory.fraud.identity import HASH_COLUMNS, record_identity
from creditfactory.fraud.labels import NEVER
from creditfactory.fraud.live_source import CatchUp, CatchUpSource, IdCursor
from creditfactory.fraud.neighbourhood import online_neighbourhood
from creditfactory.fraud.online import OnlineGraph, RiskMark
from creditfactory.fraud.rules import judge_one, one_age_evidence, online_one_evidence

__all__ = ["FRAUD_IDENTITY", "Assessment", "LiveFraud"]

FRAUD_IDENTITY = "fraud_identity"
"""Key of an application mapping holding its identity record already computed
(:meth:`LiveFraud.identity_of`); absent or ``None``, :meth:`LiveFraud.assess` computes it."""

_UNSAVED = -(1 << 62)  # graph ids below this are live applications not yet kept
_FINGERPRINT = ("applied_at", *HASH_COLUMNS)
_PREPARE_LEAD = 3 * 86_400  # prepare the next snapshot in the month's last three days
_PREPARE_STALE = 2_000  # prepare again once this many applications arrived since


@dataclass(frozen=True)
class Assessment:
    """One live application's fraud score and the rule hits behind its codes."""

    fraud_score: float
    hits: tuple[tuple[str, str], ...]  # (code, reason)

    @property
    def codes(self) -> str:
        """The hit codes as the strategy reads them: sorted, comma-joined, no repeats."""
        return ",".join(sorted({code for code, _ in self.hits}))


_fingerprint: Callable[[Mapping[str, int]], tuple[int, ...]] = itemgetter(*_FINGERPRINT)


class LiveFraud:
    """Score applications one at a time against a growing identity graph.

    Parameters
    ----------
    predict : callable
        The fraud model's probability for one feature row (``compile_booster`` output).
    columns : sequence of str
        Feature names in the order ``predict`` takes them.
    ranks : array
        Sorted development-period probabilities; the score is the rank among them.
    key : bytes
        The identity HMAC key (``creditfactory.fraud.settings.secret_key``).
    source : CatchUpSource, optional
        Where kept applications and new known bads are read from (see :meth:`attach_source`).
    """

    def __init__(self, predict: Callable[[list[float]], float], columns: Sequence[str],
                 ranks: np.ndarray, key: bytes, config: GraphConfig | None = None,
                 source: CatchUpSource | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.predict = predict
        self.columns = tuple(columns)
        self._ranks = np.sort(np.asarray(ranks, float)).tolist()
        self._n = max(len(self._ranks), 1)
        self._key = key
        self.graph = OnlineGraph(config)
        self._lock = threading.Lock()
        self._pending: tuple[pd.DataFrame, np.ndarray] | None = None
        self._source = source
        self._clock = clock
        self._applications = IdCursor()
        self._findings = IdCursor()
        self._next_unsaved = _UNSAVED
        self._unsaved: dict[tuple[int, ...], list[int]] = {}
        self._by_fingerprint: dict[tuple[int, ...], int] = {}
        self._results: dict[int, tuple[float, tuple[tuple[str, str], ...]]] = {}
        self._preparing = False
        self.background_refresh = True
        self.catch_up_every = 0.0
        self._caught_up_at = -float("inf")

    def __len__(self) -> int:
        self.ensure_seeded()
        return len(self.graph)

    def empty(self) -> LiveFraud:
        """A new, unseeded scorer with the same model, ranks and key (and no source)."""
        return LiveFraud(self.predict, self.columns, np.asarray(self._ranks), self._key,
                         self.graph.config)

    def attach_source(self, source: CatchUpSource) -> LiveFraud:
        """Read kept applications and known bads from ``source`` before every score."""
        self._source = source
        return self

    def seed(self, identity: pd.DataFrame, bad_time: np.ndarray) -> LiveFraud:
        """Add the rows of an identity table (with their known-bad times) in time order.

        An empty graph is filled in one vectorised pass (:meth:`OnlineGraph.seed`); a graph
        already holding applications has the rows added one by one.
        """
        with self._lock:
            self._seed(identity, bad_time)
        return self

    def seed_on_first_use(self, identity: pd.DataFrame, bad_time: np.ndarray) -> LiveFraud:
        """Keep the history and seed from it only when a live application first needs it.

        Seeding costs about a second per hundred thousand applications; batch back-tests
        never score a live application, so they never pay it.
        """
        with self._lock:
            self._pending = (identity, np.asarray(bad_time, np.int64))
        return self

    def ensure_seeded(self) -> None:
        """Seed from the kept history now, if that has not happened yet."""
        if self._pending is None:
            return
        with self._lock:
            if self._pending is not None:
                identity, bad = self._pending
                try:
                    self._seed(identity, bad)
                finally:
                    self._pending = None

    def _seed(self, identity: pd.DataFrame, bad_time: np.ndarray) -> None:
        bad = np.asarray(bad_time, np.int64)
        ids = identity["application_id"].to_numpy(np.int64)
        order = np.lexsort((ids, identity["applied_at"].to_numpy(np.int64)))
        if not len(self.graph):
            self.graph.seed(identity.iloc[order].reset_index(drop=True), bad[order])
            return
        for app_id, b in zip(ids[bad < NEVER].tolist(), bad[bad < NEVER].tolist(), strict=True):
            self.graph.mark_bad(app_id, b)
        cols = [c for c in identity.columns if c != "channel_id"]
        for row in identity[cols].iloc[order].to_dict("records"):
            self.graph.add({str(k): int(v) for k, v in row.items()})

    # --- scoring ------------------------------------------------------------------------

    def score(self, app: Mapping[str, Any]) -> tuple[float, str]:
        """Add a new application to the graph; its ``(fraud_score, fraud_rule_hits)``."""
        found = self.assess(app)
        return found.fraud_score, found.codes

    def identity_of(self, app: Mapping[str, Any]) -> dict[str, int]:
        """The identity record of an application under this graph's key (hashes and time)."""
        return record_identity(app, self._key)

    def assess(self, app: Mapping[str, Any]) -> Assessment:
        """The score and rule hits (with reasons) of one live application.

        ``app[FRAUD_IDENTITY]``, when given, is taken as its :meth:`identity_of`.
        """
        self.ensure_seeded()
        self._catch_up_before_score()
        given = app.get(FRAUD_IDENTITY)
        ident = dict(given) if given is not None else record_identity(app, self._key)
        key = _fingerprint(ident)
        age = tuple(judge_one(one_age_evidence(app.get("resident_id"), app["applied_at"],
                                               app.get("age"))))
        with self._lock:
            row = self._by_fingerprint.get(key)
            if row is None:
                ident["application_id"] = self._next_unsaved
                self._next_unsaved -= 1
                row, feats, graph_hits = self._add(ident)
                self._unsaved.setdefault(key, []).append(row)
                self._by_fingerprint[key] = row
                self._results[row] = (self._score_of(feats), graph_hits)
            score, graph_hits = self._results[row]
        return Assessment(score, graph_hits + age)

    def _add(self, ident: dict[str, int]) -> tuple[int, dict[str, float], tuple[tuple[str, str], ...]]:
        """Insert under the lock; the row, its features and the graph rules that fired."""
        graph = self.graph
        if len(graph) and ident["applied_at"] < graph.times[-1]:
            ident["applied_at"] = graph.times[-1] + 1
        feats = graph.add(ident)
        row = len(graph) - 1
        ev = online_one_evidence(graph, row, feats)
        shown = self._shown_id
        ev.id_bad_example = shown(ev.id_bad_example)
        ev.contact_example = shown(ev.contact_example)
        ev.black_example = shown(ev.black_example)
        self._maybe_prepare()
        return row, feats, tuple(judge_one(ev))

    def _score_of(self, feats: Mapping[str, float]) -> float:
        p = self.predict([feats[c] for c in self.columns])
        return bisect_right(self._ranks, p) / self._n

    @staticmethod
    def _shown_id(graph_id: int) -> int:
        """The id a reader knows: kept id for kept applications, 0 while unsaved."""
        if graph_id >= 0:
            return graph_id
        return 0 if graph_id <= _UNSAVED else -graph_id

    # --- catching up with the source ----------------------------------------------------

    def kept(self, identity: Mapping[str, int], application_id: int) -> bool:
        """The application scored with ``identity`` is now kept as ``application_id``.

        Call once its write has committed: its provisional node takes the kept id at once, so
        reading it back from the source costs nothing. False when no provisional node waits for
        it (not scored here, or already read back); the source then adds or skips it as usual.
        """
        key = _fingerprint(identity)
        with self._lock:
            return self._relabel_waiting(key, -application_id)

    def _relabel_waiting(self, key: tuple[int, ...], gid: int) -> bool:
        """Give the oldest provisional node with this fingerprint the id ``gid`` (under the lock)."""
        graph = self.graph
        if graph.row_of(gid) is not None:
            return False
        waiting = self._unsaved.get(key)
        if not waiting:
            return False
        graph.relabel(graph.ids[waiting.pop(0)], gid)
        if not waiting:
            del self._unsaved[key]
        return True

    def _catch_up_before_score(self) -> None:
        """Catch up, unless a read started less than ``catch_up_every`` seconds ago."""
        if self._source is None:
            return
        if self.catch_up_every > 0:
            with self._lock:
                now = self._clock()
                if now - self._caught_up_at < self.catch_up_every:
                    return
                self._caught_up_at = now
        self.catch_up()

    def catch_up(self) -> int:
        """Read what was kept since the last read; the number of applications added."""
        if self._source is None:
            return 0
        self.ensure_seeded()
        added = 0
        while True:
            with self._lock:
                now = self._clock()
                after = (self._applications.after(now), self._findings.after(now))
            batch = self._source(*after)
            with self._lock:
                added += self._apply(batch)
            if not batch.more:
                return added

    def _apply(self, batch: CatchUp) -> int:
        now = self._clock()
        graph = self.graph
        added = 0
        for kept in batch.applications:
            if not self._applications.take(kept.application_id, now):
                continue
            gid = -kept.application_id
            if graph.row_of(gid) is not None:
                continue
            identity = kept.identity
            key = _fingerprint(identity)
            if self._relabel_waiting(key, gid):
                continue
            row, feats, hits = self._add({**identity, "application_id": gid})
            self._results[row] = (self._score_of(feats), hits)
            self._by_fingerprint[key] = row
            added += 1
        fresh = {i for i in batch.finding_ids if self._findings.take(i, now)}
        latest = graph.times[-1] if len(graph) else NEVER
        for bad in batch.known_bads:
            if bad.finding_id in fresh:
                gid = -bad.application_id
                known = min(bad.known_at, latest, graph.known_bad_at(gid))
                graph.mark_bad(gid, known)
        return added

    # --- the month's risk snapshot ------------------------------------------------------

    def refresh_ahead(self) -> None:
        """Prepare the next month start's risk snapshot now (a scheduler may call this)."""
        self.ensure_seeded()
        with self._lock:
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

    # --- what the case page draws -------------------------------------------------------

    def neighbourhood(self, application_id: int, hops: int = 2,
                      max_nodes: int = 200) -> dict[str, Any] | None:
        """The neighbourhood of the kept application ``application_id``; ``None`` if unknown."""
        self.catch_up()
        with self._lock:
            row = self.graph.row_of(-application_id)
            if row is None:
                return None
            return online_neighbourhood(self.graph, row, self._node_name, hops, max_nodes)

    @classmethod
    def _node_name(cls, graph_id: int) -> dict[str, Any]:
        if graph_id >= 0:
            return {"key": f"training:{graph_id}", "origin": "training",
                    "application_id": graph_id}
        if graph_id <= _UNSAVED:
            return {"key": f"unsaved:{_UNSAVED - graph_id}", "origin": "unsaved",
                    "application_id": None}
        return {"key": f"store:{-graph_id}", "origin": "store", "application_id": -graph_id}
