"""The payout step: the live fraud graph re-checks the case, then the bank pays out.

Between the decision and the payout, verification, the bank's approval and the signature
take days, and a ring's next members may apply meanwhile. Before the money leaves, the case
is re-checked in the live fraud graph caught up with every kept application and finding
(:meth:`creditfactory.fraud.live.LiveFraud.recheck`): a tie to fraud holds the payout in
the ``payout_fraud_review`` queue with a task for an investigator and the evidence. The
investigator's ``pass`` resumes the case -- the payout is done again, and the ties they
cleared do not hold it a second time (a new tie would) --; a ``reject`` closes it. Every
re-check is kept (``payout_checks``) with its outcome and evidence.
"""

from __future__ import annotations

from datetime import datetime

from creditfactory.domain.bank import Loan
from creditfactory.domain.case import Case
from creditfactory.fraud.live import RecheckPolicy
from creditfactory.services import bank_routing
from creditfactory.services.context import ServiceContext
from creditfactory.services.fraud_graph import catch_up
from creditfactory.services.holds import PAYOUT_FRAUD_REVIEW, PEOPLE_QUEUES, hold_case
from creditfactory.store import UnitOfWork
from creditfactory.store.repo_contracts import ContractRepository

__all__ = ["PAYOUT_FRAUD_REVIEW", "RECHECK", "payout_step"]

RECHECK = RecheckPolicy(flag_score=0.98, strong_kinds=2, burst_days=30, burst_score=0.995)
"""An application is a source of ties when its fraud score reached the strategy's rejecting
band (0.98, ``very_high`` in ``default.yaml``) or it was found bad; one shared value in the
same burst and channel ties only to a score of 0.995 or more."""


def _cleared_keys(uow: UnitOfWork, repo: ContractRepository, case: Case,
                  at: datetime) -> set[str]:
    """The ties investigators cleared; a hold this step is being done again after (its task
    completed with a pass) is cleared now, by whoever completed it."""
    checks = repo.checks(case.id)
    if checks and checks[-1]["outcome"] == "held":
        done = [t for t in uow.cases.tasks_of(case.id)
                if t.station == PAYOUT_FRAUD_REVIEW and t.status == "done"]
        by = done[-1].assignee if done else None
        repo.clear_check(checks[-1]["id"], by or "unknown", at)
        checks[-1]["outcome"] = "cleared"
    return {tie["key"] for c in checks if c["outcome"] == "cleared"
            for tie in c["evidence"].get("ties", [])}


def _recheck(uow: UnitOfWork, ctx: ServiceContext, case: Case, at: datetime) -> bool:
    """Re-check the case; False when it was held for an investigator."""
    repo = uow.contracts
    cleared = _cleared_keys(uow, repo, case, at)
    if ctx.fraud is None:
        repo.add_check(case.id, at, "unchecked", {"reason": "no live fraud graph"})
        return True
    catch_up(ctx)
    found = ctx.fraud.recheck(case.application_id, RECHECK, cleared)
    if found is None:
        repo.add_check(case.id, at, "unchecked", {"reason": "not in the live fraud graph"})
        return True
    evidence = found.evidence()
    if not found.hit:
        repo.add_check(case.id, at, "clear", evidence)
        return True
    repo.add_check(case.id, at, "held", evidence)
    reasons = sorted({t.reason for t in found.ties})
    hold_case(uow, case, PAYOUT_FRAUD_REVIEW,
              f"re-check before payout: tied to {len(found.ties)} application(s) "
              f"({', '.join(reasons)})", at, role=PEOPLE_QUEUES[PAYOUT_FRAUD_REVIEW], evidence=evidence)
    return False


def payout_step(uow: UnitOfWork, ctx: ServiceContext, case: Case, at: datetime) -> bool:
    """The ``payout`` effect: re-check, then the loan of the decision paid out and booked."""
    if not _recheck(uow, ctx, case, at):
        return False
    terms, decision = bank_routing.case_application(uow, case.application_id)
    uow.submissions.add_loan(Loan.pay_out(case, terms, decision, at))
    uow.applications.set_status(case.application_id, "paid_out")
    return True
