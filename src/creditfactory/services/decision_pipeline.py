"""The steps of one decision, each through a typed port of the service context.

catch-up (:func:`~creditfactory.services.fraud_graph.catch_up_if_due`) → fraud assessment
(:func:`assess_fraud`) → model scores (:func:`model_scores`) → strategy decision
(``strategy.decide``). Intake runs them one by one around its reads and write;
:func:`decide` runs them in one go for a re-decision.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

from creditfactory.fraud.live import Assessment
from creditfactory.models.errors import ScoringFailed as ModelScoringFailed
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import DecisionUnavailable, ScoringFailed
from creditfactory.services.fraud_graph import catch_up_if_due
from creditfactory.services.ports import Decision, DecisionStrategy
from creditfactory.strategy import NoScores

__all__ = ["active_strategy", "assess_fraud", "decide", "fraud_identity", "model_scores",
           "scoring_failures"]

_NO_SCORES = NoScores()
_log = logging.getLogger(__name__)


class _FailureCount:
    """Scoring failures in this process, by the model that failed (for the health route)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, model: str) -> None:
        with self._lock:
            self._counts[model] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)


_FAILURES = _FailureCount()


def scoring_failures() -> dict[str, int]:
    """How many applications each model failed to score since this process started."""
    return _FAILURES.snapshot()


def active_strategy(ctx: ServiceContext) -> DecisionStrategy:
    """The strategy that decides; :class:`DecisionUnavailable` when none is active."""
    if ctx.strategy is None:
        raise DecisionUnavailable("no strategy is active: run `creditfactory setup`")
    return ctx.strategy


def fraud_identity(ctx: ServiceContext, application: Mapping[str, Any]) -> dict[str, int] | None:
    """The application's identity record under the live graph's key (computed once, for the
    assessment, the store and the graph); ``None`` without a live graph."""
    return None if ctx.fraud is None else ctx.fraud.identity_of(application)


def assess_fraud(ctx: ServiceContext, application: Mapping[str, Any],
                 identity: Mapping[str, int] | None = None) -> Assessment | None:
    """The live fraud graph's assessment of the application; ``None`` without a live graph."""
    return None if ctx.fraud is None else ctx.fraud.assess(application, identity)


def model_scores(ctx: ServiceContext, application: Mapping[str, Any],
                 fraud: Assessment | None) -> dict[str, Any]:
    """The models' scores of the application with its fraud assessment (every score missing
    when the strategy decides without models).

    A model that fails (not a missing input, which the strategy routes) is logged by model and
    kind of failure only, counted, and raised as :class:`ScoringFailed`: no decision is made
    from scores that were never computed.
    """
    try:
        return (ctx.models or _NO_SCORES).score_record(application, fraud)
    except ModelScoringFailed as exc:
        _FAILURES.add(exc.model)
        _log.error("scoring failed: model=%s cause=%s", exc.model, exc.cause)
        raise ScoringFailed(str(exc)) from exc


def decide(ctx: ServiceContext, application: Mapping[str, Any]) -> Decision:
    """Catch up, assess fraud, score and decide one application."""
    strategy = active_strategy(ctx)
    catch_up_if_due(ctx)
    fraud = assess_fraud(ctx, application)
    scores = model_scores(ctx, application, fraud)
    return strategy.decide(application, scores)
