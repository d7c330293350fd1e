"""The packaging score the strategy reads comes from the fraud package's channel scorecard,
survives the model bundle, and verification findings re-score the channels."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pytest

from creditfactory.settings import DEV_SECRET_KEY

pytest.importorskip("lightgbm")


@pytest.fixture(scope="module")
def trained() -> tuple[Any, Any]:
    from creditfactory.models.training import train_lending_models
    from creditfactory.world import generate

    world = generate(4000, months=24, seed=7)
    return world, train_lending_models(world, key=DEV_SECRET_KEY.encode())


def _findings(channels: list[str], bad: str, per_channel: int = 12) -> pd.DataFrame:
    rows = []
    for c in channels:
        adverse = 1.0 if c == bad else 0.0
        rows += [{"channel_id": c, "revenue_overstated": adverse, "business_not_real": adverse,
                  "identity_not_confirmed": 0.0}] * per_channel
    return pd.DataFrame(rows)


def test_packaging_scores_are_card_ranks_in_0_1_with_the_card_in_the_versions(
        trained: tuple[Any, Any]) -> None:
    world, models = trained
    cm = models.channel_model
    assert cm is not None and cm.card is not None
    assert models.versions()["packaging"].startswith("fraud.channels-scorecard-rank/")
    scores = pd.Series(models.packaging)
    assert scores.between(0, 1).all() and 0 <= models.packaging_default <= 1
    dev_channels = set(cm.features.index)
    assert set(scores.index) == dev_channels
    rates = pd.Series(cm.ranks)
    assert scores.nunique() > 1 and rates.is_monotonic_increasing
    worst = cm.features["early_default"].idxmax()
    assert scores[worst] > scores.median()


def test_loaded_models_keep_the_channel_card_and_rescore_identically(
        trained: tuple[Any, Any]) -> None:
    from creditfactory.models.bundle import read_models, save_models

    world, models = trained
    buf = io.BytesIO()
    save_models(models, buf)
    loaded = read_models(buf.getvalue(), DEV_SECRET_KEY.encode())
    assert loaded.packaging == models.packaging
    assert loaded.packaging_default == models.packaging_default
    channels = sorted(models.packaging)[:6]
    found = _findings(channels, channels[0])
    assert loaded.channel_model.lookup(found) == models.channel_model.lookup(found)


def test_adverse_findings_raise_a_channels_packaging_score(trained: tuple[Any, Any]) -> None:
    _, models = trained
    before = dict(models.packaging)
    channels = sorted(before, key=before.__getitem__)[:8]
    bad = channels[3]
    after = models.channel_model.lookup(_findings(channels, bad))[0]
    assert after[bad] > before[bad]
    assert all(after[c] <= before[c] for c in channels if c != bad)
    untouched = [c for c in before if c not in channels]
    assert all(after[c] == before[c] for c in untouched)
    few = models.channel_model.lookup(_findings(channels, bad, per_channel=1))[0]
    assert before[bad] < few[bad] < after[bad] or few[bad] == after[bad] == 1.0
    assert np.isfinite(list(after.values())).all()
