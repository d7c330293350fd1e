"""The book's vectorised close of business equals, loan by loan and to the fen, the per-loan
statements replayed from the same payments; the book's schedules equal the contracts'; the
classes follow DESIGN.md's definitions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from creditfactory.servicing import repayment_schedule
from creditfactory.servicing.allocation import Transaction
from creditfactory.servicing.book import book_from_schedules, close_day, day_number
from creditfactory.servicing.book_terms import book_from_terms
from creditfactory.servicing.close import (
    BUCKETS,
    CLASSES,
    bucket_code,
    class_code,
    loan_state,
)
from creditfactory.servicing.product import ServicingProduct


@pytest.mark.parametrize(("dpd", "bucket", "klass"), [
    (0, "M0", "normal"), (1, "M1", "special_mention"), (30, "M1", "special_mention"),
    (31, "M2", "special_mention"), (90, "M3", "special_mention"), (91, "M4", "substandard"),
    (180, "M6", "substandard"), (181, "M7+", "substandard"), (270, "M7+", "substandard"),
    (271, "M7+", "doubtful"), (360, "M7+", "doubtful"), (361, "M7+", "loss")])
def test_buckets_and_five_categories_at_their_edges(dpd, bucket, klass):
    assert BUCKETS[bucket_code(dpd)] == bucket and CLASSES[class_code(dpd)] == klass
    assert BUCKETS[bucket_code(np.array([dpd]))[0]] == bucket


@pytest.mark.parametrize("method", ["equal_instalment", "equal_principal", "interest_first"])
def test_the_books_schedules_are_the_contracts(method):
    rng = np.random.default_rng(5)
    n = 150
    amount = rng.integers(100_000_00, 500_000_01, n)
    rate = rng.integers(1800, 2401, n) * 100
    term = rng.choice([3, 6, 12, 24, 36], n)
    start = rng.integers(day_number(date(2024, 1, 1)), day_number(date(2026, 12, 31)), n)
    book = book_from_terms(amount, rate, term, start, method)
    ref = book_from_schedules([
        repayment_schedule(Decimal(int(a)) / 100, Decimal(int(r)) / 10**6, int(t), method,
                           start=date(1970, 1, 1) + timedelta(days=int(s)))
        for a, r, t, s in zip(amount, rate, term, start, strict=True)])
    for name in ("offsets", "due", "loan", "principal_left", "interest_left", "rate_ppm"):
        assert np.array_equal(getattr(book, name), getattr(ref, name)), name


@pytest.mark.parametrize("write_off_dpd", [75, 120])
def test_the_vectorised_close_equals_the_per_loan_statements_day_by_day(write_off_dpd):
    rng = np.random.default_rng(9)
    product = ServicingProduct(write_off_dpd=write_off_dpd)
    start = date(2026, 1, 10)
    schedules = [repayment_schedule(Decimal(int(a)) / 100, Decimal(int(r)) / 10**4, int(t),
                                    str(m), start=start + timedelta(days=int(s)))
                 for a, r, t, m, s in zip(
                     rng.integers(50_000_00, 300_000_00, 40), rng.integers(1800, 2401, 40),
                     rng.choice([3, 6, 9, 12], 40),
                     rng.choice(["equal_instalment", "equal_principal", "interest_first"], 40),
                     rng.integers(0, 31, 40), strict=True)]
    txns: list[list[Transaction]] = [[] for _ in schedules]
    book = book_from_schedules(schedules)
    horizon = 420
    for k in range(1, horizon + 1):
        day = start + timedelta(days=k)
        pay_loan, pay_amount = [], []
        for i, s in enumerate(schedules):
            if day > s.start and rng.random() < 0.06:
                fen = int(rng.integers(1, int(s.instalments[0].total * 100) * 2))
                txns[i].append(Transaction(f"{i}-{k}", "repayment", day, Decimal(fen) / 100))
                pay_loan.append(i)
                pay_amount.append(fen)
        close = close_day(book, day, np.array(pay_loan, np.int64),
                          np.array(pay_amount, np.int64), product)
        if k % 6 and k != horizon:
            continue
        for i, s in enumerate(schedules):
            state = loan_state(s, txns[i], day, product)
            assert close.dpd[i] == state.dpd
            assert BUCKETS[close.bucket[i]] == state.bucket
            assert CLASSES[close.five_class[i]] == state.five_class
            assert close.principal_outstanding[i] == int(state.principal_outstanding * 100)
            assert book.penalty_accrued[i] == int(state.penalty_accrued * 100)
            assert book.penalty_accrued[i] - book.penalty_paid[i] == int(
                state.penalty_outstanding * 100)
            assert book.credit[i] == int(state.credit * 100)
            assert book.recovered[i] == int(state.recovered * 100)
            assert (book.written_off_on[i] >= 0) == (state.written_off_on is not None)
            if state.written_off_on is not None:
                assert book.written_off_on[i] == day_number(state.written_off_on)
                assert book.written_off_principal[i] == int(state.written_off_principal * 100)
            assert book.first_npl_on[i] == (day_number(state.first_npl_on)
                                            if state.first_npl_on is not None else -1)
            assert book.npl_principal[i] == int(state.npl_principal * 100)
    assert (book.written_off_on >= 0).any() and (book.recovered > 0).any()
    assert (book.first_npl_on >= 0).any()
    assert (book.credit > 0).any() or (book.penalty_paid > 0).any()


def test_closing_a_day_again_changes_nothing_and_days_close_in_order():
    s = repayment_schedule(Decimal("100000.00"), Decimal("0.18"), 6, start=date(2026, 1, 15))
    book = book_from_schedules([s])
    first = close_day(book, date(2026, 3, 1))
    snapshot = {k: v.copy() for k, v in vars(book).items() if isinstance(v, np.ndarray)}
    again = close_day(book, date(2026, 3, 1))
    assert all(np.array_equal(v, getattr(book, k)) for k, v in snapshot.items())
    assert again.dpd[0] == first.dpd[0] == 14 and book.penalty_accrued[0] > 0
    with pytest.raises(ValueError, match="is closed"):
        close_day(book, date(2026, 3, 1), np.array([0]), np.array([100]))
    with pytest.raises(ValueError, match="the day after"):
        close_day(book, date(2026, 3, 5))
    with pytest.raises(ValueError, match="the day after"):
        close_day(book, date(2026, 2, 20))
