"""What a lender sees of its borrowers after payout: monthly signals, and the industry index.

Each month, for every active loan, the world publishes a bureau refresh (new hard inquiries,
loans opened elsewhere, any account overdue at another lender), the business account's
credits at the partner bank, and late-payment flags from the tax bureau and the utilities;
and for every industry a public indicator of its cycle. Their parameters, and the reasons
for their ranges, are in :class:`.config.SignalConfig`.

The hidden state they reveal is the borrower's default clock (:mod:`.repayment`): a clock
drawn at payout rings when the hazard accumulated since reaches it, so at every month the
world knows how many months are left before the borrower stops paying. A borrower's
*distress* for a signal with lead ``L`` is ``exp(-(months to the event) / L)`` -- near 0 far
from it, ``1/e`` at ``L`` months, 1 at the event and after (a borrower who cured after a
default stays marked); 0 for a borrower whose clock does not ring within the term. Fraud
"defaults" at the month it stops paying. Inflows also follow the industry's cycle.

The clock, the hazard and the fraud months are read from a :class:`.repayment.Repayment`
built with the same arguments as the portfolio run's, through its public attributes, so the
signals follow exactly the borrowers who repay. Every random draw is a counter-based hash of
(seed, loan, month, signal), so a loan-month's signals do not depend on which other rows are
published, and the same seed gives the same signals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri
from scipy.stats import poisson

from creditfactory.world._hashing import uniform
from creditfactory.world.config import START_MONTH, START_YEAR, Signal, SignalConfig
from creditfactory.world.macro import Macro
from creditfactory.world.repayment import Repayment
from creditfactory.world.repayment_state import hidden_borrowers, month_index, world_macro
from creditfactory.world.vocab import INDUSTRIES

__all__ = ["INFLOW_CYCLE", "SIGNAL_COLUMNS", "default_months", "distress", "industry_index",
           "publish_signals", "signal_config"]

SIGNAL_COLUMNS = ("bureau_inquiries", "bureau_new_loans", "bureau_overdue_elsewhere",
                  "account_inflows", "tax_late", "utility_late")
INFLOW_CYCLE = 0.25
"""Log inflows per unit of the industry's log hazard multiplier: in a downturn that doubles
the hazard, a business's credits fall by about 16 % (revenue moves less than default risk)."""
INFLOW_SHARE_SIGMA = 0.3
"""Spread of the share of revenue a business runs through its account at the partner bank."""
_CODES = [i[0] for i in INDUSTRIES]
_MONTH0 = (START_YEAR - 1970) * 12 + START_MONTH - 1


def signal_config(meta: Mapping[str, Any]) -> SignalConfig:
    """The world's signals: the defaults at the strength its metadata records."""
    return SignalConfig().at_strength(float(meta.get("signal_scale", 1.0)))


def _salt(seed: int, stream: int) -> int:
    return (int(seed) * 1_000_003 + stream * 7_919 + 0x5EED) & 0xFFFFFFFFFFFF


def _noise(keys: np.ndarray, seed: int, stream: int) -> np.ndarray:
    """Uniforms in (0, 1) of ``keys`` for one signal stream."""
    return np.clip(uniform(keys, _salt(seed, stream)), 1e-12, 1 - 1e-12)


def default_months(world: Repayment, start_month: np.ndarray) -> np.ndarray:
    """The world's calendar month index in which each borrower's default clock first rings
    (or fraud stops paying); a large number for those whose clock does not ring in the term."""
    term = np.asarray(world.term)
    n = len(term)
    cumh = np.zeros(n)
    event = np.full(n, 1 << 30, np.int64)
    for t in range(1, int(term.max()) + 1):
        live = t <= term
        col = min(t - 1, world.season.shape[0] - 1)
        mult = world.macro.multiplier(world.b.industry, start_month + t)
        cumh += np.where(live, world.h0 * world.season[col] * mult, 0.0)
        ring = live & (cumh >= world.clock) & (event > t)
        event[ring] = np.minimum(event[ring], t)
    event = np.where(world.fraud_mob > 0, world.fraud_mob, event)
    return np.where(event < (1 << 30), start_month + event, 1 << 30)


def distress(months_to_event: np.ndarray, lead: float) -> np.ndarray:
    """``exp(-months_to_event / lead)``, 1 at or after the event."""
    return np.exp(-np.maximum(months_to_event, 0) / lead)


def _count(s: Signal, scale: float, d: np.ndarray, u: np.ndarray, z: np.ndarray) -> np.ndarray:
    rate = s.base * np.exp(scale * s.strength * d + s.noise * z - s.noise**2 / 2)
    return poisson.ppf(u, rate).astype(np.int16)


def _flag(s: Signal, scale: float, d: np.ndarray, u: np.ndarray) -> np.ndarray:
    logit = np.log(s.base / (1 - s.base)) + scale * s.strength * d
    return u < 1.0 / (1.0 + np.exp(-logit))


