"""Loans replayed from their payout to a date with all their repayments, every loan at once.

The per-loan statement (:func:`.allocation.statement`) replays one loan from its schedule and
its transactions; this does the same for a whole book of fresh loans (:func:`.book_terms.
book_from_terms`) and their repayments, with the book's close of business: each day that
brings a payment or an instalment due is closed by :func:`.book.close_day`, the quiet days
between by :func:`.book.close_quiet_days` -- so the cost follows the events, not the
calendar. A loan paid out later than the book's first day is inert until then (nothing falls
due, nothing is overdue), so loans of any payout dates replay together. Prepayments and
reversals are not the book's (see :mod:`.book`): their loans are replayed per loan.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from creditfactory.servicing.book import Book, DayClose, close_day, close_quiet_days, day_number
from creditfactory.servicing.product import ServicingProduct

__all__ = ["replay_book"]

_EPOCH = date(1970, 1, 1)


def replay_book(book: Book, first_day: int, through: date, pay_loan: np.ndarray,
                pay_day: np.ndarray, pay_fen: np.ndarray,
                product: ServicingProduct | None = None) -> DayClose:
    """Replay the fresh ``book`` (nothing received yet) from ``first_day`` (the earliest
    payout, a day number) through ``through``, posting the repayments (``pay_loan`` book
    indices, ``pay_day`` day numbers after each loan's payout, ``pay_fen``); the report at
    ``through``. Repayments after ``through`` are left out."""
    product = product or ServicingProduct()
    last = day_number(through)
    pay_loan, pay_day, pay_fen = (np.asarray(a, np.int64) for a in (pay_loan, pay_day, pay_fen))
    keep = pay_day <= last
    pay_loan, pay_day, pay_fen = pay_loan[keep], pay_day[keep], pay_fen[keep]
    if (pay_day <= first_day).any():
        raise ValueError("a repayment is dated on or before the first payout")
    book.closed_on = first_day
    order = np.argsort(pay_day, kind="stable")
    pay_loan, pay_day, pay_fen = pay_loan[order], pay_day[order], pay_fen[order]
    events = np.union1d(book.due[(book.due > first_day) & (book.due <= last)], pay_day)
    bounds = np.searchsorted(pay_day, events, side="left"), np.searchsorted(
        pay_day, events, side="right")
    for ev, a, b in zip(events.tolist(), *(x.tolist() for x in bounds), strict=True):
        if ev - 1 > book.closed_on:
            close_quiet_days(book, _EPOCH + timedelta(days=ev - 1), product)
        close_day(book, _EPOCH + timedelta(days=ev), pay_loan[a:b], pay_fen[a:b], product)
    return close_quiet_days(book, through, product)
