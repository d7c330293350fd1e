"""The nightly assignment's arrays: a strategy's treatment for each account, the teams'
capacity taken by priority with the overflow falling back, ranks within each team, a promise
awaited leaves the account alone, and the reason model reads a live account's evidence."""

from __future__ import annotations

import numpy as np

from creditfactory.collections.live_assignment import (
    PER_COLLECTOR,
    Night,
    bucket_index,
    features,
    plan_night,
)
from creditfactory.collections.reasons import load_reason_model
from creditfactory.collections.strategy import TREATMENTS, parse_collections_strategy

CALLS = """
name: calls
version: 1
bands: {A: 0.6, B: 0.25, C: 0.0}
priority: dpd
rules:
  - {bucket: [M1], treatment: call, frequency: 1}
  - {bucket: [M2], treatment: visit, frequency: 1, escalate: {after_steps: 2, to: legal_letter}}
  - {treatment: legal_letter, frequency: 1}
fallback: {visit: call, call: sms, legal_letter: call}
"""


def _night(dpd: list[int], *, days_in_bucket: int = 0, waiting: list[bool] | None = None) -> Night:
    n = len(dpd)
    z = np.zeros(n, np.int64)
    return Night(loan_id=np.arange(1, n + 1), dpd=np.array(dpd), balance=np.full(n, 1000.0),
                 instalment=np.full(n, 100.0), remaining_months=np.full(n, 10),
                 mob=np.full(n, 3), paid_share=np.ones(n), first_payment_default=np.zeros(n),
                 prior_episodes=z, prior_fast_cures=z, attempts=z, reached=z, promises=z,
                 kept=z, broken=z, partials=z, days_in_bucket=np.full(n, days_in_bucket),
                 broken_in_bucket=z,
                 waiting=np.array(waiting if waiting is not None else [False] * n))


def _plan(night: Night, collectors: dict[str, int] | None = None) -> dict[str, list[object]]:
    x = features(night)
    p = plan_night(night, x, np.full(len(night.dpd), 0.5), parse_collections_strategy(CALLS),
                   load_reason_model(), collectors or {})
    return {"wanted": [TREATMENTS[t] for t in p.strategy_treatment],
            "got": [TREATMENTS[t] for t in p.treatment], "rank": p.rank.tolist()}


def test_buckets_are_thirty_days_each_and_m6_takes_the_rest() -> None:
    assert bucket_index(np.array([1, 30, 31, 60, 61, 151, 400])).tolist() == [0, 0, 1, 1, 2, 5, 5]


def test_the_phone_team_takes_its_capacity_longest_overdue_first_and_the_rest_get_an_sms() -> None:
    dpd = list(range(1, 31)) * 3  # 90 accounts in M1 wanting a call
    p = _plan(_night(dpd))
    assert set(p["wanted"]) == {"call"}
    called = [d for d, t in zip(dpd, p["got"], strict=True) if t == "call"]
    assert len(called) == PER_COLLECTOR["call"]
    assert min(called) >= max(d for d, t in zip(dpd, p["got"], strict=True) if t == "sms")
    with_two = _plan(_night(dpd), {"phone": 2})
    assert with_two["got"].count("call") == 90  # two collectors: 120 calls a day


def test_ranks_count_from_one_within_each_team_by_priority() -> None:
    p = _plan(_night([5, 40, 20, 45, 10]))
    assert p["got"] == ["call", "visit", "call", "visit", "call"]
    assert p["rank"] == [3, 2, 1, 1, 2]


def test_escalation_after_steps_in_the_bucket_and_a_promise_awaited_waits() -> None:
    p = _plan(_night([40, 45], days_in_bucket=10))  # two five-day steps in M2
    assert p["wanted"] == ["legal_letter", "legal_letter"]
    p = _plan(_night([40, 45], waiting=[True, False]))
    assert p["got"] == ["none", "visit"]


def test_a_live_account_without_evidence_keeps_the_prior_reasons() -> None:
    night = _night([10])
    x = features(night)
    assert np.isnan(x.loc[0, "a_pd"]) and x.loc[0, "bucket"] == 1.0
    p = plan_night(night, x, np.array([0.5]), parse_collections_strategy(CALLS),
                   load_reason_model(), {})
    prior = np.exp(load_reason_model().log_prior)
    assert np.allclose(p.probabilities[0], prior / prior.sum())
