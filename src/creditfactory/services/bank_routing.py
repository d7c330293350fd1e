"""Partner banks in the flow: package and route a case, record a bank's answer, re-route on decline.

The simulated adapters (``simulate_bank_answers``) answer with each bank's own appetite after
its own delay, through the same :func:`answer` a bank officer's API call uses.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from creditfactory.domain.application import ApplicationTerms, RecordedDecision
from creditfactory.domain.bank import BankSubmission
from creditfactory.domain.case import Case
from creditfactory.domain.route import Route, route_of
from creditfactory.factory import BankPolicy, Step, refusals, route
from creditfactory.factory.errors import NoEligibleBank
from creditfactory.services.context import ServiceContext
from creditfactory.services.decisions import decision_summary, latest_decision
from creditfactory.store import UnitOfWork
from creditfactory.store.repo_banks import month_of

__all__ = ["bank_package", "active_banks", "case_application", "submit_to_bank", "unit_draw"]


def unit_draw(*parts: object) -> float:
    """A reproducible number in [0, 1) from ``parts`` (simulated delays and answers)."""
    h = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64


def active_banks(uow: UnitOfWork) -> list[BankPolicy]:
    """The partner banks in the store, as policies."""
    return [BankPolicy.from_json(r["code"], r["name"], r["policy"]) for r in uow.banks.active()]


def case_application(
    uow: UnitOfWork, application_id: int
) -> tuple[ApplicationTerms, RecordedDecision]:
    """The terms of a case's application and its latest decision, from the rows the unit of
    work already holds when it has them (the intake's writes, or a batch of bank answers)."""
    known = uow.submissions.known(application_id)
    if known is not None:
        return known.application, known.decision
    return uow.applications.terms(application_id), latest_decision(uow, application_id)


def submit_to_bank(
    uow: UnitOfWork, case: Case, at: datetime, exclude: set[str], steps: Route[Step]
) -> str | None:
    """Route the case to an eligible bank and send the package; None when no bank takes it.

    A bank's quota use is its packages of the month of ``at`` (UTC) and later that it has not
    declined, as ``bank_month_counts`` keeps it.
    """
    app, d = case_application(uow, case.application_id)
    amount = d.loan_amount(app)
    # the quota is read only when some bank would take the case apart from it
    banks = [
        b
        for b in active_banks(uow)
        if b.code not in exclude and not refusals(b, amount, app.industry, d.score, 0)
    ]
    if not banks:
        return None
    used = uow.submissions.used_since(month_of(at))
    try:
        bank = route(banks, amount, app.industry, d.score, used)
    except NoEligibleBank:
        return None
    case.send_to_bank(bank.code, steps)
    delay = bank.answer_seconds[0] + unit_draw(case.id, bank.code) * (
        bank.answer_seconds[1] - bank.answer_seconds[0]
    )
    package = {
        "application_id": case.application_id,
        "amount": str(amount),
        "term_months": app.term_months,
        "industry": app.industry,
        "branch": app.branch,
        "platform_score": d.score,
        "recommendation": decision_summary(d),
        "versions": d.record.get("versions", {}),
    }
    sub = BankSubmission.send(case.id, bank.code, package, at, at + timedelta(seconds=delay))
    uow.submissions.add(sub)
    uow.audit.append(
        "system",
        "bank.submitted",
        "case",
        case.id,
        case_id=case.id,
        detail={"bank": bank.code, "amount": str(amount)},
        at=at,
    )
    return bank.code


def bank_package(uow: UnitOfWork, ctx: ServiceContext, case: Case, at: datetime) -> bool:
    """Automatic step: send the recommendation package; close the case when no bank fits."""
    steps = route_of(ctx.process.steps)
    if submit_to_bank(uow, case, at, exclude=set(), steps=steps) is None:
        case.close("no_bank", at)
        uow.applications.set_status(case.application_id, "declined")
        return False
    uow.applications.set_status(case.application_id, "at_bank")
    return True
