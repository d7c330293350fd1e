"""A partner bank's answer to a recommendation: approve moves the case to payout, decline re-routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from creditfactory.services.bank_routing import active_banks, submit_to_bank, unit_draw
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import AlreadyAnswered, RoleNotAllowed, SubmissionNotFound
from creditfactory.services.flow import advance, close_case
from creditfactory.services.ports import Actor
from creditfactory.store import UnitOfWork
from creditfactory.store.types import utcnow

__all__ = ["answer", "bank_queue", "simulate_bank_answers", "submission_view"]


def submission_view(row: Any) -> dict[str, Any]:
    """A bank submission as the API shows it."""
    return {
        "submission_id": row["id"],
        "case_id": row["case_id"],
        "bank_code": row["bank_code"],
        "status": row["status"],
        "package": row["package"],
        "submitted_at": row["submitted_at"],
        "answered_at": row["answered_at"],
        "reason": row["reason"],
    }


def bank_queue(
    ctx: ServiceContext, actor: Actor, bank_code: str | None, limit: int
) -> list[dict[str, Any]]:
    """Pending packages; a bank officer sees only their own bank's."""
    if actor.role == "bank_officer":
        if not actor.bank_code:
            raise RoleNotAllowed("a bank officer without a bank sees no bank's packages")
        bank_code = actor.bank_code
    elif actor.role not in ("admin", "risk_analyst"):
        raise RoleNotAllowed("bank queues are for bank officers")
    with ctx.uow(write=False) as uow:
        rows = uow.submissions.pending(
            bank_codes=[bank_code] if bank_code else None, due_before=None, limit=limit
        )
    return [submission_view(r) for r in rows]


def _record(
    uow: UnitOfWork,
    ctx: ServiceContext,
    sub: Any,
    approve: bool,
    reason: str,
    actor: Actor,
    at: datetime,
) -> dict[str, Any]:
    status = "approved" if approve else "declined"
    if not uow.submissions.answer(sub["id"], status, actor.username, reason, at):
        raise AlreadyAnswered(f"submission {sub['id']} was already answered")
    case = dict(uow.cases.get(sub["case_id"], for_update=True) or {})
    uow.audit.append(
        actor.username,
        f"bank.{status}",
        "case",
        case["id"],
        case_id=case["id"],
        detail={"bank": sub["bank_code"], "reason": reason},
        at=at,
    )
    if approve:
        return advance(uow, ctx, case, "bank_approval", actor, at)
    tried = {s["bank_code"] for s in uow.submissions.of_case(case["id"])}
    if submit_to_bank(uow, case, at, exclude=tried) is None:
        close_case(uow, case, "declined", "declined", at)
    uow.cases.update(
        case["id"],
        bank_code=case["bank_code"],
        status=case["status"],
        closed_at=case.get("closed_at"),
        updated_at=at,
    )
    return case


def answer(
    ctx: ServiceContext, actor: Actor, submission_id: int, approve: bool, reason: str
) -> dict[str, Any]:
    """Record the bank's answer (once); an officer may answer only for their bank."""
    if actor.role not in ("bank_officer", "admin"):
        raise RoleNotAllowed("only a bank officer answers for a bank")
    now = utcnow()
    with ctx.uow() as uow:
        sub = uow.submissions.get(submission_id)
        if sub is None or (actor.role == "bank_officer" and sub["bank_code"] != actor.bank_code):
            raise SubmissionNotFound(f"no submission {submission_id} for your bank")
        case = _record(uow, ctx, sub, approve, reason, actor, now)
        uow.commit()
    return {
        "submission_id": submission_id,
        "status": "approved" if approve else "declined",
        "case_id": case["id"],
        "case_status": case["status"],
        "case_step": case["step"],
    }


def simulate_bank_answers(ctx: ServiceContext, limit: int = 50) -> int:
    """Let the simulated banks answer every package whose delay has passed; return how many."""
    now = utcnow()
    with ctx.uow(write=False) as uow:
        banks = {b.code: b for b in active_banks(uow)}
        simulated = [b.code for b in ctx.simulated_banks if b.code in banks]
        due = uow.submissions.pending(bank_codes=simulated, due_before=now, limit=limit)
    done = 0
    for sub in due:
        bank = banks[sub["bank_code"]]
        approve = unit_draw("answer", sub["id"]) < bank.approve_rate
        actor = Actor(f"sim:{bank.code}", "bank_officer", bank.code)
        try:
            with ctx.uow() as uow:
                _record(uow, ctx, sub, approve, "simulated bank policy", actor, utcnow())
                uow.commit()
            done += 1
        except AlreadyAnswered:
            continue
    return done
