"""The loan book on the store: booking at payout, the bank's repayments, a loan's view.

Booking writes the loan's account (its six elements, the bank that approved it, its
product's servicing settings) and its schedule (:func:`creditfactory.servicing.
repayment_schedule` from the payout date). A bank
posts its repayments under its own transaction reference: the same reference with the same
body answers as the first time, with another body it is refused (409). Transactions are never
edited; a reversal is a new transaction naming the one it reverses. A transaction dated after
the business date waits for that day's close of business; one dated on or before it, and every
reversal, restates the loan at once from its schedule and all its transactions (the per-loan
statement, which the close of business equals to the fen).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from creditfactory.domain.bank import Loan
from creditfactory.domain.case import Case
from creditfactory.domain.money import round_money
from creditfactory.domain.roles import BANK_ROLES, OVERSEERS
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import Conflict, InvalidInput, NotFound, RoleNotAllowed
from creditfactory.services.ports import Actor
from creditfactory.services.servicing_state import (
    money,
    product_of,
    restated,
    schedule_of,
)
from creditfactory.servicing import repayment_schedule
from creditfactory.servicing.allocation import KINDS
from creditfactory.servicing.product import RATE_QUANTUM, servicing_product
from creditfactory.store import UnitOfWork

__all__ = ["LoanNotFound", "ReferenceReused", "as_of", "book_loan", "booking_step",
           "check_entry", "loan_view", "post_repayment", "request_hash", "restate",
           "transaction_view"]

MAX_REFERENCE = 64


class LoanNotFound(NotFound):
    pass


class ReferenceReused(Conflict):
    """The bank's reference was already used for a different transaction."""


def as_of(account: Mapping[str, Any], business_date: date | None) -> date:
    """The day a loan's stored state is at: its payout or the business date, the later."""
    start: date = account["start_date"]
    return start if business_date is None or business_date < start else business_date


def book_loan(uow: UnitOfWork, loan: Loan, at: datetime) -> None:
    """Write the account and schedule of a paid-out loan (once: a loan booked stays so)."""
    if uow.servicing.account(loan.id) is not None:
        return
    party = uow.contracts.borrower(loan.case_id)
    start = loan.paid_out_at.date()  # the term runs from the drawdown (see tables_servicing)
    product = servicing_product(loan.product)
    schedule = repayment_schedule(loan.principal, loan.rate.quantize(RATE_QUANTUM),
                                  loan.term_months, loan.repayment_method, start=start)
    account = {"loan_id": loan.id, "bank_code": loan.bank_code, "contract_no": loan.contract_no,
               "applicant_id": party["applicant_id"],
               "purpose": ((party.get("fields") or {}).get("purpose") or None),
               "principal": schedule.amount, "rate": schedule.annual_rate,
               "term_months": loan.term_months, "repayment_method": schedule.method,
               "rounding": schedule.rounding, "product": loan.product, "start_date": start,
               "booked_at": at, "penalty_multiplier": product.penalty_multiplier,
               "prepayment_fee_rate": product.prepayment_fee_rate,
               "write_off_dpd": product.write_off_dpd}
    _, state = restated(schedule, [], as_of(account, uow.servicing.business_date()), product)
    rows = [{"loan_id": loan.id, "number": i.number, "due_date": i.due_date,
             "principal": i.principal, "interest": i.interest, "total": i.total,
             "opening_balance": i.opening_balance, "closing_balance": i.closing_balance}
            for i in schedule.instalments]
    uow.servicing.add_account({**account, **state}, rows)


def booking_step(uow: UnitOfWork, ctx: ServiceContext, case: Case, at: datetime) -> bool:
    """The ``booking_and_enrolment`` effect: the case's loan booked for servicing, the case
    done."""
    loan = uow.submissions.loan_of_case(case.id)
    if loan is not None:
        book_loan(uow, loan, at)
    case.close("done", at)  # the application is paid out since payout
    return True


