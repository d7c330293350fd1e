"""Walking a case through the process: automatic steps at once, waits at staffed and bank steps.

The case's moves are the domain's (:class:`~creditfactory.domain.case.Case`, which refuses an
illegal one); the order of the steps and which tier skips which come from the process
definition. Each automatic step may carry an effect (check and require the fetched data, close
a rejected case, re-decide with findings, route to a bank, sign, pay out, enrol for
servicing). Everything happens inside the
caller's unit of work, so a crash leaves the case at its last committed step and nothing
half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from creditfactory.domain.bank import contract_no
from creditfactory.domain.case import Case
from creditfactory.domain.errors import IllegalCaseMove
from creditfactory.domain.route import route_of
from creditfactory.domain.task import Task
from creditfactory.factory import Step, due_at
from creditfactory.services import (
    approval,
    bank_routing,
    contracts,
    data_fetch,
    payout,
    scoring_step,
    servicing_book,
)
from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor
from creditfactory.store import UnitOfWork

__all__ = ["advance", "close_case", "contract_no"]

Effect = Callable[[UnitOfWork, ServiceContext, Case, datetime], bool]

def close_case(uow: UnitOfWork, case: Case, status: str, app_status: str, at: datetime) -> None:
    """End the case with ``status`` and mark its application ``app_status``."""
    case.close(status, at)
    uow.applications.set_status(case.application_id, app_status)


def _tier_routing(uow: UnitOfWork, ctx: ServiceContext, case: Case, at: datetime) -> bool:
    if case.tier == "reject":
        close_case(uow, case, "rejected", "rejected", at)
        return False
    return True


EFFECTS: dict[str, Effect] = {
    **data_fetch.STEP_EFFECTS,
    "scoring": scoring_step.scoring_step,
    "tier_routing": _tier_routing,
    "limit_and_pricing": approval.limit_and_pricing_with_approval,
    "bank_package": bank_routing.bank_package,
    "contract": contracts.contract_step,
    "payout": payout.payout_step,
    "booking_and_enrolment": servicing_book.booking_step,
}


def advance(
    uow: UnitOfWork,
    ctx: ServiceContext,
    case: Case,
    after: str | None,
    actor: Actor,
    at: datetime,
) -> Case:
    """Move ``case`` past ``after`` (None: a new case, into its first step) as far as it goes
    without a person; persist and audit it. A case on hold at ``after`` resumes: its held step
    is done again first."""

    def run_effect(step: Step) -> bool:
        effect = EFFECTS.get(step.id)
        return effect is None or effect(uow, ctx, case, at)

    route = route_of(ctx.process.steps)
    if case.is_held and after is not None:
        if after != case.step:
            raise IllegalCaseMove(f"case {case.id} is held at {case.step}, not at {after}")
        passed, stop = case.walk_again(route, run_effect)
    else:
        passed, stop = case.walk(route, after, run_effect)
    if stop is not None and stop.mode == "staffed":
        assert stop.role is not None
        task = Task.open(case.id, stop.id, stop.station, stop.role, at, due_at(stop, at))
        uow.cases.add_task(task)
    case.updated_at = at
    uow.cases.save(case)
    uow.audit.append(
        actor.username,
        "case.advanced",
        "case",
        case.id,
        case_id=case.id,
        detail={
            "passed": passed,
            "waiting_at": None if stop is None else stop.id,
            "status": case.status,
            "held_in": case.hold,
        },
        at=at,
    )
    return case
