"""The loan book on SQLite and PostgreSQL: booking writes the contract's schedule, a bank posts
its repayments (idempotent by its reference, reversals as new transactions), and the close of
business moves every loan to the business date equal, to the fen, to each loan's statement."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import InvalidInput, RoleNotAllowed
from creditfactory.services.ports import Actor
from creditfactory.services.servicing_book import (
    LoanNotFound,
    ReferenceReused,
    loan_view,
    post_repayment,
)
from creditfactory.services.servicing_close import close_business
from creditfactory.services.servicing_state import PRODUCT, money, schedule_of, transaction_of
from creditfactory.servicing import repayment_schedule
from creditfactory.servicing.close import loan_state
from creditfactory.store import UnitOfWork

from .servicing_seed import seed_loans, service_context

START = date(2026, 1, 15)
BANK = Actor("b01-sys", "bank_system", "B01")
OTHER_BANK = Actor("b02-sys", "bank_system", "B02")


ctx = pytest.fixture(name="ctx")(service_context)


def _account(ctx: ServiceContext, loan_id: int) -> dict[str, Any]:
    with UnitOfWork(ctx.engine, write=False) as uow:
        a = uow.servicing.account(loan_id)
    assert a is not None
    return a


def _reference_state(ctx: ServiceContext, loan_id: int, as_of: date) -> Any:
    """The loan's state by the per-loan statement from what the store holds."""
    with UnitOfWork(ctx.engine, write=False) as uow:
        a = uow.servicing.account(loan_id)
        assert a is not None
        schedule = schedule_of(a, uow.servicing.schedule(loan_id))
        txns = [transaction_of(t) for t in uow.servicing.transactions(loan_id)]
    return loan_state(schedule, txns, as_of, PRODUCT)


def _same_as_statement(ctx: ServiceContext, loan_id: int, as_of: date) -> None:
    a, ref = _account(ctx, loan_id), _reference_state(ctx, loan_id, as_of)
    assert (a["dpd"], a["bucket"], a["five_class"]) == (ref.dpd, ref.bucket, ref.five_class)
    assert money(a["principal_outstanding_fen"]) == ref.principal_outstanding
    assert money(a["overdue_principal_fen"]) == ref.overdue_principal
    assert money(a["penalty_accrued_fen"]) == ref.penalty_accrued
    assert money(a["credit_fen"]) == ref.credit
    assert a["written_off_on"] == ref.written_off_on


def test_booking_writes_the_schedule_of_the_loan_for_the_bank_that_approved_it(
        ctx: ServiceContext) -> None:
    (loan_id,) = seed_loans(ctx.engine, [Decimal("150000.00")], start=START, bank="B07")
    expected = repayment_schedule(Decimal("150000.00"), Decimal("0.18"), 12, start=START)
    with UnitOfWork(ctx.engine, write=False) as uow:
        rows = uow.servicing.schedule(loan_id)
    assert [(r["number"], r["due_date"], r["principal"], r["interest"], r["total"],
             r["closing_balance"]) for r in rows] == [
        (i.number, i.due_date, i.principal, i.interest, i.total, i.closing_balance)
        for i in expected.instalments]
    a = _account(ctx, loan_id)
    assert (a["bank_code"], a["contract_no"], a["purpose"], a["term_months"]) == (
        "B07", f"CF-B07-{loan_id:09d}", "working_capital", 12)
    assert (a["principal"], a["rate"], a["repayment_method"], a["status"], a["dpd"]) == (
        Decimal("150000.00"), Decimal("0.180000"), "equal_instalment", "active", 0)


def test_a_repayment_posts_once_per_reference_and_another_body_is_refused(
        ctx: ServiceContext) -> None:
    (loan_id,) = seed_loans(ctx.engine, [Decimal("100000.00")], start=START)
    due = date(2026, 2, 15)
    body = {"reference": "T-1", "value_date": due.isoformat(), "amount": "9168.00"}
    first = post_repayment(ctx, BANK, loan_id, body)
    again = post_repayment(ctx, BANK, loan_id, dict(body))
    assert first == again and first["amount"] == "9168.00"
    with pytest.raises(ReferenceReused):
        post_repayment(ctx, BANK, loan_id, {**body, "amount": "9000.00"})
    with pytest.raises(LoanNotFound):
        post_repayment(ctx, OTHER_BANK, loan_id, {**body, "reference": "T-2"})
    with pytest.raises(RoleNotAllowed):
        post_repayment(ctx, Actor("am", "account_manager"), loan_id, body)
    for bad, field in (({"amount": "0"}, "amount"), ({"amount": "-5"}, "amount"),
                       ({"amount": "1.001"}, "amount"), ({"value_date": "15/02/2026"},
                                                         "value_date"),
                       ({"value_date": START.isoformat()}, "value_date")):
        with pytest.raises(InvalidInput) as err:
            post_repayment(ctx, BANK, loan_id, {**body, "reference": "T-9", **bad})
        assert [f for f, _ in err.value.errors] == [field]
    summary = close_business(ctx.engine, due)
    assert summary.business_date == due and summary.payments == 1
    view = loan_view(ctx, BANK, loan_id)
    assert (view["dpd"], view["five_class"], view["received"]) == (0, "normal", "9168.00")
    assert Decimal(view["principal_outstanding"]) == Decimal("100000.00") - Decimal("7668.00")
    assert [t["reference"] for t in view["transactions"]] == ["T-1"]
    with ctx.engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM loan_transactions")).scalar() == 1
    _same_as_statement(ctx, loan_id, due)


