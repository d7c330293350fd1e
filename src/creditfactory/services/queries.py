"""Reading applications, cases and their audit trail, masked; revealing personal data, audited."""

from __future__ import annotations

from typing import Any

from creditfactory.domain.bank import Loan
from creditfactory.domain.case import Case
from creditfactory.services.bank_answers import submission_view
from creditfactory.services.context import ServiceContext
from creditfactory.services.decisions import decision_summary
from creditfactory.services.errors import ApplicationNotFound, CaseNotFound, RoleNotAllowed
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
PII_READERS = ("verifier", "investigator", "admin")

__all__ = ["application_view", "case_view", "list_cases", "case_audit", "reveal_personal_data"]


def _visible_case(uow: UnitOfWork, actor: Actor, case: Case | None) -> None:
    if actor.role not in CASE_READERS:
        raise RoleNotAllowed("this role does not read cases")
    if actor.role == "bank_officer" and (case is None or case.bank_code != actor.bank_code):
        raise CaseNotFound("no such case for your bank")


def application_view(ctx: ServiceContext, actor: Actor, application_id: int) -> dict[str, Any]:
    """The application with masked personal data, its decisions and its case."""
    with ctx.uow(write=False) as uow:
        app = uow.applications.get(application_id)
        if app is None:
            raise ApplicationNotFound(f"no application {application_id}")
        case = uow.cases.by_application(application_id)
        try:
            _visible_case(uow, actor, case)
        except CaseNotFound as exc:
            raise ApplicationNotFound(f"no application {application_id}") from exc
        applicant = uow.applications.applicant(app.applicant_id)
        decisions = uow.applications.decisions(application_id)
        return {
            "application_id": application_id,
            "status": app.status,
            "applied_at": app.applied_at,
            "fields": app.fields,
            "personal": {
                "name": applicant["name"],
                "resident_id": applicant["resident_id_masked"],
                "phone": app.phone_masked,
                "bank_card": app.bank_card_masked,
                "contact_phones": app.contact_phones_masked,
            },
            "decision": decision_summary(decisions[-1]),
            "decisions": [
                {"seq": d.seq, "basis": d.basis, "score": d.score, **decision_summary(d)}
                for d in decisions
            ],
            "case": _case_body(uow, case) if case is not None else None,
        }


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
    with ctx.uow(write=False) as uow:
        found = uow.cases.find(status=status, bank_code=bank, offset=offset, limit=limit)
        total = uow.cases.count(status=status, bank_code=bank)
        return [
            {
                "id": c.id,
                "application_id": c.application_id,
                "tier": c.tier,
                "step": c.step,
                "status": c.status,
                "bank_code": c.bank_code,
                "exception": c.exception,
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


def reveal_personal_data(
    ctx: ServiceContext, actor: Actor, application_id: int, purpose: str
) -> dict[str, str]:
    """The full personal values, for roles that must call or visit the applicant; audited."""
    if actor.role not in PII_READERS:
        raise RoleNotAllowed(
            "personal data is shown in full only to verifiers, investigators and admins"
        )
    with ctx.uow() as uow:
        app = uow.applications.get(application_id)
        if app is None:
            raise ApplicationNotFound(f"no application {application_id}")
        applicant = uow.applications.applicant(app.applicant_id)
        case = uow.cases.by_application(application_id)
        v = ctx.vault
        out = {
            "resident_id": v.decrypt(applicant["resident_id_enc"], "resident_id"),
            "phone": v.decrypt(app.phone_enc, "phone"),
            "bank_card": v.decrypt(app.bank_card_enc, "bank_card"),
            "contact_phones": v.decrypt(app.contact_phones_enc, "contact_phones"),
        }
        uow.audit.append(
            actor.username,
            "personal_data.revealed",
            "application",
            application_id,
            case_id=case.id if case else None,
            detail={"purpose": purpose},
        )
        uow.commit()
    return out
