"""Setup keeps the trained models in the store; the server loads them, never retrains."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from creditfactory.services.bootstrap import load_decision_ports
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import DecisionUnavailable
from creditfactory.services.setup import setup_service
from creditfactory.settings import DEV_SECRET_KEY
from creditfactory.store.tables_models import model_artifacts

pytest.importorskip("lightgbm")


def _no_training(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("the server must not train models")

    monkeypatch.setattr("creditfactory.models.training.train_lending_models", refuse)
    monkeypatch.setattr("creditfactory.services.strategy_setup.train_models", refuse)


def test_the_server_decides_with_the_stored_models_without_retraining(
    trained_ctx: ServiceContext, trained: tuple[Any, Any], empty_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, models = trained
    setup_service(trained_ctx, empty_db_url, "a-long-admin-password", world, models=models)
    with trained_ctx.uow(write=False) as uow:
        meta = uow.strategies.active()["meta"]["models"]
        assert meta["versions"] == models.versions()
        assert uow.models.has(meta["bundle"], meta["digest"])
    with trained_ctx.engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(model_artifacts)).scalar() == 1
    _no_training(monkeypatch)
    with trained_ctx.uow(write=False) as uow:
        ports = load_decision_ports(uow, DEV_SECRET_KEY.encode())
    channels = world.channels.set_index("channel_id")["channel_type"]
    for row in world.applications.tail(20).to_dict("records"):
        app = {**row, "channel_type": channels[row["channel_id"]], "repeat_customer": False}
        record = ports.strategy.decide(app, ports.models.score_record(app)).record
        want = models.score_record(app)
        for name in ("a_score", "challenger_pd", "fraud_score", "packaging_score"):
            assert record["scores"][name] == want[name]
        assert record["versions"]["a_card"] == models.versions()["a_card"]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (sa.delete(model_artifacts), "missing from the store"),
        (sa.update(model_artifacts).values(content=b"PK\x03\x04 not the models"), "corrupt"),
    ],
)
def test_the_server_refuses_to_start_on_missing_or_corrupt_models(
    trained_ctx: ServiceContext, damage: Any, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with trained_ctx.engine.begin() as c:
        c.execute(damage)
    _no_training(monkeypatch)
    with trained_ctx.uow(write=False) as uow, pytest.raises(DecisionUnavailable, match=message):
        load_decision_ports(uow, DEV_SECRET_KEY.encode())
