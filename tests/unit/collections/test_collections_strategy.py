"""Treatment rules: first match wins, escalation, hand-over, capacity, the champion/challenger hash."""

from __future__ import annotations

import numpy as np
import pytest

from creditfactory.collections.errors import CollectionsStrategyInvalid
from creditfactory.collections.queues import allocate
from creditfactory.collections.strategy import (
    PLAN_MONTHS,
    REASONS,
    TREATMENTS,
    UNKNOWN,
    band_of,
    challenger_mask,
    load_collections_strategy,
    parse_collections_strategy,
    priority_of,
)

T = {name: i for i, name in enumerate(TREATMENTS)}
R = {name: i for i, name in enumerate(REASONS)}
SMALL = """
name: small
bands: {A: 0.6, B: 0.3, C: 0.0}
rules:
  - {bucket: [M1], band: [A], treatment: sms, frequency: 1, escalate: {after_steps: 2, to: call}}
  - {reason: [strategic], treatment: legal_letter, frequency: 1, escalate: {after_steps: 1, to: lawsuit}}
  - {bucket: [M1], treatment: call, frequency: 3}
  - {treatment: visit}
handover: {default: agency, strategic: lawsuit}
fallback: {visit: call, call: sms}
"""


def test_the_first_matching_rule_gives_the_treatment() -> None:
    s = parse_collections_strategy(SMALL)
    bucket = np.array([0, 0, 0, 2, 2])
    band = np.array([0, 0, 2, 0, 1])
    reason = np.array([R["strategic"], UNKNOWN, R["oversight"], R["strategic"], UNKNOWN])
    t, f = s.assign(bucket, band, reason, np.zeros(5, int), np.zeros(5, int))
    assert [TREATMENTS[i] for i in t] == ["sms", "sms", "call", "legal_letter", "visit"]
    assert f.tolist() == [1, 1, 3, 1, 1]


def test_an_account_escalates_after_its_steps_or_at_once_after_a_broken_promise() -> None:
    s = parse_collections_strategy(SMALL)
    one = (np.array([0]), np.array([0]), np.array([R["oversight"]]))
    assert TREATMENTS[s.assign(*one, np.array([1]), np.array([0]))[0][0]] == "sms"
    assert TREATMENTS[s.assign(*one, np.array([2]), np.array([0]))[0][0]] == "call"
    assert TREATMENTS[s.assign(*one, np.array([0]), np.array([1]))[0][0]] == "call"
    # a rule without escalation never escalates
    t, _ = s.assign(np.array([3]), np.array([1]), np.array([UNKNOWN]), np.array([9]), np.array([3]))
    assert TREATMENTS[t[0]] == "visit"


def test_hand_over_at_write_off_is_by_reason() -> None:
    s = parse_collections_strategy(SMALL)
    assert TREATMENTS[s.handover[R["strategic"]]] == "lawsuit"
    assert TREATMENTS[s.handover[UNKNOWN]] == "agency"


