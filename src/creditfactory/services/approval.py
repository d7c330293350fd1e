"""The approver's and the committee's verdicts in the flow, and the form each one fills.

The approver at ``investigation_review`` approves (at the terms the engine decides with the
findings), approves with a changed limit or rate, declines with reason codes, or refers the
case to the committee. A decline ends the case with a decision of its own (basis
``approver``). Otherwise the case goes on to ``limit_and_pricing``, where the engine decides
again with the findings and the verdict is held against it (:func:`limit_and_pricing_with_approval`):
where the two disagree (``domain/approval.py``) neither overrules the other in silence; the
case is flagged for the committee, and the disagreement is audited in words. At
``committee_approval`` another approver decides for good: a decision of basis ``committee``
that the bank package is built from.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from creditfactory.domain.application import RecordedDecision
from creditfactory.domain.approval import (
    APPROVAL_STEPS,
    COMMITTEE_STEP,
    DECLINE_REASONS,
    RATE_CAP,
    RATE_FLOOR,
    REVIEW_STEP,
    Terms,
    Verdict,
    committee_reasons,
    parse_verdict,
)
from creditfactory.domain.case import Case
from creditfactory.services.context import ServiceContext
from creditfactory.services.decisions import latest_decision, store_decision
from creditfactory.services.errors import InvalidInput, SeparationOfDuties
from creditfactory.services.limit_and_pricing import (
    decision_with_findings,
    limit_and_pricing,
    needs_committee,
    redecide,
)
from creditfactory.services.ports import Actor, Decision
from creditfactory.store import UnitOfWork

__all__ = [
    "HUMAN_BASES",
    "approval_outcome",
    "apply_verdict",
    "approver_verdict",
    "case_work",
    "form_facts",
    "limit_and_pricing_with_approval",
]

log = logging.getLogger(__name__)
HUMAN_BASES = ("approver", "committee")
"""Bases of decisions a person made (the others are the engine's)."""


def terms_of(d: RecordedDecision) -> Terms:
    return Terms(d.tier, d.limit_amount, d.rate)


def machine_decision(decisions: list[RecordedDecision]) -> RecordedDecision:
    """The engine's latest decision among an application's decisions."""
    machine = [d for d in decisions if d.basis not in HUMAN_BASES]
    return machine[-1] if machine else decisions[-1]


def approval_outcome(
    uow: UnitOfWork, case: Case, step: str, outcome: dict[str, Any]
) -> dict[str, Any]:
    """The outcome of a task at an approval step checked as a verdict and in its stored form
    (a checklist ``pass``/``reject`` from the API reads as approve/decline); InvalidInput
    names the refused fields."""
    values = dict(outcome)
    if values.get("verdict", "pass") == "reject" and not values.get("reasons"):
        values["reasons"] = ["HUMAN_OTHER"]
    values["verdict"] = {"pass": "approve", "reject": "decline"}.get(
        str(values.get("verdict", "pass")), values.get("verdict"))
    latest = latest_decision(uow, case.application_id)
    requested = uow.applications.terms(case.application_id).amount
    verdict, errors = parse_verdict(values, terms_of(latest), requested,
                                    committee=step == COMMITTEE_STEP)
    if verdict is None:
        raise InvalidInput(errors)
    return verdict.as_outcome()


def approver_verdict(uow: UnitOfWork, case_id: int) -> tuple[str, Verdict] | None:
    """Who reviewed the case at ``investigation_review`` and their verdict (None: no review)."""
    done = [t for t in uow.cases.tasks_of(case_id)
            if t.step == REVIEW_STEP and t.status == "done" and t.outcome]
    if not done:
        return None
    task = done[-1]
    return str(task.assignee), Verdict.from_outcome(dict(task.outcome or {}))


def _human_decision(
    uow: UnitOfWork,
    case: Case,
    basis: str,
    verdict: Verdict,
    by: str,
    at: datetime,
) -> RecordedDecision:
    """Keep a person's verdict as the application's next decision: the terms the bank is
    offered, or a decline with the person's reasons."""
    decisions = uow.applications.decisions(case.application_id)
    latest, machine = decisions[-1], machine_decision(decisions)
    offered = next((d for d in reversed(decisions) if d.tier != "reject"), machine)
    if verdict.kind == "decline":
        d = Decision("reject", Decimal("0.00"), latest.rate, latest.product, verdict.reasons,
                     latest.score, {})
    else:
        tier = machine.tier if machine.tier != "reject" else case.tier
        limit = verdict.limit if verdict.limit is not None else machine.limit_amount
        rate = verdict.rate if verdict.rate is not None else machine.rate
        d = Decision(tier, limit, rate, offered.product, (), latest.score, {})
    record = {"basis": basis, "by": by, "verdict": verdict.kind, "machine_seq": machine.seq,
              "reasons": list(d.reasons), "note": verdict.note,
              "versions": dict(machine.record.get("versions", {}))}
    store_decision(uow, case.application_id, latest.seq + 1, basis, d, at, record=record)
    return uow.applications.decisions(case.application_id)[-1]


def apply_verdict(
    uow: UnitOfWork, case: Case, step: str, outcome: dict[str, Any], by: str, at: datetime
) -> bool:
    """After a completed approval task: keep what the verdict decides now; False when it
    ends the case (a decline). The review's approvals wait for the engine at limit and
    pricing; the committee's verdict is final."""
    verdict = Verdict.from_outcome(outcome)
    basis = "committee" if step == COMMITTEE_STEP else "approver"
    if verdict.kind == "decline":
        _human_decision(uow, case, basis, verdict, by, at)
        uow.audit.append(by, f"{basis}.declined", "case", case.id, case_id=case.id,
                         detail={"reasons": list(verdict.reasons), "note": verdict.note}, at=at)
        return False
    if step == COMMITTEE_STEP:
        d = _human_decision(uow, case, basis, verdict, by, at)
        uow.audit.append(by, "committee.approved", "case", case.id, case_id=case.id,
                         detail={"limit": str(d.limit_amount), "rate": str(d.rate),
                                 "note": verdict.note}, at=at)
    return True


def limit_and_pricing_with_approval(
    uow: UnitOfWork, ctx: ServiceContext, case: Case, at: datetime
) -> bool:
    """The limit-and-pricing step when an approver has reviewed the case: the engine decides
    again with the findings, then its terms and the approver's verdict are compared. Where
    they disagree the case goes to the committee (audited with why); where the approver's
    terms are within their authority they become the decision."""
    reviewed = (None if case.tier in ctx.process.step(REVIEW_STEP).skip_tiers
                else approver_verdict(uow, case.id))  # a tier no one reviews reads no tasks
    if reviewed is None:
        return limit_and_pricing(uow, ctx, case, at)
    by, verdict = reviewed
    app_id = case.application_id
    before_limit = latest_decision(uow, app_id).limit_amount
    redecide(uow, ctx, case, at)
    machine = latest_decision(uow, app_id)
    reasons = committee_reasons(verdict, terms_of(machine))
    if reasons:
        case.mark_exception()
        uow.audit.append(
            "system", "approval.referred", "case", case.id, case_id=case.id,
            detail={"why": list(reasons), "approver": by, "verdict": verdict.kind,
                    "machine_tier": machine.tier, "machine_limit": str(machine.limit_amount),
                    "machine_rate": str(machine.rate),
                    **({"limit": str(verdict.limit), "rate": str(verdict.rate)}
                       if verdict.limit is not None else {})},
            at=at,
        )
        return True
    if needs_committee(case, Decision(machine.tier, machine.limit_amount, machine.rate,
                                      machine.product, (), None), before_limit):
        case.mark_exception()
    if verdict.kind == "approve_changed":
        d = _human_decision(uow, case, "approver", verdict, by, at)
        uow.audit.append(by, "approval.terms_applied", "case", case.id, case_id=case.id,
                         detail={"limit": str(d.limit_amount), "rate": str(d.rate),
                                 "machine_limit": str(machine.limit_amount),
                                 "machine_rate": str(machine.rate)}, at=at)
    return True


def form_facts(uow: UnitOfWork, case: Case) -> dict[str, Any]:
    """What an approval form shows beside its choices: the engine's latest terms, the amount
    asked, the terms last offered (the reviewer's proposal, else the latest decision that did
    not decline: what a changed limit and rate start from), the bounds of a changed rate, the
    reason codes to decline with and, at the committee, the reviewer's verdict and why it came
    to the committee."""
    decisions = uow.applications.decisions(case.application_id)
    machine = machine_decision(decisions) if decisions else None
    reviewed = approver_verdict(uow, case.id)
    why: list[str] = []
    for entry in uow.audit.of_case(case.id):
        if entry["action"] == "approval.referred":
            why = list((entry["detail"] or {}).get("why", []))
    offered = next((d for d in reversed(decisions) if d.tier != "reject"), None)
    proposal = (reviewed[1] if reviewed is not None and reviewed[1].limit is not None
                else None)
    return {
        "offered": None if offered is None else {
            "limit": proposal.limit if proposal else offered.limit_amount,
            "rate": proposal.rate if proposal else offered.rate,
            "basis": "approver" if proposal else offered.basis},
        "machine": None if machine is None else {
            "tier": machine.tier, "limit": machine.limit_amount, "rate": machine.rate,
            "basis": machine.basis, "reasons": machine.reasons},
        "requested": uow.applications.terms(case.application_id).amount,
        "rate_floor": RATE_FLOOR,
        "rate_cap": RATE_CAP,
        "decline_reasons": DECLINE_REASONS,
        "reviewed": None if reviewed is None else {
            "by": reviewed[0], "verdict": reviewed[1].kind, "limit": reviewed[1].limit,
            "rate": reviewed[1].rate, "note": reviewed[1].note},
        "why": why,
        "steps": APPROVAL_STEPS,
    }


def case_work(ctx: ServiceContext, actor: Actor, case_id: int) -> dict[str, Any] | None:
    """The task of the actor's station on this case that they may work now (open, or claimed
    by them), with what its form shows; None when there is none. ``barred`` says why four
    eyes keep them from it (the form is not offered then)."""
    from creditfactory.services.four_eyes import check_not_by
    from creditfactory.services.tasks import task_view
    from creditfactory.store.types import utcnow

    with ctx.uow(write=False) as uow:
        case = uow.cases.get(case_id)
        if case is None or case.status != "open":
            return None
        tasks = [t for t in uow.cases.tasks_of(case_id)
                 if t.role == actor.role and t.status != "done"
                 and (t.status == "open" or t.assignee == actor.username)]
        if not tasks:
            return None
        task = tasks[-1]
        barred = None
        try:
            check_not_by(uow, ctx, ctx.process.step(task.step), case_id, actor)
        except SeparationOfDuties as exc:
            barred = str(exc)
        kind = ("committee" if task.step == COMMITTEE_STEP else
                "approval" if task.step == REVIEW_STEP else "findings")
        facts = form_facts(uow, case) if kind != "findings" else None
        if kind == "approval" and barred is None:
            assert facts is not None
            facts["preview"] = _preview(uow, ctx, case, facts)
        return {"task": task_view(task, utcnow()), "kind": kind, "barred": barred,
                "facts": facts}


def _preview(
    uow: UnitOfWork, ctx: ServiceContext, case: Case, facts: dict[str, Any]
) -> dict[str, Any] | None:
    """What the engine will decide at limit and pricing with the findings recorded so far,
    and what a plain approve would then need (None when it cannot be worked out now)."""
    try:
        d = decision_with_findings(uow, ctx, case)
    except Exception:  # the form stays usable without the preview
        log.exception("previewing the re-decision of case %s failed", case.id)
        return None
    m = facts["machine"]
    if d is None:
        if m is None:
            return None
        terms = Terms(m["tier"], m["limit"], m["rate"])
        reasons: tuple[str, ...] = tuple(m["reasons"])
    else:
        terms, reasons = Terms(d.tier, d.limit, d.rate), d.reasons
    return {"tier": terms.tier, "limit": terms.limit, "rate": terms.rate, "reasons": reasons,
            "with_findings": d is not None,
            "if_approved": committee_reasons(Verdict("approve"), terms)}
