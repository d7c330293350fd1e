"""Live applications get a fraud score from their own links, equal to the batch one."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pytest

from creditfactory.fraud.identity import identity_table, record_identity
from creditfactory.fraud.labels import NEVER, known_bad_times
from creditfactory.models.features import fraud_like
from creditfactory.settings import DEV_SECRET_KEY

pytest.importorskip("lightgbm")

LIVE_AT = "2020-08-03T10:00:00"


@pytest.fixture(scope="module")
def trained() -> tuple[Any, Any]:
    from creditfactory.models.training import train_lending_models
    from creditfactory.world import generate

    world = generate(3000, months=18, seed=11)
    return world, train_lending_models(world, key=DEV_SECRET_KEY.encode())


def _decider(models: Any) -> Any:
    """Decide as the service does: a new application (id 0) is assessed on the live graph and
    its assessment handed to the models; a lending-data one has its batch fraud score."""
    from creditfactory.strategy import Decider, StrategyRegistry, load_strategy

    registry = StrategyRegistry()
    registry.release(load_strategy("default"))
    decider = Decider(registry, champion="default", model_versions=models.versions())
    live = models.fraud_model.live(DEV_SECRET_KEY.encode())

    def decide(app: dict[str, Any]) -> Any:
        fraud = live.assess(app) if app["application_id"] == 0 else None
        return decider.decide(app, models.score_record(app, fraud))

    return decide


def _as_api(world: Any, row: dict[str, Any]) -> dict[str, Any]:
    channel = world.channels.set_index("channel_id").loc[row["channel_id"], "channel_type"]
    return {**row, "channel_type": channel, "repeat_customer": False}


def _fresh(row: dict[str, Any], n: int) -> dict[str, Any]:
    """The application re-entered by a new person: new identity values, consistent age."""
    born = 2020 - int(row["age"]) - 1
    return {
        **row,
        "application_id": 0,
        "applied_at": LIVE_AT,
        "resident_id": f"440301{born}0101{n:04d}",
        "phone": f"1990000{n:04d}",
        "contact_phones": f"1991000{n:04d},1992000{n:04d},1993000{n:04d}",
        "device_id": f"live-device-{n}",
        "ip": f"172.31.{n // 250}.{n % 250}",
        "bank_card": f"62229900{n:08d}",
        "home_address": f"live home {n}",
        "business_address": f"live shop {n}",
        "uscc": f"91440300LIVE{n:06d}",
        "business_name": f"Live Trading {n}",
    }


def test_record_identity_hashes_like_the_identity_table(trained: tuple[Any, Any]) -> None:
    world, _ = trained
    apps = world.applications.head(400)
    table = identity_table(apps, DEV_SECRET_KEY.encode())
    columns = [c for c in table.columns if c != "channel_id"]
    for record, row in zip(apps.to_dict("records"), table[columns].to_dict("records"), strict=True):
        assert record_identity(record, DEV_SECRET_KEY.encode()) == {k: int(v) for k, v in row.items()}


def test_world_applications_replayed_live_get_their_batch_fraud_score_and_hits(
    trained: tuple[Any, Any],
) -> None:
    world, models = trained
    apps = world.applications
    identity = identity_table(apps, DEV_SECRET_KEY.encode())
    bad = known_bad_times(world.performance, apps["application_id"].to_numpy(np.int64))
    order = np.lexsort((identity["application_id"].to_numpy(), identity["applied_at"].to_numpy()))
    seed, live = order[:-600], order[-600:]
    scorer = models.fraud_model.live(DEV_SECRET_KEY.encode()).empty().seed(identity.iloc[seed], bad[seed])
    got = [scorer.score(apps.iloc[r].to_dict()) for r in live]
    expected = models.fraud.loc[apps["application_id"].to_numpy()[live]]
    assert [s for s, _ in got] == expected["fraud_score"].tolist()
    assert [h for _, h in got] == expected["fraud_rule_hits"].tolist()
    assert sum(h != "" for _, h in got) >= 5 and len({s for s, _ in got}) > 100


def test_a_clean_new_application_is_auto_approved_and_a_fraud_linked_one_is_not(
    trained: tuple[Any, Any],
) -> None:
    world, models = trained
    decide = _decider(models)
    rows = world.applications.to_dict("records")
    approved = [r for r in rows if decide(_as_api(world, r)).tier == "auto_approve"]
    assert approved, "the world has auto-approved applications"
    bad = known_bad_times(world.performance, world.applications["application_id"].to_numpy())
    fraud_rows = np.flatnonzero(fraud_like(world.applications, world.performance) & (bad < NEVER))
    fraud = rows[int(fraud_rows[0])]
    clean_tiers, linked_tiers = [], []
    for n, row in enumerate(approved[:20]):
        clean = decide(_as_api(world, _fresh(row, n)))
        assert clean.scores["fraud_rule_hits"] == ""
        clean_tiers.append(clean.tier)
        linked = _fresh(row, 1000 + n)
        linked.update(device_id=fraud["device_id"], phone=fraud["phone"],
                      contact_phones=fraud["contact_phones"])
        rec = decide(_as_api(world, linked))
        assert "BLACKLIST" in rec.scores["fraud_rule_hits"].split(",")
        assert rec.scores["fraud_score"] > clean.scores["fraud_score"]
        linked_tiers.append(rec.tier)
    assert clean_tiers == ["auto_approve"] * len(clean_tiers)
    assert "auto_approve" not in linked_tiers


def test_live_scoring_is_fast_and_safe_from_many_threads(trained: tuple[Any, Any]) -> None:
    world, models = trained
    base = world.applications.iloc[-1].to_dict()
    live = models.fraud_model.live(DEV_SECRET_KEY.encode())
    before = len(live)
    times: list[float] = []
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(50):
                app = _fresh(base, 5000 + 100 * k + i)
                start = time.perf_counter()
                scores = models.score_record(app, live.assess(app))
                times.append(time.perf_counter() - start)
                assert 0 <= scores["fraud_score"] <= 1
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert len(live) == before + 200
    assert float(np.median(times)) < 0.01
