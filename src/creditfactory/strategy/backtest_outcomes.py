"""What each application's loan did, from the world's performance table, as if booked.

The world books every application at the amount asked and a 20 % reference rate; a back-test
scales balances by limit / amount. Outcomes per application (float analytics, not money
arithmetic): bad within 12 MOB, principal outstanding when the loan first went over 90 DPD,
what was paid after that (recoveries), and the opening balances that earn interest and cost
funding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BAD_DPD = 90
BAD_WINDOW_MOB = 12


def loan_outcomes(applications: pd.DataFrame, performance: pd.DataFrame) -> pd.DataFrame:
    """One row per application id: ``bad12``, ``npl_balance``, ``recoveries``,
    ``earning_balance`` (opening balances of months paid on time, before any 90+ event) and
    ``funded_balance`` (opening balances of every month before any 90+ event)."""
    perf = performance if _in_order(performance) else performance.sort_values(["application_id", "mob"], kind="stable")
    ids = perf["application_id"].to_numpy(np.int64)
    dpd = perf["dpd"].to_numpy(np.int64)
    balance = perf["balance"].to_numpy(np.float64)
    paid = perf["paid"].to_numpy(np.float64)
    mob = perf["mob"].to_numpy(np.int64)
    n = len(ids)
    first = np.ones(n, dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    starts = np.flatnonzero(first)
    amount = pd.Series(applications["amount"].to_numpy(np.float64), index=applications["application_id"].to_numpy(np.int64))
    opening = np.empty(n)
    opening[1:] = balance[:-1]
    opening[first] = amount.reindex(ids[first]).to_numpy()
    is90 = dpd > BAD_DPD
    group = np.cumsum(first) - 1
    cum90 = _group_cumsum(is90.astype(np.int64), starts)
    before = cum90 - is90 == 0
    first90 = is90 & (cum90 == 1)
    after = ~before & ~first90
    ngroups = len(starts)
    out = pd.DataFrame(
        {
            "application_id": ids[starts],
            "bad12": np.bincount(group, weights=(is90 & (mob <= BAD_WINDOW_MOB)), minlength=ngroups) > 0,
            "ever90": np.bincount(group, weights=is90, minlength=ngroups) > 0,
            "npl_balance": np.bincount(group, weights=np.where(first90, balance, 0.0), minlength=ngroups),
            "recoveries": np.bincount(group, weights=np.where(after, paid, 0.0), minlength=ngroups),
            "earning_balance": np.bincount(group, weights=np.where(before & (dpd == 0), opening, 0.0), minlength=ngroups),
            "funded_balance": np.bincount(group, weights=np.where(before, opening, 0.0), minlength=ngroups),
        }
    )
    return out


def _in_order(perf: pd.DataFrame) -> bool:
    ids = perf["application_id"].to_numpy(np.int64)
    mob = perf["mob"].to_numpy(np.int64)
    same = ids[1:] == ids[:-1]
    return bool(np.all(ids[1:] >= ids[:-1]) and np.all(mob[1:][same] > mob[:-1][same]))


def _group_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    offset = np.zeros_like(total)
    offset[starts[1:]] = total[starts[1:] - 1]
    offset = np.maximum.accumulate(offset)
    return total - offset


def align_outcomes(applications: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Outcomes in the order of ``applications``; an application with no rows has none."""
    aligned = outcomes.set_index("application_id").reindex(applications["application_id"].to_numpy(np.int64))
    aligned = aligned.reset_index()
    for col in ("bad12", "ever90"):
        aligned[col] = aligned[col].fillna(False).astype(bool)
    return aligned.fillna(0.0)
