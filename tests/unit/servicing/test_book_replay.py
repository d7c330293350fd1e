"""A book of loans replayed with their repayments equals, to the fen, each loan's statement --
loans of different payout dates and products together."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.servicing import repayment_schedule
from creditfactory.servicing.allocation import Transaction
from creditfactory.servicing.book import day_number
from creditfactory.servicing.book_replay import replay_book
from creditfactory.servicing.book_terms import book_from_terms
from creditfactory.servicing.close import BUCKETS, CLASSES, loan_state
from creditfactory.servicing.product import ServicingProduct

FIRST = date(2025, 1, 10)
PRODUCTS = (ServicingProduct(), ServicingProduct(Decimal("2"), Decimal("0.01"), 90),
            ServicingProduct(Decimal("1.25"), Decimal("0"), 60))

loan_st = st.tuples(st.integers(10_000, 500_000), st.sampled_from([150_000, 180_000, 215_500]),
                    st.sampled_from([3, 6, 12]), st.integers(0, 70), st.integers(0, 2),
                    st.lists(st.tuples(st.integers(1, 300), st.integers(1, 2_000_000)),
                             max_size=4))


@settings(max_examples=25, deadline=None)
@given(st.lists(loan_st, min_size=1, max_size=8), st.integers(20, 420),
       st.sampled_from(["equal_instalment", "equal_principal", "interest_first"]))
def test_a_replayed_book_equals_each_loans_statement(loans: list, span: int, method: str) -> None:
    amount = np.array([a * 100 for a, *_ in loans], np.int64)
    rate = np.array([r for _, r, *_ in loans], np.int64)
    term = np.array([t for _, _, t, *_ in loans], np.int64)
    starts = [FIRST + timedelta(days=s) for *_, s, _, _ in loans]
    products = [PRODUCTS[p] for *_, p, _ in loans]
    through = max(starts) + timedelta(days=span)
    book = book_from_terms(amount, rate, term, np.array([day_number(s) for s in starts]), method)
    book.with_products([int(p.penalty_multiplier * 1000) for p in products],
                       [p.write_off_dpd for p in products])
    pays = [(i, day_number(starts[i]) + d, f) for i, (*_, ps) in enumerate(loans)
            for d, f in ps]
    pl, pd_, pf = (np.array([p[k] for p in pays], np.int64) for k in range(3))
    report = replay_book(book, min(day_number(s) for s in starts), through, pl, pd_, pf)
    for i, (a, r, t, *_rest) in enumerate(loans):
        sched = repayment_schedule(Decimal(a), Decimal(r) / 10**6, t, method, start=starts[i])
        txns = [Transaction(f"T{k}", "repayment", starts[i] + timedelta(days=d),
                            Decimal(f).scaleb(-2)) for k, (d, f) in enumerate(loans[i][5])]
        ref = loan_state(sched, txns, through, products[i])
        assert int(report.dpd[i]) == ref.dpd
        assert BUCKETS[report.bucket[i]] == ref.bucket
        assert CLASSES[report.five_class[i]] == ref.five_class
        assert int(report.principal_outstanding[i]) == int(ref.principal_outstanding * 100)
        assert int(book.penalty_accrued[i]) == int(ref.penalty_accrued * 100)
        assert int(book.credit[i]) == int(ref.credit * 100)
        assert int(book.received[i]) == int(sum((x.amount for x in txns
                                                  if x.on <= through), Decimal(0)) * 100)
        wo = book.written_off_on[i]
        assert (None if wo < 0 else date(1970, 1, 1) + timedelta(days=int(wo))) == (
            ref.written_off_on)
