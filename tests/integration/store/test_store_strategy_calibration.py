"""Setup registers the default strategy with the cut-offs its appetite chose on the training
data, the same the back-test chooses, and the server decides with them."""

from __future__ import annotations

from typing import Any

import pytest

from creditfactory.services.context import ServiceContext
from creditfactory.services.strategy_setup import calibrated_default
from creditfactory.strategy import parse_strategy
from creditfactory.strategy.appetite import calibrate
from creditfactory.strategy.loader import load_strategy

pytest.importorskip("lightgbm")


def test_the_active_strategy_carries_the_appetites_choice(trained_ctx: ServiceContext, trained: tuple[Any, Any]) -> None:
    world, models = trained
    with trained_ctx.uow(write=False) as uow:
        row = uow.strategies.active()
    active = parse_strategy(row["meta"]["text"])
    assert row["meta"]["digest"] == active.digest
    cal = active.spec.calibration
    assert cal is not None and cal.models == models.versions()
    assert cal.window["outcomes_as_of"] == str(models.labels_as_of().date())
    chosen = calibrate(load_strategy("default"), world, models, train_months=12, as_of=models.labels_as_of())
    assert active.source_text == chosen.source_text == calibrated_default(world, models)
    assert [g.max_pd for g in active.spec.grades] == [g.max_pd for g in cal.grades]
    assert active.digest != load_strategy("default").digest
