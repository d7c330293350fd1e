"""The B-card's features, point in time, from a loan book's tables (platform data only).

One row per active loan-month: a loan current or delinquent at the month end and not yet
more than 90 days past due (a loan past 90 is already bad: the B-card ranks the others).
Every feature of month *m* is a function of the loan's rows of months ≤ *m* -- month-end
states, payments posted by *m*'s end, the signals published for *m* and before, the industry
index up to *m* -- and of what was known at payout (terms, the A-card's PD). Windows run over
the loan's month-end rows, which follow each other month by month from payout, so appending
later months never changes an earlier row.

Feature families: DPD path (now, worst over 3 / 6 / all months, months delinquent, change),
balance path (principal left against the contract's schedule), payments (paid against the
instalment over 1 and 3 months, penalty paid), bureau refresh (inquiries, loans opened, overdue
elsewhere over 1 / 3 / 6 months and their rise against the loan's own past), the business
account (inflows over 3 months against the first months on book, and against the previous
three), tax and utility flags, and the industry index (level and 3-month change).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FEATURES", "KEYS", "build_features", "label_bad"]

KEYS = ("loan_id", "month")
DPD_FEATURES = ("dpd", "max_dpd_3m", "max_dpd_6m", "max_dpd_ever", "months_delinquent_6m",
                "dpd_change", "mob", "mob_share", "balance_vs_schedule", "paid_ratio_1m",
                "paid_ratio_3m", "penalty_paid_6m", "a_pd_log_odds", "rate", "term_months")
SIGNAL_FEATURES = ("inquiries_1m", "inquiries_3m", "inquiries_6m", "inquiries_rise",
                   "new_loans_3m", "new_loans_6m", "overdue_elsewhere_3m",
                   "inflows_vs_first", "inflows_vs_prev", "tax_late_3m", "tax_late_6m",
                   "utility_late_3m", "utility_late_6m", "industry_index", "industry_index_3m_change")
FEATURES = DPD_FEATURES + SIGNAL_FEATURES
"""Every feature column of :func:`build_features`, in order."""
ACTIVE = ("current", "delinquent", 0, 1)
BAD_DPD = 90


def _month(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values).to_numpy().astype("datetime64[M]")


def _key(loan: Any, month: Any) -> np.ndarray:
    """One int64 per (loan, month): lookups between the tables hash integers, not pairs."""
    return np.asarray(loan, np.int64) * 4096 + _month(month).astype(np.int64)


def _lookup(src_key: np.ndarray, values: np.ndarray, want: np.ndarray, fill: float = np.nan) -> np.ndarray:
    """``values`` at the rows of ``src_key`` equal to each ``want`` (``fill`` where none)."""
    pos = pd.Index(src_key).get_indexer(want)
    return np.where(pos >= 0, np.asarray(values, float)[pos], fill)


def _money(values: pd.Series) -> np.ndarray:
    """Money as float (CNY as stored: Decimal objects are converted through Arrow)."""
    if values.dtype == object:
        import pyarrow as pa

        return pa.array(values.to_numpy()).cast(pa.float64()).to_numpy(zero_copy_only=False)
    return values.to_numpy(float)


class _Panel:
    """A loan-month panel sorted by loan then month, with within-loan lags and windows."""

    def __init__(self, loan: np.ndarray):
        self.loan = loan
        self.n = len(loan)
        new = np.ones(self.n, bool)
        new[1:] = loan[1:] != loan[:-1]
        self.first = np.maximum.accumulate(np.where(new, np.arange(self.n), 0))

    def lag(self, v: np.ndarray, k: int, fill: float = np.nan) -> np.ndarray:
        out = np.full(self.n, fill, float)
        if k < self.n:
            same = self.loan[k:] == self.loan[:-k] if k else np.ones(self.n, bool)
            out[k:] = np.where(same, v[:self.n - k], fill)
        return out

    def window_sum(self, v: np.ndarray, w: int) -> np.ndarray:
        """Sum of the loan's last ``w`` rows (this one included), missing values as 0."""
        cs = np.concatenate([[0.0], np.cumsum(np.nan_to_num(v))])
        i = np.arange(self.n)
        return cs[i + 1] - cs[np.maximum(i + 1 - w, self.first)]

    def window_max(self, v: np.ndarray, w: int) -> np.ndarray:
        return np.nanmax([self.lag(v, k, -np.inf) for k in range(w)], axis=0)

    def cum(self, v: np.ndarray, how: str) -> np.ndarray:
        s = pd.Series(v).groupby(self.loan, sort=False)
        return (s.cummax() if how == "max" else s.cumsum()).to_numpy(float)


