"""The live fraud graph: the fraud score of an application arriving through the API.

Batch back-tests look fraud scores up by application id; an application arriving through the
API has no id the training world knows. :class:`LiveFraud` keeps an incremental identity graph
seeded with the training history (:mod:`.seeding`), caught up with what was kept since
(:mod:`.catch_up`), adds each live application to it and scores it (:mod:`.assessment`), and
draws a kept application's neighbourhood for the case page (:mod:`.neighbourhood`) and
re-checks a decided one before payout with what arrived since (:mod:`.recheck`). Replayed
in time order, world applications get exactly their batch score and hits (the tests check it).

The identity record is computed once per application: a caller that needs it too (to keep it
with the application) computes it with :meth:`LiveFraud.identity_of` and hands it to
:meth:`LiveFraud.assess`.

The graph is shared state: one lock serialises additions, so concurrent requests each see
every application added before them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.fraud.graph_config import GraphConfig
from creditfactory.fraud.identity import record_identity
from creditfactory.fraud.incremental import OnlineGraph
from creditfactory.fraud.live.assessment import Assessment, assess
from creditfactory.fraud.live.catch_up import CatchingUp, CatchUp
from creditfactory.fraud.live.neighbourhood import kept_neighbourhood
from creditfactory.fraud.live.recheck import Recheck, RecheckPolicy, recheck
from creditfactory.fraud.live.seeding import HistorySeed
from creditfactory.fraud.live.state import LiveState, Model

__all__ = ["LiveFraud"]


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
        The identity HMAC key (``creditfactory.settings.Settings.identity_key``).
    """

    def __init__(self, predict: Callable[[list[float]], float], columns: Sequence[str],
                 ranks: np.ndarray, key: bytes, config: GraphConfig | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._state = LiveState(Model(predict, columns, ranks), key, config, clock)
        self._seed = HistorySeed(self._state)
        self._catching_up = CatchingUp(self._state)

    def __len__(self) -> int:
        self.ensure_seeded()
        return len(self.graph)

    @property
    def graph(self) -> OnlineGraph:
        """The incremental identity graph (hold no reference across scores)."""
        return self._state.graph

    @property
    def background_refresh(self) -> bool:
        """Whether the next month's risk snapshot is prepared in a background thread."""
        return self._state.background_refresh

    @background_refresh.setter
    def background_refresh(self, value: bool) -> None:
        self._state.background_refresh = value

    @property
    def catch_up_every(self) -> float:
        """Seconds between the catch-ups :meth:`catch_up_due` asks for (0: before every score)."""
        return self._catching_up.every

    @catch_up_every.setter
    def catch_up_every(self, seconds: float) -> None:
        self._catching_up.every = seconds

    def empty(self) -> LiveFraud:
        """A new, unseeded graph with the same model, ranks and key."""
        model = self._state.model
        return LiveFraud(model.predict, model.columns, np.asarray(model.ranks), self._state.key,
                         self.graph.config)

    # --- seeding with the training history ----------------------------------------------

    def seed(self, identity: pd.DataFrame, bad_time: np.ndarray) -> LiveFraud:
        """Add the rows of an identity table (with their known-bad times) in time order."""
        self._seed.now(identity, bad_time)
        return self

    def seed_on_first_use(self, identity: pd.DataFrame, bad_time: np.ndarray) -> LiveFraud:
        """Keep the history and seed from it only when a live application first needs it."""
        self._seed.on_first_use(identity, bad_time)
        return self

    def ensure_seeded(self) -> None:
        """Seed from the kept history now, if that has not happened yet."""
        self._seed.ensure()

    # --- assessing one application ------------------------------------------------------

    def identity_of(self, app: Mapping[str, Any]) -> dict[str, int]:
        """The identity record of an application under this graph's key (hashes and time)."""
        return record_identity(app, self._state.key)

    def assess(self, app: Mapping[str, Any],
               identity: Mapping[str, int] | None = None) -> Assessment:
        """Add a live application to the graph (once); its score and rule hits with reasons.

        ``identity``, when given, is taken as its :meth:`identity_of`.
        """
        self._seed.ensure()
        return assess(self._state, app, identity)

    def score(self, app: Mapping[str, Any]) -> tuple[float, str]:
        """:meth:`assess` as ``(fraud_score, fraud_rule_hits)``."""
        found = self.assess(app)
        return found.fraud_score, found.codes

    # --- catching up with kept applications and findings --------------------------------

    def catch_up_due(self) -> bool:
        """Whether a score should catch up first (always, or once per :attr:`catch_up_every`)."""
        return self._catching_up.due()

    def catch_up_position(self) -> tuple[int, int]:
        """``(after_application_id, after_finding_id)``: where the next read starts."""
        self._seed.ensure()
        return self._catching_up.position()

    def book_position(self) -> int:
        """The loan book's known-bad record id the next read starts after."""
        self._seed.ensure()
        return self._catching_up.book_position()

    def take(self, batch: CatchUp) -> int:
        """Add applications kept and known bads found since the last read; how many added."""
        return self._catching_up.take(batch)

    def kept(self, identity: Mapping[str, int], application_id: int) -> bool:
        """The application assessed with ``identity`` is now kept as ``application_id`` (call
        after its write commits); False when no provisional node waits for it."""
        return self._catching_up.kept(identity, application_id)

    # --- the month's risk snapshot and the case page ------------------------------------

    def refresh_ahead(self) -> None:
        """Prepare the next month start's risk snapshot now (a scheduler may call this)."""
        self._seed.ensure()
        self._state.refresh_ahead()

    def neighbourhood(self, application_id: int, hops: int = 2,
                      max_nodes: int = 200) -> dict[str, Any] | None:
        """The neighbourhood of the kept application ``application_id``; ``None`` if unknown."""
        self._seed.ensure()
        return kept_neighbourhood(self._state, application_id, hops, max_nodes)

    def recheck(self, application_id: int, policy: RecheckPolicy,
                cleared: Collection[str] = (), at: int | None = None) -> Recheck | None:
        """Re-check the kept application before payout with the links that arrived since its
        decision (:func:`creditfactory.fraud.live.recheck.recheck`); ``None`` if unknown."""
        self._seed.ensure()
        return recheck(self._state, application_id, policy, cleared, at)
