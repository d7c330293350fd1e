"""A partner bank's answer to a recommendation: approve moves the case to payout, decline re-routes.

An officer's answer and the simulated banks' answers take one path (:func:`_record_all`): the
packages are locked while pending, answered, and their cases moved on in one transaction, with
the rows the cases need read once for all of them. A crash loses the whole transaction and
leaves the packages pending, so the next run answers each exactly once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from creditfactory.domain.bank import BankSubmission
from creditfactory.domain.case import Case
from creditfactory.domain.roles import BANK_ROLES, OVERSEERS
from creditfactory.domain.route import route_of
from creditfactory.services.bank_routing import active_banks, submit_to_bank, unit_draw
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import AlreadyAnswered, RoleNotAllowed, SubmissionNotFound
from creditfactory.services.flow import advance, close_case
from creditfactory.services.four_eyes import check_not_by, refusals_audited, works_cases
from creditfactory.services.ports import Actor
from creditfactory.store import UnitOfWork
from creditfactory.store.repo_banks import AnswerRows
from creditfactory.store.types import utcnow

__all__ = ["answer", "bank_queue", "simulate_bank_answers", "submission_view"]


def submission_view(sub: BankSubmission) -> dict[str, Any]:
    """A bank submission as the API shows it."""
    return {
        "submission_id": sub.id,
        "case_id": sub.case_id,
        "bank_code": sub.bank_code,
        "status": sub.status,
        "package": sub.package,
        "submitted_at": sub.submitted_at,
        "answered_at": sub.answered_at,
        "reason": sub.reason,
    }


def _own_bank(actor: Actor) -> str:
    """The bank a bank role acts for; refused when the account carries none."""
    if not actor.bank_code:
        raise RoleNotAllowed(f"a {actor.role} account without a bank acts for no bank")
    return actor.bank_code


def _answers_for(actor: Actor) -> str:
    """The bank ``actor`` answers for: only a bank's own accounts answer, for it alone."""
    works_cases(actor, "answer for a bank")
    if actor.role not in BANK_ROLES:
        raise RoleNotAllowed(f"only a bank's own accounts ({', '.join(BANK_ROLES)}) answer")
    return _own_bank(actor)


def bank_queue(
    ctx: ServiceContext, actor: Actor, bank_code: str | None, limit: int
) -> list[dict[str, Any]]:
    """Pending packages; a bank's own accounts see only their bank's."""
    if actor.role in BANK_ROLES:
        bank_code = _own_bank(actor)
    elif actor.role not in OVERSEERS:
        raise RoleNotAllowed("bank queues are for the banks' own accounts")
    with ctx.uow(write=False) as uow:
        rows = uow.submissions.pending(
            bank_codes=[bank_code] if bank_code else None, due_before=None, limit=limit
        )
    return [submission_view(r) for r in rows]


Answer = tuple[BankSubmission, bool, str, Actor]
"""A locked pending submission, approve?, the reason, and who answers."""


def _record(
    uow: UnitOfWork,
    ctx: ServiceContext,
    rows: AnswerRows,
    sub: BankSubmission,
    actor: Actor,
    at: datetime,
) -> Case:
    case = rows.case
    uow.audit.append(
        actor.username,
        f"bank.{sub.status}",
        "case",
        case.id,
        case_id=case.id,
        detail={"bank": sub.bank_code, "reason": sub.reason},
        at=at,
    )
    if sub.status == "approved":
        return advance(uow, ctx, case, "bank_approval", actor, at)
    steps = route_of(ctx.process.steps)
    if submit_to_bank(uow, case, at, exclude=set(rows.tried), steps=steps) is None:
        close_case(uow, case, "declined", "declined", at)
    case.updated_at = at
    uow.cases.save(case)
    return case


def _record_all(
    uow: UnitOfWork, ctx: ServiceContext, answers: list[Answer], at: datetime
) -> dict[int, Case]:
    """Record the answers on their (locked, pending) submissions and move each case on; the
    case of each submission id. The rows the cases need are read once for all of them (the
    approved ones' borrowers too, for their contracts)."""
    for sub, ok, why, by in answers:
        sub.answer(ok, by.username, why, at)
    with uow.submissions.counts_at_end():
        uow.submissions.answer([sub for sub, _, _, _ in answers])
        rows = uow.submissions.read_ahead(
            [s.case_id for s, _, _, _ in answers], tried=not all(ok for _, ok, _, _ in answers)
        )
        uow.contracts.read_ahead([s.case_id for s, ok, _, _ in answers if ok])
        return {s.id: _record(uow, ctx, rows[s.case_id], s, by, at) for s, _, _, by in answers}


def answer(
    ctx: ServiceContext, actor: Actor, submission_id: int, approve: bool, reason: str
) -> dict[str, Any]:
    """Record the bank's answer (once): only the bank's own accounts answer, each for its bank
    alone (another bank's package is not found to them, and the attempt is audited)."""
    now = utcnow()
    with refusals_audited(ctx, actor, "bank.answer", "bank_submission", submission_id) as attempt:
        try:
            bank = _answers_for(actor)
        except RoleNotAllowed:
            with ctx.uow(write=False) as uow:  # the refusal is audited on the package's case
                sub = uow.submissions.get(submission_id)
            attempt.case_id = None if sub is None else sub.case_id
            raise
        with ctx.uow() as uow:
            locked = uow.submissions.lock_pending([submission_id])
            sub = locked[0] if locked else uow.submissions.get(submission_id)
            if sub is None:
                raise SubmissionNotFound(f"no submission {submission_id} for your bank")
            attempt.case_id = sub.case_id
            if sub.bank_code != bank:
                attempt.refused = True
                raise SubmissionNotFound(f"no submission {submission_id} for your bank")
            if not locked:
                raise AlreadyAnswered(f"submission {submission_id} was already answered")
            for step in ctx.process.steps:
                if step.mode == "bank":
                    check_not_by(uow, ctx, step, sub.case_id, actor)
            case = _record_all(uow, ctx, [(sub, approve, reason, actor)], now)[submission_id]
            uow.commit()
    return {
        "submission_id": submission_id,
        "status": "approved" if approve else "declined",
        "case_id": case.id,
        "case_status": case.status,
        "case_step": case.step,
    }


def simulate_bank_answers(ctx: ServiceContext, limit: int = 10) -> int:
    """Let the simulated banks answer up to ``limit`` packages whose delay has passed, in one
    transaction (a crash answers none of them; the next run takes them up); return how many.

    The due packages are looked up without the writer's lock first: most runs find none. A
    small ``limit`` keeps SQLite's writer lock short for the submissions waiting on it.
    """
    now = ctx.clock()
    with ctx.uow(write=False) as uow:
        banks = {b.code: b for b in active_banks(uow)}
        simulated = [b.code for b in ctx.simulated_banks if b.code in banks]
        due = uow.submissions.pending(bank_codes=simulated, due_before=now, limit=limit)
    if not due:
        return 0
    with ctx.uow() as uow:
        answers: dict[int, Answer] = {}
        for sub in uow.submissions.lock_pending([s.id for s in due]):
            bank = banks[sub.bank_code]
            approve = unit_draw("answer", sub.id) < bank.approve_rate
            actor = Actor(f"sim:{bank.code}", "bank_system", bank.code)
            answers.setdefault(sub.case_id, (sub, approve, "simulated bank policy", actor))
        _record_all(uow, ctx, list(answers.values()), ctx.clock())
        uow.commit()
    return len(answers)
