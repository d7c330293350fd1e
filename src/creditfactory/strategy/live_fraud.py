"""The fraud score of a live application, from its own linkage attributes.

Batch back-tests look fraud scores up by application id; an application arriving through the
API has no id the training world knows. :class:`LiveFraud` keeps a
:class:`creditfactory.fraud.online.OnlineGraph` seeded with the training world's applications
(and the bads known from their performance), adds each live application to it, and scores it
with the same LightGBM and the same rank-to-0-1 mapping as the batch path, plus the same
``creditfactory.fraud.rules`` hits computed for the one application. Replayed in time order,
world applications get exactly their batch score and hits (the tests check it).

The graph is shared state: one lock serialises additions, so concurrent API requests each see
every application added before them. A live application whose ``applied_at`` is earlier than
the graph's latest is placed at that latest time (the graph only moves forward).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.fraud.config import KIND_CODE, GraphConfig
from creditfactory.fraud.identity import HASH_COLUMNS
from creditfactory.fraud.labels import NEVER
from creditfactory.fraud.online import OnlineGraph
from creditfactory.fraud.rules import BLACKLIST_KINDS, SELF_COLUMNS

__all__ = ["LiveFraud", "record_identity"]

_CONTACT_BIT = 1 << KIND_CODE["contact"]
_BLACK_BITS = sum(1 << KIND_CODE[k] for k in BLACKLIST_KINDS)
_VELOCITY_7D = 3


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _hash(key: bytes, namespace: str, value: Any) -> int:
    """One value's keyed 64-bit hash, bit for bit :func:`creditfactory.fraud.identity.hash_strings`."""
    if _missing(value) or not value:
        return 0
    h = int.from_bytes(hmac.digest(key, f"{namespace}:{value}".encode(), hashlib.sha256)[:8], "big")
    return h or 1


