"""Restructures: proposed by a collector, approved or rejected by a risk analyst, posted on
the loan through the servicing engine.

A proposal re-amortises the loan's principal outstanding over a longer term at the loan's rate
(:func:`creditfactory.servicing.restructure.restructure_terms`), and must lower the
instalment. One proposal per loan is open at a time. Approval posts a transaction of kind
``restructure`` on the loan, dated the day after the business date, its amount the agreed
instalment: the next close of business restates the loan from its schedule and every
transaction, the restructure among them (:mod:`creditfactory.servicing.restructure`), so the
loan's statement, its stored state and its reconciliation stay one.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from creditfactory.services.collections_roles import (
    APPROVERS,
    WORKERS,
    AccountNotFound,
    must_be,
    readable,
)
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import Conflict, InvalidInput, NotFound, SeparationOfDuties
from creditfactory.services.ports import Actor
from creditfactory.services.servicing_book import request_hash
from creditfactory.services.servicing_state import money
from creditfactory.servicing.restructure import MAX_TERM, RESTRUCTURE, restructure_terms

__all__ = ["RestructureNotFound", "decide_restructure", "pending_restructures",
           "propose_restructure"]


class RestructureNotFound(NotFound):
    pass


def _instalment(principal: Decimal, rate: Decimal, term: int) -> Decimal:
    return restructure_terms(principal, rate, term).instalment


def _view(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "loan_id": r["loan_id"], "bank_code": r["bank_code"],
            "proposed_on": r["proposed_on"].isoformat(), "principal": str(r["principal"]),
            "term_months": r["term_months"], "instalment": str(r["instalment"]),
            "old_instalment": str(r["old_instalment"]), "reason": r["reason"],
            "status": r["status"], "proposed_by": r["proposed_by"],
            "decided_by": r["decided_by"], "decision_note": r["decision_note"],
            "effective_on": r["effective_on"] and r["effective_on"].isoformat(),
            "reference": r["reference"]}


def propose_restructure(ctx: ServiceContext, actor: Actor, loan_id: int, term_months: Any,
                        reason: str) -> dict[str, Any]:
    """A collector's proposal: the principal outstanding over ``term_months`` months."""
    must_be(actor, WORKERS, "propose restructures")
    errors: list[tuple[str, str]] = []
    try:
        term = int(term_months)
        if not 1 <= term <= MAX_TERM:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(("term_months", f"must be a whole number of months, 1 to {MAX_TERM}"))
        term = 0
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        errors.append(("reason", "must say why, in 1 to 500 characters"))
    at = ctx.clock()
    with ctx.uow() as uow:
        loan = readable(actor, uow.servicing.account(loan_id), loan_id)
        episode = uow.collections.account(loan_id)
        day = uow.servicing.business_date()
        if episode is None or not episode["open"] or loan["status"] != "active" or day is None:
            raise AccountNotFound(f"loan {loan_id} is not in collections now")
        principal = money(loan["principal_outstanding_fen"])
        old = _instalment(loan["principal"], loan["rate"], loan["term_months"])
        new = _instalment(principal, loan["rate"], term) if term and principal > 0 else None
        if new is not None and new >= old:
            errors.append(("term_months", f"must lower the instalment of {old} CNY "
                                          f"({term} months gives {new} CNY): a longer term"))
        if errors:
            raise InvalidInput(errors)
        if uow.collections.restructures(loan_id, "proposed"):
            raise Conflict(f"loan {loan_id} already has a restructure awaiting approval")
        assert new is not None
        rid = uow.collections.add_restructure(
            loan_id=loan_id, bank_code=loan["bank_code"], proposed_on=day, principal=principal,
            term_months=term, instalment=new, old_instalment=old, reason=reason,
            status="proposed", proposed_by=actor.username, proposed_at=at)
        uow.collections.add_history(loan_id, day, "restructure_proposed", actor.username,
                                    f"{term} months at {new} CNY (was {old}): {reason}", at)
        uow.audit.append(actor.username, "collections.restructure_proposed", "loan", loan_id,
                         detail={"restructure": rid, "term_months": term})
        row = uow.collections.restructure(rid)
        uow.commit()
    assert row is not None
    return _view(row)


def pending_restructures(ctx: ServiceContext, actor: Actor) -> list[dict[str, Any]]:
    """Proposals awaiting a decision (approvers and overseers)."""
    must_be(actor, (*APPROVERS, "admin"), "read restructure proposals")
    with ctx.uow(write=False) as uow:
        return [_view(r) for r in uow.collections.restructures(status="proposed")]


def decide_restructure(ctx: ServiceContext, actor: Actor, restructure_id: int, approve: bool,
                       note: str = "") -> dict[str, Any]:
    """Approve (post it on the loan, effective the next business day) or reject a proposal."""
    must_be(actor, APPROVERS, "approve or reject restructures")
    if len(note) > 500:
        raise InvalidInput([("note", "must be at most 500 characters")])
    at = ctx.clock()
    with ctx.uow() as uow:
        r = uow.collections.restructure(restructure_id, for_update=True)
        if r is None:
            raise RestructureNotFound(f"no restructure {restructure_id}")
        if r["status"] != "proposed":
            raise Conflict(f"restructure {restructure_id} is already {r['status']}")
        if r["proposed_by"] == actor.username:
            raise SeparationOfDuties("the proposer of a restructure cannot decide it")
        day = uow.servicing.business_date_for_writers()
        loan = uow.servicing.account(r["loan_id"], for_update=True)
        if day is None or loan is None or loan["status"] != "active":
            raise Conflict(f"loan {r['loan_id']} can no longer be restructured")
        values: dict[str, Any] = {"status": "approved" if approve else "rejected",
                                  "decided_by": actor.username, "decided_at": at,
                                  "decision_note": note}
        if approve:
            effective = day + timedelta(days=1)
            entry = {"reference": f"collections-restructure-{restructure_id}",
                     "kind": RESTRUCTURE, "value_date": effective, "amount": r["instalment"],
                     "reverses": None}
            uow.servicing.add_transaction({
                **entry, "loan_id": r["loan_id"], "bank_code": loan["bank_code"],
                "request_hash": request_hash(r["loan_id"], entry), "source": "collections",
                "posted_by": actor.username, "posted_at": at})
            values.update(effective_on=effective, reference=entry["reference"])
        uow.collections.decide_restructure(restructure_id, **values)
        action = "restructure_approved" if approve else "restructure_rejected"
        detail = (f"{r['term_months']} months at {r['instalment']} CNY from "
                  f"{values['effective_on']}" if approve else "rejected")
        uow.collections.add_history(r["loan_id"], day, action, actor.username,
                                    detail + (f": {note}" if note else ""), at)
        uow.audit.append(actor.username, f"collections.{action}", "loan", r["loan_id"],
                         detail={"restructure": restructure_id})
        row = uow.collections.restructure(restructure_id)
        uow.commit()
    assert row is not None
    return _view(row)
