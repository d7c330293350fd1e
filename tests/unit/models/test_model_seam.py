"""The per-record model path gives what the vectorised one gives."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from creditfactory.models._tree_code import compile_booster

lgb = pytest.importorskip("lightgbm")


def test_generated_trees_predict_exactly_like_lightgbm_with_missing_values() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((3000, 6))
    x[rng.random(x.shape) < 0.1] = np.nan
    x[:, 2] = np.where(rng.random(3000) < 0.3, 0.0, x[:, 2])
    y = (rng.random(3000) < np.nan_to_num(x[:, 0], nan=0.5) * 0.4).astype(int)
    model = lgb.LGBMClassifier(n_estimators=40, num_leaves=7, verbose=-1, n_jobs=1).fit(x, y)
    predict = compile_booster(model.booster_)
    expected = model.predict_proba(x[:500])[:, 1]
    got = np.array([predict(list(row)) for row in x[:500]])
    assert np.array_equal(expected, got)


def test_card_features_for_one_record_match_the_frame() -> None:
    world = pytest.importorskip("creditfactory.world").generate(1500, months=12, seed=8)
    from creditfactory.models.features import CardFeatures

    features = CardFeatures.fit(world.applications, world.channels)
    frame = features.frame(world.applications)
    encoded = features.encoded(frame).to_numpy(float)
    for i, app in enumerate(world.applications.head(200).to_dict("records")):
        rec = features.record(app)
        for name in frame.columns:
            a, b = frame[name].iloc[i], rec[name]
            if isinstance(a, float) and math.isnan(a):
                assert b is None or (isinstance(b, float) and math.isnan(b)), name
            else:
                assert a == b or (pd.isna(a) and b is None), (name, a, b)
        row = np.array(features.encoded_record(rec))
        assert np.array_equal(row, encoded[i], equal_nan=True)


def test_the_a_card_learns_from_credit_cases_only() -> None:
    world = pytest.importorskip("creditfactory.world").generate(3000, months=18, seed=11)
    from creditfactory.models.features import fraud_like
    from creditfactory.models.training import development_samples

    dev, credit, fraudish = development_samples(world.applications, world.performance, 12)
    assert np.array_equal(fraudish, fraud_like(world.applications, world.performance))
    assert fraudish[dev].any() and not fraudish[credit].any()
    assert np.array_equal(credit, dev & ~fraudish)
    late = world.applications["applied_at"].to_numpy()[~dev]
    assert len(late) and late.min() > world.applications["applied_at"].to_numpy()[dev].max()


def test_the_trained_models_do_not_know_the_bundle_format() -> None:
    import ast
    from pathlib import Path

    import creditfactory.models.training as training

    tree = ast.parse(Path(training.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "creditfactory.models.bundle" not in imported
    assert not any(name.startswith("creditfactory.strategy") for name in imported if name)


def test_a_category_unseen_in_fitting_encodes_as_missing_in_both_paths() -> None:
    import warnings

    world = pytest.importorskip("creditfactory.world").generate(600, months=6, seed=8)
    from creditfactory.models.features import CATEGORICAL, CardFeatures

    features = CardFeatures.fit(world.applications, world.channels)
    frame = features.frame(world.applications.head(5)).copy()
    name = CATEGORICAL[0]
    frame[name] = frame[name].astype(object)
    frame.loc[frame.index[0], name] = "never-seen"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        encoded = features.encoded(frame)
    assert np.isnan(encoded[name].iloc[0]) and not encoded[name].iloc[1:].isna().any()
    rec = frame.iloc[0].to_dict()
    assert np.array_equal(np.array(features.encoded_record(rec)), encoded.iloc[0].to_numpy(float), equal_nan=True)
