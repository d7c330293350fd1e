"""The nightly assignment of delinquent accounts, as arrays: C-card inputs, the evidence of the
reason of default, the strategy's treatment, priority, and the teams' work within capacity.

Everything here is the back-test's machinery applied to the live book: the strategy
(:meth:`~creditfactory.collections.strategy.CompiledCollections.assign`), the reason model
(:func:`~creditfactory.collections.reasons.evidence`, :func:`~creditfactory.collections.
reasons.infer_reasons`), the priority (:func:`~creditfactory.collections.strategy.priority_of`)
and the capacity cascade
(:func:`~creditfactory.collections.queues.allocate`) are called as they are; this module only
says what a live account's inputs are and which team works each treatment. Without a fitted
C-card the chance to cure comes from the bucket alone (:data:`BUCKET_CURE`), and the
assignment says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from creditfactory.collections.episodes import STATIC_FEATURES
from creditfactory.collections.queues import allocate
from creditfactory.collections.reasons import ReasonModel, evidence, infer_reasons, most_likely
from creditfactory.collections.strategy import (
    BUCKETS,
    REASONS,
    TREATMENTS,
    CompiledCollections,
    band_of,
    priority_of,
)

__all__ = ["BUCKET_CURE", "BUCKET_RULE", "PER_COLLECTOR", "REASON_NAMES", "TEAMS", "Night",
           "NightPlan", "bucket_index", "features", "plan_night"]

TEAMS = {"none": "none", "sms": "auto", "call": "phone", "visit": "field",
         "restructure": "workout", "legal_letter": "legal", "lawsuit": "legal",
         "agency": "agency"}
"""The team that works each treatment (``auto``: sent by the system; ``none``: waiting)."""
PER_COLLECTOR = {"call": 60.0, "visit": 6.0, "restructure": 8.0, "legal_letter": 30.0,
                 "lawsuit": 4.0}
"""Attempts one collector of the treatment's team makes a day (a team without collectors on
record counts as one); treatments not named are unlimited."""
BUCKET_CURE = np.array([0.70, 0.35, 0.15, 0.08, 0.05, 0.03])
"""The chance to cure within 30 days by bucket M1..M6+, used while no C-card is fitted."""
BUCKET_RULE = "bucket_rule"
REASON_NAMES = (*REASONS, "unknown")
_ORDER = np.array([TREATMENTS.index(t) for t in
                   ("lawsuit", "visit", "restructure", "legal_letter", "call", "sms")])
_STEP_DAYS = 5  # the strategy's escalation counts five-day steps


@dataclass(frozen=True)
class Night:
    """Tonight's delinquent accounts, one entry per account (money in CNY as floats: these
    are model inputs and priorities, nothing is posted from them)."""

    loan_id: np.ndarray
    dpd: np.ndarray
    balance: np.ndarray
    instalment: np.ndarray
    remaining_months: np.ndarray
    mob: np.ndarray
    paid_share: np.ndarray
    first_payment_default: np.ndarray
    prior_episodes: np.ndarray
    prior_fast_cures: np.ndarray
    attempts: np.ndarray
    reached: np.ndarray
    promises: np.ndarray
    kept: np.ndarray
    broken: np.ndarray
    partials: np.ndarray
    days_in_bucket: np.ndarray
    broken_in_bucket: np.ndarray
    waiting: np.ndarray
    """An open promise not yet due: the account is left alone until it falls due."""


@dataclass(frozen=True)
class NightPlan:
    """What each account gets tonight (indices into :data:`BANDS`, :data:`REASON_NAMES`,
    :data:`~creditfactory.collections.strategy.TREATMENTS`)."""

    band: np.ndarray
    probabilities: np.ndarray
    reason: np.ndarray
    strategy_treatment: np.ndarray
    treatment: np.ndarray
    attempts: np.ndarray
    priority: np.ndarray
    rank: np.ndarray


def bucket_index(dpd: np.ndarray) -> np.ndarray:
    """0 for M1 (1-30 DPD) .. 5 for M6 and later."""
    return np.clip((np.asarray(dpd, np.int64) - 1) // 30, 0, len(BUCKETS) - 1)


def features(n: Night) -> pd.DataFrame:
    """The C-card's inputs (:data:`~creditfactory.models.ccard.FEATURES`) of each account;
    what the store does not hold (post-loan signals, the A-card's PD) is missing (NaN)."""
    size = len(n.loan_id)
    nan = np.full(size, np.nan)
    x = pd.DataFrame({name: nan for name in STATIC_FEATURES})
    for name in ("mob", "remaining_months", "instalment", "balance", "prior_episodes",
                 "prior_fast_cures", "paid_share", "first_payment_default"):
        x[name] = np.asarray(getattr(n, name), float)
    x["industry_change"] = 0.0
    x["bucket"] = bucket_index(n.dpd) + 1.0
    for name in ("attempts", "reached", "promises", "kept", "broken", "partials"):
        x[name] = np.asarray(getattr(n, name), float)
    x["reach_rate"] = x["reached"] / np.maximum(x["attempts"], 1.0)
    return x


def _capacity(collectors: dict[str, int]) -> np.ndarray:
    cap = np.full(len(TREATMENTS), np.inf)
    for name, per in PER_COLLECTOR.items():
        cap[TREATMENTS.index(name)] = per * max(1, collectors.get(TEAMS[name], 0))
    return cap


def plan_night(n: Night, x: pd.DataFrame, cure: np.ndarray, strategy: CompiledCollections,
               reasons: ReasonModel, collectors: dict[str, int]) -> NightPlan:
    """Band, reason, treatment within the teams' capacity (``collectors``: people per team),
    priority and rank in its team of each account, given its chance to cure ``cure``."""
    bucket = bucket_index(n.dpd)
    band = band_of(cure, strategy.band_cuts)
    probs = infer_reasons(reasons, evidence(x))
    reason = most_likely(probs, strategy.reason_threshold)
    wanted, tries = strategy.assign(bucket, band, reason, n.days_in_bucket // _STEP_DAYS,
                                    n.broken_in_bucket)
    wanted = np.where(n.waiting, 0, wanted)
    priority = priority_of(strategy, cure=cure, balance=n.balance, dpd=n.dpd,
                           instalment=n.instalment, remaining_months=n.remaining_months,
                           reached=n.reached, attempts=n.attempts)
    got = allocate(wanted, tries, priority, _capacity(collectors), strategy.fallback, _ORDER)
    team_code = np.array([sorted(set(TEAMS.values())).index(TEAMS[t]) for t in TREATMENTS])[got]
    order = np.lexsort((n.loan_id, -priority, team_code))
    first = np.r_[True, team_code[order][1:] != team_code[order][:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order)) - start + 1
    return NightPlan(band, probs, reason, wanted, got, np.where(got > 0, tries, 0), priority,
                     rank)

