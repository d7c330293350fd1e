"""What each loan did, from the performance table: the one definition of bad, NPL and net loss.

The world books every application at the amount asked; the calibration table and the strategy
back-tests both read their outcomes here, so a figure called NPL or net loss means the same
thing everywhere. Float analytics over the whole table, not money arithmetic:

- ``bad12``: over 90 DPD within 12 months on book; ``ever90``: over 90 DPD at any time;
- ``npl_balance``: principal outstanding in the month the loan first went over 90 DPD;
- ``recoveries``: everything paid after that month;
- ``net_loss``: ``npl_balance`` less ``recoveries`` (never below zero);
- ``earning_balance`` / ``funded_balance``: opening balances of the months paid on time /
  of every month, before any 90+ event (interest earned and funding cost in a back-test).

What a lender knows at a date is less: :func:`observed_performance` keeps the months before
it, :func:`mature` says whose ``bad12`` window had closed by then (a label of an immature loan
would come from the future), and :func:`maturity_cut` is the first date at which every loan of
a development period is mature -- the earliest point from which models trained on it may be
judged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BAD_DPD = 90
BAD_WINDOW_MOB = 12

__all__ = ["BAD_DPD", "BAD_WINDOW_MOB", "align_outcomes", "loan_outcomes", "mature", "maturity_cut",
           "month_start", "observed_performance", "outcome_arrays"]


def outcome_arrays(ids: np.ndarray, mob: np.ndarray, dpd: np.ndarray, balance: np.ndarray,
                   paid: np.ndarray, amount_of: pd.Series) -> dict[str, np.ndarray]:
    """Outcomes per loan from performance columns; ``amount_of`` maps application id to amount.

    Rows may come in any order; the result is ordered by application id.
    """
    ids = np.asarray(ids, np.int64)
    mob = np.asarray(mob, np.int64)
    if not _in_order(ids, mob):
        order = np.lexsort((mob, ids))
        ids, mob = ids[order], mob[order]
        dpd, balance, paid = (np.asarray(a)[order] for a in (dpd, balance, paid))
    dpd = np.asarray(dpd, np.int64)
    balance = np.asarray(balance, np.float64)
    paid = np.asarray(paid, np.float64)
    n = len(ids)
    first = np.ones(n, dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    starts = np.flatnonzero(first)
    opening = np.empty(n)
    opening[1:] = balance[:-1]
    opening[first] = amount_of.reindex(ids[first]).to_numpy(np.float64)
    is90 = dpd > BAD_DPD
    group = np.cumsum(first) - 1
    cum90 = _group_cumsum(is90.astype(np.int64), starts)
    before = cum90 - is90 == 0
    first90 = is90 & (cum90 == 1)
    after = ~before & ~first90
    k = len(starts)

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=weights, minlength=k)

    npl = total(np.where(first90, balance, 0.0))
    recoveries = total(np.where(after, paid, 0.0))
    return {
        "application_id": ids[starts],
        "bad12": total(is90 & (mob <= BAD_WINDOW_MOB)) > 0,
        "ever90": total(is90) > 0,
        "npl_balance": npl,
        "recoveries": recoveries,
        "net_loss": np.maximum(npl - recoveries, 0.0),
        "earning_balance": total(np.where(before & (dpd == 0), opening, 0.0)),
        "funded_balance": total(np.where(before, opening, 0.0)),
    }


def loan_outcomes(applications: pd.DataFrame, performance: pd.DataFrame) -> pd.DataFrame:
    """One row per application id with performance rows (see the module docstring)."""
    amount = pd.Series(applications["amount"].to_numpy(np.float64),
                       index=applications["application_id"].to_numpy(np.int64))
    return pd.DataFrame(outcome_arrays(
        performance["application_id"].to_numpy(np.int64), performance["mob"].to_numpy(np.int64),
        performance["dpd"].to_numpy(np.int64), performance["balance"].to_numpy(np.float64),
        performance["paid"].to_numpy(np.float64), amount))


def align_outcomes(applications: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Outcomes in the order of ``applications``; an application with no rows has none."""
    aligned = outcomes.set_index("application_id").reindex(
        applications["application_id"].to_numpy(np.int64)).reset_index()
    for col in ("bad12", "ever90"):
        aligned[col] = aligned[col].fillna(False).astype(bool)
    return aligned.fillna(0.0)


def month_start(when: pd.Timestamp | str) -> pd.Timestamp:
    """The first day of ``when``'s calendar month."""
    return pd.Timestamp(when).to_period("M").to_timestamp()


def maturity_cut(development_end: pd.Timestamp | str, window: int = BAD_WINDOW_MOB) -> pd.Timestamp:
    """The first date by which every loan applied before ``development_end`` has its
    ``window``-month outcome: MOB 1 is the month after the application, so an application of
    the last development month has its MOB ``window`` month ``window`` months after that."""
    return month_start(development_end) + pd.DateOffset(months=window)


def observed_performance(performance: pd.DataFrame, as_of: pd.Timestamp | str | None) -> pd.DataFrame:
    """The performance rows a lender has seen at ``as_of``: a month's row (its status at the
    month's end) from the first day of the next month on; all with ``None``."""
    if as_of is None:
        return performance
    return performance[_months_before(performance["month"], as_of) >= 1]


def mature(applications: pd.DataFrame, as_of: pd.Timestamp | str | None,
           window: int = BAD_WINDOW_MOB) -> np.ndarray:
    """Per application: whether its MOB-``window`` month had ended by ``as_of`` (so its
    ``window``-month outcome is known then, whatever its term); all when ``as_of`` is ``None``."""
    if as_of is None:
        return np.ones(len(applications), dtype=bool)
    return _months_before(applications["applied_at"], as_of) >= window + 1


def _months_before(when: pd.Series, as_of: pd.Timestamp | str) -> np.ndarray:
    """Calendar months from each month of ``when`` to the month of ``as_of`` (a month has
    ended by ``as_of`` when this is at least one)."""
    months = pd.to_datetime(when).to_numpy().astype("datetime64[M]").astype(np.int64)
    last = np.datetime64(month_start(as_of), "M").astype(np.int64)
    return np.asarray(last - months)


def _in_order(ids: np.ndarray, mob: np.ndarray) -> bool:
    same = ids[1:] == ids[:-1]
    return bool(np.all(ids[1:] >= ids[:-1]) and np.all(mob[1:][same] > mob[:-1][same]))


def _group_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    running = np.cumsum(values)
    offset = np.zeros_like(running)
    offset[starts[1:]] = running[starts[1:] - 1]
    offset = np.maximum.accumulate(offset)
    return running - offset
