"""The world matches the seed business within the tolerances its calibration table states."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from creditfactory.data.outcomes import align_outcomes, loan_outcomes
from creditfactory.world import generate
from creditfactory.world.calibration import simple_policy


@pytest.fixture(scope="module")
def calibration() -> dict[str, dict]:
    world = generate(20_000, 36, seed=3, chunk_size=5_000)
    return {row["figure"]: row for row in world.meta["calibration"]}


def test_every_calibration_figure_is_within_its_tolerance(calibration) -> None:
    off = {k: r["value"] for k, r in calibration.items() if not r["ok"]}
    assert off == {}


def test_the_seed_figures_are_where_the_design_puts_them(calibration) -> None:
    assert 225_000 <= calibration["mean amount (CNY)"]["value"] <= 275_000
    assert 0.55 <= calibration["share via the agent app"]["value"] <= 0.68
    assert calibration["cities"]["value"] >= 20
    assert 0.03 <= calibration["simple policy cumulative NPL"]["value"] <= 0.08
    assert calibration["true-PD best 60 % cumulative NPL"]["value"] <= 0.0237


def test_calibration_and_back_tests_share_one_definition_of_npl_and_net_loss() -> None:
    world = generate(4_000, 24, seed=5, chunk_size=1_500)
    rows = {row["figure"]: row["value"] for row in world.meta["calibration"]}
    apps = world.applications
    out = align_outcomes(apps, loan_outcomes(apps, world.performance))
    booked = simple_policy(pa.Table.from_pandas(apps, preserve_index=False))
    amount = apps["amount"].astype(float).to_numpy()[booked].sum()
    npl = out["npl_balance"].to_numpy()[booked].sum() / amount
    loss = out["net_loss"].to_numpy()[booked].sum() / amount
    assert rows["simple policy cumulative NPL"] == pytest.approx(npl, rel=1e-9)
    assert rows["simple policy net loss"] == pytest.approx(loss, rel=1e-9)
    assert 0 < loss < npl
    recovered = out["npl_balance"] - out["recoveries"]
    assert np.allclose(out["net_loss"], recovered.clip(lower=0))
