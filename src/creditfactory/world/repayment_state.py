"""The hidden state of a world's borrowers, rebuilt from the world's tables and its seed.

A world written to disk keeps its truth (true PD, true revenue, hidden debts, fraud, the
reason of a default) and its seed, from which the economy (:func:`.macro.build_macro`) is
drawn again exactly. The true PD of the as-if-booked loan is ``1 - exp(-h0 * S)`` with ``S``
the loan's seasoning-weighted macro multipliers (:mod:`.performance`), so the borrower's
neutral hazard ``h0`` -- the world's risk of this borrower -- is recovered by dividing by
``S`` (over the months the as-if life lasted: a loan prepaid stops accruing hazard). What the truth does not keep is drawn with the world's own distributions: whether a
borrower who never defaulted would be unwilling (25 %, 45 % when packaged) and the propensity
to prepay (lognormal, sigma 0.5).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from creditfactory.world.config import START_MONTH, START_YEAR
from creditfactory.world.macro import Macro, build_macro, downturns_of
from creditfactory.world.performance import _seasoning
from creditfactory.world.repayment import REFERENCE_RATE, Borrowers, annuity
from creditfactory.world.simulate import TAIL_MONTHS
from creditfactory.world.vocab import INDUSTRIES

__all__ = ["MORTGAGE_BALANCE", "hidden_borrowers", "last_months", "month_index", "world_macro"]

MORTGAGE_BALANCE = 700_000.0
"""The world's median mortgage balance (CNY): the part of a mortgage holder's bureau debt
that is a home loan, served from household income rather than the business."""
UNWILLING_SHARE = (0.25, 0.45)
"""Share of unwilling borrowers, not packaged and packaged (``applicants``)."""
OTHER_DEBT_TERM = 36
"""Other debts are served like this loan: an annuity over three years at the reference rate."""
_INDUSTRY_CODES = [i[0] for i in INDUSTRIES]


def world_macro(meta: dict[str, Any]) -> Macro:
    """The world's economy, drawn again from its seed (the same draws as ``simulate``)."""
    months = int(meta["months"])
    return build_macro(months, months + TAIL_MONTHS, np.random.default_rng([int(meta["seed"]), 1]),
                       downturns_of(meta))


def month_index(when: np.ndarray) -> np.ndarray:
    """The world's calendar month index of each ``datetime64`` (0 = its first month)."""
    m = np.asarray(when).astype("datetime64[M]").astype(np.int64)
    return m - ((START_YEAR - 1970) * 12 + START_MONTH - 1)


def _exposure(term: np.ndarray, industry: np.ndarray, month0: np.ndarray, macro: Macro,
              last_mob: np.ndarray) -> np.ndarray:
    """Sum over the asked loan's months on book (up to ``last_mob``, where its as-if life
    ended: the world's hazard stops accruing there) of seasoning times the macro multiplier."""
    season = _seasoning(term, int(term.max()))
    total = np.zeros(len(term))
    for t in range(1, int(term.max()) + 1):
        live = (t <= term) & (t <= last_mob)
        total += np.where(live, season[t - 1] * macro.multiplier(industry, month0 + t), 0.0)
    return total


def last_months(performance: pd.DataFrame, application_id: np.ndarray) -> np.ndarray:
    """The last month on book of each application's as-if life in the world's performance."""
    last = performance.groupby("application_id", sort=False)["mob"].max()
    return last.reindex(application_id).fillna(0).to_numpy(np.int64)


def hidden_borrowers(applications: pd.DataFrame, truth: pd.DataFrame, macro: Macro,
                     seed: int, last_mob: np.ndarray) -> Borrowers:
    """The borrowers of ``applications`` (money as float) with their ``truth`` rows
    (aligned by ``application_id``); ``last_mob`` from :func:`last_months`."""
    tr = truth.set_index("application_id").reindex(applications["application_id"])
    if tr["pd"].isna().any():
        raise ValueError("truth has no row for some applications")
    industry = pd.Index(_INDUSTRY_CODES).get_indexer(pd.Index(applications["industry"])).astype(np.int64)
    if (industry < 0).any():
        raise ValueError("an application's industry is not one of the world's")
    term = applications["term_months"].to_numpy(np.int64)
    amount = applications["amount"].to_numpy(float)
    month0 = month_index(pd.to_datetime(applications["applied_at"]).to_numpy())
    fraud = tr["is_fraud"].to_numpy(bool)
    pd_true = np.minimum(tr["pd"].to_numpy(float), 0.999999)
    h0 = -np.log1p(-pd_true) / np.maximum(_exposure(term, industry, month0, macro, last_mob), 1e-9)
    p = np.clip(-np.expm1(-h0), 1e-9, 0.999)
    log_odds = np.log(p / (1 - p))
    rng = np.random.default_rng([seed, 8])
    reason = tr["default_reason"].fillna("").to_numpy(object)
    share = np.where(tr["packaged"].to_numpy(bool), UNWILLING_SHARE[1], UNWILLING_SHARE[0])
    unwilling = fraud | (reason == "unwilling") | ((reason == "") & (rng.random(len(term)) < share))
    mortgage = np.where(applications["has_mortgage"].to_numpy(bool), MORTGAGE_BALANCE, 0.0)
    other = (np.maximum(applications["bureau_debt"].to_numpy(float) - mortgage, 0.0)
             + tr["hidden_debt"].to_numpy(float))
    service = annuity(np.ones(1), REFERENCE_RATE, np.array([OTHER_DEBT_TERM]))[0]
    return Borrowers(
        log_odds=log_odds,
        true_revenue=tr["true_monthly_revenue"].to_numpy(float),
        other_service=other * service,
        asked_instalment=annuity(amount, REFERENCE_RATE, term),
        industry=industry, fraud=fraud, unwilling=unwilling,
        prepay_propensity=rng.lognormal(0.0, 0.5, len(term)),
    )
