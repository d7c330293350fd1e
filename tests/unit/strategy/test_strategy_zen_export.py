"""The JDM export of the policy and tier table gives zen-engine our decisions (bench fairness)."""

from __future__ import annotations

import json

import pytest

from creditfactory.strategy import decide_one, derive_fields, load_strategy
from creditfactory.strategy.synthetic import synthetic_applications, synthetic_scores
from creditfactory.strategy.zen_export import policy_jdm, tier_jdm

zen = pytest.importorskip("zen")


def test_zen_engine_agrees_with_the_compiled_policy_and_tiers() -> None:
    s = load_strategy("default")
    engine = zen.ZenEngine()
    policy = engine.create_decision(json.dumps(policy_jdm(s)))
    tiers = engine.create_decision(json.dumps(tier_jdm(s)))
    apps = derive_fields(synthetic_applications(400, seed=17)).to_dict("records")
    scores = synthetic_scores(400, seed=18).to_dict("records")
    fields = sorted({c.field for r in s.spec.policy for c in r.when})
    tiered = 0
    for app, sc in zip(apps, scores, strict=True):
        ctx = {f: (None if app.get(f) != app.get(f) else app.get(f)) for f in fields}
        ours = tuple(s.policy_codes[i] for i in s.policy_hits(app))
        assert tuple(x["code"] for x in policy.evaluate(ctx)["result"]) == ours
        record = decide_one(s, app, sc)
        if record.limit is not None and record.grade is not None and record.fraud_band is not None:
            z = tiers.evaluate({"grade": record.grade, "fraud_band": record.fraud_band,
                                "limit": int(record.limit), "disagreement": bool(record.disagreement)})
            assert z["result"]["tier"] == record.tier
            tiered += 1
    assert tiered > 20