@pytest.mark.parametrize(("text", "message"), [
    (SMALL.replace("treatment: visit}", "treatment: prayer}"), "rules[3]: unknown treatment 'prayer'"),
    (SMALL.replace("  - {treatment: visit}\n", ""), "no rule"),
    (SMALL.replace("bucket: [M1], band: [A]", "bucket: [M9], band: [A]"), "unknown bucket 'M9'"),
    (SMALL.replace("frequency: 3", "frequency: 9"), "frequency must be 1..5"),
    (SMALL.replace("{A: 0.6, B: 0.3", "{A: 0.2, B: 0.3"), "must not increase"),
])
def test_a_malformed_strategy_fails_naming_the_place(text: str, message: str) -> None:
    with pytest.raises(CollectionsStrategyInvalid, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_collections_strategy(text, "s.yaml")


def test_bucket_only_treats_everyone_in_a_bucket_alike() -> None:
    s = load_collections_strategy("bucket_only")
    for b in range(6):
        cells = s.treatment[b]
        assert (cells == cells[0, 0]).all()


def test_default_treats_the_unable_and_the_unwilling_differently() -> None:
    s = load_collections_strategy("default")
    m2 = s.treatment[1, 1]
    assert TREATMENTS[m2[R["business_failure"]]] == "restructure"
    assert TREATMENTS[m2[R["strategic"]]] == "legal_letter"
    assert TREATMENTS[s.treatment[0, 0, R["oversight"]]] == "sms"


def test_the_benchmarks_early_cure_strategy_plans_for_the_unable_from_m1() -> None:
    from pathlib import Path

    s = load_collections_strategy(Path(__file__).parents[3] / "bench" / "collections_early_cure.yaml")
    assert s.name == "early_cure"
    assert TREATMENTS[s.treatment[0, 2, R["shortfall"]]] == "restructure" and s.frequency[0, 2, R["shortfall"]] == 2
    assert TREATMENTS[s.treatment[0, 0, R["oversight"]]] == "sms" and TREATMENTS[s.fallback[T["restructure"]]] == "visit"


def test_bands_follow_the_cure_chance() -> None:
    assert band_of(np.array([0.9, 0.6, 0.59, 0.25, 0.1]), np.array([0.6, 0.25, 0.0])).tolist() == [0, 0, 1, 1, 2]


def test_the_challenger_split_is_stable_and_near_its_share() -> None:
    ids = np.arange(1, 20_001)
    mask = challenger_mask(ids, 0.3)
    assert abs(mask.mean() - 0.3) < 0.015
    assert (challenger_mask(ids[::-1], 0.3) == mask[::-1]).all()
    assert not challenger_mask(ids, 0.0).any() and challenger_mask(ids, 1.0).all()


def test_capacity_keeps_the_highest_priority_and_cascades_the_rest_down() -> None:
    t = np.array([T["visit"]] * 4 + [T["call"]] * 2)
    attempts = np.ones(6, int)
    priority = np.array([1.0, 4.0, 3.0, 2.0, 9.0, 8.0])
    cap = np.full(len(TREATMENTS), np.inf)
    cap[T["visit"]], cap[T["call"]] = 2, 3
    fallback = np.zeros(len(TREATMENTS), int)
    fallback[T["visit"]], fallback[T["call"]] = T["call"], T["sms"]
    order = np.array([T["visit"], T["call"]])
    out = allocate(t, attempts, priority, cap, fallback, order)
    assert [TREATMENTS[i] for i in out] == ["sms", "visit", "visit", "call", "call", "call"]


def test_default_offers_a_plan_on_entering_m1_and_spares_the_absconded_visits_and_lawsuits() -> None:
    s = load_collections_strategy("default")
    assert s.priority == "expected_gain" and s.reassess == "step"
    for band in (1, 2):
        assert TREATMENTS[s.treatment[0, band, UNKNOWN]] == "restructure"
    fraud = s.treatment[1:, :, R["fraud"]]
    assert {TREATMENTS[t] for t in fraud.ravel()} == {"sms"}
    assert TREATMENTS[s.handover[R["strategic"]]] == "lawsuit"


def test_expected_gain_puts_first_what_treating_can_still_bring() -> None:
    s = load_collections_strategy("default")
    one = np.ones(4)
    prio = priority_of(s, cure=np.array([0.9, 0.2, 0.2, 0.2]), balance=one * 1e5, dpd=one * 10,
                       instalment=np.array([5e3, 5e3, 5e3, 1e4]), remaining_months=one * 12,
                       reached=np.array([0, 0, 3, 0]), attempts=np.array([0, 0, 3, 0]))
    # likely to cure alone < unlikely < unlikely and twice the instalment; reached before counts
    assert prio[0] < prio[1] < prio[3] and prio[2] > prio[1]
    # a plan is worth its instalments over at most PLAN_MONTHS
    long = priority_of(s, cure=np.array([0.2]), balance=np.array([1e5]), dpd=np.array([10]),
                       instalment=np.array([5e3]), remaining_months=np.array([PLAN_MONTHS * 3.0]))
    capped = priority_of(s, cure=np.array([0.2]), balance=np.array([1e5]), dpd=np.array([10]),
                         instalment=np.array([5e3]), remaining_months=np.array([float(PLAN_MONTHS)]))
    assert long[0] == capped[0]
    conventional = load_collections_strategy("bucket_only")
    assert priority_of(conventional, cure=one, balance=one, dpd=np.array([30, 10, 60, 5])).tolist() == [30, 10, 60, 5]


def test_how_often_the_reason_is_reassessed_is_declared() -> None:
    assert parse_collections_strategy(SMALL).reassess == "entry"
    assert parse_collections_strategy(SMALL + "reassess: step\n").reassess == "step"
    with pytest.raises(CollectionsStrategyInvalid, match="unknown reassess 'daily'"):
        parse_collections_strategy(SMALL + "reassess: daily\n", "s.yaml")


def test_an_overflow_falling_back_onto_a_settled_treatment_still_meets_its_capacity() -> None:
    t = np.array([T["restructure"]] * 3 + [T["visit"]])
    cap = np.full(len(TREATMENTS), np.inf)
    cap[T["visit"]], cap[T["restructure"]] = 1, 1
    fallback = np.zeros(len(TREATMENTS), int)
    fallback[T["restructure"]], fallback[T["visit"]] = T["visit"], T["call"]
    order = np.array([T["visit"], T["restructure"]])  # visits settle first
    out = allocate(t, np.ones(4, int), np.array([4.0, 3.0, 2.0, 1.0]), cap, fallback, order)
    assert [TREATMENTS[i] for i in out] == ["restructure", "visit", "call", "call"]
