"""Decision records replay exactly; releases swap atomically; champion/challenger is stable."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from creditfactory.strategy import (
    ChampionChallenger,
    ColumnScores,
    Decider,
    DecisionRecord,
    ReplayMismatch,
    StrategyRegistry,
    decide_one,
    derive_fields,
    load_strategy,
    parse_strategy,
    replay,
)
from creditfactory.strategy.loader import shipped_text
from creditfactory.strategy.synthetic import synthetic_applications, synthetic_scores


def _registry() -> StrategyRegistry:
    reg = StrategyRegistry()
    reg.release(load_strategy("default"))
    reg.release(load_strategy("policy_only"))
    return reg


def test_records_round_trip_through_json_and_replay_exactly() -> None:
    reg = _registry()
    apps = derive_fields(synthetic_applications(2_000, seed=5)).to_dict("records")
    scores = synthetic_scores(2_000, seed=6).to_dict("records")
    tiers = set()
    for app, sc in zip(apps, scores, strict=True):
        record = decide_one(reg.live("default"), app, sc, model_versions={"a_card": "test-1"})
        stored = DecisionRecord.from_json(record.to_json())
        assert stored == record
        assert replay(stored, reg) == record
        tiers.add(record.tier)
    assert tiers == {"auto_approve", "remote_verification", "field_investigation", "reject"}


def test_replay_detects_a_changed_decision(good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    reg = _registry()
    record = decide_one(reg.live("default"), good_app, good_scores)
    tampered = DecisionRecord.from_json(record.to_json().replace('"auto_approve"', '"remote_verification"'))
    with pytest.raises(ReplayMismatch, match="tier"):
        replay(tampered, reg)


def test_record_keeps_inputs_scores_versions_and_timings(good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    r = decide_one(load_strategy("default"), good_app, good_scores, model_versions={"a_card": "v3"})
    assert r.inputs["age"] == 35 and r.scores["a_pd"] == 0.005
    assert (r.strategy, r.strategy_version, r.model_versions) == ("default", "1.2.0", {"a_card": "v3"})
    assert r.timings_ns["total"] > 0 and r.rate_parts and r.limit_parts


def test_release_swaps_without_disturbing_decisions_in_flight(good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    reg = _registry()
    old = reg.live("default")
    stricter = parse_strategy(
        shipped_text("default").replace('version: "1.2.0"', 'version: "2.0.0"').replace("value: 22}", "value: 40}")
    )
    in_flight = reg.live("default")
    reg.release(stricter)
    assert decide_one(in_flight, good_app, good_scores).decision == "approve"
    assert decide_one(reg.live("default"), good_app, good_scores).reasons == ("P01_AGE_MIN",)
    first = decide_one(old, good_app, good_scores)
    assert replay(first, reg) == first


def test_concurrent_releases_leave_a_consistent_registry() -> None:
    reg = _registry()
    versions = [parse_strategy(shipped_text("default").replace('"1.2.0"', f'"1.0.{i}"')) for i in range(8)]
    threads = [threading.Thread(target=reg.release, args=(v,)) for v in versions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert reg.live("default").version in {v.version for v in versions}
    assert all(reg.by_digest(v.digest) is v for v in versions)
    assert reg.live("policy_only").name == "policy_only"


def test_challenger_share_is_stable_and_vectorised_the_same() -> None:
    cc = ChampionChallenger(share=0.2, salt="test")
    ids = np.arange(1, 50_001, dtype=np.int64)
    mask = cc.challenger_mask(ids)
    assert [cc.is_challenger(int(i)) for i in ids[:5_000]] == mask[:5_000].tolist()
    assert 0.19 < mask.mean() < 0.21
    assert ChampionChallenger(share=0.2, salt="other").challenger_mask(ids).tolist() != mask.tolist()
    assert not ChampionChallenger(share=0.0).challenger_mask(ids).any()


def test_decider_records_which_arm(good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    reg = _registry()
    decider = Decider(reg, champion="default", challenger="policy_only",
                      routing=ChampionChallenger(share=0.5), model_versions={"a_card": "x"})
    arms = {}
    for i in range(1, 200):
        app = good_app | {"application_id": i}
        rec = decider.decide(app, ColumnScores().score_record(good_scores))
        arms[rec.arm] = rec.strategy
        assert rec.model_versions == {"a_card": "x"}
    assert arms == {"champion": "default", "challenger": "policy_only"}
