"""The loan book as arrays, and its close of business over every loan at once.

Amounts are integer fen (``int64`` per loan, ``int32`` per instalment: an instalment never
reaches 21 million CNY), dates are day numbers since 1970-01-01; rates are integer millionths
(:data:`.product.RATE_QUANTUM`), so every figure is exact and equal, to the fen, to the
per-loan statement's (:func:`.allocation.statement`), which is the reference the tests hold
the book to. One day's close (:func:`close_day`) posts the day's repayments (the waterfall of
:mod:`.allocation`: penalty, then instalments due oldest first, interest before principal, the
rest held as credit), lets credit meet the instalments falling due, accrues penalty interest
on overdue principal, writes off loans reaching the product's threshold, and reports DPD,
M-bucket and five-category class of every loan -- NumPy over arrays, no loop over loans.
Prepayments and reversals are posted per loan by the statement (the loan's arrays are then
rewritten from it); the book carries the daily flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from creditfactory.servicing.allocation import NPL_DPD
from creditfactory.servicing.close import bucket_code, class_code
from creditfactory.servicing.product import ServicingProduct
from creditfactory.servicing.schedules import Schedule

__all__ = ["Book", "DayClose", "book_from_schedules", "close_day", "close_quiet_days", "day_number",
           "prepay_in_full"]

_EPOCH = date(1970, 1, 1).toordinal()
_NEVER = np.iinfo(np.int32).max


def day_number(d: date) -> int:
    """Days since 1970-01-01, the book's dates."""
    return d.toordinal() - _EPOCH


def _fen(x: Any) -> int:
    return int(x * 100)


@dataclass
class Book:
    """Loans (``n``) and their instalments (rows, grouped by loan in due order:
    ``offsets[i]:offsets[i + 1]`` are loan ``i``'s)."""

    rate_ppm: np.ndarray
    offsets: np.ndarray
    due: np.ndarray
    loan: np.ndarray
    principal_left: np.ndarray
    interest_left: np.ndarray
    penalty_accrued: np.ndarray
    penalty_paid: np.ndarray
    credit: np.ndarray
    received: np.ndarray
    recovered: np.ndarray
    written_off_on: np.ndarray
    written_off_principal: np.ndarray
    first_npl_on: np.ndarray
    npl_principal: np.ndarray
    closed_on: int = -1
    penalty_mult: np.ndarray | None = None
    """Each loan's penalty multiplier in thousandths (its product's), or ``None``: the
    product passed to the close, for every loan."""
    write_off_dpd: np.ndarray | None = None
    """Each loan's write-off threshold (its product's), or ``None`` as above."""

    def with_products(self, penalty_mult: np.ndarray, write_off_dpd: np.ndarray) -> Book:
        """The book with each loan's own servicing settings (thousandths, days)."""
        self.penalty_mult = np.asarray(penalty_mult, np.int64)
        self.write_off_dpd = np.asarray(write_off_dpd, np.int64)
        return self

    def settings(self, product: ServicingProduct) -> tuple[Any, Any]:
        """Penalty multiplier (thousandths) and write-off DPD: per loan, or the product's."""
        mult = (self.penalty_mult if self.penalty_mult is not None
                else int(product.penalty_multiplier * 1000))
        wo = self.write_off_dpd if self.write_off_dpd is not None else product.write_off_dpd
        return mult, wo

    @classmethod
    def new(cls, rate_ppm: np.ndarray, offsets: np.ndarray, due: np.ndarray,
            principal: np.ndarray, interest: np.ndarray) -> Book:
        """A book of loans just paid out, nothing received yet."""
        n = len(rate_ppm)
        lengths = np.diff(offsets)
        if n == 0 or (lengths < 1).any():
            raise ValueError("every loan needs at least one instalment")
        zeros = [np.zeros(n, np.int64) for _ in range(7)]
        return cls(np.asarray(rate_ppm, np.int64), np.asarray(offsets, np.int64),
                   np.asarray(due, np.int32), np.repeat(np.arange(n, dtype=np.int32), lengths),
                   np.asarray(principal, np.int32).copy(), np.asarray(interest, np.int32).copy(),
                   zeros[0], zeros[1], zeros[2], zeros[3], zeros[4],
                   np.full(n, -1, np.int32), zeros[5], np.full(n, -1, np.int32), zeros[6])

    @property
    def n(self) -> int:
        return len(self.rate_ppm)


def book_from_schedules(schedules: list[Schedule]) -> Book:
    """A book of the given loans' schedules (rates must be whole millionths)."""
    rows = [i for s in schedules for i in s.instalments]
    offsets = np.concatenate([[0], np.cumsum([len(s.instalments) for s in schedules])])
    return Book.new(np.array([int(s.annual_rate * 1_000_000) for s in schedules], np.int64),
                    offsets, np.array([day_number(i.due_date) for i in rows], np.int32),
                    np.array([_fen(i.principal) for i in rows], np.int64),
                    np.array([_fen(i.interest) for i in rows], np.int64))


