"""How booked borrowers repay: each borrower's month, decided from their hidden state.

The lender books a loan at its own terms (amount, rate, term, method), which may differ from
what was asked. This module plays the borrower's side of that contract with the mechanisms of
:mod:`.performance` -- the same default clock (a monthly hazard from the true risk, shaped by
months on book with :func:`.performance._seasoning`, multiplied by the industry's macro
conditions), the same misses, cures, prepayments, write-off recoveries and fraud that never
pays -- with one addition: the hazard follows what the *booked* loan costs the borrower.

The world's true log-odds of default carry ``AFFORDABILITY_ELASTICITY * log(burden)``, with
burden the borrower's debts against true revenue (:mod:`.applicants`). Here burden is the
monthly debt service against true revenue, ``(other debt service + instalment) / revenue``;
the booked loan moves the log-odds by the elasticity times the log of its burden over the
asked loan's, so a smaller limit, a cheaper rate or a longer term lowers default, and the
borrower whose hidden debts already eat the revenue gains least from it.

The borrower only sees the contract and what the lender's statement says is owed; it answers
with payments (a day and an amount). Random draws come from one seeded stream per loan
collection, in a fixed order, so the same seed gives the same payments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from creditfactory.world.macro import Macro
from creditfactory.world.performance import _seasoning

__all__ = ["AFFORDABILITY_ELASTICITY", "Action", "Borrowers", "Repayment", "annuity"]

AFFORDABILITY_ELASTICITY = 0.60
"""Log-odds per log of burden: the world's own coefficient (``applicants.build_chunk``)."""
REFERENCE_RATE = 0.20
"""The rate of the world's as-if-booked loan (``WorldConfig.reference_rate``)."""
MISS_RATE = 0.012
"""A current borrower's monthly chance of a missed instalment in a neutral economy
(``performance``); it grows with the square root of the macro multiplier, as there, and with
the burden ratio to the elasticity, since a tighter budget misses more often."""
CURE_RATE = (0.8, 0.9)
"""Chance a borrower behind (not defaulted) pays everything owed: one month behind, three or
more (``performance``)."""
LATE_CURE_RATE = 0.075
"""A defaulted borrower who is unable rather than unwilling pays up before write-off."""
PREPAY_RATE = 0.011
"""Monthly prepayment chance at propensity one, from month three (``performance``)."""
RECOVERY_RATE = (0.09, 0.035)
"""Monthly chance of a recovery after write-off: unable borrowers, unwilling or fraud."""
FULL_RECOVERY = 0.85
"""A recovery draw above this pays everything; below, half its fraction of the balance."""
FRAUD_FIRST_MISS = 0.92
"""Share of frauds who never pay the first instalment; the rest stop in months two to four."""


def annuity(amount: np.ndarray, annual_rate: np.ndarray | float, term: np.ndarray) -> np.ndarray:
    """Equal-instalment payment of ``amount`` (any unit) at ``annual_rate`` over ``term``."""
    m = np.asarray(annual_rate, np.float64) / 12.0
    return amount * m / (1.0 - (1.0 + m) ** -np.asarray(term, np.float64))


@dataclass(frozen=True)
class Borrowers:
    """The hidden state of each booked borrower: world truth the lender never sees.

    ``log_odds`` is the borrower's neutral log-odds of default over the asked loan's life;
    ``other_service`` the monthly service of their other debts (hidden ones included) and
    ``asked_instalment`` the asked loan's instalment at the reference rate, both in CNY, as
    ``true_revenue`` (a month)."""

    log_odds: np.ndarray
    true_revenue: np.ndarray
    other_service: np.ndarray
    asked_instalment: np.ndarray
    industry: np.ndarray
    fraud: np.ndarray
    unwilling: np.ndarray
    prepay_propensity: np.ndarray

    def burden(self, instalment: np.ndarray) -> np.ndarray:
        """Monthly debt service over true revenue with ``instalment`` (CNY) as this loan's."""
        return (self.other_service + instalment) / np.maximum(self.true_revenue, 1.0)


@dataclass(frozen=True)
class Action:
    """What the borrowers due this month pay (fen, 0 for nothing) and whether the payment
    settles the loan early (a prepayment)."""

    amount: np.ndarray
    prepay: np.ndarray


