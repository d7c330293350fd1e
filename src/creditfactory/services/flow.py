"""Walking a case through the process: automatic steps at once, waits at staffed and bank steps.

Each automatic step may carry an effect (close a rejected case, re-decide with findings, route
to a bank, sign, pay out, enrol for servicing). Everything happens inside the caller's unit of
work, so a crash leaves the case at its last committed step and nothing half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from creditfactory.factory import due_at
from creditfactory.services import bank_routing, refinement
from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor
from creditfactory.store import UnitOfWork

__all__ = ["advance", "close_case"]

Effect = Callable[[UnitOfWork, ServiceContext, dict[str, Any], datetime], bool]


def close_case(
    uow: UnitOfWork, case: dict[str, Any], status: str, app_status: str, at: datetime
) -> None:
    """End the case with ``status`` and mark its application ``app_status``."""
    case.update(status=status, closed_at=at)
    uow.applications.set_status(case["application_id"], app_status)


def _tier_routing(uow: UnitOfWork, ctx: ServiceContext, case: dict[str, Any], at: datetime) -> bool:
    if case["tier"] == "reject":
        close_case(uow, case, "rejected", "rejected", at)
        return False
    return True


def _contract(uow: UnitOfWork, ctx: ServiceContext, case: dict[str, Any], at: datetime) -> bool:
    uow.audit.append(
        "system",
        "contract.signed",
        "case",
        case["id"],
        case_id=case["id"],
        detail={"contract_no": contract_no(case["id"]), "bank": case["bank_code"]},
        at=at,
    )
    return True


def _payout(uow: UnitOfWork, ctx: ServiceContext, case: dict[str, Any], at: datetime) -> bool:
    app, d = bank_routing.case_application(uow, case["application_id"])
    uow.submissions.add_loan(
        case_id=case["id"],
        application_id=case["application_id"],
        bank_code=case["bank_code"],
        contract_no=contract_no(case["id"]),
        principal=min(d["limit_amount"], app["amount"]),
        rate=d["rate"],
        term_months=app["term_months"],
        product=d["product"],
        repayment_method="equal_instalment",
        paid_out_at=at,
        servicing_status="booked",
    )
    uow.applications.set_status(case["application_id"], "paid_out")
    return True


def _booking(uow: UnitOfWork, ctx: ServiceContext, case: dict[str, Any], at: datetime) -> bool:
    case.update(status="done", closed_at=at)  # the application is paid out since payout
    return True


def contract_no(case_id: int) -> str:
    """The contract number of a case's loan."""
    return f"CF{case_id:012d}"


EFFECTS: dict[str, Effect] = {
    "tier_routing": _tier_routing,
    "limit_and_pricing": refinement.limit_and_pricing,
    "bank_package": bank_routing.bank_package,
    "contract": _contract,
    "payout": _payout,
    "booking_and_enrolment": _booking,
}


def advance(
    uow: UnitOfWork,
    ctx: ServiceContext,
    case: dict[str, Any],
    after: str | None,
    actor: Actor,
    at: datetime,
) -> dict[str, Any]:
    """Move ``case`` past ``after`` as far as it goes without a person; persist and audit it."""
    steps = ctx.process.steps
    i = 0 if after is None else ctx.process.index(after) + 1
    passed: list[str] = []
    stop: str | None = None
    while i < len(steps) and case["status"] == "open":
        step = steps[i]
        if step.waits and not step.passes_by(case["tier"], case["exception"]):
            stop = step.id
            case["step"] = step.id
            if step.mode == "staffed":
                assert step.role is not None
                uow.cases.add_task(
                    case_id=case["id"],
                    step=step.id,
                    station=step.station,
                    role=step.role,
                    status="open",
                    created_at=at,
                    due_at=due_at(step, at),
                )
            break
        case["step"] = step.id
        passed.append(step.id)
        effect = EFFECTS.get(step.id)
        if effect is not None and not effect(uow, ctx, case, at):
            break
        i += 1
    case["updated_at"] = at
    uow.cases.moved(
        case["id"],
        step=case["step"],
        status=case["status"],
        tier=case["tier"],
        exception=case["exception"],
        bank_code=case["bank_code"],
        updated_at=at,
        closed_at=case.get("closed_at"),
    )
    uow.audit.append(
        actor.username,
        "case.advanced",
        "case",
        case["id"],
        case_id=case["id"],
        detail={"passed": passed, "waiting_at": stop, "status": case["status"]},
        at=at,
    )
    return case