@dataclass(frozen=True)
class DayClose:
    """Every loan at the end of a day: DPD, M-bucket and class codes
    (:data:`.close.BUCKETS`, :data:`.close.CLASSES`), balances in fen."""

    day: int
    dpd: np.ndarray
    bucket: np.ndarray
    five_class: np.ndarray
    principal_outstanding: np.ndarray
    overdue_principal: np.ndarray
    written_off: np.ndarray


def _rows_of(book: Book, loans: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The instalment rows of ``loans`` (concatenated) and each loan's row count."""
    starts = book.offsets[loans]
    lengths = book.offsets[loans + 1] - starts
    within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + within, lengths


def _post(book: Book, day: int, amount: np.ndarray) -> None:
    """The day's repayments (``amount`` per loan, fen) down the waterfall."""
    payers = np.flatnonzero(amount)
    if not len(payers):
        return
    avail = amount[payers]
    book.received[payers] += avail
    book.recovered[payers] += np.where(book.written_off_on[payers] >= 0, avail, 0)
    pen = np.minimum(avail, book.penalty_accrued[payers] - book.penalty_paid[payers])
    book.penalty_paid[payers] += pen
    avail = avail - pen
    rows, lengths = _rows_of(book, payers)
    due_now = book.due[rows] <= day
    accelerated = np.repeat(book.written_off_on[payers] >= 0, lengths)
    comp = np.empty((len(rows), 2), np.int64)
    comp[:, 0] = np.where(due_now, book.interest_left[rows], 0)
    comp[:, 1] = np.where(due_now | accelerated, book.principal_left[rows], 0)
    flat = comp.ravel()
    before = np.cumsum(flat) - flat
    group_start = np.repeat(2 * (np.cumsum(lengths) - lengths), 2 * lengths)
    before -= before[group_start]
    take = np.clip(np.repeat(avail, 2 * lengths) - before, 0, flat).reshape(-1, 2)
    book.interest_left[rows] -= take[:, 0].astype(np.int32)
    book.principal_left[rows] -= take[:, 1].astype(np.int32)
    spent = np.bincount(np.repeat(np.arange(len(payers)), lengths), take.sum(axis=1),
                        minlength=len(payers)).astype(np.int64)
    book.credit[payers] += avail - spent


def _apply_credit(book: Book, day: int) -> None:
    rows = np.flatnonzero(book.due == day)
    if not len(rows):
        return
    loans = book.loan[rows]
    has = book.credit[loans] > 0
    rows, loans = rows[has], loans[has]
    credit = book.credit[loans]
    to_interest = np.minimum(credit, book.interest_left[rows])
    to_principal = np.minimum(credit - to_interest, book.principal_left[rows])
    book.interest_left[rows] -= to_interest.astype(np.int32)
    book.principal_left[rows] -= to_principal.astype(np.int32)
    book.credit[loans] -= to_interest + to_principal


def close_day(book: Book, d: date, pay_loan: np.ndarray | None = None,
              pay_amount: np.ndarray | None = None,
              product: ServicingProduct | None = None) -> DayClose:
    """Close business on ``d`` for every loan: post the day's repayments (``pay_loan`` loan
    indices, ``pay_amount`` fen; several per loan allowed), credit, penalty, write-off, and
    report. Updates ``book`` in place.

    Days close one after the other; closing the last closed day again with no payments
    changes nothing and reports the same (a rerun of a batch is harmless). Raises
    ``ValueError`` for a day skipped or already past, or payments on a closed day."""
    product = product or ServicingProduct()
    day = day_number(d)
    paying = pay_loan is not None and pay_amount is not None and len(pay_loan) > 0
    if book.closed_on >= 0 and day == book.closed_on:
        if paying:
            raise ValueError(f"{d} is closed: post its payments with the next day's close")
        return _report(book, day)
    if book.closed_on >= 0 and day != book.closed_on + 1:
        raise ValueError(f"day must be the day after the last close, got {d}")
    if pay_loan is not None and pay_amount is not None and paying:
        if (np.asarray(pay_amount) <= 0).any():
            raise ValueError("pay_amount must be positive fen")
        _post(book, day, np.bincount(pay_loan, np.asarray(pay_amount, np.float64),
                                     minlength=book.n).astype(np.int64))
    _apply_credit(book, day)
    overdue_rows = (book.due < day) & (book.principal_left > 0)
    overdue = np.bincount(book.loan[overdue_rows], book.principal_left[overdue_rows],
                          minlength=book.n).astype(np.int64)
    mult, write_off_dpd = book.settings(product)
    den = product.days_in_year * 1_000_000_000
    daily = (2 * overdue * book.rate_ppm * mult + den) // (2 * den)
    live = book.written_off_on < 0
    book.penalty_accrued += np.where(live, daily, 0)
    report = _report(book, day, overdue)
    newly = live & (report.dpd >= write_off_dpd)
    book.written_off_on[newly] = day
    book.written_off_principal[newly] = report.principal_outstanding[newly]
    first_npl = (report.five_class >= 2) & (book.first_npl_on < 0)
    book.first_npl_on[first_npl] = day
    book.npl_principal[first_npl] = report.principal_outstanding[first_npl]
    book.closed_on = day
    return DayClose(day, report.dpd, report.bucket, report.five_class,
                    report.principal_outstanding, report.overdue_principal,
                    book.written_off_on >= 0)


def _report(book: Book, day: int, overdue: np.ndarray | None = None) -> DayClose:
    """DPD, bucket, class and balances of every loan at the end of ``day``."""
    if overdue is None:
        rows = (book.due < day) & (book.principal_left > 0)
        overdue = np.bincount(book.loan[rows], book.principal_left[rows],
                              minlength=book.n).astype(np.int64)
    unpaid = (book.due <= day) & ((book.principal_left > 0) | (book.interest_left > 0))
    oldest = np.minimum.reduceat(np.where(unpaid, book.due, _NEVER), book.offsets[:-1])
    dpd = np.where(oldest < _NEVER, day - oldest, 0).astype(np.int32)
    outstanding = np.bincount(book.loan, book.principal_left, minlength=book.n).astype(np.int64)
    return DayClose(day, dpd, bucket_code(dpd), class_code(dpd), outstanding, overdue,
                    book.written_off_on >= 0)


def prepay_in_full(book: Book, d: date, loans: np.ndarray,
                   product: ServicingProduct | None = None) -> np.ndarray:
    """Settle ``loans`` on the closed day ``d`` from their credit (a payoff posted that day):
    principal not yet due with the product's prepayment fee; the future interest is not owed
    (as :func:`.allocation.statement` does for a prepayment covering it). Loans whose credit
    falls short, or written off, are left as they are; returns which were settled."""
    from fractions import Fraction

    product = product or ServicingProduct()
    day = day_number(d)
    if day != book.closed_on:
        raise ValueError(f"{d} must be the day just closed")
    loans = np.asarray(loans, np.int64)
    rows, lengths = _rows_of(book, loans)
    future = book.due[rows] > day
    owner = np.repeat(np.arange(len(loans)), lengths)
    owed = np.bincount(owner, np.where(future, book.principal_left[rows], 0),
                       minlength=len(loans)).astype(np.int64)
    rate = Fraction(str(product.prepayment_fee_rate))
    fee = (2 * owed * rate.numerator + rate.denominator) // (2 * rate.denominator)
    ok = (book.credit[loans] >= owed + fee) & (book.written_off_on[loans] < 0)
    settle = rows[future & ok[owner]]
    book.principal_left[settle] = 0
    book.interest_left[settle] = 0
    book.credit[loans[ok]] -= (owed + fee)[ok]
    return ok


def close_quiet_days(book: Book, through: date, product: ServicingProduct | None = None
                     ) -> DayClose:
    """Close every day after the last close through ``through`` in one pass, when none of
    them brings a payment or an instalment due: the same as closing them one by one with
    :func:`close_day` (penalty accrues each day on the unchanged overdue principal, a loan is
    written off the day it reaches the product's threshold and becomes non-performing the day
    it passes 90 DPD), reported at ``through``. Raises ``ValueError`` before the book's first
    close or when an instalment falls due in those days."""
    product = product or ServicingProduct()
    last = day_number(through)
    if book.closed_on < 0 or last < book.closed_on:
        raise ValueError(f"{through} must be on or after the last close, and the book closed once")
    first = book.closed_on + 1
    if last < first:
        return _report(book, last)
    if ((book.due >= first) & (book.due <= last)).any():
        raise ValueError(f"an instalment falls due between {first} and {through}: close it by day")
    overdue_rows = (book.due < first) & (book.principal_left > 0)
    overdue = np.bincount(book.loan[overdue_rows], book.principal_left[overdue_rows],
                          minlength=book.n).astype(np.int64)
    mult, write_off_dpd = book.settings(product)
    den = product.days_in_year * 1_000_000_000
    daily = (2 * overdue * book.rate_ppm * mult + den) // (2 * den)
    unpaid = (book.due < first) & ((book.principal_left > 0) | (book.interest_left > 0))
    oldest = np.minimum.reduceat(np.where(unpaid, book.due, _NEVER), book.offsets[:-1]).astype(np.int64)
    late = oldest < _NEVER
    live = book.written_off_on < 0
    wo_day = oldest + write_off_dpd
    end = np.where(late, np.minimum(wo_day, last), last)
    book.penalty_accrued += np.where(live, daily * np.maximum(end - first + 1, 0), 0)
    outstanding = np.bincount(book.loan, book.principal_left, minlength=book.n).astype(np.int64)
    newly = live & late & (wo_day <= last)
    book.written_off_on[newly] = wo_day[newly]
    book.written_off_principal[newly] = outstanding[newly]
    npl_day = oldest + NPL_DPD
    first_npl = late & (book.first_npl_on < 0) & (npl_day <= last)
    book.first_npl_on[first_npl] = np.maximum(npl_day[first_npl], first)
    book.npl_principal[first_npl] = outstanding[first_npl]
    book.closed_on = last
    return _report(book, last, overdue)
