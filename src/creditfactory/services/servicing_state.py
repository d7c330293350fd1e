"""A loan account's state between the store and the servicing engine.

The store keeps each loan as the book carries it (integer fen, packed ``int32`` instalment
arrays); this module turns a per-loan statement (:func:`creditfactory.servicing.allocation.
statement`, the reference) into that state, a set of stored accounts into a
:class:`~creditfactory.servicing.book.Book`, and the book's loans back into states.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from creditfactory.servicing.allocation import Statement, Transaction, statement
from creditfactory.servicing.book import Book, DayClose, day_number
from creditfactory.servicing.close import BUCKETS, CLASSES, state_of
from creditfactory.servicing.product import ServicingProduct
from creditfactory.servicing.schedules import Instalment, Schedule

__all__ = ["PRODUCT", "book_of", "book_states", "date_of", "fen", "money", "product_of",
           "restated", "schedule_of", "state_of_statement", "transaction_of"]

PRODUCT = ServicingProduct()
"""The defaults (1.5x penalty, 2 % prepayment fee, written off at 180 DPD): the close's
fallback; each loan is serviced with the settings on its account (:func:`product_of`)."""
_EPOCH = date(1970, 1, 1)


def fen(amount: Decimal) -> int:
    """Whole fen of a Decimal amount."""
    return int(amount * 100)


def money(fen_: int) -> Decimal:
    """A Decimal amount (two places) of whole fen."""
    return Decimal(int(fen_)).scaleb(-2)


def date_of(day: int) -> date | None:
    """The date of a book day number (``None`` for -1, never)."""
    return None if day < 0 else _EPOCH + timedelta(days=int(day))


def product_of(account: Mapping[str, Any]) -> ServicingProduct:
    """The servicing settings the loan was booked with."""
    return ServicingProduct(account["penalty_multiplier"].quantize(Decimal("0.001")),
                            account["prepayment_fee_rate"].normalize(),
                            int(account["write_off_dpd"]))


def schedule_of(account: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> Schedule:
    """The schedule booked for a loan, as the engine's value."""
    return Schedule(account["repayment_method"], account["principal"], account["rate"],
                    account["term_months"], account["start_date"], account["rounding"],
                    tuple(Instalment(r["number"], r["due_date"], r["principal"], r["interest"],
                                     r["total"], r["opening_balance"], r["closing_balance"])
                          for r in rows))


def transaction_of(row: Mapping[str, Any]) -> Transaction:
    """A stored transaction as the engine's (the bank's reference is its id)."""
    return Transaction(row["reference"], row["kind"], row["value_date"],
                       row["amount"] if row["kind"] != "reversal" else Decimal("0.00"),
                       row["reverses"])


def _status(written_off: bool, owed: bool) -> str:
    return "written_off" if written_off else ("active" if owed else "closed")


def state_of_statement(st: Statement) -> dict[str, Any]:
    """The stored state of a loan from its statement."""
    s = state_of(st)
    owed = bool(s.principal_outstanding or s.penalty_outstanding
                or any(i.interest_left for i in st.instalments))
    return {
        "status": _status(st.written_off_on is not None, owed),
        "dpd": s.dpd, "bucket": s.bucket, "five_class": s.five_class,
        "principal_outstanding_fen": fen(s.principal_outstanding),
        "overdue_principal_fen": fen(s.overdue_principal),
        "penalty_accrued_fen": fen(st.penalty_accrued), "penalty_paid_fen": fen(st.penalty_paid),
        "credit_fen": fen(st.credit), "received_fen": fen(st.received),
        "recovered_fen": fen(st.recovered),
        "written_off_principal_fen": fen(st.written_off_principal),
        "npl_principal_fen": fen(st.npl_principal),
        "written_off_on": st.written_off_on, "first_npl_on": st.first_npl_on,
        "dues": np.array([day_number(i.due_date) for i in st.instalments], np.int32).tobytes(),
        "principal_left": np.array([fen(i.principal_left) for i in st.instalments],
                                   np.int32).tobytes(),
        "interest_left": np.array([fen(i.interest_left) for i in st.instalments],
                                  np.int32).tobytes(),
    }