def restate(uow: UnitOfWork, account: Mapping[str, Any], day: date) -> dict[str, Any]:
    """Replay the loan from its schedule and transactions to ``day`` and store the state."""
    loan_id = account["loan_id"]
    schedule = schedule_of(account, uow.servicing.schedule(loan_id))
    _, state = restated(schedule, uow.servicing.transactions(loan_id), day, product_of(account))
    uow.servicing.set_state(loan_id, state)
    return state


def check_entry(account: Mapping[str, Any] | None, bank_code: str, entry: Mapping[str, Any]
                ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The entry's values parsed, and each bad field with its reason."""
    errors: list[tuple[str, str]] = []
    ref = str(entry.get("reference") or "").strip()
    if not ref or len(ref) > MAX_REFERENCE or not ref.isprintable():
        errors.append(("reference", f"must be 1 to {MAX_REFERENCE} printable characters"))
    kind = entry.get("kind") or "repayment"
    if kind not in KINDS:
        errors.append(("kind", f"must be one of {', '.join(KINDS)}"))
    if account is None or account["bank_code"] != bank_code:
        errors.append(("loan", "no such loan of this bank"))
    on = entry.get("value_date")
    try:
        on = on if isinstance(on, date) else date.fromisoformat(str(on))
    except ValueError:
        errors.append(("value_date", "must be a date YYYY-MM-DD"))
        on = None
    if on is not None and account is not None and on <= account["start_date"]:
        errors.append(("value_date", "must be after the payout date"))
    amount = Decimal("0.00")
    reverses = entry.get("reverses") or None
    if kind == "reversal":
        if not reverses:
            errors.append(("reverses", "a reversal names the reference it reverses"))
    else:
        try:
            amount = Decimal(str(entry.get("amount")))
            if not amount.is_finite() or amount <= 0 or round_money(amount) != amount:
                raise InvalidOperation
            amount = round_money(amount)
        except InvalidOperation:
            errors.append(("amount", "must be a positive amount in whole fen"))
    values = {"reference": ref, "kind": kind, "value_date": on, "amount": amount,
              "reverses": reverses if kind == "reversal" else None}
    return values, errors


def request_hash(loan_id: int, v: Mapping[str, Any]) -> str:
    """What makes a transaction the same one when its reference comes again."""
    body = {"loan_id": loan_id, "kind": v["kind"], "value_date": v["value_date"].isoformat(),
            "amount": str(v["amount"]), "reverses": v["reverses"]}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def transaction_view(t: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": t["id"], "loan_id": t["loan_id"], "reference": t["reference"],
            "kind": t["kind"], "value_date": t["value_date"].isoformat(),
            "amount": str(t["amount"]), "reverses": t["reverses"], "source": t["source"],
            "posted_at": t["posted_at"].isoformat()}


def _bank_of(actor: Actor) -> str:
    if actor.role not in BANK_ROLES or not actor.bank_code:
        raise RoleNotAllowed(f"only a bank's own accounts ({', '.join(BANK_ROLES)}) post "
                             f"its repayments")
    return actor.bank_code


def post_repayment(ctx: ServiceContext, actor: Actor, loan_id: int,
                   entry: Mapping[str, Any]) -> dict[str, Any]:
    """Post one transaction of the actor's bank on its loan; the transaction as posted.

    The hot path of a bank's system: a payment of today (after the business date) is one
    read (the loan, the business date, the reference, a new id) and one insert sent with the
    commit; only a back-dated payment or a reversal locks the loan and restates it."""
    bank = _bank_of(actor)
    with ctx.uow() as uow:
        repo = uow.servicing
        head = repo.posting_head(loan_id, bank, str(entry.get("reference") or "").strip())
        if head is None or head["bank_code"] != bank:
            raise LoanNotFound(f"loan {loan_id} is not a loan of bank {bank}")
        business_date = head["business_date"]
        values, errors = check_entry(head, bank, entry)
        if errors:
            raise InvalidInput(errors)
        digest = request_hash(loan_id, values)
        known = repo.transaction(bank, values["reference"]) if head["known_id"] else None
        if known is not None:
            if known["request_hash"] != digest:
                raise ReferenceReused(f"reference {values['reference']!r} was used for "
                                      f"another transaction")
            return transaction_view(known)
        if values["kind"] == "reversal":
            _check_reversal(uow, bank, loan_id, values["reverses"])
        row = {**values, "loan_id": loan_id, "bank_code": bank, "request_hash": digest,
               "source": "api", "posted_by": actor.username, "posted_at": ctx.clock()}
        if head["new_id"] is None:
            row["id"] = repo.add_transaction(row)
        else:
            row["id"] = int(head["new_id"])
            repo.add_transaction_as(row)
        day = as_of(head, business_date)
        if values["kind"] == "reversal" or values["value_date"] <= day:
            account = repo.account(loan_id, for_update=True)
            assert account is not None
            restate(uow, account, day)
        uow.audit.append(actor.username, "loan.transaction_posted", "loan", loan_id,
                         detail={"reference": values["reference"], "kind": values["kind"]})
        uow.commit()
    return transaction_view(row)


def _check_reversal(uow: UnitOfWork, bank: str, loan_id: int, reverses: str) -> None:
    target = uow.servicing.transaction(bank, reverses)
    if target is None or target["loan_id"] != loan_id:
        raise InvalidInput([("reverses", "no transaction of this loan has that reference")])
    if target["kind"] == "reversal":
        raise InvalidInput([("reverses", "a reversal cannot be reversed")])
    if target["kind"] == "restructure":
        raise InvalidInput([("reverses", "a restructure is the lender's agreement with the "
                                         "borrower: a bank cannot reverse it")])
    if any(t["reverses"] == reverses for t in uow.servicing.transactions(loan_id)):
        raise ReferenceReused(f"transaction {reverses!r} is already reversed")


def _settings_view(account: Mapping[str, Any]) -> dict[str, Any]:
    """The product's servicing settings the loan was booked with."""
    p = product_of(account)
    return {"penalty_multiplier": str(p.penalty_multiplier.normalize()),
            "prepayment_fee_rate": str(p.prepayment_fee_rate.normalize()),
            "write_off_dpd": p.write_off_dpd}


def loan_view(ctx: ServiceContext, actor: Actor, loan_id: int) -> dict[str, Any]:
    """A loan: its six elements, schedule, transactions and state at the business date."""
    if actor.role not in BANK_ROLES and actor.role not in OVERSEERS:
        raise RoleNotAllowed("loans are read by their bank's accounts and overseers")
    with ctx.uow(write=False) as uow:
        a = uow.servicing.account(loan_id)
        if a is None or (actor.role in BANK_ROLES and a["bank_code"] != actor.bank_code):
            raise LoanNotFound(f"no loan {loan_id}")
        business_date = uow.servicing.business_date()
        schedule = uow.servicing.schedule(loan_id)
        txns = uow.servicing.transactions(loan_id)
    return {
        "loan_id": loan_id, "bank_code": a["bank_code"], "contract_no": a["contract_no"],
        "applicant_id": a["applicant_id"], "purpose": a["purpose"],
        "principal": str(a["principal"]), "annual_rate": str(a["rate"]),
        "term_months": a["term_months"], "repayment_method": a["repayment_method"],
        "product": a["product"], "start_date": a["start_date"].isoformat(),
        **_settings_view(a),
        "as_of": as_of(a, business_date).isoformat(), "status": a["status"], "dpd": a["dpd"],
        "bucket": a["bucket"], "five_class": a["five_class"],
        **{k: str(money(a[f"{k}_fen"])) for k in (
            "principal_outstanding", "overdue_principal", "penalty_accrued", "penalty_paid",
            "credit", "received", "recovered", "written_off_principal")},
        "written_off_on": a["written_off_on"] and a["written_off_on"].isoformat(),
        "schedule": [{"number": r["number"], "due_date": r["due_date"].isoformat(),
                      "principal": str(r["principal"]), "interest": str(r["interest"]),
                      "total": str(r["total"])} for r in schedule],
        "transactions": [transaction_view(t) for t in txns],
    }