def _scheduled_share(rate: np.ndarray, term: np.ndarray, mob: np.ndarray) -> np.ndarray:
    """Principal left after ``mob`` instalments of an equal-instalment loan, over principal."""
    r = rate / 12.0
    k = np.clip(mob, 0, term).astype(float)
    grow = (1 + r) ** term
    return np.where(r > 0, (grow - (1 + r) ** k) / np.maximum(grow - 1, 1e-12), 1 - k / term)


def _payments(transactions: pd.DataFrame | None, keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Amount and penalty (CNY) posted by the borrower in each row's month."""
    if transactions is None or not len(transactions):
        return np.zeros(len(keys)), np.zeros(len(keys))
    t = transactions[transactions["kind"] != "recovery"]
    g = pd.DataFrame({"k": _key(t["loan_id"], t["posted_on"]),
                      "amount": _money(t["amount"]), "penalty": _money(t["penalty"])})
    g = g.groupby("k", sort=False)[["amount", "penalty"]].sum()
    want = _key(keys["loan_id"], keys["month"])
    scale = 100.0 if pd.api.types.is_integer_dtype(transactions["amount"].dtype) else 1.0
    src = g.index.to_numpy(np.int64)
    return (_lookup(src, g["amount"].to_numpy(), want, 0.0) / scale,
            _lookup(src, g["penalty"].to_numpy(), want, 0.0) / scale)


def build_features(loans: pd.DataFrame, monthly: pd.DataFrame,
                   transactions: pd.DataFrame | None = None, signals: pd.DataFrame | None = None,
                   industry_index: pd.DataFrame | None = None) -> pd.DataFrame:
    """The B-card's feature rows: ``loan_id``, ``month`` and :data:`FEATURES`, one per active
    loan-month not yet past 90 DPD, sorted by loan and month.

    ``monthly`` as the portfolio run's (principal in CNY, or fen when integer); without
    ``signals`` or ``industry_index`` their features are missing (NaN), which the cards bin
    as their own category."""
    m = monthly.sort_values(["loan_id", "month"], kind="stable").reset_index(drop=True)
    loan = m["loan_id"].to_numpy(np.int64)
    p = _Panel(loan)
    ln = loans.set_index("loan_id").reindex(loan)
    principal = ln["principal"].astype(float).to_numpy()
    rate = ln["rate"].astype(float).to_numpy()
    term = ln["term_months"].to_numpy(float)
    dpd = m["dpd"].to_numpy(float)
    mob = m["mob"].to_numpy(float)
    bal = _money(m["principal_outstanding"])
    if pd.api.types.is_integer_dtype(m["principal_outstanding"].dtype):
        bal = bal / 100.0
    f: dict[str, np.ndarray] = {}
    f["dpd"] = dpd
    f["max_dpd_3m"], f["max_dpd_6m"] = p.window_max(dpd, 3), p.window_max(dpd, 6)
    f["max_dpd_ever"] = p.cum(dpd, "max")
    f["months_delinquent_6m"] = p.window_sum((dpd > 0).astype(float), 6)
    f["dpd_change"] = dpd - p.lag(dpd, 1, 0.0)
    f["mob"], f["mob_share"] = mob, mob / term
    f["balance_vs_schedule"] = bal / principal - _scheduled_share(rate, term, mob)
    instalment = principal * (rate / 12) / (1 - (1 + rate / 12) ** -term)
    paid, penalty = _payments(transactions, m)
    f["paid_ratio_1m"] = np.where(mob >= 1, paid / instalment, np.nan)
    f["paid_ratio_3m"] = np.where(mob >= 3, p.window_sum(paid, 3) / (3 * instalment), np.nan)
    f["penalty_paid_6m"] = p.window_sum(penalty, 6)
    a_pd = np.clip(pd.to_numeric(ln["a_pd"], errors="coerce").to_numpy(float), 1e-6, 1 - 1e-6) \
        if "a_pd" in ln else np.full(len(m), np.nan)
    f["a_pd_log_odds"] = np.log(a_pd / (1 - a_pd))
    f["rate"], f["term_months"] = rate, term
    f.update(_signal_features(m, p, signals))
    f.update(_index_features(m, ln, industry_index))
    out = pd.DataFrame({"loan_id": loan, "month": m["month"].to_numpy()} | {k: f[k] for k in FEATURES})
    active = m["status"].isin(ACTIVE).to_numpy() & (dpd <= BAD_DPD)
    return out[active].reset_index(drop=True)


def _signal_features(m: pd.DataFrame, p: _Panel, signals: pd.DataFrame | None) -> dict[str, np.ndarray]:
    names = ("inquiries_1m", "inquiries_3m", "inquiries_6m", "inquiries_rise", "new_loans_3m",
             "new_loans_6m", "overdue_elsewhere_3m", "inflows_vs_first", "inflows_vs_prev",
             "tax_late_3m", "tax_late_6m", "utility_late_3m", "utility_late_6m")
    if signals is None:
        return {k: np.full(len(m), np.nan) for k in names}
    pos = pd.Index(_key(signals["loan_id"], signals["month"])).get_indexer(_key(m["loan_id"], m["month"]))

    def col(name: str) -> np.ndarray:
        return np.where(pos >= 0, signals[name].to_numpy(float)[pos], np.nan)

    inq, new, over = col("bureau_inquiries"), col("bureau_new_loans"), col("bureau_overdue_elsewhere")
    tax, util = col("tax_late"), col("utility_late")
    f = {"inquiries_1m": inq, "inquiries_3m": p.window_sum(inq, 3), "inquiries_6m": p.window_sum(inq, 6)}
    seen = p.cum(np.isfinite(inq).astype(float), "sum")
    past_rate = (p.cum(np.nan_to_num(inq), "sum") - f["inquiries_3m"]) / np.maximum(seen - 3, 1)
    f["inquiries_rise"] = np.where(seen > 3, f["inquiries_3m"] / 3 - past_rate, np.nan)
    f["new_loans_3m"], f["new_loans_6m"] = p.window_sum(new, 3), p.window_sum(new, 6)
    f["overdue_elsewhere_3m"] = p.window_sum(over, 3)
    log_in = np.log(np.maximum(col("account_inflows"), 1.0))
    seen_in = p.cum(np.isfinite(log_in).astype(float), "sum")
    first = pd.Series(np.where(seen_in <= 3, np.nan_to_num(log_in), 0.0)).groupby(p.loan, sort=False).cumsum()
    first_mean = first.to_numpy() / np.minimum(np.maximum(seen_in, 1), 3)
    last3 = p.window_sum(np.nan_to_num(log_in), 3) / 3
    prev3 = np.array([p.lag(np.nan_to_num(log_in), k, np.nan) for k in (3, 4, 5)]).mean(axis=0)
    f["inflows_vs_first"] = np.where(seen_in >= 6, last3 - first_mean, np.nan)
    f["inflows_vs_prev"] = np.where(seen_in >= 6, last3 - prev3, np.nan)
    f["tax_late_3m"], f["tax_late_6m"] = p.window_sum(tax, 3), p.window_sum(tax, 6)
    f["utility_late_3m"], f["utility_late_6m"] = p.window_sum(util, 3), p.window_sum(util, 6)
    return f


def _index_features(m: pd.DataFrame, ln: pd.DataFrame, index: pd.DataFrame | None) -> dict[str, np.ndarray]:
    if index is None:
        return {"industry_index": np.full(len(m), np.nan), "industry_index_3m_change": np.full(len(m), np.nan)}
    codes = {c: i for i, c in enumerate(pd.unique(index["industry"].astype(str)))}
    src = _key(index["industry"].astype(str).map(codes).to_numpy(np.int64), index["month"])
    ind = pd.Series(ln["industry"].astype(str).to_numpy()).map(codes).fillna(-1).to_numpy(np.int64)
    month = _key(ind, m["month"])
    value = index["index"].to_numpy(float)
    now = np.where(ind >= 0, _lookup(src, value, month), np.nan)
    before = np.where(ind >= 0, _lookup(src, value, month - 3), np.nan)
    return {"industry_index": now, "industry_index_3m_change": now - before}


def label_bad(monthly: pd.DataFrame, rows: pd.DataFrame, horizon: int = 6,
              as_of: Any = None) -> np.ndarray:
    """1 where the loan is more than 90 DPD in one of the ``horizon`` months after each row's
    month, 0 where it is not and that window was observed by ``as_of`` (default: the last
    month of ``monthly``) or the loan closed before, NaN where the window is still open."""
    m = monthly.sort_values(["loan_id", "month"], kind="stable")
    month = _month(m["month"])
    cut = month.max() if as_of is None else np.datetime64(pd.Timestamp(as_of), "M")
    keep = month <= cut
    m, month = m[keep], month[keep]
    loan = m["loan_id"].to_numpy(np.int64)
    p = _Panel(loan)
    bad = (m["dpd"].to_numpy() > BAD_DPD).astype(float)
    future = np.max([_lead(p, bad, k) for k in range(1, horizon + 1)], axis=0)
    ended = ~m["status"].isin(ACTIVE).to_numpy()
    closed = pd.Series(ended).groupby(loan, sort=False).transform("max").to_numpy(bool)
    observed = (month + horizon <= cut) | closed
    y = np.where(future > 0, 1.0, np.where(observed, 0.0, np.nan))
    return _lookup(loan * 4096 + month.astype(np.int64), y, _key(rows["loan_id"], rows["month"]))


def _lead(p: _Panel, v: np.ndarray, k: int) -> np.ndarray:
    """``v`` of the same loan ``k`` rows later (0 past its last row)."""
    out = np.zeros(p.n)
    if k < p.n:
        same = p.loan[:-k] == p.loan[k:]
        out[:-k] = np.where(same, v[k:], 0.0)
    return out