class Repayment:
    """The borrowers of booked loans, month by month of each loan.

    ``mean_instalment`` is each contract's average monthly payment (CNY: what the borrower
    budgets for), ``term`` its months, ``start_month`` the world's calendar month index of
    payout. :meth:`month` is asked once per loan and month on book, in increasing month."""

    def __init__(self, borrowers: Borrowers, mean_instalment: np.ndarray, term: np.ndarray,
                 start_month: np.ndarray, macro: Macro, seed: int, tail_months: int = 24):
        n = len(term)
        self.b, self.term, self.start, self.macro = borrowers, np.asarray(term), start_month, macro
        self.tail = tail_months
        self.rng = np.random.default_rng([seed, 7])
        ratio = borrowers.burden(mean_instalment) / borrowers.burden(borrowers.asked_instalment)
        self.burden_ratio = ratio
        lo = borrowers.log_odds + AFFORDABILITY_ELASTICITY * np.log(ratio)
        pd_neutral = np.minimum(1.0 / (1.0 + np.exp(-lo)), 0.999)
        self.h0 = -np.log1p(-pd_neutral)
        self.season = _seasoning(self.term, int(self.term.max()))
        self.clock = self.rng.exponential(1.0, n)
        self.fraud_mob = np.where(borrowers.fraud, np.where(
            self.rng.random(n) < FRAUD_FIRST_MISS, 1, self.rng.integers(2, 5, n)), 0)
        self.cumh = np.zeros(n)
        self.paid_months = np.zeros(n, np.int64)
        self.defaulted = np.zeros(n, bool)
        self.done = np.zeros(n, bool)
        self.months_written_off = np.zeros(n, np.int64)

    def month(self, idx: np.ndarray, t: np.ndarray, instalment: np.ndarray, owed: np.ndarray,
              payoff: np.ndarray, written_off: np.ndarray) -> Action:
        """Loans ``idx`` at their ``t``-th monthly date (1 = first due date): what each pays.

        ``instalment`` is the contract's instalment due that day (fen, 0 past the term);
        ``owed`` and ``payoff`` what the lender's statement shows is owed today and what
        settles the loan today; ``written_off`` whether the lender has written it off."""
        k = len(idx)
        b = self.b
        T = self.term[idx]
        within = t <= T
        mult = self.macro.multiplier(b.industry[idx], self.start[idx] + t)
        col = np.minimum(t - 1, self.season.shape[0] - 1)
        h = np.where(within, self.h0[idx] * self.season[col, idx] * mult, 0.0)
        u, u_prepay, u_rec, frac = (self.rng.random(k) for _ in range(4))
        fmob = self.fraud_mob[idx]
        d_state = self.defaulted[idx]
        self.cumh[idx] += np.where(d_state | (fmob > 0), 0.0, h)
        event = ~d_state & ~written_off & np.where(fmob > 0, fmob == t, self.cumh[idx] >= self.clock[idx])
        d_state = d_state | event
        old = self.paid_months[idx]
        due_now = np.minimum(t, T)
        behind = old < np.minimum(t - 1, T)
        months_behind = t - old
        late_cure = (d_state & ~written_off & ~b.unwilling[idx] & (fmob == 0)
                     & (u < LATE_CURE_RATE) & (months_behind >= 3))
        miss_p = MISS_RATE * np.sqrt(mult) * self.burden_ratio[idx] ** AFFORDABILITY_ELASTICITY
        missed = ~d_state & ~behind & within & (u < miss_p)
        cure = ~d_state & behind & ~written_off & (
            u < np.where(months_behind >= 3, CURE_RATE[1], CURE_RATE[0]))
        pay_one = ~d_state & ~behind & within & ~missed & ~written_off
        prepay = pay_one & (t >= 3) & (t < T) & (u_prepay < PREPAY_RATE * b.prepay_propensity[idx])
        rec_p = np.where(b.unwilling[idx] | (fmob > 0), RECOVERY_RATE[1], RECOVERY_RATE[0])
        rec = written_off & (u_rec < rec_p)
        full = rec & (frac > FULL_RECOVERY)
        amount = np.where(pay_one, instalment, 0)
        amount = np.where(cure | late_cure, owed, amount)
        amount = np.where(prepay, payoff, amount)
        amount = np.where(rec, np.where(full, payoff, np.floor(frac * 0.5 * payoff)), amount)
        amount = np.maximum(amount, 0).astype(np.int64)
        new = np.where(pay_one, old + 1, old)
        new = np.where(cure | late_cure, due_now, new)
        self.paid_months[idx] = np.minimum(new, T)
        self.defaulted[idx] = d_state & ~late_cure
        self.clock[idx] = np.where(late_cure, self.cumh[idx] + self.rng.exponential(1.0, k),
                                   self.clock[idx])
        self.months_written_off[idx] += written_off
        finished = (prepay | full | (written_off & (self.months_written_off[idx] > self.tail))
                    | (~written_off & (new >= T) & (t >= T) & (amount > 0) & ~behind)
                    | ((cure | late_cure) & (t >= T)))
        self.done[idx] |= finished
        return Action(amount, prepay)
