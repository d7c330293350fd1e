"""Reading applications, cases and their audit trail, masked; revealing personal data, audited.

Who reads which personal field, masked, and who may reveal which in clear is the table of
:mod:`creditfactory.domain.personal`: each role its job's fields, a reveal only on a case
whose task the user holds or completed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from creditfactory.domain.application import Application
from creditfactory.domain.bank import Loan
from creditfactory.domain.case import Case
from creditfactory.domain.personal import (
    APPLICANT_FIELDS,
    PERSONAL_FIELDS,
    REVEALED_FOR,
    masked_fields,
    revealed_fields,
)
from creditfactory.services.application_input import ciphertexts, open_personal
from creditfactory.services.bank_answers import submission_view
from creditfactory.services.context import ServiceContext
from creditfactory.services.decisions import decision_summary
from creditfactory.services.errors import ApplicationNotFound, CaseNotFound, RoleNotAllowed
from creditfactory.services.four_eyes import refusals_audited
from creditfactory.services.ports import Actor
from creditfactory.services.tasks import task_view
from creditfactory.store import UnitOfWork
from creditfactory.store.types import utcnow

CASE_READERS = (
    "account_manager",
    "verifier",
    "investigator",
    "approver",
    "risk_analyst",
    "admin",
    "bank_officer",
)
AUDIT_READERS = ("approver", "risk_analyst", "admin")

__all__ = ["application_view", "readable_application", "case_view", "list_cases", "case_audit", "reveal_personal_data"]


def _visible_case(uow: UnitOfWork, actor: Actor, case: Case | None) -> None:
    if actor.role not in CASE_READERS:
        raise RoleNotAllowed("this role does not read cases")
    if actor.role == "bank_officer" and (case is None or case.bank_code != actor.bank_code):
        raise CaseNotFound("no such case for your bank")


def readable_application(uow: UnitOfWork, actor: Actor,
                         application_id: int) -> tuple[Application, Case | None]:
    """The application and its case when ``actor`` may read them; ApplicationNotFound else
    (an account manager reads the applications they submitted, a bank officer those of its
    bank's cases)."""
    app = uow.applications.get(application_id)
    if app is None:
        raise ApplicationNotFound(f"no application {application_id}")
    case = uow.cases.by_application(application_id)
    try:
        _visible_case(uow, actor, case)
    except CaseNotFound as exc:
        raise ApplicationNotFound(f"no application {application_id}") from exc
    if actor.role == "account_manager" and app.created_by != actor.username:
        raise ApplicationNotFound(f"no application {application_id} of yours")
    return app, case


def application_view(ctx: ServiceContext, actor: Actor, application_id: int) -> dict[str, Any]:
    """The application with the personal fields the actor's role needs, masked (the others
    ``None``), its decisions and its case. An account manager reads the applications they
    submitted, a bank officer those of its bank's cases."""
    with ctx.uow(write=False) as uow:
        app, case = readable_application(uow, actor, application_id)
        applicant = uow.applications.applicant(app.applicant_id)
        decisions = uow.applications.decisions(application_id)
        return {
            "application_id": application_id,
            "status": app.status,
            "applied_at": app.applied_at,
            "fields": app.fields,
            "personal": _masked(app, applicant, masked_fields(actor.role)),
            "decision": decision_summary(decisions[-1]) if decisions else None,
            "decisions": [
                {"seq": d.seq, "basis": d.basis, "score": d.score, **decision_summary(d)}
                for d in decisions
            ],
            "case": _case_body(uow, case) if case is not None else None,
        }


def _masked(app: Application, applicant: Mapping[Any, Any],
            visible: frozenset[str]) -> dict[str, str | None]:
    """The masked form of each personal field in ``visible``, ``None`` for the others."""
    out: dict[str, str | None] = dict.fromkeys(PERSONAL_FIELDS)
    for key in visible:
        column = f"{key}_masked"
        out[key] = applicant[column] if key in APPLICANT_FIELDS else getattr(app, column)
    return out


def _loan_view(loan: Loan) -> dict[str, Any]:
    return {
        "contract_no": loan.contract_no,
        "bank_code": loan.bank_code,
        "principal": loan.principal,
        "rate": loan.rate,
        "term_months": loan.term_months,
        "product": loan.product,
        "repayment_method": loan.repayment_method,
        "paid_out_at": loan.paid_out_at,
        "servicing_status": loan.servicing_status,
    }


def _case_body(uow: UnitOfWork, case: Case) -> dict[str, Any]:
    now = utcnow()
    loan = uow.submissions.loan_of_case(case.id)
    return {
        "case_id": case.id,
        "application_id": case.application_id,
        "tier": case.tier,
        "step": case.step,
        "status": case.status,
        "bank_code": case.bank_code,
        "exception": case.exception,
        "hold": case.hold,
        "hold_reason": case.hold_reason,
        "held_at": case.held_at,
        "opened_at": case.opened_at,
        "updated_at": case.updated_at,
        "closed_at": case.closed_at,
        "tasks": [task_view(t, now) for t in uow.cases.tasks_of(case.id)],
        "bank_submissions": [submission_view(s) for s in uow.submissions.of_case(case.id)],
        "loan": None if loan is None else _loan_view(loan),
    }


def case_view(ctx: ServiceContext, actor: Actor, case_id: int) -> dict[str, Any]:
    with ctx.uow(write=False) as uow:
        case = uow.cases.get(case_id)
        _visible_case(uow, actor, case)
        if case is None:
            raise CaseNotFound(f"no case {case_id}")
        return _case_body(uow, case)


def list_cases(
    ctx: ServiceContext, actor: Actor, status: str | None, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the cases this actor may see, and how many there are in all."""
    if actor.role not in CASE_READERS:
        raise RoleNotAllowed("this role does not read cases")
    bank = actor.bank_code if actor.role == "bank_officer" else None
    if actor.role == "bank_officer" and not bank:
        return [], 0
    mine = actor.username if actor.role == "account_manager" else None  # their own only
    with ctx.uow(write=False) as uow:
        found = uow.cases.find(status=status, bank_code=bank, offset=offset, limit=limit,
                               created_by=mine)
        total = uow.cases.count(status=status, bank_code=bank, created_by=mine)
        return [
            {
                "id": c.id,
                "application_id": c.application_id,
                "tier": c.tier,
                "step": c.step,
                "status": c.status,
                "bank_code": c.bank_code,
                "exception": c.exception,
                "hold": c.hold,
                "opened_at": c.opened_at,
                "updated_at": c.updated_at,
            }
            for c in found
        ], total


def case_audit(ctx: ServiceContext, actor: Actor, case_id: int) -> list[dict[str, Any]]:
    """Everything that happened to a case, oldest first."""
    if actor.role not in AUDIT_READERS:
        raise RoleNotAllowed("the audit trail is for approvers, risk analysts and admins")
    with ctx.uow(write=False) as uow:
        if uow.cases.get(case_id) is None:
            raise CaseNotFound(f"no case {case_id}")
        return [
            {
                "at": r["at"],
                "actor": r["actor"],
                "action": r["action"],
                "entity": r["entity"],
                "entity_id": r["entity_id"],
                "detail": r["detail"],
            }
            for r in uow.audit.of_case(case_id)
        ]


def _assigned_roles(uow: UnitOfWork, actor: Actor, case: Case | None) -> list[str]:
    """The roles of the tasks on ``case`` the actor holds or completed."""
    if case is None:
        return []
    return [
        t.role for t in uow.cases.tasks_of(case.id)
        if t.assignee == actor.username and t.status in ("claimed", "done")
    ]


def reveal_personal_data(
    ctx: ServiceContext, actor: Actor, application_id: int, purpose: str
) -> dict[str, str | None]:
    """The clear personal values the actor's task on the application's case needs (the others
    ``None``), to whoever holds or completed that task, with a purpose; audited, and so is a
    refusal."""
    with refusals_audited(ctx, actor, "personal_data.reveal", "application", application_id) as attempt:
        if actor.role not in REVEALED_FOR:
            raise RoleNotAllowed("personal data is revealed only to verifiers and investigators")
        with ctx.uow() as uow:
            app = uow.applications.get(application_id)
            if app is None:
                raise ApplicationNotFound(f"no application {application_id}")
            case = uow.cases.by_application(application_id)
            attempt.case_id = case.id if case else None
            fields = revealed_fields(_assigned_roles(uow, actor, case))
            if not fields:
                raise RoleNotAllowed(
                    "personal data is revealed only on a case whose task you hold or completed"
                )
            applicant = uow.applications.applicant(app.applicant_id)
            opened = open_personal({**applicant, **ciphertexts(app)}, ctx.vault, sorted(fields))
            uow.audit.append(
                actor.username,
                "personal_data.revealed",
                "application",
                application_id,
                case_id=attempt.case_id,
                detail={"purpose": purpose, "fields": sorted(fields)},
            )
            uow.commit()
    return {k: opened.get(k) for k in PERSONAL_FIELDS}
