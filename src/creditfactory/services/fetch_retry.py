"""Retrying the cases held for data a counterpart did not give, and deciding them once it does.

A case held at ``bureau_pull`` (the bureau did not answer) or ``external_data`` (the registry
did not) is asked again by the background job of ``serve``. When the report comes, the
application is decided on it (the first decision, as the submission would have made it) and
the case resumes its held step; when the registration comes, the data check's findings are
recorded and the case resumes. Past the step's SLA the case moves to the people's queue
:data:`~creditfactory.services.data_fetch.EXCEPTIONS_QUEUE` with its reason, for a risk
analyst, and is still retried; the analyst's task is closed when the retry resolves it.
Each case is asked again only when its own backoff has passed (:class:`CaseBackoff`: the
pause doubles with each failed attempt, every attempt is stored), and the rounds themselves
back off while nothing resolves (:class:`RetryBackoff`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from creditfactory.domain.case import Case
from creditfactory.factory import due_at
from creditfactory.services.application_input import rebuild_application, stored_fields
from creditfactory.services.context import ServiceContext
from creditfactory.services.data_fetch import (
    BUREAU_QUEUE,
    EXCEPTIONS_QUEUE,
    EXCEPTIONS_ROLE,
    FETCH_STEPS,
    REGISTRATION,
    REGISTRY_QUEUE,
    business_checks,
    look_up_registration,
    pull_report,
    record_pull,
    record_registration,
)
from creditfactory.services.decision_pipeline import decide
from creditfactory.services.decisions import store_decision
from creditfactory.services.errors import ScoringFailed
from creditfactory.services.flow import advance
from creditfactory.services.holds import hold_case
from creditfactory.services.ports import SYSTEM, Decision
from creditfactory.store import UnitOfWork
from creditfactory.store.types import utcnow

__all__ = ["CaseBackoff", "RetryBackoff", "RetryRound", "retry_held_fetches"]

RETRIED_QUEUES = (BUREAU_QUEUE, REGISTRY_QUEUE, EXCEPTIONS_QUEUE)


@dataclass
class RetryRound:
    """What one round did: cases asked again, resolved (moved on), still failing, and moved
    to the people's queue past their SLA."""

    tried: int = 0
    resolved: int = 0
    failed: int = 0
    escalated: int = 0


@dataclass
class RetryBackoff:
    """The pause before the next round: ``base`` after a round that resolved something or
    found nothing to do, doubled (up to ``cap``) after one in which everything failed."""

    base: float = 0.5
    cap: float = 30.0
    pause: float = 0.5

    def after(self, done: RetryRound) -> float:
        self.pause = self.base if done.resolved or not done.failed else min(self.pause * 2,
                                                                             self.cap)
        return self.pause


@dataclass(frozen=True)
class CaseBackoff:
    """A case is asked again ``base`` seconds after its first failed attempt, then after twice
    that, and so on, at most ``cap`` seconds apart."""

    base: float = 1.0
    cap: float = 300.0

    def due(self, attempts: list[dict[str, Any]], at_key: str, now: datetime) -> bool:
        """Whether a case with these stored ``attempts`` (oldest first) is due at ``now``."""
        failed = 0
        for row in reversed(attempts):
            if row["outcome"] in ("report", "found", "not_found"):
                break
            failed += 1
        if not failed:
            return True
        pause = min(self.base * 2 ** (failed - 1), self.cap)
        return now >= attempts[-1][at_key] + timedelta(seconds=pause)


@dataclass(frozen=True)
class _Held:
    case: Case
    application: dict[str, Any]
    consent_ref: str | None


def retry_held_fetches(ctx: ServiceContext, *, limit: int = 100,
                       backoff: CaseBackoff | None = None) -> RetryRound:
    """Ask the counterparts again for up to ``limit`` held cases per queue whose backoff has
    passed, longest held first; decide and move on those that get their data."""
    done = RetryRound()
    for held in _held_cases(ctx, limit, backoff or CaseBackoff()):
        if held.case.step == "bureau_pull":
            if held.consent_ref is None:
                continue  # nothing to pull with: the analyst's task says so
            _retry_bureau(ctx, held, done)
        else:
            _retry_registry(ctx, held, done)
    return done


