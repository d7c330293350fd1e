"""The world matches the seed business within the tolerances its calibration table states."""

from __future__ import annotations

import pytest

from creditfactory.world import generate


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
