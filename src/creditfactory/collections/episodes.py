"""Delinquency episodes of a book and what the lender knew of each when it began.

An episode starts at the first month end a loan is past due after being current (or at its
first month end); its first missed day is that month end less the days past due. For each
episode: the loan's instalment, balance and remaining term, its history before the episode
(earlier episodes and how fast they cured, whether the first instalment was ever paid, the
A-card's PD at origination) and the post-loan signals of that month when the book has them
(business inflows against the last six months, the instalment against the inflows, overdue
elsewhere, credit sought, late tax or utility bills, the industry index's move over three
months and its level) and, when the applications are given, the debt service the business carries: this
loan's instalment and its other debts at the bureau (a mortgage holder's less a typical home
loan, served from the household) against its monthly inflows and its declared revenue -- a
business whose debts eat its cash misses for want of money, not memory -- and, when the fraud
graph's links are given, whether the application shared two kinds of identity value (a device
and an address, say) with another application the lender had received by the month end before
the episode began (the live nights read the month-end sweep's marks): a ring's member, who took
the money and went. Platform data only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditfactory.fraud.graph import IdentityGraph

__all__ = ["STATIC_FEATURES", "delinquency_episodes", "linked_since"]

STATIC_FEATURES = ("a_pd", "mob", "remaining_months", "instalment", "balance", "prior_episodes",
                   "prior_fast_cures", "paid_share", "first_payment_default", "inflow_ratio",
                   "overdue_elsewhere", "credit_seeking", "late_bills", "industry_change",
                   "instalment_to_inflows", "debt_service_to_inflows", "debt_service_to_revenue",
                   "industry_level", "ring_linked")
OTHER_DEBT_MONTHLY = 0.037
"""Monthly service of a CNY of other debt at the bureau: a three-year annuity at 20 % a year,
the terms of the small-business loans it mostly is."""
HOME_LOAN = 500_000.0
"""The part of a mortgage holder's bureau debt taken to be the home loan (CNY): served from the
household's income, not the business's."""


def linked_since(identity: pd.DataFrame) -> pd.Series:
    """By ``application_id``: when each application of an identity table (the lender's own,
    :func:`creditfactory.fraud.identity.identity_table`) first shared two kinds of identity
    value with another, in epoch seconds (never: the largest int64)."""
    identity = identity.sort_values("applied_at", kind="stable")
    graph = IdentityGraph.build(identity)
    return pd.Series(graph.strongly_linked_since(), index=identity["application_id"].to_numpy())


def _num(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").to_numpy(np.float64)


def _instalment(loans: pd.DataFrame) -> np.ndarray:
    p, r = _num(loans["principal"]), _num(loans["rate"]) / 12.0
    n = loans["term_months"].to_numpy(np.float64)
    return np.where(r > 0, p * r / (1.0 - (1.0 + r) ** -n), p / n)


def _signal_features(signals: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """Per (loan_id, month) of ``keys``: inflow ratio, overdue elsewhere, credit sought and late
    bills over the last three months (months up to and including the key's)."""
    s = signals[signals["loan_id"].isin(keys["loan_id"].unique())].sort_values(["loan_id", "month"])
    inflow = _num(s["account_inflows"])
    inflows = pd.Series(inflow, index=s.index)
    prev = inflows.groupby(s["loan_id"].to_numpy()).transform(lambda v: v.shift(1).rolling(6, min_periods=1).mean())
    out = pd.DataFrame({"loan_id": s["loan_id"].to_numpy(), "month": s["month"].to_numpy()})
    out["inflow_ratio"] = inflow / np.maximum(_num(prev), 1.0)
    with_now = inflows.groupby(s["loan_id"].to_numpy()).transform(lambda v: v.rolling(6, min_periods=1).mean())
    out["inflow_mean"] = _num(with_now)
    parts = {"overdue_elsewhere": s["bureau_overdue_elsewhere"].astype(float),
             "credit_seeking": s["bureau_inquiries"].astype(float) + s["bureau_new_loans"].astype(float),
             "late_bills": s["tax_late"].astype(float) + s["utility_late"].astype(float)}
    for name, col in parts.items():
        cs = col.groupby(s["loan_id"].to_numpy()).cumsum()
        out[name] = (cs - cs.groupby(s["loan_id"].to_numpy()).shift(3).fillna(0.0)).to_numpy()
    return keys.merge(out, on=["loan_id", "month"], how="left")


def _industry(index: pd.DataFrame, keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The industry index's move over three months and its level (over 100) in the keys' month."""
    ix = index.copy()
    ix["month"] = pd.to_datetime(ix["month"]).dt.to_period("M").dt.to_timestamp()
    ix = ix.sort_values(["industry", "month"])
    ix["change"] = ix.groupby("industry")["index"].transform(lambda v: v / v.shift(3) - 1.0)
    ix["level"] = _num(ix["index"]) / 100.0
    k = keys.assign(month=pd.to_datetime(keys["month"]).dt.to_period("M").dt.to_timestamp())
    merged = k.merge(ix[["industry", "month", "change", "level"]], on=["industry", "month"], how="left")
    return merged["change"].fillna(0.0).to_numpy(np.float64), merged["level"].to_numpy(np.float64)


def delinquency_episodes(loans: pd.DataFrame, monthly: pd.DataFrame,
                         signals: pd.DataFrame | None = None,
                         industry_index: pd.DataFrame | None = None,
                         applications: pd.DataFrame | None = None,
                         ring_links: pd.Series | None = None) -> pd.DataFrame:
    """One row per episode: ``episode_id``, ``loan_id``, ``month`` (the month end it was seen),
    ``start`` (first missed day), ``dpd`` then, the :data:`STATIC_FEATURES`, and
    ``run_max_dpd`` (the worst DPD before the loan was current again in this book: what
    happened, for evaluation; never a feature). ``applications`` (``application_id``,
    ``bureau_debt``, ``has_mortgage``, ``declared_monthly_revenue``) give the debt service
    features; without them they are missing. ``ring_links`` (by ``application_id``: epoch
    seconds since the application first shared two kinds of identity value with another,
    :func:`linked_since`) give ``ring_linked``; without them it is missing."""
    m = monthly[["loan_id", "month", "mob", "dpd"]].sort_values(["loan_id", "month"], kind="stable")
    loan = m["loan_id"].to_numpy(np.int64)
    dpd = m["dpd"].to_numpy(np.int64)
    new_loan = np.r_[True, loan[1:] != loan[:-1]]
    prev_dpd = np.r_[0, dpd[:-1]]
    start = (dpd > 0) & (new_loan | (prev_dpd == 0))
    # episode number of every row (0 before the first), its running max DPD
    ep_global = np.cumsum(start)
    first_of_loan = np.maximum.accumulate(np.where(new_loan, np.arange(len(loan)), 0))
    base = ep_global[first_of_loan] - start[first_of_loan]
    ep_local = ep_global - base
    in_ep = (dpd > 0) & (ep_local > 0)
    key = np.where(in_ep, ep_global, 0)
    max_dpd = pd.Series(np.where(in_ep, dpd, 0)).groupby(key).max().to_numpy()
    cur = ((dpd == 0) & (m["mob"].to_numpy() >= 1)).astype(np.int64)
    cur_cum = np.cumsum(cur) - np.cumsum(cur)[first_of_loan] + cur[first_of_loan]
    rows = np.flatnonzero(start)
    ep = pd.DataFrame({"episode_id": ep_global[rows], "loan_id": loan[rows],
                       "month": pd.to_datetime(m["month"].to_numpy()[rows]),
                       "mob": m["mob"].to_numpy(np.int64)[rows], "dpd": dpd[rows]})
    # the month's end, whether the book labels its month-ends by their last day or (as a
    # portfolio run does) by the month's first
    month_end = ep["month"].dt.to_period("M").dt.end_time.dt.normalize()
    ep["start"] = month_end - pd.to_timedelta(ep["dpd"], unit="D")
    ep["run_max_dpd"] = max_dpd[ep_global[rows]]
    ep["prior_episodes"] = ep_local[rows] - 1
    fast = (ep["run_max_dpd"] <= 30).astype(np.int64)
    ep["prior_fast_cures"] = fast.groupby(ep["loan_id"]).cumsum() - fast
    ep["paid_share"] = cur_cum[rows] / np.maximum(ep["mob"].to_numpy(), 1)
    ep["first_payment_default"] = (cur_cum[rows] == 0).astype(np.float64)
    info = loans.set_index("loan_id").reindex(ep["loan_id"])
    ep["a_pd"] = _num(info["a_pd"]) if "a_pd" in info else np.nan
    ep["instalment"] = _instalment(info)
    ep["remaining_months"] = np.maximum(info["term_months"].to_numpy(np.int64) - ep["mob"].to_numpy(), 1)
    ep["industry"] = info["industry"].to_numpy(object)
    bal = monthly.set_index(["loan_id", "month"])["principal_outstanding"]
    ep["balance"] = _num(bal.reindex(pd.MultiIndex.from_arrays([ep["loan_id"], ep["month"]])).reset_index(drop=True))
    if signals is not None and len(signals):
        sig = signals.assign(month=pd.to_datetime(signals["month"]))
        feats = _signal_features(sig, ep[["loan_id", "month"]])
        for name in ("inflow_ratio", "overdue_elsewhere", "credit_seeking", "late_bills"):
            ep[name] = feats[name].to_numpy(np.float64)
        ep["instalment_to_inflows"] = ep["instalment"].to_numpy() / np.maximum(feats["inflow_mean"].to_numpy(np.float64), 1.0)
    else:
        for name in ("inflow_ratio", "overdue_elsewhere", "credit_seeking", "late_bills", "instalment_to_inflows"):
            ep[name] = np.nan
    if applications is not None and len(applications) and "application_id" in loans:
        app = applications.set_index("application_id").reindex(info["application_id"].to_numpy())
        debt = _num(app["bureau_debt"]) - np.where(app["has_mortgage"].fillna(False).to_numpy(bool), HOME_LOAN, 0.0)
        service = np.maximum(np.nan_to_num(debt), 0.0) * OTHER_DEBT_MONTHLY + ep["instalment"].to_numpy()
        inflows = ep["instalment"].to_numpy() / ep["instalment_to_inflows"].to_numpy(np.float64)
        ep["debt_service_to_inflows"] = service / np.maximum(inflows, 1.0)
        ep["debt_service_to_revenue"] = service / np.maximum(_num(app["declared_monthly_revenue"]), 1.0)
    else:
        ep["debt_service_to_inflows"] = ep["debt_service_to_revenue"] = np.nan
    if ring_links is not None and "application_id" in info:
        since = ring_links.reindex(info["application_id"].to_numpy()).to_numpy(np.float64)
        # as the live nights see it: the month-end sweep before the episode began had found it
        started = ep["start"].to_numpy().astype("datetime64[M]").astype("datetime64[s]").astype(np.int64)
        ep["ring_linked"] = (since < started).astype(np.float64)  # NaN (unknown) compares False
    else:
        ep["ring_linked"] = np.nan
    if industry_index is not None and len(industry_index):
        ep["industry_change"], ep["industry_level"] = _industry(industry_index, ep[["industry", "month"]])
    else:
        ep["industry_change"], ep["industry_level"] = 0.0, np.nan
    return ep.reset_index(drop=True)
