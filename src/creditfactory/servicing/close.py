"""A loan's state at a business date: days past due, M-bucket, five-category class.

The definitions are the platform's (``DESIGN.md``): DPD counts days from the due date of the
oldest instalment not fully paid (0 while every instalment due is paid); M0 is current, M1
1-30 DPD, M2 31-60, ... M7+ over 180; the five-category class for unsecured loans under the
2023 rules is normal (正常) while current, special mention (关注) once overdue, substandard
(次级) past 90 DPD, doubtful (可疑) past 270, loss (损失) past 360; substandard, doubtful and
loss are non-performing. The class functions take numbers or NumPy arrays alike, so the
book's close (:mod:`.book`) classifies a million loans with the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from creditfactory.servicing.allocation import Statement, Transaction, statement
from creditfactory.servicing.product import ServicingProduct
from creditfactory.servicing.schedules import Schedule

__all__ = ["BUCKETS", "CLASSES", "CLASS_NAMES_ZH", "NON_PERFORMING", "LoanState", "bucket_code",
           "class_code", "loan_state"]

BUCKETS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+")
CLASSES = ("normal", "special_mention", "substandard", "doubtful", "loss")
CLASS_NAMES_ZH = {"normal": "正常", "special_mention": "关注", "substandard": "次级",
                  "doubtful": "可疑", "loss": "损失"}
NON_PERFORMING = frozenset({"substandard", "doubtful", "loss"})
_ONE_DAY = timedelta(days=1)
_CLASS_EDGES = (0, 90, 270, 360)
"""DPD above each edge moves a loan one class down."""


def bucket_code(dpd: Any) -> Any:
    """Index into :data:`BUCKETS` of ``dpd`` (a number or an integer array).

    >>> [BUCKETS[bucket_code(d)] for d in (0, 1, 30, 31, 90, 91, 180, 181)]
    ['M0', 'M1', 'M1', 'M2', 'M3', 'M4', 'M6', 'M7+']
    """
    return np.minimum((np.asarray(dpd) + 29) // 30, 7).astype(np.int8)[()]


def class_code(dpd: Any) -> Any:
    """Index into :data:`CLASSES` of ``dpd`` (a number or an integer array).

    >>> [CLASSES[class_code(d)] for d in (0, 1, 90, 91, 270, 271, 360, 361)]
    ['normal', 'special_mention', 'special_mention', 'substandard', 'substandard', 'doubtful', 'doubtful', 'loss']
    """
    return np.searchsorted(np.asarray(_CLASS_EDGES), np.asarray(dpd), side="left").astype(
        np.int8)[()]


@dataclass(frozen=True, slots=True)
class LoanState:
    """What the close of business reports of a loan on ``as_of``."""

    as_of: date
    dpd: int
    bucket: str
    five_class: str
    principal_outstanding: Decimal
    overdue_principal: Decimal
    overdue_interest: Decimal
    penalty_accrued: Decimal
    penalty_outstanding: Decimal
    credit: Decimal
    written_off_on: date | None
    written_off_principal: Decimal
    recovered: Decimal
    first_npl_on: date | None
    npl_principal: Decimal
    closed: bool

    @property
    def non_performing(self) -> bool:
        return self.five_class in NON_PERFORMING


def loan_state(schedule: Schedule, transactions: list[Transaction], as_of: date,
               product: ServicingProduct | None = None) -> LoanState:
    """The loan's state at the end of ``as_of`` (its statement, classified)."""
    return state_of(statement(schedule, transactions, as_of, product))


def state_of(st: Statement) -> LoanState:
    """Classify a statement at its date."""
    day = st.as_of
    oldest = st.oldest_unpaid_due(day + _ONE_DAY)
    dpd = (day - oldest).days if oldest is not None else 0
    due = [i for i in st.instalments if i.due_date < day]
    return LoanState(
        as_of=day, dpd=dpd, bucket=BUCKETS[bucket_code(dpd)],
        five_class=CLASSES[class_code(dpd)],
        principal_outstanding=st.principal_outstanding,
        overdue_principal=sum((i.principal_left for i in due), Decimal("0.00")),
        overdue_interest=sum((i.interest_left for i in due), Decimal("0.00")),
        penalty_accrued=st.penalty_accrued, penalty_outstanding=st.penalty_outstanding,
        credit=st.credit, written_off_on=st.written_off_on,
        written_off_principal=st.written_off_principal, recovered=st.recovered,
        first_npl_on=st.first_npl_on, npl_principal=st.npl_principal,
        closed=st.principal_outstanding == 0 and not any(i.interest_left for i in st.instalments))

