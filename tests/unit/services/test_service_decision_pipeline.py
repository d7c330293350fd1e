"""A decision goes catch-up → fraud assessment → model scores → strategy, each through its port."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import create_engine

from creditfactory.fraud.live import Assessment, CatchUp
from creditfactory.services.context import ServiceContext
from creditfactory.services.decision_pipeline import decide
from creditfactory.services.errors import DecisionUnavailable
from creditfactory.services.fraud_graph import identity_kept
from creditfactory.services.ports import Decision
from creditfactory.store import PersonalDataVault

APP = {"application_id": 0, "channel_id": "AG0001", "applied_at": "2030-01-02T10:00:00"}
ASSESSED = Assessment(0.25, (("BLACKLIST", "device shared"), ("AGE", "too young")))


class FakeGraph:
    """A live fraud graph that has just caught up (no store read is due)."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls
        self.kept_ids: list[int] = []

    def identity_of(self, app: Mapping[str, Any]) -> dict[str, int]:
        return {"applied_at": 1}

    def catch_up_due(self) -> bool:
        self.calls.append("catch-up")
        return False

    def catch_up_position(self) -> tuple[int, int]:
        raise AssertionError("no read is due")

    def take(self, batch: CatchUp) -> int:
        raise AssertionError("no read is due")

    def assess(self, app: Mapping[str, Any],
               identity: Mapping[str, int] | None = None) -> Assessment:
        self.calls.append("fraud")
        return ASSESSED

    def kept(self, identity: Mapping[str, int], application_id: int) -> bool:
        self.kept_ids.append(application_id)
        return True

    def neighbourhood(self, application_id: int, hops: int = 2,
                      max_nodes: int = 200) -> dict[str, Any] | None:
        return None


class FakeModels:
    def __init__(self, calls: list[str]) -> None:
        self.calls = calls
        self.given: Assessment | None = None

    def versions(self) -> dict[str, str]:
        return {"a_card": "fake"}

    def score_record(self, app: Mapping[str, Any],
                     fraud: Assessment | None = None) -> dict[str, Any]:
        self.calls.append("scores")
        self.given = fraud
        return {"a_pd": 0.01, "fraud_score": None if fraud is None else fraud.fraud_score,
                "fraud_rule_hits": "" if fraud is None else fraud.codes}


class FakeStrategy:
    version = "fake@1"

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls
        self.scores: Mapping[str, Any] = {}

    def decide(self, application: Mapping[str, Any], scores: Mapping[str, Any]) -> Decision:
        self.calls.append("strategy")
        self.scores = scores
        return Decision("auto_approve", Decimal("1000.00"), Decimal("0.18"), "P", (), 700.0)


def _context(**ports: Any) -> ServiceContext:
    return ServiceContext(create_engine("sqlite://"), PersonalDataVault("k" * 40), **ports)


def test_the_steps_run_in_order_and_each_hands_its_result_to_the_next() -> None:
    calls: list[str] = []
    models, strategy = FakeModels(calls), FakeStrategy(calls)
    ctx = _context(strategy=strategy, models=models, fraud=FakeGraph(calls))
    decision = decide(ctx, APP)
    assert calls == ["catch-up", "fraud", "scores", "strategy"]
    assert models.given is ASSESSED
    assert strategy.scores == {"a_pd": 0.01, "fraud_score": 0.25,
                               "fraud_rule_hits": "AGE,BLACKLIST"}
    assert decision.tier == "auto_approve"


def test_without_models_every_score_is_missing_and_without_a_graph_nothing_is_assessed() -> None:
    calls: list[str] = []
    strategy = FakeStrategy(calls)
    decide(_context(strategy=strategy), APP)
    assert calls == ["strategy"]
    assert strategy.scores["fraud_rule_hits"] == ""
    assert all(v is None for k, v in strategy.scores.items() if k != "fraud_rule_hits")


def test_no_active_strategy_refuses_before_any_step() -> None:
    calls: list[str] = []
    ctx = _context(models=FakeModels(calls), fraud=FakeGraph(calls))
    with pytest.raises(DecisionUnavailable, match="no strategy is active"):
        decide(ctx, APP)
    assert calls == []


def test_the_kept_id_reaches_the_graph_only_with_an_identity_record() -> None:
    graph = FakeGraph([])
    ctx = _context(fraud=graph)
    identity_kept(ctx, None, 7)
    identity_kept(ctx, {"applied_at": 1}, 8)
    assert graph.kept_ids == [8]