def restated(schedule: Schedule, transactions: Sequence[Mapping[str, Any]], as_of: date,
             product: ServicingProduct = PRODUCT) -> tuple[Statement, dict[str, Any]]:
    """The loan replayed from its schedule and every transaction to the end of ``as_of``."""
    st = statement(schedule, [transaction_of(t) for t in transactions], as_of, product)
    return st, state_of_statement(st)


def book_of(rows: Sequence[Sequence[Any]]) -> Book:
    """A book of the stored loans (rows in ``repo_servicing.BOOK_COLUMNS`` order)."""
    cols = list(zip(*rows, strict=True))
    n = len(rows)

    def ints(k: int) -> np.ndarray:
        return np.fromiter(cols[k], np.int64, n)

    lengths = np.fromiter((len(b) for b in cols[15]), np.int64, n) // 4
    ppm: dict[Any, int] = {}
    for v in set(cols[1]):
        ppm[v] = int(Decimal(str(v)) * 1_000_000)
    rate = np.fromiter((ppm[v] for v in cols[1]), np.int64, n)

    def packed(k: int) -> np.ndarray:
        return np.frombuffer(b"".join(cols[k]), np.int32)

    mult = {v: int(Decimal(str(v)) * 1000) for v in set(cols[18])}
    return Book(rate, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64), packed(15),
                np.repeat(np.arange(n, dtype=np.int32), lengths), packed(16).copy(),
                packed(17).copy(), ints(6), ints(7), ints(8), ints(9), ints(10),
                ints(13).astype(np.int32), ints(11), ints(14).astype(np.int32), ints(12)
                ).with_products(np.fromiter((mult[v] for v in cols[18]), np.int64, n), ints(19))


SCALARS = ("penalty_accrued", "penalty_paid", "credit", "received", "recovered",
           "written_off_on", "written_off_principal", "first_npl_on", "npl_principal")
"""The book's per-loan arrays that are stored."""


def book_states(book: Book, report: DayClose, idx: np.ndarray, loan_ids: np.ndarray
                ) -> list[tuple[Any, ...]]:
    """The stored states of the book's loans ``idx`` after ``report``, as rows of
    ``repo_servicing.STATE_COLUMNS`` and the loan id."""
    owed = (np.bincount(book.loan, book.principal_left.astype(np.int64)
                        + book.interest_left, minlength=book.n)
            + book.penalty_accrued - book.penalty_paid)[idx] > 0
    wo = book.written_off_on[idx]
    status = np.where(wo >= 0, "written_off", np.where(owed, "active", "closed")).tolist()
    bucket = [BUCKETS[b] for b in report.bucket[idx].tolist()]
    five = [CLASSES[c] for c in report.five_class[idx].tolist()]
    wo_on = [date_of(d) for d in wo.tolist()]
    npl_on = [date_of(d) for d in book.first_npl_on[idx].tolist()]
    off = book.offsets
    starts, ends = off[idx].tolist(), off[idx + 1].tolist()
    due, pl, il = book.due, book.principal_left, book.interest_left
    cols = [report.dpd[idx].tolist(), report.principal_outstanding[idx].tolist(),
            report.overdue_principal[idx].tolist()] + [
        getattr(book, s)[idx].tolist() for s in ("penalty_accrued", "penalty_paid", "credit",
                                                  "received", "recovered",
                                                  "written_off_principal", "npl_principal")]
    return [(status[k], cols[0][k], bucket[k], five[k], *(c[k] for c in cols[1:]), wo_on[k],
             npl_on[k], due[a:b].tobytes(), pl[a:b].tobytes(), il[a:b].tobytes(),
             int(loan_ids[i]))
            for k, (i, a, b) in enumerate(zip(idx.tolist(), starts, ends, strict=True))]


def set_loan(book: Book, i: int, state: Mapping[str, Any]) -> None:
    """Put a restated loan's state into the book (same instalment count)."""
    a, b = int(book.offsets[i]), int(book.offsets[i + 1])
    book.principal_left[a:b] = np.frombuffer(state["principal_left"], np.int32)
    book.interest_left[a:b] = np.frombuffer(state["interest_left"], np.int32)
    for name in SCALARS:
        v = state[name] if name.endswith("_on") else state[f"{name}_fen"]
        if name.endswith("_on"):
            v = -1 if v is None else day_number(v)
        getattr(book, name)[i] = v
