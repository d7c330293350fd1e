"""The channel scorecard: point-in-time channel features, outcome labels known by the cut-off,
a trained packaging score with evidence, and verification findings as an optional feature."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditfactory.fraud.labels import NEVER
from creditfactory.fraud.packaging import (
    MONTH,
    ChannelFrame,
    channel_features,
    fit_and_score,
    training_rows,
)

T0 = 1_600_000_000
MONTHS = 36
CHANNELS = 40
PACKAGERS = ("AG3", "AG17")


def world(seed: int = 0, n: int = 24_000) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Applications over three years through 40 agents, two of which package: revenue just
    over a round threshold, the maximum amount, one template -- and three times the early
    defaults, known four months after applying."""
    rng = np.random.default_rng(seed)
    t = np.sort(rng.integers(T0, T0 + MONTHS * MONTH, n))
    channel = rng.choice([f"AG{i}" for i in range(CHANNELS)], n)
    apps = pd.DataFrame({
        "channel_id": channel,
        "declared_monthly_revenue": rng.uniform(20_000, 400_000, n).round(-2),
        "purpose": rng.choice(["stock", "rent", "equipment", "wages"], n),
        "premises": rng.choice(["shop", "office", "market"], n),
        "employees": rng.integers(1, 20, n),
        "amount": rng.choice(np.arange(100_000, 500_001, 10_000), n).astype(float),
    })
    pack = np.isin(channel, PACKAGERS) & (rng.random(n) < 0.8)
    apps.loc[pack, "declared_monthly_revenue"] = 200_000 + rng.integers(0, 50, pack.sum()) * 100
    for column, value in (("purpose", "stock"), ("premises", "shop"), ("employees", 5),
                          ("amount", 500_000.0)):
        apps[column] = apps[column].where(~pack, value)
    defaulted = rng.random(n) < np.where(pack, 0.12, 0.03)
    bad_time = np.where(defaulted, t + 4 * MONTH, NEVER)
    return apps, t, bad_time


def frame(apps: pd.DataFrame, t: np.ndarray, bad_time: np.ndarray,
          findings: pd.DataFrame | None = None) -> ChannelFrame:
    n = len(apps)
    return ChannelFrame.from_applications(apps, t, bad_time, np.zeros(n, bool),
                                          np.zeros(n, bool), findings)


def test_packaging_agents_score_highest_flagged_with_their_signs() -> None:
    apps, t, bad = world()
    cut = T0 + 24 * MONTH
    out, card, summary = fit_and_score(frame(apps, t, bad), cut, int(t.max()) + 1)
    assert card is not None and summary["channel_training_bads"] > 0
    top = out.sort_values("packaging_score", ascending=False)
    assert set(top["channel_id"].iloc[:2]) == set(PACKAGERS)
    watched = set(out.loc[out["flagged"], "channel_id"])
    assert set(PACKAGERS) <= watched
    worst = out["packaging_score"] >= np.quantile(out["packaging_score"], 0.9)
    assert watched == set(out.loc[worst, "channel_id"])
    assert out["packaging_score"].between(0, 1).all()
    for evidence in out.loc[out["channel_id"].isin(PACKAGERS), "evidence"]:
        signs = {line.split(":")[0] for line in evidence}
        assert signs and signs <= {"revenue_bunching", "template", "amount_at_max",
                                   "early_default"}


def test_channel_features_use_only_what_came_before_the_date() -> None:
    apps, t, bad = world(1, 6_000)
    as_of = T0 + 12 * MONTH
    before, _ = channel_features(frame(apps, t, bad), as_of)
    later = t >= as_of
    changed = apps.copy()
    changed.loc[later, "amount"] = 500_000.0
    changed.loc[later, "declared_monthly_revenue"] = 100_000.0
    bad2 = np.where(later, t, bad)
    after, _ = channel_features(frame(changed, t, bad2), as_of)
    pd.testing.assert_frame_equal(before, after)


def test_early_defaults_count_only_when_known_by_the_date() -> None:
    apps, t, _ = world(2, 6_000)
    as_of = T0 + 20 * MONTH
    known_late = np.full(len(t), as_of + 1)
    feats, base = channel_features(frame(apps, t, known_late), as_of)
    assert base["early_default"] == 0.0
    assert (feats["early_default_share"] == 0).all()


def test_training_labels_are_outcomes_known_by_the_cut_off() -> None:
    apps, t, _ = world(3, 6_000)
    cut = T0 + 24 * MONTH
    after_cut = np.full(len(t), cut)
    _, y = training_rows(frame(apps, t, after_cut), cut)
    assert len(y) > 0 and not y.any()
    out, card, _ = fit_and_score(frame(apps, t, after_cut), cut, int(t.max()) + 1)
    assert card is None and not out["flagged"].any()
    assert (out["evidence"].map(len) == 0).all()


def test_findings_are_neutral_when_absent_and_learnt_when_present() -> None:
    apps, t, bad = world(4)
    plain = frame(apps, t, bad)
    assert "revenue_overstated" not in plain.feature_names()
    rng = np.random.default_rng(4)
    n = len(apps)
    looked = rng.random(n) < 0.5
    overstated = np.where(np.isin(apps["channel_id"], PACKAGERS), rng.random(n) < 0.6,
                          rng.random(n) < 0.05)
    findings = pd.DataFrame({"revenue_overstated": np.where(looked, overstated, np.nan)})
    with_findings = frame(apps, t, bad, findings)
    assert "revenue_overstated" in with_findings.feature_names()
    feats, base = channel_features(with_findings, int(t.max()) + 1)
    assert feats.loc[list(PACKAGERS), "revenue_overstated"].min() > 3 * base[
        "revenue_overstated"]
    silent = pd.DataFrame({"revenue_overstated": np.full(n, np.nan)})
    assert "revenue_overstated" not in frame(apps, t, bad, silent).feature_names()


def test_findings_must_align_with_the_applications() -> None:
    apps, t, bad = world(5, 1_000)
    with pytest.raises(ValueError, match="findings"):
        frame(apps, t, bad, pd.DataFrame({"revenue_overstated": [1.0]}))
