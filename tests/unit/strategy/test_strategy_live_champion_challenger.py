"""The live strategy splits applications between champion and challenger by a stable hash."""

from __future__ import annotations

import hashlib
import math
from typing import Any

import pytest

from creditfactory.services.strategy_port import split_number
from creditfactory.services.strategy_setup import live_strategy
from creditfactory.strategy import load_strategy
from creditfactory.strategy.loader import shipped_text

SHARE = 0.3
N = 4000


def _setting(share: float = SHARE) -> dict[str, Any]:
    challenger = load_strategy("policy_only")
    return {"text": shipped_text("default"),
            "challenger": {"name": challenger.name, "version": challenger.version,
                           "location": "shipped:policy_only", "text": shipped_text("policy_only"),
                           "digest": challenger.digest, "share": share, "salt": "test-1"}}


def _applicant_key(resident_id: str) -> str:
    return hashlib.sha256(b"key" + resident_id.encode()).hexdigest()[:32]


@pytest.fixture
def port() -> Any:
    return live_strategy(_setting(), load_strategy("default"), {"a_card": "none"},
                         applicant_key=_applicant_key)


def _arms(port: Any, app: dict[str, Any], keys: list[str]) -> list[str]:
    return [port.decide(app, {}, split_key=k).record["arm"] for k in keys]


def test_the_split_is_near_the_declared_share_and_stable(port: Any, good_app: dict[str, Any]) -> None:
    keys = [f"applicant-{i}" for i in range(N)]
    arms = _arms(port, good_app, keys)
    share = arms.count("challenger") / N
    assert abs(share - SHARE) < 3 * math.sqrt(SHARE * (1 - SHARE) / N)
    assert _arms(port, good_app, keys) == arms  # the same key always goes to the same arm
    again = live_strategy(_setting(), load_strategy("default"), {}, applicant_key=_applicant_key)
    assert _arms(again, good_app, keys[:500]) == arms[:500]  # and in another process


def test_each_record_names_its_arm_and_the_strategy_version_that_decided(
    port: Any, good_app: dict[str, Any]
) -> None:
    champion, challenger = load_strategy("default"), load_strategy("policy_only")
    seen = set()
    for i in range(200):
        rec = port.decide(good_app, {}, split_key=f"k{i}").record
        who = champion if rec["arm"] == "champion" else challenger
        assert (rec["strategy"], rec["strategy_version"]) == (who.name, who.version)
        assert rec["versions"]["strategy"] == f"{who.name}@{who.version}"
        assert rec["split"] == {"arm": rec["arm"], "strategy": f"{who.name}@{who.version}",
                                "key": "given", "challenger_share": SHARE}
        seen.add(rec["arm"])
    assert seen == {"champion", "challenger"}


def test_without_a_key_the_applicant_then_the_application_id_choose_the_arm(
    port: Any, good_app: dict[str, Any]
) -> None:
    by_applicant = port.decide(good_app, {}).record
    assert by_applicant["split"]["key"] == "applicant"
    expected = port.decide(good_app, {}, split_key=_applicant_key(good_app["resident_id"])).record
    assert by_applicant["arm"] == expected["arm"]
    no_resident = {**good_app, "resident_id": None, "application_id": 77}
    assert port.decide(no_resident, {}).record["split"]["key"] == "application_id"
    nothing = {**good_app, "resident_id": None, "application_id": 0}
    rec = port.decide(nothing, {}).record
    assert rec["split"]["key"] == "none" and rec["arm"] == "champion"


def test_an_application_id_splits_as_the_batch_challenger_mask_does(port: Any, good_app: dict[str, Any]) -> None:
    import numpy as np

    from creditfactory.strategy import ChampionChallenger

    ids = list(range(1, 400))
    mask = ChampionChallenger(SHARE, "test-1").challenger_mask(np.array(ids))
    arms = [port.decide(good_app, {}, split_key=split_number(i)).record["arm"] for i in ids]
    assert [a == "challenger" for a in arms] == mask.tolist()


def test_without_a_challenger_the_champion_decides_everything(good_app: dict[str, Any]) -> None:
    port = live_strategy({"text": shipped_text("default")}, load_strategy("default"), {})
    recs = [port.decide(good_app, {}, split_key=f"k{i}").record for i in range(300)]
    assert {r["arm"] for r in recs} == {"champion"}
    assert recs[0]["split"]["challenger_share"] == 0.0
