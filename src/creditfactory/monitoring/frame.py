"""The book as the monthly job reads it: one row per loan and month-end, every label an integer
code, every dimension of a loan carried onto its rows, so each figure is a ``bincount``.

The portfolio tables (``loans``, ``monthly``) arrive from a portfolio run's Parquet files or
from the store's servicing book in the same columns; :func:`prepare` turns them into a
:class:`MonitoringBook` once and every figure reads that. Months are integer month numbers
(``year * 12 + month - 1``) so a loan's next month is ``+ 1``. Balances are whole fen held in
float64, so every sum below 2**53 fen is exact whatever order it is added in (the pandas and
the Spark engine give the same figures); the tables show CNY.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from creditfactory.data.schema import PERFORMANCE_STATUSES

__all__ = ["BUCKETS", "CLASSES", "DIMENSIONS", "MonitoringBook", "loan_rows", "month_categories",
           "month_label", "month_number", "prepare"]

BUCKETS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+")
"""The design's DPD buckets (the servicing book's labels: the layers keep the two apart)."""
CLASSES = ("normal", "special_mention", "substandard", "doubtful", "loss")
"""The five-category classes, in order of severity; the last three are non-performing."""
DIMENSIONS = ("branch", "product", "industry", "channel", "bank")
"""Every figure is given for the whole book (dimension ``all``) and by each of these."""
_SOURCE = {"branch": "branch", "product": "product", "industry": "industry",
           "channel": "channel_id", "bank": "bank"}
_ON_BOOK = (PERFORMANCE_STATUSES.index("current"), PERFORMANCE_STATUSES.index("delinquent"))


def month_number(values: pd.Series | np.ndarray) -> np.ndarray:
    """Dates (or ``YYYY-MM`` text) as integer months ``year * 12 + month - 1``."""
    v = np.asarray(values)
    if v.dtype.kind != "M":
        v = pd.to_datetime(v).to_numpy()
    return (v.astype("datetime64[M]").astype(np.int64) + 1970 * 12).astype(np.int32)


def month_label(number: np.ndarray | int) -> np.ndarray:
    """Integer months back to ``YYYY-MM`` text."""
    n = np.asarray(number, dtype=np.int64)
    return np.char.add(np.char.add((n // 12).astype(str), "-"),
                       np.char.zfill((n % 12 + 1).astype(str), 2))


def month_categories(values: pd.Series | np.ndarray) -> pd.Categorical:
    """Dates as ``YYYY-MM`` categories: each distinct date is formatted once (fast at 30 M)."""
    codes, uniques = pd.factorize(np.asarray(values))
    labels = month_label(month_number(np.asarray(uniques)))
    order, cats = pd.factorize(labels, sort=True)
    return pd.Categorical.from_codes(np.where(codes < 0, -1, order[codes]),  # type: ignore[call-overload]
                                     categories=pd.Index(cats))


def _codes(values: pd.Series | np.ndarray, labels: tuple[str, ...]) -> np.ndarray:
    s = pd.Series(values)
    if s.dtype.kind in "iu":
        return s.to_numpy(np.int8)
    codes = pd.Index(labels).get_indexer(pd.Index(s))
    if (codes < 0).any():
        bad = sorted(set(s[codes < 0].astype(str)))[:3]
        raise ValueError(f"unknown labels {bad}; expected one of {labels}")
    return codes.astype(np.int8)


def loan_rows(loan_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The row of ``loan_ids`` holding each of ``ids`` (a subtraction when the ids are the
    consecutive numbers a book usually has, a binary search otherwise)."""
    if loan_ids.size and np.array_equal(loan_ids, np.arange(loan_ids[0], loan_ids[0] + loan_ids.size)):
        pos = ids - loan_ids[0]
        return np.clip(pos, 0, loan_ids.size - 1).astype(np.int32)
    order = np.argsort(loan_ids, kind="stable")
    pos = np.minimum(np.searchsorted(loan_ids, ids, sorter=order), max(len(order) - 1, 0))
    return order[pos].astype(np.int32)


@dataclass(frozen=True)
class MonitoringBook:
    """The monthly rows as arrays (one entry per loan and month-end) and the loans' labels."""

    first_month: int
    n_months: int
    month: np.ndarray  # int32, 0-based from first_month
    loan: np.ndarray  # int32 row of ``loans``
    mob: np.ndarray
    dpd: np.ndarray
    bucket: np.ndarray  # int8 into BUCKETS
    class5: np.ndarray  # int8 into CLASSES
    balance: np.ndarray  # float64 whole fen outstanding at the month's end (sums stay exact)
    on_book: np.ndarray  # bool: current or delinquent (not written off, not closed)
    vintage: np.ndarray  # int32 payout month of each loan (per loan), 0-based from first_month
    principal: np.ndarray  # float64 whole fen paid out per loan
    loan_ids: np.ndarray  # int64 per loan
    dims: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    """dimension -> (per-loan int32 codes, labels); ``all`` has the one label ``all``."""

    def months(self) -> np.ndarray:
        """``YYYY-MM`` of each month index."""
        return month_label(self.first_month + np.arange(self.n_months))


def prepare(loans: pd.DataFrame, monthly: pd.DataFrame) -> MonitoringBook:
    """The book as arrays: ``loans`` (loan_id, booked_on, principal and the dimensions' columns)
    and ``monthly`` (loan_id, month, mob, dpd, bucket, class5, principal_outstanding, status),
    labels as text or as codes."""
    loan_ids = loans["loan_id"].to_numpy(np.int64)
    ids = monthly["loan_id"].to_numpy(np.int64)
    loan = loan_rows(loan_ids, ids)
    if len(ids) and not np.array_equal(loan_ids[loan], ids):
        raise ValueError("monthly rows name loans that are not in the loans table")
    month_abs = month_number(monthly["month"])
    vint_abs = month_number(loans["booked_on"])
    both = np.concatenate([month_abs, vint_abs])
    if both.size == 0:
        raise ValueError("the book is empty: no loans and no monthly rows")
    first, last = int(both.min()), int(both.max())
    status = monthly["status"]
    status_code = (status.to_numpy(np.int8) if status.dtype.kind in "iu"
                   else _codes(status, tuple(PERFORMANCE_STATUSES)))
    dims: dict[str, tuple[np.ndarray, np.ndarray]] = {
        "all": (np.zeros(len(loans), np.int32), np.array(["all"], dtype=object))}
    for name in DIMENSIONS:
        codes, labels = pd.factorize(loans[_SOURCE[name]].astype(str), sort=True)
        dims[name] = (codes.astype(np.int32), np.asarray(labels, dtype=object))
    return MonitoringBook(
        first_month=first,
        n_months=last - first + 1,
        month=(month_abs - first).astype(np.int32),
        loan=loan,
        mob=monthly["mob"].to_numpy(np.int32),
        dpd=monthly["dpd"].to_numpy(np.int32),
        bucket=_codes(monthly["bucket"], BUCKETS),
        class5=_codes(monthly["class5"], CLASSES),
        balance=np.round(np.asarray(monthly["principal_outstanding"], dtype=np.float64) * 100),
        on_book=np.isin(status_code, _ON_BOOK),
        vintage=(vint_abs - first).astype(np.int32),
        principal=np.round(np.asarray(loans["principal"], dtype=np.float64) * 100),
        loan_ids=loan_ids,
        dims=dims,
    )
