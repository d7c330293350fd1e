"""A book's schedules from its loans' terms, computed for every loan at once.

The same schedules as :func:`.schedules.repayment_schedule` (half-up, the platform's), to the
fen, in integer fen: a month's interest is ``balance * rate / 12`` rounded half-up exactly
(rates in whole millionths), the level instalment the annuity rounded half-up (in floating
point, recomputed exactly for the rare loan whose annuity lies within 1e-4 fen of a
half fen), the last instalment what is left. Due dates come from each distinct payout date.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from creditfactory.servicing.book import Book, day_number
from creditfactory.servicing.schedules import METHODS, add_months, repayment_schedule

__all__ = ["book_from_terms"]

_EPOCH = date(1970, 1, 1)


def _level(amount: np.ndarray, rate_ppm: np.ndarray, term: np.ndarray,
           method: str) -> np.ndarray:
    if method == "interest_first":
        return np.zeros_like(amount)
    if method == "equal_principal":
        return (2 * amount + term) // (2 * term)
    m = rate_ppm / 12e6
    with np.errstate(divide="ignore", invalid="ignore"):
        annuity = np.where(m > 0, amount * m / (1 - (1 + m) ** -term.astype(np.float64)),
                           amount / term)
    level = np.floor(annuity + 0.5).astype(np.int64)
    close = np.flatnonzero(np.abs(annuity - np.floor(annuity) - 0.5) < 1e-4)
    for i in close:
        s = repayment_schedule(Decimal(int(amount[i])) / 100, Decimal(int(rate_ppm[i])) / 10**6,
                               int(term[i]), start=date(2000, 1, 1))
        level[i] = int(s.instalments[0].total * 100)
    return level


def book_from_terms(amount_fen: np.ndarray, rate_ppm: np.ndarray, term: np.ndarray,
                    start_day: np.ndarray, method: str = "equal_instalment") -> Book:
    """A book of loans of ``amount_fen`` at ``rate_ppm`` (annual, millionths) over ``term``
    months, paid out on ``start_day`` (day numbers), all with ``method``."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    amount = np.asarray(amount_fen, np.int64)
    rate = np.asarray(rate_ppm, np.int64)
    term = np.asarray(term, np.int64)
    if (amount <= 0).any() or (term < 1).any() or (rate < 0).any() or (rate >= 10**6).any():
        raise ValueError("amount_fen and term must be positive, rate_ppm in [0, 1,000,000)")
    n, longest = len(amount), int(term.max())
    level = _level(amount, rate, term, method)
    principal = np.zeros((longest, n), np.int64)
    interest = np.zeros((longest, n), np.int64)
    balance = amount.copy()
    for k in range(longest):
        live = k < term
        it = (2 * balance * rate + 12_000_000) // 24_000_000
        if method == "equal_instalment":
            pr = np.minimum(np.maximum(level - it, 0), balance)
        else:
            pr = np.minimum(level, balance)
        pr = np.where(k == term - 1, balance, pr)
        principal[k] = np.where(live, pr, 0)
        interest[k] = np.where(live, it, 0)
        balance = balance - principal[k]
    mask = np.arange(longest) < term[:, None]
    starts, inverse = np.unique(np.asarray(start_day, np.int64), return_inverse=True)
    dues = np.array([[day_number(add_months(_EPOCH + timedelta(days=int(s)), k + 1))
                      for k in range(longest)] for s in starts], np.int32)
    offsets = np.concatenate([[0], np.cumsum(term)])
    return Book.new(rate, offsets, dues[inverse][mask], principal.T[mask], interest.T[mask])
