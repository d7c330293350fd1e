"""Loans behind the business date caught up inline, many at once (Fineract's inline catch-up).

A payment dated on or before the business date changes what the loan's closed days did, so
the loan is replayed from its payout with every transaction to the business date. For a bank
file that is thousands of loans: those whose history is only repayments (the book's flow) on
the platform's half-up schedules replay together with the vectorised book
(:func:`creditfactory.servicing.book_replay.replay_book`, each loan with its own product's
settings), equal to the per-loan statement to the fen; a loan with a prepayment or a
reversal, or on another rounding, is restated by its statement
(:func:`.servicing_book.restate`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from creditfactory.services.servicing_book import as_of, restate
from creditfactory.services.servicing_state import book_states
from creditfactory.servicing.book_replay import replay_book
from creditfactory.servicing.book_terms import book_from_terms
from creditfactory.store import UnitOfWork
from creditfactory.store import repo_servicing_bulk as bulk

__all__ = ["catch_up"]


def _fen(text: object) -> int:
    return int(Decimal(str(text)) * 100)


def catch_up(uow: UnitOfWork, loan_ids: np.ndarray, business_date: date) -> int:
    """Restate ``loan_ids`` (sorted, unique) at the business date; how many were restated."""
    if not len(loan_ids):
        return 0
    ids = loan_ids.tolist()
    terms = bulk.loan_terms(uow.conn, ids)
    txns = bulk.loan_transaction_rows(uow.conn, ids)
    per_loan = {r[0] for r in terms if r[5] != "half_up"} | {t[0] for t in txns
                                                            if t[1] != "repayment"}
    for loan_id in sorted(per_loan):
        account = uow.servicing.account(loan_id)
        assert account is not None
        restate(uow, account, as_of(account, business_date))
    rows = [r for r in terms if r[0] not in per_loan]
    if not rows:
        return len(terms)
    n = len(rows)
    cols = list(zip(*rows, strict=True))
    loan_id = np.fromiter(cols[0], np.int64, n)
    start = np.fromiter(cols[6], np.int64, n)
    dom = (start.astype("datetime64[D]") - start.astype("datetime64[D]").astype(
        "datetime64[M]")).astype(np.int64)
    methods = sorted(set(cols[4]))
    method_code = {m: k for k, m in enumerate(methods)}
    key = np.fromiter((method_code[m] for m in cols[4]), np.int64, n) * 32 + dom
    pays = [t for t in txns if t[0] not in per_loan]
    pay_id = np.fromiter((t[0] for t in pays), np.int64, len(pays))
    pay_day = np.fromiter((t[2] for t in pays), np.int64, len(pays))
    pay_fen = np.fromiter((t[3] for t in pays), np.int64, len(pays))
    pay_pos = np.searchsorted(loan_id, pay_id)
    pay_key = key[np.minimum(pay_pos, n - 1)]
    states: list[tuple[Any, ...]] = []
    for k in np.unique(key).tolist():  # a group's loans fall due on the same days
        sel = np.flatnonzero(key == k)
        mine = np.flatnonzero(pay_key == k)
        book_at = np.full(n, -1, np.int64)
        book_at[sel] = np.arange(len(sel))
        group = [rows[i] for i in sel.tolist()]
        states += _replay_group(group, methods[k // 32], business_date, book_at[pay_pos[mine]],
                                pay_day[mine], pay_fen[mine])
    # one write for every group: each write of the store's bulk path joins the whole book
    uow.servicing.set_state_rows(states)
    return len(terms)


def _replay_group(group: list[tuple[Any, ...]], method: str, business_date: date,
                  pay_loan: np.ndarray, pay_day: np.ndarray, pay_fen: np.ndarray
                  ) -> list[tuple[Any, ...]]:
    n = len(group)
    cols = list(zip(*group, strict=True))
    loan_id = np.fromiter(cols[0], np.int64, n)
    amount = np.fromiter((_fen(v) for v in cols[1]), np.int64, n)
    ppm = {v: int(Decimal(str(v)) * 1_000_000) for v in set(cols[2])}
    rate = np.fromiter((ppm[v] for v in cols[2]), np.int64, n)
    start = np.fromiter(cols[6], np.int64, n)
    mult = {v: int(Decimal(str(v)) * 1000) for v in set(cols[7])}
    book = book_from_terms(amount, rate, np.fromiter(cols[3], np.int64, n), start,
                           method).with_products(
        np.fromiter((mult[v] for v in cols[7]), np.int64, n), np.fromiter(cols[8], np.int64, n))
    report = replay_book(book, int(start.min()), business_date, pay_loan, pay_day, pay_fen)
    return book_states(book, report, np.arange(n), loan_id)