def publish_signals(loans: pd.DataFrame, apps: pd.DataFrame, truth: pd.DataFrame,
                    last_mob: np.ndarray, meta: Mapping[str, Any], mean_instalment: np.ndarray,
                    rows: pd.DataFrame, config: SignalConfig | None = None,
                    tail_months: int = 24) -> pd.DataFrame:
    """The signals of each loan-month in ``rows`` (``loan_id``, ``month``: any day of it).

    ``loans`` and ``apps`` (their applications, same order), ``truth``, ``last_mob`` and
    ``meta`` as for the portfolio run's ``play_portfolio``; ``mean_instalment`` each loan's
    average instalment (CNY: the schedule's total over its term). Returns ``rows``' keys with
    :data:`SIGNAL_COLUMNS`."""
    cfg = config or signal_config(meta)
    seed = int(meta["seed"])
    macro = world_macro(dict(meta))
    borrowers = hidden_borrowers(apps, truth, macro, seed, last_mob)
    start = month_index(pd.to_datetime(loans["booked_on"]).to_numpy())
    term = loans["term_months"].to_numpy(np.int64)
    world = Repayment(borrowers, np.asarray(mean_instalment, float), term, start, macro, seed,
                      tail_months)
    event = default_months(world, start)
    pos = pd.Index(loans["loan_id"].to_numpy(np.int64)).get_indexer(rows["loan_id"].to_numpy())
    if (pos < 0).any():
        raise ValueError("rows name loans that are not in loans")
    cal = month_index(pd.to_datetime(rows["month"]).to_numpy())
    to_event = (event[pos] - cal).astype(float)
    key = rows["loan_id"].to_numpy(np.int64).astype(np.uint64) * np.uint64(4096) + cal.astype(np.uint64)
    u = [_noise(key, seed, k) for k in range(9)]
    sc = cfg.scale
    out = pd.DataFrame({"loan_id": rows["loan_id"].to_numpy(np.int64),
                        "month": pd.to_datetime(rows["month"]).to_numpy()})
    out["bureau_inquiries"] = _count(cfg.inquiries, sc, distress(to_event, cfg.inquiries.lead),
                                     u[0], ndtri(u[1]))
    out["bureau_new_loans"] = _count(cfg.new_loans, sc, distress(to_event, cfg.new_loans.lead),
                                     u[2], ndtri(u[3]))
    out["bureau_overdue_elsewhere"] = _flag(cfg.overdue_elsewhere, sc,
                                            distress(to_event, cfg.overdue_elsewhere.lead), u[4])
    share = cfg.inflows.base * np.exp(INFLOW_SHARE_SIGMA * ndtri(
        _noise(loans["loan_id"].to_numpy(np.int64).astype(np.uint64), seed, 99)))
    cycle = macro.log_multiplier[borrowers.industry[pos], np.minimum(cal, macro.log_multiplier.shape[1] - 1)]
    log_in = (np.log(np.maximum(borrowers.true_revenue[pos], 1.0) * share[pos])
              - INFLOW_CYCLE * cycle - sc * cfg.inflows.strength * distress(to_event, cfg.inflows.lead)
              + cfg.inflows.noise * ndtri(u[5]))
    out["account_inflows"] = np.round(np.exp(log_in), 2)
    out["tax_late"] = _flag(cfg.tax_late, sc, distress(to_event, cfg.tax_late.lead), u[6])
    out["utility_late"] = _flag(cfg.utility_late, sc, distress(to_event, cfg.utility_late.lead), u[7])
    return out


def industry_index(meta: Mapping[str, Any], last_month: Any,
                   config: SignalConfig | None = None) -> pd.DataFrame:
    """The public indicator of every industry from the world's first month to ``last_month``:
    ``month`` (its first day), ``industry``, ``index`` (about 100 in neutral times, lower when
    the industry's hazard is higher ``lead`` months later, with noise)."""
    cfg = config or signal_config(meta)
    s = cfg.industry_index
    macro: Macro = world_macro(dict(meta))
    n_months = int(month_index(np.array([np.datetime64(pd.Timestamp(last_month), "D")]))[0]) + 1
    cal = np.arange(n_months)
    ahead = np.minimum(cal + int(round(s.lead)), macro.log_multiplier.shape[1] - 1)
    level = macro.log_multiplier[:, ahead]  # (industries, months)
    ind = np.repeat(np.arange(len(_CODES)), n_months)
    mon = np.tile(cal, len(_CODES))
    z = ndtri(_noise(ind.astype(np.uint64) * np.uint64(4096) + mon.astype(np.uint64),
                     int(meta["seed"]), 50))
    value = s.base - cfg.scale * s.strength * level.ravel() + s.noise * z
    months = (np.datetime64("1970-01", "M") + (_MONTH0 + mon)).astype("datetime64[D]")
    return pd.DataFrame({"month": pd.to_datetime(months), "industry": np.array(_CODES)[ind],
                         "index": np.round(value, 2)})