def applied_second(value: Any) -> int:
    """``applied_at`` (timestamp, datetime or ISO text) as epoch seconds, naive times as UTC."""
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return int(ts.value // 1_000_000_000)


def record_identity(app: Mapping[str, Any], key: bytes) -> dict[str, int]:
    """One application's row of :func:`creditfactory.fraud.identity.identity_table`.

    Examples
    --------
    >>> ident = record_identity({"applied_at": "2024-01-02T03:04:05", "phone": "13800000000",
    ...                          "contact_phones": "13800000000"}, b"k")
    >>> ident["phone"] == ident["contact_1"] != 0 and ident["device"] == 0
    True
    """
    contacts_raw = app.get("contact_phones")
    contacts = ("" if _missing(contacts_raw) else str(contacts_raw)).split(",", 2)
    out: dict[str, int] = {
        "application_id": int(app.get("application_id") or 0),
        "applied_at": applied_second(app["applied_at"]),
    }
    for column, (source, namespace) in HASH_COLUMNS.items():
        if column.startswith("contact_"):
            part = int(column[-1]) - 1
            out[column] = _hash(key, namespace, contacts[part] if part < len(contacts) else "")
        else:
            out[column] = _hash(key, namespace, app.get(source))
    return out


def age_mismatch(app: Mapping[str, Any]) -> bool:
    """``IMP_AGE_MISMATCH`` for one application (declared age vs the ID's birth date)."""
    try:
        birth = datetime.strptime(str(app.get("resident_id"))[6:14], "%Y%m%d")
    except ValueError:
        return True
    applied = pd.Timestamp(app["applied_at"])
    age = applied.year - birth.year - int((applied.month, applied.day) < (birth.month, birth.day))
    declared = app.get("age")
    if declared is None or _missing(declared):
        return False
    return abs(float(declared) - age) > 1


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
    """

    def __init__(self, predict: Callable[[list[float]], float], columns: Sequence[str],
                 ranks: np.ndarray, key: bytes, config: GraphConfig | None = None) -> None:
        self.predict = predict
        self.columns = tuple(columns)
        self._ranks = np.sort(np.asarray(ranks, float)).tolist()
        self._n = max(len(self._ranks), 1)
        self._key = key
        self.graph = OnlineGraph(config)
        self._bad: dict[int, int] = {}
        self._rid: dict[int, list[tuple[int, tuple[int, ...], int]]] = {}
        self._next_live_id = -1
        self._last_t: int | None = None
        self._lock = threading.Lock()
        self._pending: tuple[pd.DataFrame, np.ndarray] | None = None

    def __len__(self) -> int:
        self.ensure_seeded()
        return len(self.graph)

    def empty(self) -> LiveFraud:
        """A new, unseeded scorer with the same model, ranks and key."""
        return LiveFraud(self.predict, self.columns, np.asarray(self._ranks), self._key,
                         self.graph.config)

    def seed(self, identity: pd.DataFrame, bad_time: np.ndarray) -> LiveFraud:
        """Add the rows of an identity table (with their known-bad times) in time order."""
        with self._lock:
            self._seed(identity, bad_time)
        return self

    def seed_on_first_use(self, identity: pd.DataFrame, bad_time: np.ndarray) -> LiveFraud:
        """Keep the history and seed from it only when a live application first needs it.

        Replaying history costs seconds per hundred thousand applications; batch back-tests
        never score a live application, so they never pay it.
        """
        with self._lock:
            self._pending = (identity, np.asarray(bad_time, np.int64))
        return self

    def ensure_seeded(self) -> None:
        """Seed from the kept history now, if that has not happened yet."""
        with self._lock:
            if self._pending is not None:
                identity, bad = self._pending
                self._pending = None
                self._seed(identity, bad)

    def _seed(self, identity: pd.DataFrame, bad_time: np.ndarray) -> None:
        bad = np.asarray(bad_time, np.int64)
        ids = identity["application_id"].to_numpy(np.int64)
        for app_id, b in zip(ids[bad < NEVER].tolist(), bad[bad < NEVER].tolist(), strict=True):
            self._bad[app_id] = b
            self.graph.mark_bad(app_id, b)
        order = np.lexsort((ids, identity["applied_at"].to_numpy(np.int64)))
        cols = [c for c in identity.columns if c != "channel_id"]
        rows = identity[cols].iloc[order].to_dict("records")
        for row in rows:
            self._add({str(k): int(v) for k, v in row.items()})

    def score(self, app: Mapping[str, Any]) -> tuple[float, str]:
        """Add a new application to the graph; its ``(fraud_score, fraud_rule_hits)``."""
        self.ensure_seeded()
        ident = record_identity(app, self._key)
        age_hit = age_mismatch(app)
        with self._lock:
            ident["application_id"] = self._next_live_id
            self._next_live_id -= 1
            if self._last_t is not None:
                ident["applied_at"] = max(ident["applied_at"], self._last_t)
            feats, codes = self._add(ident)
        if age_hit:
            codes.add("IMP_AGE_MISMATCH")
        p = self.predict([feats[c] for c in self.columns])
        return bisect_right(self._ranks, p) / self._n, ",".join(sorted(codes))

    def _add(self, ident: dict[str, int]) -> tuple[dict[str, float], set[str]]:
        """Insert under the lock; the features and the graph rule codes that fired."""
        t, rid = ident["applied_at"], ident["resident_id"]
        codes = self._rid_rules(rid, t, tuple(ident[c] for c in SELF_COLUMNS))
        feats = self.graph.add(ident)
        self._last_t = t
        graph = self.graph
        for j, mask in graph.adj[len(graph) - 1].items():
            if self._bad.get(graph.ids[j], NEVER) < t:
                if mask & _CONTACT_BIT:
                    codes.add("CONTACT_KNOWN_BAD")
                if mask & _BLACK_BITS:
                    codes.add("BLACKLIST")
        if feats["velocity_7d"] >= _VELOCITY_7D:
            codes.add("VELOCITY")
        if rid:
            app_id = ident["application_id"]
            self._rid.setdefault(rid, []).append(
                (t, tuple(ident[c] for c in SELF_COLUMNS), self._bad.get(app_id, NEVER)))
        return feats, codes

    def _rid_rules(self, rid: int, t: int, own: tuple[int, ...]) -> set[str]:
        codes: set[str] = set()
        if not rid:
            return codes
        earlier = [e for e in self._rid.get(rid, ()) if e[0] < t]
        if earlier and all(all(e[1][k] != v for e in earlier) for k, v in enumerate(own)):
            codes.add("IMP_ID_REUSED")
        if any(e[2] < t for e in earlier):
            codes.add("BLACKLIST")
        return codes