def test_a_reversal_is_a_new_transaction_that_restores_the_loan_exactly(
        ctx: ServiceContext) -> None:
    a_id, b_id = seed_loans(ctx.engine, [Decimal("100000.00")] * 2, start=START)
    day = date(2026, 4, 1)
    close_business(ctx.engine, day)
    untouched = _account(ctx, b_id)
    assert untouched["dpd"] == 45 and untouched["five_class"] == "special_mention"
    post_repayment(ctx, BANK, a_id, {"reference": "P-1", "value_date": "2026-03-01",
                                     "amount": "20000.00"})
    paid = _account(ctx, a_id)
    assert paid["dpd"] == 0 and paid["received_fen"] == 2_000_000
    _same_as_statement(ctx, a_id, day)
    post_repayment(ctx, BANK, a_id, {"reference": "R-1", "kind": "reversal",
                                     "value_date": "2026-04-01", "reverses": "P-1"})
    back = _account(ctx, a_id)
    for k in ("dpd", "principal_outstanding_fen", "penalty_accrued_fen", "received_fen",
              "principal_left", "interest_left"):
        assert back[k] == untouched[k], k
    with pytest.raises(ReferenceReused):
        post_repayment(ctx, BANK, a_id, {"reference": "R-2", "kind": "reversal",
                                         "value_date": "2026-04-01", "reverses": "P-1"})
    with ctx.engine.connect() as c:
        kinds = c.execute(sa.text("SELECT kind, amount FROM loan_transactions ORDER BY id")).all()
    assert [k for k, _ in kinds] == ["repayment", "reversal"]


def test_close_catches_up_day_by_day_equal_to_each_loans_statement_and_reruns_idempotently(
        ctx: ServiceContext, tmp_path: Any) -> None:
    amounts = [Decimal(f"{100000 + 1000 * k}.00") for k in range(8)]
    ids = seed_loans(ctx.engine, amounts, start=START)
    pays = [(ids[0], "2026-02-15", "9168.00"), (ids[1], "2026-02-20", "50.00"),
            (ids[2], "2026-03-15", "30000.00")]
    for k, (loan_id, on, amount) in enumerate(pays):
        post_repayment(ctx, BANK, loan_id, {"reference": f"X-{k}", "value_date": on,
                                            "amount": amount})
    post_repayment(ctx, BANK, ids[3], {"reference": "PP-0", "kind": "prepayment",
                                       "value_date": "2026-02-10", "amount": "120000.00"})
    post_repayment(ctx, BANK, ids[4], {"reference": "PP-1", "kind": "prepayment",
                                       "value_date": "2026-03-01", "amount": "60000.00"})
    end = date(2026, 9, 30)  # past 180 DPD for the loans never paid: written off
    summary = close_business(ctx.engine, end)
    assert summary.days[0] == START and summary.days[-1] == end
    assert summary.written_off >= 1
    for loan_id in ids:
        _same_as_statement(ctx, loan_id, end)
    with ctx.engine.connect() as c:
        before = c.execute(sa.text("SELECT * FROM loan_accounts ORDER BY loan_id")).all()
        runs = c.execute(sa.text("SELECT count(*) FROM close_runs")).scalar()
    again = close_business(ctx.engine, end)
    assert again.days == [] and again.business_date == end
    assert close_business(ctx.engine, end - timedelta(days=30)).days == []
    with ctx.engine.connect() as c:
        assert c.execute(sa.text("SELECT * FROM loan_accounts ORDER BY loan_id")).all() == before
        assert c.execute(sa.text("SELECT count(*) FROM close_runs")).scalar() == runs
    statuses = {r.loan_id: r.status for r in before}
    assert statuses[ids[3]] == "closed" and statuses[ids[7]] == "written_off"


def test_writes_while_a_close_runs_are_caught_up_not_overwritten(ctx: ServiceContext) -> None:
    ids = seed_loans(ctx.engine, [Decimal("100000.00")] * 3, start=START)
    late: list[int] = []

    def meanwhile(day: date, changed: int) -> None:
        if day == date(2026, 3, 20):  # a back-dated payment and a reversal arrive
            post_repayment(ctx, BANK, ids[0], {"reference": "L-1", "value_date": "2026-02-15",
                                               "amount": "9168.00"})
            post_repayment(ctx, BANK, ids[1], {"reference": "L-2", "value_date": "2026-03-18",
                                               "amount": "500.00"})
            post_repayment(ctx, BANK, ids[1], {"reference": "L-3", "kind": "reversal",
                                               "value_date": "2026-03-20", "reverses": "L-2"})
        if day == date(2026, 4, 2):  # a loan paid out earlier is booked only now
            late.extend(seed_loans(ctx.engine, [Decimal("80000.00")], start=date(2026, 2, 1),
                                   first_id=50))

    end = date(2026, 6, 30)
    close_business(ctx.engine, end, on_day=meanwhile)
    for loan_id in [*ids, *late]:
        _same_as_statement(ctx, loan_id, end)
    assert _account(ctx, ids[0])["received_fen"] == 916_800
    assert _account(ctx, ids[1])["received_fen"] == 0
