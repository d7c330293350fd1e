"""Close of business on the store: every loan moved to a business date, one day at a time.

The book (every loan not yet closed) is loaded once and closed day after day with the
vectorised engine (:func:`creditfactory.servicing.book.close_day`: the day's repayments,
credit, penalty interest, write-off at the product's threshold, DPD, M-bucket, class). Each
day is one transaction: the states of the loans that day changed, the day's record and the
new business date, committed together -- so a close killed at any point leaves the store at
the last day committed, and the next run goes on from there, posting nothing twice. A close
to a date already reached changes nothing.

Loans the book cannot carry on a day are restated per loan from their schedule and every
transaction (:func:`.servicing_book.restate`, the statement the book equals): a prepayment
dated that day, a payment for a loan already closed, a loan with a transaction posted while
the close runs (a reversal, a back-dated payment) and a loan booked since the book was loaded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from creditfactory.services.servicing_book import restate
from creditfactory.services.servicing_state import (
    PRODUCT,
    SCALARS,
    book_of,
    book_states,
    fen,
    set_loan,
)
from creditfactory.servicing.book import Book, close_day, day_number
from creditfactory.store import UnitOfWork
from creditfactory.store.tables_servicing import loan_accounts, loan_transactions
from creditfactory.store.types import utcnow

__all__ = ["CloseSummary", "close_business"]

_OPEN = ("active", "written_off")


@dataclass
class CloseSummary:
    """What a close did: the days closed (none when the date was already reached)."""

    business_date: date | None
    days: list[date] = field(default_factory=list)
    loans: int = 0
    payments: int = 0
    changed: int = 0
    written_off: int = 0
    restated: int = 0
    seconds_load: float = 0.0


@dataclass
class _Loaded:
    book: Book
    loan_ids: np.ndarray
    seen_txn: int
    max_loan: int
    dpd: np.ndarray
    outstanding: np.ndarray
    overdue: np.ndarray
    per_loan: set[int] = field(default_factory=set, init=False)  # restructured: restated daily


def _load(engine: Engine, day: date) -> _Loaded:
    with UnitOfWork(engine, write=False) as uow:
        seen = uow.conn.execute(sa.select(sa.func.max(loan_transactions.c.id))).scalar() or 0
        top = uow.conn.execute(sa.select(sa.func.max(loan_accounts.c.loan_id))).scalar() or 0
        rows = uow.servicing.book_rows(_OPEN)
    if not rows:
        return _Loaded(Book.__new__(Book), np.zeros(0, np.int64), int(seen), int(top),
                       *(np.zeros(0, np.int64) for _ in range(3)))
    book = book_of(rows)
    book.closed_on = day_number(day)
    ids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
    ints = [np.fromiter((r[k] for r in rows), np.int64, len(rows)) for k in (3, 4, 5)]
    return _Loaded(book, ids, int(seen), int(top), *ints)


def _first_business_date(uow: UnitOfWork) -> date | None:
    known = uow.servicing.business_date()
    if known is not None:
        return known
    q = sa.select(sa.func.min(loan_accounts.c.start_date))
    first: date | None = uow.conn.execute(q).scalar()
    return None if first is None else first - timedelta(days=1)


def close_business(engine: Engine, through: date, *,
                   clock: Callable[[], datetime] = utcnow,
                   on_day: Callable[[date, int], None] | None = None) -> CloseSummary:
    """Close every day after the business date up to ``through`` (see the module)."""
    with UnitOfWork(engine, write=False) as uow:
        last = _first_business_date(uow)
    summary = CloseSummary(last)
    if last is not None and last >= through:
        return summary
    if last is None:  # no loan was ever booked: the calendar only moves
        with UnitOfWork(engine) as uow:
            uow.servicing.set_business_date(through, clock())
            uow.commit()
        summary.business_date, summary.days = through, [through]
        return summary
    t0 = time.perf_counter()
    loaded = _load(engine, last)
    summary.seconds_load = time.perf_counter() - t0
    summary.loans = len(loaded.loan_ids)
    day = last
    while day < through:
        day += timedelta(days=1)
        _close_one(engine, loaded, day, clock(), summary)
        summary.days.append(day)
        summary.business_date = day
        if on_day is not None:
            on_day(day, summary.changed)
    return summary


def _close_one(engine: Engine, lo: _Loaded, day: date, at: datetime,
               summary: CloseSummary) -> None:
    with UnitOfWork(engine) as uow:
        known = uow.servicing.business_date(for_update=True)
        expected = day - timedelta(days=1)
        if known is not None and known != expected:
            raise RuntimeError(f"the business date moved to {known} while closing {day}: "
                               f"another close is running")
        special, pay_idx, pay_fen, payments = _day_payments(uow, lo, day)
        book, n = lo.book, len(lo.loan_ids)
        before = {s: getattr(book, s).copy() for s in SCALARS} if n else {}
        states: list[tuple[Any, ...]] = []
        written_off = 0
        if n:
            report = close_day(book, day, pay_idx, pay_fen, PRODUCT)
            changed = ((report.dpd != lo.dpd) | (report.principal_outstanding != lo.outstanding)
                       | (report.overdue_principal != lo.overdue))
            for s in SCALARS:
                changed |= getattr(book, s) != before[s]
            changed[_positions(lo.loan_ids, special)] = False
            idx = np.flatnonzero(changed)
            states = book_states(book, report, idx, lo.loan_ids)
            lo.dpd, lo.outstanding = report.dpd.astype(np.int64), report.principal_outstanding
            lo.overdue = report.overdue_principal
            written_off = int(((book.written_off_on == day_number(day))).sum())
        uow.servicing.set_state_rows(states)
        for loan_id in sorted(special):
            account = uow.servicing.account(loan_id)
            assert account is not None
            state = restate(uow, account, day)
            i = int(np.searchsorted(lo.loan_ids, loan_id)) if n else 0
            if n and i < n and lo.loan_ids[i] == loan_id:
                if len(state["dues"]) // 4 != int(book.offsets[i + 1] - book.offsets[i]):
                    lo.per_loan.add(loan_id)  # a restructure changed its instalments
                    continue
                set_loan(book, i, state)
                lo.dpd[i], lo.outstanding[i] = state["dpd"], state["principal_outstanding_fen"]
                lo.overdue[i] = state["overdue_principal_fen"]
        uow.servicing.record_close(business_date=day, loans=n, payments=payments,
                                   changed=len(states) + len(special), written_off=written_off,
                                   closed_at=at)
        uow.servicing.set_business_date(day, at)
        uow.commit()
    summary.payments += payments
    summary.changed += len(states) + len(special)
    summary.written_off += written_off
    summary.restated += len(special)


def _day_payments(uow: UnitOfWork, lo: _Loaded, day: date
                  ) -> tuple[set[int], np.ndarray, np.ndarray, int]:
    """The loans to restate, and the day's repayments of the others (book index, fen)."""
    special: set[int] = set(lo.per_loan)
    fresh = uow.conn.execute(
        sa.select(loan_transactions.c.loan_id, loan_transactions.c.id)
        .where(loan_transactions.c.id > lo.seen_txn)).all()
    for loan_id, txn_id in fresh:
        special.add(int(loan_id))
        lo.seen_txn = max(lo.seen_txn, int(txn_id))
    new_loans = uow.conn.execute(
        sa.select(loan_accounts.c.loan_id).where(loan_accounts.c.loan_id > lo.max_loan,
                                                 loan_accounts.c.status.in_(_OPEN))).scalars()
    special.update(int(i) for i in new_loans)
    rows = uow.servicing.day_transactions(day)
    n = len(lo.loan_ids)
    ids = np.fromiter((r["loan_id"] for r in rows), np.int64, len(rows))
    pos = np.searchsorted(lo.loan_ids, ids) if n else np.zeros(len(rows), np.int64)
    found = (pos < n) & (lo.loan_ids[np.minimum(pos, max(n - 1, 0))] == ids) if n else (
        np.zeros(len(rows), bool))
    is_repayment = np.fromiter((r["kind"] == "repayment" for r in rows), bool, len(rows))
    special.update(int(i) for i in ids[~(found & is_repayment)])
    take = found & is_repayment & ~np.isin(ids, np.fromiter(special, np.int64, len(special)))
    amounts = np.fromiter((fen(r["amount"]) for r in rows), np.int64, len(rows))
    return special, pos[take].astype(np.int64), amounts[take], len(rows)


def _positions(loan_ids: np.ndarray, wanted: set[int]) -> np.ndarray:
    """Book positions of the ``wanted`` loans that are in the book."""
    ids = np.array(sorted(wanted), np.int64)
    pos = np.searchsorted(loan_ids, ids)
    ok = pos < len(loan_ids)
    ok[ok] = loan_ids[pos[ok]] == ids[ok]
    return pos[ok]
