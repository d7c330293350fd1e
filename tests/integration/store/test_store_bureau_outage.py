"""A bureau that fails: submissions are kept and held with no decision, the retry job decides
them once it answers again, a case held past the step's SLA goes to the risk analysts' queue
(and is still retried), and nothing is lost."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from creditfactory.domain.external_data import BUREAU_FIELDS
from creditfactory.services.context import ServiceContext
from creditfactory.services.data_fetch import BUREAU_QUEUE, EXCEPTIONS_QUEUE, EXCEPTIONS_ROLE
from creditfactory.services.fetch_retry import (
    CaseBackoff,
    RetryBackoff,
    RetryRound,
    retry_held_fetches,
)
from creditfactory.services.intake import submit_application
from creditfactory.services.ports import Actor, Decision
from creditfactory.services.setup import setup_service
from creditfactory.store import PersonalDataVault, make_engine
from creditfactory.store.types import utcnow
from creditfactory.world import generate

AM = Actor("am", "account_manager")


class ByBureauDebt:
    """Decides on the pulled bureau fields only: approves up to 200k of bureau debt."""

    version = "by-bureau@1"
    seen: list[Mapping[str, Any]] = []

    def decide(self, app: Mapping[str, Any], scores: Mapping[str, Any]) -> Decision:
        self.seen.append(dict(app))
        tier = "auto_approve" if Decimal(str(app["bureau_debt"])) <= 200_000 else "reject"
        return Decision(tier, Decimal("100000.00"), Decimal("0.2"), "STANDARD", (), 600.0, {})


@pytest.fixture
def outage(empty_db_url: str, counterparts: Any, wire: Any) -> Iterator[tuple[ServiceContext, Any, Any]]:
    world = generate(300, 12, seed=5)
    engine = make_engine(empty_db_url)
    try:
        ctx = ServiceContext(engine, PersonalDataVault("k" * 40), ByBureauDebt())
        setup_service(ctx, empty_db_url, "a-long-admin-password", world, train=False)
        bureau = counterparts(world.applications, fail_rate=1.0)
        yield wire(ctx, bureau, fetch_budget_ms=80), bureau, world
    finally:
        engine.dispose()


def _count(ctx: ServiceContext, sql: str) -> int:
    with ctx.engine.connect() as c:
        return int(c.execute(sa.text(sql)).scalar_one())


def test_a_failing_bureau_holds_cases_undecided_and_the_retry_job_decides_them(
    outage: tuple[ServiceContext, Any, Any], declared: Any
) -> None:
    ctx, bureau, world = outage
    rows = world.applications.head(6).to_dict("records")
    answers = [submit_application(ctx, AM, declared(r, n), f"k-{n}") for n, r in enumerate(rows)]
    assert {code for code, _, _ in answers} == {202}
    for _, body, _ in answers:
        assert body["decision"] is None and body["step"] == "bureau_pull"
        assert body["held"]["queue"] == BUREAU_QUEUE
    assert _count(ctx, "SELECT count(*) FROM decisions") == 0
    assert _count(ctx, "SELECT count(*) FROM bureau_pulls WHERE outcome = 'unavailable'") == 6
    # the same key gets the same answer, and no second application
    again = submit_application(ctx, AM, declared(rows[0], 0), "k-0")
    assert again == (202, answers[0][1], True)

    # each case waits its own backoff (a second after its failed pull, then two, four ...)
    assert retry_held_fetches(ctx) == RetryRound()
    at_once = CaseBackoff(base=0.0)
    still = retry_held_fetches(ctx, backoff=at_once)
    assert (still.tried, still.resolved, still.failed, still.escalated) == (6, 0, 6, 0)
    assert RetryBackoff(base=0.5, cap=4).after(still) == 1.0

    # one case has waited past bureau_pull's SLA: it goes to the analysts, still retried
    late = answers[0][1]["case_id"]
    with ctx.uow() as uow:
        uow.cases.update(late, held_at=utcnow() - timedelta(minutes=5))
        uow.commit()
    assert retry_held_fetches(ctx, backoff=at_once).escalated == 1
    with ctx.uow(write=False) as uow:
        case = uow.cases.get(late)
        assert case is not None and case.hold == EXCEPTIONS_QUEUE and case.step == "bureau_pull"
        assert "no credit report" in (case.hold_reason or "")
        [task] = uow.cases.tasks_of(late)
        assert (task.station, task.role, task.status) == (EXCEPTIONS_QUEUE, EXCEPTIONS_ROLE, "open")

    bureau.server.faults.update({"fail_rate": 0.0})
    ByBureauDebt.seen.clear()
    # the bureau's round decides them; they stop next at external_data, whose registry
    # failed too, and the next round looks the businesses up
    rounds = [retry_held_fetches(ctx, backoff=at_once) for _ in range(3)]
    assert [(r.tried, r.resolved, r.failed) for r in rounds] == [(6, 6, 0), (6, 6, 0), (0, 0, 0)]
    assert rounds[2] == RetryRound()
    # decided on the bureau's fields, as the world holds them, never on the submission's
    debts = {Decimal(str(a["bureau_debt"])) for a in ByBureauDebt.seen}
    assert debts == {Decimal(str(r["bureau_debt"])).quantize(Decimal("0.01")) for r in rows}
    assert _count(ctx, "SELECT count(*) FROM applications") == 6
    assert _count(ctx, "SELECT count(*) FROM decisions") == 6
    assert _count(ctx, "SELECT count(*) FROM cases WHERE hold IS NOT NULL") == 0
    assert _count(ctx, "SELECT count(*) FROM cases WHERE tier = 'pending'") == 0
    with ctx.uow(write=False) as uow:
        [task] = uow.cases.tasks_of(late)
        assert task.status == "done" and task.assignee == "system"
        for _, body, _ in answers:
            app = uow.applications.get(body["application_id"])
            assert app is not None and set(BUREAU_FIELDS) <= set(app.fields)
            case = uow.cases.get(body["case_id"])
            assert case is not None and case.step != "bureau_pull"
            assert [p["outcome"] for p in uow.fetched.pulls(body["application_id"])][-1] == "report"
    # the stored answer to the key does not change: the submitter was told 202
    assert submit_application(ctx, AM, declared(rows[0], 0), "k-0")[0] == 202


def test_submitted_bureau_fields_and_time_are_never_the_decisions(
    outage: tuple[ServiceContext, Any, Any], declared: Any
) -> None:
    ctx, bureau, world = outage
    bureau.server.faults.update({"fail_rate": 0.0})
    row = world.applications.iloc[3].to_dict()
    ByBureauDebt.seen.clear()
    at = utcnow() - timedelta(days=30)
    code, body, _ = submit_application(replace(ctx, clock=lambda: at), AM, declared(row, 3), "k")
    assert code == 201 and body["decision"] is not None
    [seen] = ByBureauDebt.seen
    assert seen["applied_at"] == at
    assert Decimal(str(seen["bureau_debt"])) == Decimal(str(row["bureau_debt"])).quantize(Decimal("0.01"))
    with ctx.uow(write=False) as uow:
        assert uow.applications.get(body["application_id"]).applied_at == at  # type: ignore[union-attr]
        [pull] = uow.fetched.pulls(body["application_id"])
        assert pull["outcome"] == "report" and pull["source"].startswith("bureau@http://127.0.0.1")
        assert uow.fetched.consent(body["application_id"])["consent_ref"] == "CONSENT-000003"  # type: ignore[index]
        checks = {c["check_name"]: c["outcome"] for c in uow.fetched.checks(body["application_id"])}
    assert checks == {"registration": "match", "business_name": "match", "industry": "match",
                      "years_in_business": "match"}


def test_a_resident_the_bureau_does_not_know_goes_to_the_analysts_undecided(
    outage: tuple[ServiceContext, Any, Any], declared: Any
) -> None:
    ctx, bureau, world = outage
    bureau.server.faults.update({"fail_rate": 0.0})
    row = {**world.applications.iloc[4].to_dict(), "resident_id": "11010519491231002X"}
    code, body, _ = submit_application(ctx, AM, declared(row, 4), "k")
    assert code == 202 and body["decision"] is None
    assert body["held"] == {"queue": EXCEPTIONS_QUEUE,
                            "reason": "the credit bureau has no file on the applicant"}
