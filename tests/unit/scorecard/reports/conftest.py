"""A small hand-made card (two characteristics) for the report tests; no binner needed."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from creditfactory.scorecard import FeatureBinning


def _binning(name: str, kind: str, column: pd.Series, y: np.ndarray, **layout) -> FeatureBinning:
    probe = FeatureBinning.from_counts(
        name, kind, count=np.zeros(_n_bins(kind, layout)), n_event=np.zeros(_n_bins(kind, layout)),
        **layout,
    )
    idx = probe.bin_index(column)
    count = np.bincount(idx, minlength=probe.n_bins)
    n_event = np.bincount(idx, weights=y, minlength=probe.n_bins).astype(np.int64)
    return FeatureBinning.from_counts(name, kind, count=count, n_event=n_event, **layout)


def _n_bins(kind: str, layout: dict) -> int:
    regular = len(layout.get("splits", ())) + 1 if kind == "numeric" else len(layout["categories"])
    return regular + len(layout.get("special_values", ())) + 1


def make_sample(n: int, seed: int, shift: float = 0.0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    income = rng.normal(shift, 1.0, n)
    income[rng.random(n) < 0.03] = np.nan
    region = rng.choice(["north", "south", "<east>"], n, p=[0.5, 0.3, 0.2])
    logit = -1.5 - 0.9 * np.nan_to_num(income) + np.where(region == "south", 0.6, 0.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return pd.DataFrame({"income": income, "region": region}), y


def make_card(data: pd.DataFrame, y: np.ndarray) -> tuple[list[FeatureBinning], dict, np.ndarray]:
    """Binnings, points per bin (30 + 20·WoE) and the score of every row of ``data``."""
    binnings = [
        _binning("income", "numeric", data["income"], y, splits=(-1.0, 0.0, 1.0)),
        _binning("region", "categorical", data["region"], y,
                 categories=(("north",), ("south",), ("<east>",))),
    ]
    points = {b.name: 30.0 + 20.0 * b.woe for b in binnings}
    score = sum(points[b.name][b.bin_index(data[b.name])] for b in binnings)
    return binnings, points, np.asarray(score, dtype=np.float64)


@pytest.fixture(scope="session")
def card_kit() -> SimpleNamespace:
    """``make_sample(n, seed, shift)`` and ``make_card(data, y)``."""
    return SimpleNamespace(make_sample=make_sample, make_card=make_card)
