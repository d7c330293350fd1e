"""Closing the quiet days between events in one pass equals closing them one by one."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from creditfactory.servicing.book import Book, close_day, close_quiet_days, day_number
from creditfactory.servicing.book_terms import book_from_terms

FIELDS = ("principal_left", "interest_left", "penalty_accrued", "penalty_paid", "credit", "received",
          "recovered", "written_off_on", "written_off_principal", "first_npl_on", "npl_principal")
EPOCH = date(1970, 1, 1)


def _book(seed: int, n: int = 300) -> Book:
    rng = np.random.default_rng(seed)
    start = day_number(date(2024, 1, 15)) + rng.integers(0, 3, n) * 0  # one payout day: one due day a month
    return book_from_terms(rng.integers(1_000_000, 50_000_000, n), rng.integers(150_000, 240_000, n),
                           rng.choice([6, 12, 24], n), start)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_quiet_days_in_one_pass_equal_day_by_day(seed: int) -> None:
    rng = np.random.default_rng(seed)
    daily, quiet = _book(seed), _book(seed)
    n = daily.n
    dues = np.unique(daily.due)
    first = int(dues.min()) - 20
    close_day(daily, EPOCH + timedelta(days=first))
    close_day(quiet, EPOCH + timedelta(days=first))
    behaviour = rng.random(n)  # < 0.15 never pays, < 0.35 pays every other due date
    last = int(dues.max()) + 400
    for day in range(first + 1, last + 1):
        d = EPOCH + timedelta(days=day)
        due_today = day in set(dues.tolist())
        if due_today:
            k = int(np.searchsorted(dues, day))
            rows = np.flatnonzero(daily.due == day)
            loans = daily.loan[rows]
            pays = (behaviour[loans] >= 0.35) | ((behaviour[loans] >= 0.15) & (k % 2 == 1))
            amount = (daily.principal_left[rows] + daily.interest_left[rows]).astype(np.int64) * np.where(
                behaviour[loans] < 0.35, 3, 1)
            pay_loan, pay_amount = loans[pays], amount[pays]
            a = close_day(daily, d, pay_loan, pay_amount)
            if day - 1 > quiet.closed_on:
                close_quiet_days(quiet, d - timedelta(days=1))
            b = close_day(quiet, d, pay_loan, pay_amount)
        else:
            a = close_day(daily, d)
            b = close_quiet_days(quiet, d) if day % 37 == 0 or day == last else None
        if b is not None:
            assert (a.dpd == b.dpd).all() and (a.five_class == b.five_class).all()
            assert (a.principal_outstanding == b.principal_outstanding).all()
            for f in FIELDS:
                assert np.array_equal(getattr(daily, f), getattr(quiet, f)), f
    assert (daily.written_off_on >= 0).any() and (daily.first_npl_on >= 0).any()


def test_quiet_days_refuse_a_due_date_inside() -> None:
    book = _book(4)
    close_day(book, EPOCH + timedelta(days=int(book.due.min()) - 3))
    with pytest.raises(ValueError, match="falls due"):
        close_quiet_days(book, EPOCH + timedelta(days=int(book.due.min())))
