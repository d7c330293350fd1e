"""Known bads from performance, fraud cards (JSON, rule bins), neighbourhoods."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from creditfactory.fraud import IdentityGraph, known_bad_times, neighbourhood
from creditfactory.fraud.labels import NEVER
from creditfactory.fraud.model import card_reasons, fraud_card, save_fraud_card
from creditfactory.scorecard import load_card


def perf(rows: list[tuple[int, int, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["application_id", "mob", "month", "dpd"]).assign(
        month=lambda d: pd.to_datetime(d["month"]))


def seconds(day: str) -> int:
    return int(np.datetime64(day, "s").astype(np.int64))


def test_first_payment_default_is_known_the_month_after_mob_3() -> None:
    p = perf([(1, 1, "2021-02-01", 20), (1, 2, "2021-03-01", 50), (1, 3, "2021-04-01", 80),
              (2, 1, "2021-02-01", 0), (2, 2, "2021-03-01", 0), (2, 3, "2021-04-01", 0),
              (3, 1, "2021-02-01", 10), (3, 2, "2021-03-01", 0), (3, 3, "2021-04-01", 0)])
    got = known_bad_times(p, np.array([1, 2, 3, 4]))
    assert got.tolist() == [seconds("2021-05-01"), NEVER, NEVER, NEVER]
    assert known_bad_times(p, np.array([1]), as_of=seconds("2021-05-01")).tolist() == [NEVER]


def test_early_default_counts_within_its_horizon_only() -> None:
    p = perf([(5, 1, "2021-02-01", 0), (5, 9, "2021-10-01", 95), (6, 14, "2022-03-01", 120)])
    assert known_bad_times(p, np.array([5, 6])).tolist() == [seconds("2021-11-01"), NEVER]
    assert known_bad_times(p, np.array([5]), early_default_mob=None).tolist() == [NEVER]


def test_fraud_card_round_trips_through_the_scorecard_json(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.poisson(1, 3000), "b": rng.poisson(2, 3000)})
    y = (X["a"] + rng.normal(0, 1, 3000)) > 2.5
    card = fraud_card().fit(X, y.to_numpy())
    path = save_fraud_card(card, tmp_path / "card.json", "fraud_score", training_rows=3000)
    back = load_card(path)
    assert json.loads(path.read_text())["metadata"]["role"] == "fraud_score"
    np.testing.assert_allclose(back.predict_proba(X), card.predict_proba(X))
    assert card_reasons(back, X.iloc[[int(np.argmax(X["a"]))]])[0][0] == f"a={X['a'].max()}"


def test_a_rare_rule_hit_gets_its_own_bin_and_reason() -> None:
    rng = np.random.default_rng(2)
    n = 20_000
    X = pd.DataFrame({"n_linked_1hop": rng.poisson(1, n),
                      "rule_IMP_ID_REUSED": (rng.random(n) < 0.002).astype(int)})
    y = rng.random(n) < np.where(X["rule_IMP_ID_REUSED"] > 0, 0.7, 0.02)
    plain = fraud_card().fit(X, y)
    card = fraud_card(["rule_IMP_ID_REUSED"]).fit(X, y)
    hit = X.iloc[[int(np.argmax(X["rule_IMP_ID_REUSED"]))]]
    assert "rule_IMP_ID_REUSED" not in plain.features_
    assert card.predict_proba(hit)[0, 1] > 0.5
    assert card_reasons(card, hit)[0][0] == "rule_IMP_ID_REUSED=1"


def test_neighbourhood_lists_nodes_links_kinds_and_known_bads() -> None:
    t = np.array([0, 1, 2, 3]) * 86_400 + 1_600_000_000
    f = pd.DataFrame({"application_id": [10, 11, 12, 13], "applied_at": t, "channel_id": "AG1"})
    for c in ("phone", "contact_1", "contact_2", "contact_3", "device", "ip", "bank_card",
              "home_address", "business_address", "uscc", "business_name", "channel",
              "resident_id"):
        f[c] = np.arange(4, dtype=np.uint64) * np.uint64(100) + np.uint64(len(c))
    f.loc[[0, 1], "device"] = np.uint64(1)
    f.loc[[1, 2], "bank_card"] = np.uint64(2)
    g = IdentityGraph.build(f, np.array([t[1], NEVER, NEVER, NEVER]))
    nb = neighbourhood(g, 12, hops=2)
    json.dumps(nb)
    assert {(n["application_id"], n["hop"]) for n in nb["nodes"]} == {(12, 0), (11, 1), (10, 2)}
    assert sorted((e["source"], e["target"], tuple(e["kinds"])) for e in nb["links"]) == [
        (11, 10, ("device",)), (12, 11, ("bank_card",))]
    assert [n["known_bad_since"] for n in nb["nodes"] if n["application_id"] == 10] == [
        "2020-09-14T12:26:40"]
