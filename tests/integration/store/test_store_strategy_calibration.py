"""Setup registers the default strategy with the cut-offs its appetite chose on the training
data, the same the back-test chooses, and the server decides with them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from creditfactory.services.context import ServiceContext
from creditfactory.services.setup import setup_service
from creditfactory.services.strategy_setup import calibrated_default
from creditfactory.settings import DEV_SECRET_KEY
from creditfactory.store import PersonalDataVault, make_engine
from creditfactory.strategy import parse_strategy
from creditfactory.strategy.appetite import calibrate
from creditfactory.strategy.loader import load_strategy

pytest.importorskip("lightgbm")


@pytest.fixture(scope="module")
def trained() -> tuple[Any, Any]:
    from creditfactory.models.training import train_lending_models
    from creditfactory.world import generate

    world = generate(2000, months=18, seed=3)
    return world, train_lending_models(world, key=DEV_SECRET_KEY.encode())


@pytest.fixture
def ctx(empty_db_url: str, trained: tuple[Any, Any]) -> Iterator[ServiceContext]:
    world, models = trained
    engine = make_engine(empty_db_url)
    context = ServiceContext(engine, PersonalDataVault("k" * 40), None)
    setup_service(context, empty_db_url, "a-long-admin-password", world, models=models)
    yield context
    engine.dispose()


def test_the_active_strategy_carries_the_appetites_choice(ctx: ServiceContext, trained: tuple[Any, Any]) -> None:
    world, models = trained
    with ctx.uow(write=False) as uow:
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
