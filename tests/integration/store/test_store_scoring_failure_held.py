"""A model that fails to score: the submission is kept undecided, the case held at ``scoring``
in the analysts' named queue with the failure as its reason, the failure counted; once the
model scores again the analyst's task decides the case and moves it on."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from creditfactory.fraud.live import Assessment
from creditfactory.models.errors import ScoringFailed as ModelScoringFailed
from creditfactory.services.context import ServiceContext
from creditfactory.services.decision_pipeline import scoring_failures
from creditfactory.services.intake import submit_application
from creditfactory.services.ports import Actor, Decision
from creditfactory.services.queries import case_view
from creditfactory.services.scoring_step import SCORING_QUEUE, SCORING_ROLE
from creditfactory.services.setup import setup_service
from creditfactory.services.tasks import complete_task, station_queue
from creditfactory.store import PersonalDataVault, make_engine
from creditfactory.world import generate

AM = Actor("am", "account_manager")
ANALYST = Actor("ra", "risk_analyst")


class Approve:
    version = "approve@1"

    def decide(self, app: Mapping[str, Any], scores: Mapping[str, Any],
               split_key: str | None = None) -> Decision:
        assert scores["a_score"] == 640.0  # never decided on scores that were not computed
        return Decision("auto_approve", Decimal("100000.00"), Decimal("0.2"), "STANDARD", (),
                        640.0, {})


class BrokenThenFixed:
    """An A-card that fails (a bug, not a missing input) until it is fixed."""

    def __init__(self) -> None:
        self.broken = True

    def score_record(self, app: Mapping[str, Any], fraud: Assessment | None) -> dict[str, Any]:
        if self.broken:
            raise ModelScoringFailed("a_card", "ValueError")
        return {"a_score": 640.0, "a_pd": 0.02, "challenger_pd": 0.02, "fraud_score": 0.0,
                "fraud_rule_hits": "", "packaging_score": 0.1}

    def versions(self) -> dict[str, str]:
        return {}


@pytest.fixture
def broken(empty_db_url: str, counterparts: Any, wire: Any
           ) -> Iterator[tuple[ServiceContext, BrokenThenFixed, Any]]:
    world = generate(300, 12, seed=5)
    engine = make_engine(empty_db_url)
    try:
        ctx = ServiceContext(engine, PersonalDataVault("k" * 40), Approve())
        setup_service(ctx, empty_db_url, "a-long-admin-password", world, train=False)
        model = BrokenThenFixed()
        ctx.models = model  # type: ignore[assignment]
        yield wire(ctx, counterparts(world.applications)), model, world
    finally:
        engine.dispose()


def test_a_scoring_failure_holds_the_case_for_the_analysts_until_the_model_scores(
    broken: tuple[ServiceContext, BrokenThenFixed, Any], declared: Any
) -> None:
    ctx, model, world = broken
    before = scoring_failures().get("a_card", 0)
    row = world.applications.iloc[0].to_dict()
    code, body, _ = submit_application(ctx, AM, declared(row), "k-0")
    assert code == 202 and body["decision"] is None
    assert (body["step"], body["held"]["queue"]) == ("scoring", SCORING_QUEUE)
    assert "a_card model failed" in body["held"]["reason"]
    assert scoring_failures()["a_card"] > before
    with ctx.engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM decisions")).scalar_one() == 0
    with ctx.uow(write=False) as uow:
        [task] = uow.cases.tasks_of(body["case_id"])
    assert (task.station, task.role, task.step) == (SCORING_QUEUE, SCORING_ROLE, "scoring")
    assert [t["task_id"] for t in station_queue(ctx, ANALYST, SCORING_QUEUE, 0, 50)] == [task.id]
    shown = case_view(ctx, ANALYST, body["case_id"])
    assert shown["hold"] == SCORING_QUEUE and "failed" in shown["hold_reason"]

    # still broken: completing the task tries again and keeps the case held, undecided
    again = complete_task(ctx, ANALYST, task.id, {"verdict": "pass", "note": "retry"})
    assert again["case_step"] == "scoring"
    with ctx.uow(write=False) as uow:
        case = uow.cases.get(body["case_id"])
        assert case is not None and case.hold == SCORING_QUEUE and case.tier == "pending"
        task = [t for t in uow.cases.tasks_of(case.id) if t.status == "open"][0]

    model.broken = False
    done = complete_task(ctx, ANALYST, task.id, {"verdict": "pass", "note": "model fixed"})
    assert done["case_step"] == "bank_approval"
    with ctx.uow(write=False) as uow:
        case = uow.cases.get(body["case_id"])
        assert case is not None and case.hold is None and case.tier == "auto_approve"
        assert len(uow.applications.decisions(case.application_id)) == 1
