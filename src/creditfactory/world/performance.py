"""Month-by-month life of every application as if it had been booked.

Each loan follows its equal-instalment schedule while a default clock runs: a monthly hazard
from the true risk, shaped by months on book and multiplied by its industry's macro
conditions. Borrowers miss and cure, prepay, default (fraud never pays the first instalment),
are written off past 180 days and sometimes pay back afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from creditfactory.world._money import schedules
from creditfactory.world.macro import Macro

STATUS = np.array(["current", "delinquent", "prepaid", "paid_off", "written_off", "recovered"])
CURRENT, DELINQUENT, PREPAID, PAID_OFF, WRITTEN_OFF, RECOVERED = range(6)
WRITE_OFF_DPD = 180


@dataclass
class LoanLives:
    """Rows of the performance table for one chunk (flattened loan-major) and per-loan truth."""

    loan: np.ndarray  # local loan index of each row
    mob: np.ndarray
    due: np.ndarray
    paid: np.ndarray
    dpd: np.ndarray
    balance: np.ndarray
    status: np.ndarray
    pd: np.ndarray  # per loan
    ever90: np.ndarray  # per loan


def _seasoning(term: np.ndarray, width: int) -> np.ndarray:
    t = np.arange(1, width + 1, dtype=np.float64)
    w = t**1.2 * np.exp(-t / 6.0)
    out = np.zeros((width, len(term)))
    for tt in np.unique(term):
        shape = np.where(t <= tt, w, 0.0)
        out[:, term == tt] = (shape / shape.sum())[:, None]
    return out


def simulate_lives(
    amount_cny: np.ndarray, term: np.ndarray, month0: np.ndarray, due_offset: np.ndarray,
    industry: np.ndarray, log_odds: np.ndarray, fraud: np.ndarray, unwilling: np.ndarray,
    prepay_propensity: np.ndarray, macro: Macro, rng: np.random.Generator,
    annual_rate: float = 0.20, tail_months: int = 24,
) -> LoanLives:
    """Simulate every loan's months; vectorised over loans, looping over months on book."""
    m = len(amount_cny)
    t_max = int(term.max()) + 7 + tail_months
    sched_bal, inst = schedules(amount_cny * 100, term, annual_rate, int(term.max()))
    cum_pay = np.concatenate([np.zeros((m, 1), np.int64), np.cumsum(inst, axis=1)], axis=1)
    pd_neutral = 1.0 / (1.0 + np.exp(-log_odds))
    h0 = -np.log1p(-np.minimum(pd_neutral, 0.999))
    season = _seasoning(term, int(term.max()))
    fraud_mob = np.where(fraud, np.where(rng.random(m) < 0.92, 1, rng.integers(2, 5, m)), 0)

    shape = (t_max, m)  # month-major so each month's writes are contiguous
    due = np.zeros(shape, np.int64)
    paid = np.zeros(shape, np.int64)
    dpd = np.zeros(shape, np.int16)
    bal = np.zeros(shape, np.int64)
    status = np.full(shape, -1, np.int8)

    alive = np.ones(m, bool)
    n_paid = np.zeros(m, np.int64)
    defaulted = np.zeros(m, bool)
    clock = rng.exponential(1.0, m)
    cumh = np.zeros(m)
    total_h = np.zeros(m)
    wo = np.zeros(m, bool)
    wo_bal = np.zeros(m, np.int64)
    wo_age = np.zeros(m, np.int64)
    ever90 = np.zeros(m, bool)
    rows = np.arange(m)
    for t in range(1, t_max + 1):
        c = t - 1
        idx = rows[alive]
        if len(idx) == 0:
            break
        T = term[idx]
        within = t <= T
        mult = macro.multiplier(industry[idx], month0[idx] + t)
        h = np.where(within, h0[idx] * season[min(c, season.shape[0] - 1), idx] * mult, 0.0)
        total_h[idx] += h
        u = rng.random(len(idx))
        old = n_paid[idx]
        due_now = np.minimum(t, T)
        d_state = defaulted[idx]
        cumh[idx] += np.where(d_state | (fraud_mob[idx] > 0), 0.0, h)
        event = ~d_state & ~wo[idx] & (
            np.where(fraud_mob[idx] > 0, fraud_mob[idx] == t, cumh[idx] >= clock[idx]))
        d_state = d_state | event
        behind = old < np.minimum(t - 1, T)
        # a defaulted borrower pays nothing, except an unable one who recovers before write-off
        late_cure = d_state & ~wo[idx] & ~unwilling[idx] & (fraud_mob[idx] == 0) & (u < 0.075) & (
            (t - old) >= 3)
        miss_p = 0.012 * np.sqrt(mult)
        missed = ~d_state & ~behind & within & (u < miss_p)
        cure = ~d_state & behind & (u < np.where((t - old) >= 3, 0.9, 0.8))
        pay_one = ~d_state & ~behind & within & ~missed
        new = old.copy()
        new = np.where(pay_one, old + 1, new)
        new = np.where(cure | late_cure, due_now, new)
        new = np.minimum(new, T)
        d_state = d_state & ~late_cure
        clock[idx] = np.where(late_cure, cumh[idx] + rng.exponential(1.0, len(idx)), clock[idx])
        defaulted[idx] = d_state
        got = cum_pay[idx, new] - cum_pay[idx, old]
        prepay = pay_one & (t >= 3) & (t < T) & (
            rng.random(len(idx)) < 0.011 * prepay_propensity[idx])
        rest = sched_bal[idx, new]
        got = got + np.where(prepay, rest, 0)
        n_paid[idx] = new
        k = np.where(new < np.minimum(t, T), t - new, 0)
        d = np.where(k > 0, np.maximum(30 * k - due_offset[idx], 1), 0)
        ever90[idx] |= d > 90
        newly_wo = ~wo[idx] & (d > WRITE_OFF_DPD)
        wo_bal[idx] = np.where(newly_wo, sched_bal[idx, new], wo_bal[idx])
        wo[idx] |= newly_wo
        in_wo = wo[idx] & ~newly_wo
        rec_p = np.where(unwilling[idx] | (fraud_mob[idx] > 0), 0.035, 0.09)
        rec = in_wo & (rng.random(len(idx)) < rec_p)
        frac = rng.uniform(0.3, 1.0, len(idx))
        full = rec & (frac > 0.85)
        part = np.where(full, wo_bal[idx], np.floor(frac * 0.5 * wo_bal[idx]).astype(np.int64))
        rec_paid = np.where(rec, part, 0)
        wo_bal[idx] -= rec_paid
        wo_age[idx] += wo[idx]
        got = got + rec_paid
        st = np.where(k > 0, DELINQUENT, CURRENT)
        st = np.where(prepay, PREPAID, st)
        st = np.where(~wo[idx] & (new >= T) & (k == 0) & ~prepay, PAID_OFF, st)
        st = np.where(wo[idx], WRITTEN_OFF, st)
        st = np.where(full, RECOVERED, st)
        due[c, idx] = np.where(within, inst[idx, np.minimum(c, inst.shape[1] - 1)], 0)
        paid[c, idx] = got
        dpd[c, idx] = np.minimum(d, 32_000)
        bal[c, idx] = np.where(wo[idx], wo_bal[idx], np.where(prepay | (st == PAID_OFF), 0, rest))
        status[c, idx] = st
        done = (st == PREPAID) | (st == PAID_OFF) | (st == RECOVERED) | (wo_age[idx] > tail_months)
        alive[idx] = ~done
    present = (status >= 0).T
    loan, mob0 = np.nonzero(present)
    pd = np.where(fraud, 0.95, -np.expm1(-total_h))
    return LoanLives(loan, (mob0 + 1).astype(np.int16), due.T[present], paid.T[present],
                     dpd.T[present], bal.T[present], status.T[present], pd, ever90)
