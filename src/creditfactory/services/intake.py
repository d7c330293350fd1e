"""Submitting an application: validate, fetch, decide, open the case, walk it as far as it goes.

The application's time is the server's clock (``ctx.clock``), never the submitter's, and the
bureau fields the decision reads are pulled from the credit bureau (the business'
registration from the registry) before the write, never taken from the body. When the bureau
does not answer in the request's budget the application and its case are still kept, the
case held at ``bureau_pull`` with no decision (202); the retry job decides it once the bureau
answers (``services/fetch_retry.py``).

Idempotent by (user, key): a retried request with the same body gets the stored answer and
never creates a second application; the same key with another body is a conflict. The
decision and everything else that needs no lock (sealing, JSON) run before the write
transaction, so the SQLite writer lock is held only for the statements. A concurrent request
with the same key loses on the key's primary key and gets the winner's answer. The channel's
status is checked as the submission arrives, with the key and the applicant in one read: a
channel suspended while a submission is being decided still has that one submission kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from creditfactory.domain.application import Application
from creditfactory.domain.case import UNDECIDED, Case
from creditfactory.domain.route import route_of
from creditfactory.services.application_input import (
    SealedForms,
    check_application,
    sealed_forms,
    stored_fields,
)
from creditfactory.services.context import ServiceContext
from creditfactory.services.data_fetch import Fetched, fetch, fetch_async, record_fetched
from creditfactory.services.decision_pipeline import (
    active_strategy,
    assess_fraud,
    fraud_identity,
    model_scores,
)
from creditfactory.services.decisions import (
    decision_record,
    decision_summary,
    json_safe,
    latest_decision,
    store_decision,
)
from creditfactory.services.errors import IdempotencyKeyReused, InvalidInput, ScoringFailed
from creditfactory.services.flow import advance
from creditfactory.services.four_eyes import check_submitter, refusals_audited
from creditfactory.services.fraud_graph import catch_up_if_due, identity_kept, stored_identity
from creditfactory.services.ports import Actor, Decision
from creditfactory.store.repo_intake import Opening

__all__ = [
    "Begun",
    "Submitted",
    "begin_submission",
    "finish_submission",
    "submit_application",
    "submit_application_async",
]

Submitted = tuple[int, dict[str, Any], bool]
PENDING_TIER = UNDECIDED


def _request_hash(app: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(app, sort_keys=True, default=json_safe).encode()).hexdigest()


def _replay(row: Any, key: str, digest: str) -> Submitted:
    if row["request_hash"] != digest:
        raise IdempotencyKeyReused(f"Idempotency-Key {key!r} was used for a different application")
    return row["status_code"], row["response"], True


def _stored_answer(ctx: ServiceContext, actor: Actor, key: str, digest: str) -> Submitted | None:
    with ctx.uow(write=False) as uow:
        row = uow.idempotency.get(actor.username, key)
    return None if row is None else _replay(row, key, digest)


@dataclass(frozen=True)
class Begun:
    """A submission checked, sealed and read against the store, waiting for its counterparts'
    data: what :func:`finish_submission` decides and writes."""

    actor: Actor
    app: dict[str, Any]
    key: str
    digest: str
    sealed: SealedForms
    opening: Opening
    application: dict[str, Any]

    @property
    def fetch_args(self) -> tuple[str, str, str, datetime]:
        """What the counterparts are asked for: resident ID, consent, business code, as of."""
        app = self.app
        return app["resident_id"], app["bureau_consent_ref"], app["uscc"], app["applied_at"]


def begin_submission(
    ctx: ServiceContext, actor: Actor, app: dict[str, Any], idempotency_key: str
) -> Submitted | Begun:
    """Validate, seal and read the key, the channel and the applicant: the stored answer
    when the key was answered before, else the submission ready for its fetch."""
    with refusals_audited(ctx, actor, "application.submit", "submission", idempotency_key):
        check_submitter(ctx, actor)
    digest = _request_hash(app)
    app = {**app, "applied_at": ctx.clock()}
    check_application(app)
    sealed = sealed_forms(app, ctx.vault)  # its resident ID hash finds the applicant
    opening = _opening_read(ctx, actor, app, idempotency_key,
                            sealed.applicant["resident_id_hash"])
    if opening.answered is not None:
        return _replay(opening.answered, idempotency_key, digest)
    return Begun(actor, app, idempotency_key, digest, sealed, opening, _decidable(app, opening))


def finish_submission(ctx: ServiceContext, begun: Begun, fetched: Fetched) -> Submitted:
    """Decide on what was fetched (only on a pulled report), write, and tell the fraud graph
    the kept id."""
    strategy = active_strategy(ctx)
    application = dict(begun.application)
    if fetched.report is not None:
        application.update(fetched.report.fields)
    catch_up_if_due(ctx)
    identity = fraud_identity(ctx, application)
    decision = None
    if fetched.report is not None:
        fraud = assess_fraud(ctx, application, identity)
        try:
            scores = model_scores(ctx, application, fraud)
        except ScoringFailed:
            pass  # logged and counted; the scoring step holds the case for the analysts
        else:
            decision = strategy.decide(application, scores)
    status, body, replayed = _keep(ctx, begun, decision, identity, (application, fetched))
    if not replayed:
        identity_kept(ctx, identity, body["application_id"])
    return status, body, replayed


def submit_application(
    ctx: ServiceContext, actor: Actor, app: dict[str, Any], idempotency_key: str
) -> Submitted:
    """Return (status code, response body, replayed?) for one submitted application.

    validate → seal → opening read → fetch (bureau, registry) → catch-up → fraud assessment →
    model scores → strategy decision (only on a pulled report) → write → tell the fraud graph
    the kept id. 201 when the case moved on, 202 when it is held for data not yet fetched.
    """
    begun = begin_submission(ctx, actor, app, idempotency_key)
    if not isinstance(begun, Begun):
        return begun
    return finish_submission(ctx, begun, fetch(ctx, *begun.fetch_args))


async def submit_application_async(
    ctx: ServiceContext, actor: Actor, app: dict[str, Any], idempotency_key: str
) -> Submitted:
    """:func:`submit_application` for an event loop: the counterparts are awaited on the loop,
    holding no thread; the store's reads and the write run on the loop's threads, so a slow
    database round trip (a busy machine) never stops the loop serving other requests."""
    loop = asyncio.get_running_loop()
    begun = await loop.run_in_executor(None, begin_submission, ctx, actor, app, idempotency_key)
    if not isinstance(begun, Begun):
        return begun
    fetched = await fetch_async(ctx, *begun.fetch_args)
    return await loop.run_in_executor(None, finish_submission, ctx, begun, fetched)


def _opening_read(ctx: ServiceContext, actor: Actor, app: dict[str, Any], key: str,
                  resident_hash: str) -> Opening:
    """The stored answer to this key, the channel and the applicant, in one read."""
    with ctx.uow(write=False) as uow:
        return uow.intake.opening(actor.username, key, resident_hash, app["channel_id"])


def _decidable(app: dict[str, Any], opening: Opening) -> dict[str, Any]:
    """The application as the decision reads it; refused when its channel cannot submit."""
    if opening.channel_type is None:
        raise InvalidInput([("channel_id", "unknown channel")])
    if opening.channel_status != "active":
        raise InvalidInput([("channel_id", f"channel is {opening.channel_status}")])
    return {
        **app,
        "application_id": 0,
        "channel_type": opening.channel_type,
        "repeat_customer": opening.applicant_id is not None,
    }


def _keep(ctx: ServiceContext, begun: Begun, decision: Decision | None,
          identity: dict[str, int] | None, data: tuple[dict[str, Any], Fetched]) -> Submitted:
    """Write the submission; when a concurrent one with the same key won, its answer."""
    actor, key, digest, opening = begun.actor, begun.key, begun.digest, begun.opening
    record = None if decision is None else decision_record(decision)
    args = (ctx, actor, begun.app, key, digest, begun.sealed, decision, record, identity,
            opening.ids, data)
    try:
        return _write(*args, opening.applicant_id)
    except IntegrityError:
        replay = _stored_answer(ctx, actor, key, digest)
        if replay is not None:
            return replay
    # another submission added the same applicant first: write again with theirs
    with ctx.uow(write=False) as uow:
        applicant_id = uow.applications.applicant_id(begun.sealed.applicant["resident_id_hash"])
    try:
        return _write(*args, applicant_id)
    except IntegrityError:
        replay = _stored_answer(ctx, actor, key, digest)
        if replay is None:
            raise
        return replay


def _write(
    ctx: ServiceContext,
    actor: Actor,
    app: dict[str, Any],
    key: str,
    digest: str,
    sealed: SealedForms,
    decision: Decision | None,
    record: dict[str, Any] | None,
    identity: dict[str, int] | None,
    ids: dict[str, int] | None,
    data: tuple[dict[str, Any], Fetched],
    applicant_id: int | None,
) -> Submitted:
    """The one write transaction of a submission; IntegrityError when a concurrent one won.

    ``ids`` are the row ids the opening read took (PostgreSQL): a retry after a rolled-back
    attempt inserts the same ones, so the application id leaves no gap. ``data``: the
    application as decided (the bureau's fields in it once pulled) and what was fetched.
    """
    now = ctx.clock()
    decided, fetched = data
    fields = stored_fields({k: v for k, v in decided.items() if k != "application_id"})
    with ctx.uow() as uow:
        uow.intake.use_ids(ids)
        if applicant_id is None:
            applicant_id = uow.applications.add_applicant(**sealed.applicant, created_at=now)
        application = Application(
            applicant_id=applicant_id,
            channel_id=app["channel_id"],
            branch=app["branch"],
            industry=app["industry"],
            amount=app["amount"],
            term_months=app["term_months"],
            applied_at=app["applied_at"],
            status="in_process",
            **sealed.application,
            fraud_identity=stored_identity(identity),
            fields=fields,
            created_by=actor.username,
            created_at=now,
        )
        app_id = uow.applications.add(application)
        record_fetched(uow, app_id, app, fetched, actor.username, now)
        if decision is not None:
            store_decision(uow, app_id, 1, "application", decision, now, record=record)
        tier = PENDING_TIER if decision is None else decision.tier
        case = Case.open(app_id, tier, route_of(ctx.process.steps), now)
        uow.cases.add(case)
        uow.audit.append(
            actor.username,
            "application.submitted",
            "application",
            app_id,
            case_id=case.id,
            detail={
                "channel": app["channel_id"],
                "amount": str(app["amount"]),
                "resident_id": sealed.applicant["resident_id_masked"],
                "tier": tier,
            },
            at=now,
        )
        case = advance(uow, ctx, case, None, actor, now)
        written = uow.applications.get(app_id)
        assert written is not None
        body = {
            "application_id": app_id,
            "status": written.status,
            "case_id": case.id,
            "step": case.step,
            "decision": None if decision is None else decision_summary(
                latest_decision(uow, app_id)),
            "held": None if case.hold is None else {"queue": case.hold,
                                                    "reason": case.hold_reason},
        }
        code = 202 if case.is_held else 201
        uow.idempotency.add(actor.username, key, digest, code, body)
        uow.commit()
        return code, body, False
