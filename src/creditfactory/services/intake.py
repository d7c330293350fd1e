"""Submitting an application: validate, decide, open the case, walk it as far as it goes.

Idempotent by (user, key): a retried request with the same body gets the stored answer and
never creates a second application; the same key with another body is a conflict. The
decision runs before the write transaction so the SQLite writer lock is held only for inserts.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.exc import IntegrityError

from creditfactory.services.application_input import check_application, sealed_forms, stored_fields
from creditfactory.services.context import ServiceContext
from creditfactory.services.decisions import decision_summary, json_safe, store_decision
from creditfactory.services.errors import DecisionUnavailable, IdempotencyKeyReused, InvalidInput
from creditfactory.services.flow import advance
from creditfactory.services.ports import Actor
from creditfactory.store import UnitOfWork
from creditfactory.store.types import utcnow

__all__ = ["submit_application", "Submitted"]

Submitted = tuple[int, dict[str, Any], bool]


def _request_hash(app: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(json_safe(app), sort_keys=True).encode()).hexdigest()


def _replay(ctx: ServiceContext, actor: Actor, key: str, digest: str) -> Submitted | None:
    with ctx.uow(write=False) as uow:
        row = uow.idempotency.get(actor.username, key)
    if row is None:
        return None
    if row["request_hash"] != digest:
        raise IdempotencyKeyReused(f"Idempotency-Key {key!r} was used for a different application")
    return row["status_code"], row["response"], True


def submit_application(
    ctx: ServiceContext, actor: Actor, app: dict[str, Any], idempotency_key: str
) -> Submitted:
    """Return (status code, response body, replayed?) for one submitted application."""
    digest = _request_hash(app)
    replay = _replay(ctx, actor, idempotency_key, digest)
    if replay is not None:
        return replay
    check_application(app)
    if ctx.decider is None:
        raise DecisionUnavailable("no strategy is active: run `creditfactory setup`")
    sealed = sealed_forms(app, ctx.vault)
    with ctx.uow(write=False) as uow:
        channel = _usable_channel(uow, app["channel_id"])
        repeat = uow.applications.applicant_id(sealed["resident_id"].hash) is not None
    decision = ctx.decider.decide(
        {
            **app,
            "application_id": 0,
            "channel_type": channel["channel_type"],
            "repeat_customer": repeat,
        }
    )
    now = utcnow()
    try:
        with ctx.uow() as uow:
            if uow.idempotency.get(actor.username, idempotency_key) is not None:
                raise _Raced
            _usable_channel(uow, app["channel_id"])
            rid = sealed["resident_id"]
            applicant_id = uow.applications.applicant_id(
                rid.hash
            ) or uow.applications.add_applicant(
                resident_id_hash=rid.hash,
                resident_id_masked=rid.masked,
                resident_id_enc=rid.encrypted,
                name=app["name"],
                created_at=now,
            )
            app_id = uow.applications.add(
                applicant_id=applicant_id,
                channel_id=app["channel_id"],
                branch=app["branch"],
                industry=app["industry"],
                amount=app["amount"],
                term_months=app["term_months"],
                applied_at=app["applied_at"],
                status="in_process",
                phone_hash=sealed["phone"].hash,
                phone_masked=sealed["phone"].masked,
                phone_enc=sealed["phone"].encrypted,
                bank_card_hash=sealed["bank_card"].hash,
                bank_card_masked=sealed["bank_card"].masked,
                bank_card_enc=sealed["bank_card"].encrypted,
                contact_phones_masked=sealed["contact_phones_masked"],
                contact_phones_enc=sealed["contact_phones_enc"],
                fields=stored_fields(app),
                created_by=actor.username,
                created_at=now,
            )
            store_decision(uow, app_id, 1, "application", decision, now)
            case: dict[str, Any] = {
                "application_id": app_id,
                "tier": decision.tier,
                "step": "referral",
                "status": "open",
                "bank_code": None,
                "exception": False,
                "opened_at": now,
                "updated_at": now,
            }
            case["id"] = uow.cases.add(**case)
            uow.audit.append(
                actor.username,
                "application.submitted",
                "application",
                app_id,
                case_id=case["id"],
                detail={
                    "channel": app["channel_id"],
                    "amount": str(app["amount"]),
                    "resident_id": rid.masked,
                    "tier": decision.tier,
                },
                at=now,
            )
            case = advance(uow, ctx, case, None, actor, now)
            status = uow.applications.get(app_id)["status"]  # type: ignore[index]
            body = {
                "application_id": app_id,
                "status": status,
                "case_id": case["id"],
                "step": case["step"],
                "decision": decision_summary(uow.applications.decisions(app_id)[-1]),
            }
            uow.idempotency.add(actor.username, idempotency_key, digest, 201, body)
            uow.commit()
            return 201, body, False
    except (IntegrityError, _Raced):
        replay = _replay(ctx, actor, idempotency_key, digest)
        if replay is None:
            raise
        return replay


def _usable_channel(uow: UnitOfWork, channel_id: str) -> Any:
    channel = uow.channels.get(channel_id)
    if channel is None:
        raise InvalidInput([("channel_id", "unknown channel")])
    if channel["status"] != "active":
        raise InvalidInput([("channel_id", f"channel is {channel['status']}")])
    return channel


class _Raced(Exception):
    """Another request with the same key committed first."""
