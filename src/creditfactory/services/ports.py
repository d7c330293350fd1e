"""The ports the service layer needs from the engines: fraud graph, models, strategy.

A decision goes through three of them in turn, each typed here where the services need it:
the live fraud graph (:class:`FraudGraph`) assesses the application, the models
(:class:`ModelScores`) score it with that assessment, and the strategy
(:class:`DecisionStrategy`) decides from the application and its scores. Production wires
``creditfactory.fraud.live``, ``creditfactory.models`` and the compiled strategy
(``services/bootstrap.py``); tests pass hand-written fakes.

The data the decision reads about the applicant's borrowing come from the counterparts, not
from the submission: the credit bureau (:class:`CreditBureau`) and the business registry
(:class:`ExternalData`), HTTP clients in ``creditfactory.adapters``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

import pandas as pd

from creditfactory.domain.external_data import BureauReport, BusinessRegistration
from creditfactory.fraud.live import Assessment, CatchUp, Recheck, RecheckPolicy

__all__ = [
    "SYSTEM",
    "Actor",
    "ChannelRescoring",
    "CreditBureau",
    "Decision",
    "DecisionStrategy",
    "ExternalData",
    "FraudGraph",
    "ModelScores",
]


@dataclass(frozen=True)
class Decision:
    """What the strategy decided about one application.

    ``record`` is the strategy's full decision record in JSON-safe form (scores, engine
    outputs, versions), kept verbatim in the store for audit and back-testing.
    """

    tier: str
    limit: Decimal
    rate: Decimal
    product: str
    reasons: tuple[str, ...]
    score: float | None
    record: dict[str, Any] = field(default_factory=dict)


class FraudGraph(Protocol):
    """The live fraud graph: every kept application, assessed one new application at a time.

    The services read what was kept since :meth:`catch_up_position` from the store and hand
    it over with :meth:`take`; :meth:`catch_up_due` says whether a score should read first.
    """

    def identity_of(self, app: Mapping[str, Any]) -> dict[str, int]: ...

    def catch_up_due(self) -> bool: ...

    def catch_up_position(self) -> tuple[int, int]: ...

    def book_position(self) -> int: ...

    def take(self, batch: CatchUp) -> int: ...

    def assess(self, app: Mapping[str, Any],
               identity: Mapping[str, int] | None = None) -> Assessment: ...

    def kept(self, identity: Mapping[str, int], application_id: int) -> bool: ...

    def neighbourhood(self, application_id: int, hops: int = 2,
                      max_nodes: int = 200) -> dict[str, Any] | None: ...

    def recheck(self, application_id: int, policy: RecheckPolicy,
                cleared: Collection[str] = (), at: int | None = None) -> Recheck | None: ...


class ModelScores(Protocol):
    """The trained models: the scores of one application, given its fraud assessment."""

    def versions(self) -> dict[str, str]: ...

    def score_record(self, app: Mapping[str, Any],
                     fraud: Assessment | None = None) -> dict[str, Any]: ...


class ChannelRescoring(Protocol):
    """The channel packaging scores, re-scored with verification findings."""

    def refresh_packaging(self, findings: pd.DataFrame) -> dict[str, float]: ...


class DecisionStrategy(Protocol):
    """Decide one application from its scores; the same inputs give the same decision.

    ``split_key`` (any stable text or number) chooses the arm when a challenger is live; by
    default the applicant's keyed resident-ID hash, else the application id.
    """

    @property
    def version(self) -> str: ...

    def decide(self, application: Mapping[str, Any], scores: Mapping[str, Any], *,
               split_key: str | int | None = None) -> Decision: ...


class CreditBureau(Protocol):
    """The credit bureau: the applicant's report, pulled with the consent they signed.

    ``as_of``: the report as the bureau held it then (the submission's time). ``None`` when
    the bureau has no file on the resident; :class:`~creditfactory.domain.external_data.
    CounterpartUnavailable` when it did not answer within the client's retries. A bureau
    may also offer ``async pull_async`` (same arguments and answers), which a server awaits on
    its event loop; without it the server calls :meth:`pull` on a thread.
    """

    @property
    def source(self) -> str: ...

    def pull(self, resident_id: str, consent_ref: str, as_of: datetime) -> BureauReport | None: ...


class ExternalData(Protocol):
    """The business registry: a business by its unified social credit code (``None`` when it
    is not on the register); ``CounterpartUnavailable`` as for the bureau. ``async
    registration_async`` may be offered as for the bureau's ``pull_async``."""

    @property
    def source(self) -> str: ...

    def registration(self, uscc: str, as_of: datetime) -> BusinessRegistration | None: ...


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user or the system itself."""

    username: str
    role: str
    bank_code: str | None = None


SYSTEM = Actor("system", "system")