def _held_cases(ctx: ServiceContext, limit: int, backoff: CaseBackoff) -> list[_Held]:
    out: list[_Held] = []
    now = utcnow()
    with ctx.uow(write=False) as uow:
        for queue in RETRIED_QUEUES:
            for case in uow.cases.held(queue, limit=limit):
                if case.step not in FETCH_STEPS:
                    continue
                tried = (uow.fetched.pulls(case.application_id) if case.step == "bureau_pull"
                         else uow.fetched.records(case.application_id, REGISTRATION))
                if not backoff.due(tried, "pulled_at" if case.step == "bureau_pull"
                                   else "fetched_at", now):
                    continue
                app = uow.applications.get(case.application_id)
                assert app is not None
                applicant = uow.applications.applicant(app.applicant_id)
                consent = uow.fetched.consent(case.application_id)
                out.append(_Held(case, rebuild_application(app, applicant, ctx.vault),
                                 None if consent is None else consent["consent_ref"]))
    return out


def _retry_bureau(ctx: ServiceContext, held: _Held, done: RetryRound) -> None:
    app = held.application
    assert held.consent_ref is not None
    done.tried += 1
    report, error = pull_report(ctx, app["resident_id"], held.consent_ref, app["applied_at"])
    decision: Decision | None = None
    if report is not None:
        app = {**app, **report.fields, "application_id": 0}
        try:
            decision = decide(ctx, app)
        except ScoringFailed:
            pass  # the case moves on undecided: the scoring step holds it for the analysts
    with ctx.uow() as uow:
        case = _still_held(uow, held.case)
        if case is None:
            return
        now = utcnow()
        source = "not configured" if ctx.bureau is None else ctx.bureau.source
        record_pull(uow, case.application_id, report, error, source, app["applied_at"], now)
        if report is None:
            reason = (f"no credit report: {error}" if error
                      else "the credit bureau has no file on the applicant")
            _still_failing(uow, ctx, case, reason, now, done, at_once=error is None)
        else:
            if decision is not None:
                seq = len(uow.applications.decisions(case.application_id)) + 1
                store_decision(uow, case.application_id, seq, "application", decision, now)
                case.tier = decision.tier
            uow.applications.set_fields(
                case.application_id,
                stored_fields({k: v for k, v in app.items() if k != "application_id"}),
            )
            _resume(uow, ctx, case, now, done)
        uow.commit()


def _retry_registry(ctx: ServiceContext, held: _Held, done: RetryRound) -> None:
    app = held.application
    done.tried += 1
    registration, error = look_up_registration(ctx, app["uscc"], app["applied_at"])
    with ctx.uow() as uow:
        case = _still_held(uow, held.case)
        if case is None:
            return
        now = utcnow()
        source = "not configured" if ctx.external is None else ctx.external.source
        record_registration(uow, case.application_id, registration, error, source, now)
        if error is not None:
            _still_failing(uow, ctx, case, f"no answer from the business registry: {error}",
                           now, done)
        else:
            checks = business_checks(case.application_id, app, registration, now)
            uow.fetched.add_checks(checks)
            mismatched = [c["check_name"] for c in checks if c["outcome"] != "match"]
            if mismatched:
                uow.audit.append("system", "data_check.findings", "application",
                                 case.application_id, case_id=case.id,
                                 detail={"not_matching": mismatched}, at=now)
            _resume(uow, ctx, case, now, done)
        uow.commit()


def _still_held(uow: UnitOfWork, seen: Case) -> Case | None:
    """The case, locked, when it is still held where the round found it."""
    case = uow.cases.get(seen.id, for_update=True)
    if case is None or case.hold not in RETRIED_QUEUES or case.step != seen.step:
        return None
    return case


def _still_failing(uow: UnitOfWork, ctx: ServiceContext, case: Case, reason: str,
                   now: datetime, done: RetryRound, *, at_once: bool = False) -> None:
    """Count the failure; past the step's SLA (or ``at_once``), hand the case to people."""
    done.failed += 1
    held_since = case.held_at or case.updated_at
    late = now >= due_at(ctx.process.step(case.step), held_since)
    if case.hold != EXCEPTIONS_QUEUE and (late or at_once):
        hold_case(uow, case, EXCEPTIONS_QUEUE, reason, now, role=EXCEPTIONS_ROLE,
                  evidence={"was_held_in": case.hold, "held_since": held_since.isoformat()})
        uow.cases.save(case)
        done.escalated += 1


def _resume(uow: UnitOfWork, ctx: ServiceContext, case: Case, now: datetime,
            done: RetryRound) -> None:
    """Close the analyst's open task, if any, and do the held step again."""
    for task in uow.cases.tasks_of(case.id):
        if task.station == EXCEPTIONS_QUEUE and task.step == case.step and task.status == "open":
            task.claim(SYSTEM.username, now)
            uow.cases.claim(task)
            task.complete(SYSTEM.username, now, {"resolved": "the data were fetched on retry"})
            uow.cases.complete(task)
    advance(uow, ctx, case, case.step, SYSTEM, now)
    done.resolved += 1
