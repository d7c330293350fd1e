"""A loan's servicing status tells the truth on SQLite and PostgreSQL: booked at payout,
active once its account opens, paid off when nothing is owed (and active again if the payment
is reversed), written off at the threshold -- by posting, by a bank file and by the close of
business, one loan at a time or a whole book at once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
import sqlalchemy as sa

from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor
from creditfactory.services.servicing_book import post_repayment
from creditfactory.services.servicing_close import close_business
from creditfactory.store import UnitOfWork

from .servicing_seed import seed_loans, seed_paid_out, service_context

START = date(2026, 1, 15)
BANK = Actor("b01-sys", "bank_system", "B01")

ctx = pytest.fixture(name="ctx")(service_context)


def _statuses(ctx: ServiceContext) -> dict[int, str]:
    with ctx.engine.connect() as c:
        return dict(c.execute(sa.text("SELECT id, servicing_status FROM loans")).all())


def _case_loan_status(ctx: ServiceContext, loan_id: int) -> str:
    """What the case page and the API read: the loan of the case."""
    with UnitOfWork(ctx.engine, write=False) as uow:
        loan = uow.submissions.loan_of_case(loan_id)  # the seed gives case and loan one id
    assert loan is not None
    return loan.servicing_status


def test_a_loans_status_follows_its_account_through_payoff_reversal_and_write_off(
        ctx: ServiceContext) -> None:
    unbooked = seed_loans(ctx.engine, [Decimal("90000.00")], start=START, first_id=40, book=False)
    paid, reversed_, never = seed_loans(ctx.engine, [Decimal("100000.00")] * 3, start=START)
    assert _statuses(ctx) == {unbooked[0]: "booked", paid: "active", reversed_: "active",
                              never: "active"}
    for loan_id, ref in ((paid, "PP-1"), (reversed_, "PP-2")):
        post_repayment(ctx, BANK, loan_id, {"reference": ref, "kind": "prepayment",
                                            "value_date": "2026-02-10", "amount": "120000.00"})
    assert _statuses(ctx)[paid] == "active"  # a payment after the business date: at its close
    close_business(ctx.engine, date(2026, 2, 12))
    assert _statuses(ctx)[paid] == _statuses(ctx)[reversed_] == "paid_off"
    assert _case_loan_status(ctx, paid) == "paid_off"
    post_repayment(ctx, BANK, reversed_, {"reference": "R-2", "kind": "reversal",
                                          "value_date": "2026-02-12", "reverses": "PP-2"})
    assert _statuses(ctx)[reversed_] == "active"

    close_business(ctx.engine, date(2026, 9, 30))  # past 180 DPD for the loans never paid
    with ctx.engine.connect() as c:
        accounts = dict(c.execute(sa.text("SELECT loan_id, status FROM loan_accounts")).all())
    assert accounts == {paid: "closed", reversed_: "written_off", never: "written_off"}
    assert _statuses(ctx) == {unbooked[0]: "booked", paid: "paid_off",
                              reversed_: "written_off", never: "written_off"}
    assert _case_loan_status(ctx, never) == "written_off"


def test_a_whole_book_written_off_by_one_close_says_so(ctx: ServiceContext) -> None:
    """Thousands of loans at once (PostgreSQL sets them through its bulk path)."""
    n, day = 2_100, date(2026, 6, 1)
    lag = np.where(np.arange(n) % 3 == 0, 20, 400)  # two thirds paid out long ago, never paid
    seed_paid_out(ctx.engine, np.full(n, 10_000_000), lag, first_id=1, business_date=day, step=n)
    assert set(_statuses(ctx).values()) == {"active"}
    close_business(ctx.engine, day + timedelta(days=1))
    statuses = _statuses(ctx)
    with ctx.engine.connect() as c:
        accounts = dict(c.execute(sa.text("SELECT loan_id, status FROM loan_accounts")).all())
    assert statuses == {k: {"active": "active", "written_off": "written_off"}[v] for k, v in accounts.items()}
    assert sum(v == "written_off" for v in statuses.values()) == int((lag == 400).sum())
