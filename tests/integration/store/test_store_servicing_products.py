"""Each loan is serviced with its own product's settings, as booked, on SQLite and PostgreSQL:
the penalty multiplier and the write-off threshold in the close of business, the prepayment
fee in the statement, kept on the account whatever the catalogue says later."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from creditfactory.services.context import ServiceContext
from creditfactory.services.servicing_book import book_loan, loan_view, post_repayment
from creditfactory.services.servicing_close import close_business
from creditfactory.services.servicing_state import money, product_of, schedule_of, transaction_of
from creditfactory.servicing import product as catalogue
from creditfactory.servicing.close import loan_state
from creditfactory.servicing.product import ServicingProduct
from creditfactory.store import UnitOfWork
from creditfactory.store.tables_case import loans

from .servicing_seed import seed_loans, service_context
from .test_store_servicing_book import BANK, START

ctx = pytest.fixture(name="ctx")(service_context)


def _book(ctx: ServiceContext, products: list[str]) -> list[int]:
    ids = seed_loans(ctx.engine, [Decimal("100000.00")] * len(products), start=START,
                     book=False)
    with UnitOfWork(ctx.engine) as uow:
        for loan_id, code in zip(ids, products, strict=True):
            uow.conn.execute(sa.update(loans).where(loans.c.id == loan_id).values(product=code))
        for loan_id in ids:
            loan = uow.submissions.loan_of_case(loan_id)
            assert loan is not None
            book_loan(uow, loan, loan.paid_out_at)
        uow.commit()
    return ids


def test_each_loan_is_closed_with_its_products_penalty_and_write_off(
        ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(catalogue.PRODUCTS, "FAST_WRITE_OFF",
                        ServicingProduct(Decimal("2"), Decimal("0.03"), 60))
    standard, repeat, fast = _book(ctx, ["STANDARD_LOAN", "REPEAT_LOAN", "FAST_WRITE_OFF"])
    monkeypatch.setitem(catalogue.PRODUCTS, "FAST_WRITE_OFF", ServicingProduct())  # later edit
    end = date(2026, 5, 1)
    close_business(ctx.engine, end)
    with UnitOfWork(ctx.engine, write=False) as uow:
        accounts = {i: uow.servicing.account(i) for i in (standard, repeat, fast)}
        states = {}
        for i, a in accounts.items():
            assert a is not None
            states[i] = loan_state(schedule_of(a, uow.servicing.schedule(i)),
                                   [transaction_of(t) for t in uow.servicing.transactions(i)],
                                   end, product_of(a))
    assert product_of(accounts[repeat]) == ServicingProduct(Decimal("1.3"), Decimal("0"), 180)
    assert product_of(accounts[fast]).write_off_dpd == 60
    for i, a in accounts.items():
        assert money(a["penalty_accrued_fen"]) == states[i].penalty_accrued
        assert a["written_off_on"] == states[i].written_off_on
    penalty = {i: a["penalty_accrued_fen"] for i, a in accounts.items()}
    assert penalty[standard] > penalty[repeat] > 0  # 1.5x against 1.3x, same overdue
    assert accounts[fast]["status"] == "written_off"  # 75 DPD, past its 60: no more penalty
    assert accounts[standard]["status"] == "active"
    view = loan_view(ctx, BANK, repeat)
    assert (view["penalty_multiplier"], view["prepayment_fee_rate"], view["write_off_dpd"]) == (
        "1.3", "0", 180)


def test_a_full_prepayment_pays_its_products_fee(ctx: ServiceContext) -> None:
    standard, repeat = _book(ctx, ["STANDARD_LOAN", "INSURANCE_LOAN"])
    for k, loan_id in enumerate((standard, repeat)):
        post_repayment(ctx, BANK, loan_id, {"reference": f"PP-{k}", "kind": "prepayment",
                                            "value_date": "2026-02-01",
                                            "amount": "110000.00"})
    close_business(ctx.engine, date(2026, 2, 2))
    credit = {}
    for loan_id in (standard, repeat):
        view = loan_view(ctx, BANK, loan_id)
        assert view["status"] == "closed" and view["principal_outstanding"] == "0.00"
        credit[loan_id] = Decimal(view["credit"])
    # the same payoff: principal 100,000 and 17 days' interest at most; the fee 2 % against 1 %
    assert credit[repeat] - credit[standard] == Decimal("1000.00")
