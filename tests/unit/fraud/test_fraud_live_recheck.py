"""The re-check before payout: a decided application is tied to fraud by what arrived since,
through strong links to a flagged or known-bad application or a burst link to a confident one;
cleared ties do not count again, new ones do."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from creditfactory.fraud._features import FEATURES
from creditfactory.fraud.live import CatchUp, KnownBad, LiveFraud, RecheckPolicy

KEY = b"recheck-identity-key"
T0 = datetime(2026, 3, 2, 9, 0)
STRONG = FEATURES.index("n_strong_1hop")
POLICY = RecheckPolicy(flag_score=0.5, burst_score=0.5)


def live_graph() -> LiveFraud:
    """Scores 0.5 for an application strongly linked (two kinds) to an earlier one, else 0."""
    live = LiveFraud(lambda row: row[STRONG], FEATURES, [0.5, 100.0], KEY)
    live.background_refresh = False
    return live


def add(live: LiveFraud, app_id: int, days: float, channel: str = "CH1", **values: Any) -> float:
    app = {"applied_at": T0 + timedelta(days=days), "channel_id": channel, "age": 40,
           "resident_id": f"11010119860101{app_id:04d}", **values}
    identity = live.identity_of(app)
    score = live.assess(app, identity).fraud_score
    assert live.kept(identity, app_id)
    return score


def test_a_ring_mate_flagged_after_the_decision_ties_the_case() -> None:
    live = live_graph()
    assert add(live, 1, 0, phone="13900000001", device_id="dev-1") == 0
    assert live.recheck(1, POLICY) is not None and not live.recheck(1, POLICY).hit
    assert add(live, 2, 1, phone="13900000001", device_id="dev-1") == 0.5
    found = live.recheck(1, POLICY)
    assert found is not None and found.hit
    (tie,) = found.ties
    assert (tie.key, tie.reason, tie.hops, tie.score) == ("store:2", "ring_score", 1, 0.5)
    assert set(tie.kinds.split(",")) == {"phone", "device"}
    assert found.evidence()["ties"][0]["key"] == "store:2"


def test_strong_ties_are_followed_through_unflagged_applications() -> None:
    live = live_graph()
    add(live, 1, 0, phone="13900000001", device_id="dev-1")
    add(live, 2, 0.5, phone="13900000001", device_id="dev-1", home_address="addr 9")
    add(live, 3, 1, bank_card="6222000000000003", home_address="addr 9", ip="10.0.0.9")
    found = live.recheck(1, RecheckPolicy(flag_score=0.5))
    assert found is not None
    assert {t.key: t.hops for t in found.ties} == {"store:2": 1}
    # a stricter flag: nothing the case reaches was flagged at its decision
    assert not live.recheck(1, RecheckPolicy(flag_score=0.9)).hit  # type: ignore[union-attr]


def test_one_shared_value_is_no_tie_unless_a_confident_source_in_the_same_burst() -> None:
    live = live_graph()
    add(live, 1, 0, phone="13900000001", device_id="dev-1")
    add(live, 2, 0.1, phone="13900000001", device_id="dev-1")  # scores 0.5
    add(live, 3, 1, ip="10.9.9.9")
    add(live, 4, 1.5, ip="10.9.9.9", device_id="dev-1")  # a weak tie to 2 (device) and 3
    add(live, 5, 2, channel="OTHER", device_id="dev-1")
    assert [t.reason for t in live.recheck(4, POLICY).ties] == ["burst"]  # type: ignore[union-attr]
    assert not live.recheck(4, RecheckPolicy(flag_score=0.5)).hit  # type: ignore[union-attr]
    assert not live.recheck(5, POLICY).hit  # type: ignore[union-attr]


def test_a_cleared_tie_does_not_count_again_but_a_new_one_does() -> None:
    live = live_graph()
    add(live, 1, 0, phone="13900000001", device_id="dev-1")
    add(live, 2, 1, phone="13900000001", device_id="dev-1")
    cleared = [t.key for t in live.recheck(1, POLICY).ties]  # type: ignore[union-attr]
    assert not live.recheck(1, POLICY, cleared).hit  # type: ignore[union-attr]
    add(live, 3, 1.5, phone="13900000001", device_id="dev-1")
    again = live.recheck(1, POLICY, cleared)
    assert again is not None and [t.key for t in again.ties] == ["store:3"]


def test_a_known_bad_in_the_strong_component_ties_the_case_once_known() -> None:
    live = live_graph()
    add(live, 1, 0, phone="13900000001", device_id="dev-1")
    add(live, 2, 1, phone="13900000001", device_id="dev-1")
    nobody = RecheckPolicy(flag_score=1.0)
    assert not live.recheck(1, nobody).hit  # type: ignore[union-attr]
    known = int((T0 + timedelta(days=1.5)).timestamp())
    live.take(CatchUp(known_bads=[KnownBad(7, 2, known)], finding_ids=[7]))
    assert [t.reason for t in live.recheck(1, nobody).ties] == ["known_bad"]  # type: ignore[union-attr]
    assert not live.recheck(1, nobody, at=int(T0.timestamp())).hit  # type: ignore[union-attr]
    no_bads = RecheckPolicy(flag_score=1.0, known_bads=False)
    assert not live.recheck(1, no_bads).hit  # type: ignore[union-attr]


def test_an_application_the_graph_does_not_hold_is_not_rechecked() -> None:
    assert live_graph().recheck(99, POLICY) is None


@pytest.mark.parametrize("kwargs", [{"flag_score": 1.5}, {"flag_score": 0.5, "strong_kinds": 0},
                                    {"flag_score": 0.5, "max_nodes": 0}])
def test_a_policy_out_of_range_is_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        RecheckPolicy(**kwargs)
