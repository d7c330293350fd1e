"""Treatment rules: first match wins, escalation, hand-over, capacity, the champion/challenger hash."""

from __future__ import annotations

import numpy as np
import pytest

from creditfactory.collections.errors import CollectionsStrategyInvalid
from creditfactory.collections.queues import allocate
from creditfactory.collections.strategy import (
    REASONS,
    TREATMENTS,
    UNKNOWN,
    band_of,
    challenger_mask,
    load_collections_strategy,
    parse_collections_strategy,
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
