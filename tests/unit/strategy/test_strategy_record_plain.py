"""A record's plain document is what its JSON text parses to, and replays to the same record."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pandas as pd

from creditfactory.strategy import DecisionRecord, decide_one, derive_fields, load_strategy
from creditfactory.strategy.synthetic import synthetic_applications, synthetic_scores


def test_plain_document_equals_the_parsed_json_text() -> None:
    strategy = load_strategy("default")
    apps = derive_fields(synthetic_applications(300, seed=11)).to_dict("records")
    scores = synthetic_scores(300, seed=12).to_dict("records")
    for app, sc in zip(apps, scores, strict=True):
        record = decide_one(strategy, app, sc, model_versions={"a_card": "test-1"})
        plain = record.to_plain()
        assert plain == json.loads(record.to_json())
        assert list(plain) == sorted(plain)
        assert DecisionRecord.from_json(json.dumps(plain)) == record


def test_unusual_values_are_tagged_as_in_the_json_text() -> None:
    strategy = load_strategy("default")
    app = derive_fields(synthetic_applications(1, seed=3)).to_dict("records")[0]
    sc = synthetic_scores(1, seed=4).to_dict("records")[0]
    record = replace(
        decide_one(strategy, app, sc, model_versions={}),
        inputs={"nan_value": float("nan"), "np_value": np.float32(0.25), "np_int": np.int64(7),
                "when": pd.Timestamp("2024-03-01T10:00:00"), "nested": {"b": (1, 2), "a": None},
                "money": Decimal("12.50")},
    )
    plain = record.to_plain()
    assert json.dumps(plain, sort_keys=True, ensure_ascii=False) == record.to_json()
    assert plain["inputs"]["nan_value"] == {"$float": "nan"}
    assert plain["inputs"]["when"] == {"$time": "2024-03-01T10:00:00"}
    assert plain["inputs"]["money"] == {"$decimal": "12.50"}
    assert type(plain["inputs"]["np_int"]) is int
