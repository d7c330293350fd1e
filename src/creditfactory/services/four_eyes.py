"""Four eyes: who may not do a step of a case, and the audit of every refused attempt at case work.

Three rules, checked by the services that do the work (so the API and the pages get them alike):
an administrator works no case (:data:`~creditfactory.domain.roles.NO_CASE_WORK`); a step's
``not_by`` in the process file bars whoever did one of the named earlier steps of the same case;
a bank role acts only for its own bank (checked by the bank answers). A refused attempt is
appended to the audit in its own transaction, after the refused one has rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from creditfactory.domain.roles import NO_CASE_WORK
from creditfactory.factory import Step
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import Forbidden, RoleNotAllowed, SeparationOfDuties
from creditfactory.services.ports import Actor
from creditfactory.store import UnitOfWork

__all__ = [
    "Attempt",
    "check_not_by",
    "check_submitter",
    "record_refusal",
    "refusals_audited",
    "works_cases",
]


def works_cases(actor: Actor, what: str) -> None:
    """Refuse the roles that manage the factory from doing ``what`` to a case."""
    if actor.role in NO_CASE_WORK:
        raise RoleNotAllowed(
            f"an {actor.role} manages users and settings and works no case: may not {what}"
        )


def check_submitter(ctx: ServiceContext, actor: Actor) -> None:
    """Only the roles of the process's intake steps submit applications."""
    works_cases(actor, "submit applications")
    allowed = ctx.process.roles_of("intake")
    if actor.role not in allowed:
        raise RoleNotAllowed(f"applications are submitted by {', '.join(sorted(allowed))}")


def _done_by(uow: UnitOfWork, ctx: ServiceContext, case_id: int, actor: Actor,
             steps: tuple[str, ...]) -> list[str]:
    """Which of ``steps`` of the case ``actor`` did: completed a staffed step's task, or
    submitted the application (an intake step)."""
    done = {t.step for t in uow.cases.tasks_of(case_id)
            if t.step in steps and t.status == "done" and t.assignee == actor.username}
    intake = [s for s in steps if ctx.process.step(s).mode == "intake"]
    if intake:
        case = uow.cases.get(case_id)
        app = None if case is None else uow.applications.get(case.application_id)
        if app is not None and app.created_by == actor.username:
            done.update(intake)
    return [s for s in steps if s in done]


def check_not_by(
    uow: UnitOfWork, ctx: ServiceContext, step: Step, case_id: int, actor: Actor
) -> None:
    """Refuse ``actor`` at ``step`` of the case when they did a step its ``not_by`` names."""
    if not step.not_by:
        return
    done = _done_by(uow, ctx, case_id, actor, step.not_by)
    if done:
        raise SeparationOfDuties(
            f"four eyes: {actor.username} did {', '.join(done)} of case {case_id}, "
            f"so {step.id} must be done by someone else"
        )


def record_refusal(
    ctx: ServiceContext,
    actor: Actor,
    attempt: str,
    entity: str,
    entity_id: object,
    reason: str,
    case_id: int | None = None,
) -> None:
    """Append one refused attempt (``attempt`` names what was tried) to the audit."""
    with ctx.uow() as uow:
        uow.audit.append(
            actor.username,
            "refused",
            entity,
            entity_id,
            case_id=case_id,
            detail={"attempt": attempt, "role": actor.role, "reason": reason},
        )
        uow.commit()


@dataclass
class Attempt:
    """What the guarded block learns as it goes: the case, and whether a refusal it raises
    that is not a :class:`Forbidden` (a bank's package hidden from another bank) counts."""

    case_id: int | None = None
    refused: bool = False


@contextmanager
def refusals_audited(
    ctx: ServiceContext, actor: Actor, attempt: str, entity: str, entity_id: object
) -> Iterator[Attempt]:
    """Audit the refusal the block raises (after its own transaction has rolled back)."""
    seen = Attempt()
    try:
        yield seen
    except Exception as exc:
        if isinstance(exc, Forbidden) or seen.refused:
            record_refusal(ctx, actor, attempt, entity, entity_id, str(exc), seen.case_id)
        raise
