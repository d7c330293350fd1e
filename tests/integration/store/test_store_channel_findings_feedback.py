"""Findings recorded in the factory feed back into the channel packaging score the live
decisions read, on demand and from the background refresher started with the decisions."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from creditfactory.services.bootstrap import with_decisions
from creditfactory.services.channel_findings import (
    channel_findings,
    refresh_channel_scores,
    start_channel_refresh,
)
from creditfactory.services.context import ServiceContext
from creditfactory.services.intake import submit_application
from creditfactory.services.ports import Actor
from creditfactory.services.setup import setup_service
from creditfactory.settings import DEV_SECRET_KEY
from creditfactory.store import PersonalDataVault, make_engine
from creditfactory.store.types import utcnow
from creditfactory.world import generate

pytest.importorskip("lightgbm")
PER_CHANNEL = 8


def _newcomers() -> Any:
    return generate(600, 24, seed=8).applications


@pytest.fixture(scope="module")
def trained() -> tuple[Any, Any]:
    from creditfactory.models.training import train_lending_models

    world = generate(4_000, 24, seed=7)
    return world, train_lending_models(world, key=DEV_SECRET_KEY.encode())


@pytest.fixture
def factory(empty_db_url: str, trained: tuple[Any, Any], counterparts: Any,
            wire: Any) -> Iterator[ServiceContext]:
    """A factory set up on the trained world, deciding with the stored models, its bureau
    the newcomers' world."""
    world, models = trained
    engine = make_engine(empty_db_url)
    try:
        ctx = ServiceContext(engine, PersonalDataVault("k" * 40), None)
        setup_service(ctx, empty_db_url, "a-long-admin-password", world,
                      models=models)
        yield wire(with_decisions(ctx, DEV_SECRET_KEY.encode()), counterparts(_newcomers()))
    finally:
        engine.dispose()


def _submit(ctx: ServiceContext, channels: list[str],
            declared: Any) -> dict[str, list[tuple[int, Decimal]]]:
    rows = _newcomers()
    out: dict[str, list[tuple[int, Decimal]]] = {c: [] for c in channels}
    for n, raw in enumerate(rows.head(PER_CHANNEL * len(channels)).to_dict("records")):
        channel = channels[n % len(channels)]
        app = declared({**raw, "channel_id": channel}, n)
        code, body, _ = submit_application(ctx, Actor("am", "account_manager"), app, f"k-{n}")
        assert code in (200, 201), body
        out[channel].append((int(body["application_id"]),
                             Decimal(str(app["declared_monthly_revenue"]))))
    return out


def _record(ctx: ServiceContext, apps: dict[str, list[tuple[int, Decimal]]], bad: str) -> None:
    with ctx.uow() as uow:
        for channel, ids in apps.items():
            for app_id, declared in ids:
                packaged = channel == bad
                uow.applications.add_finding(
                    application_id=app_id, channel_id=channel, step="remote_verification",
                    identity_confirmed=True, business_real=not packaged,
                    verified_monthly_revenue=declared / 2 if packaged else declared,
                    recorded_by="verifier", recorded_at=utcnow())
        uow.commit()


def test_overstated_revenue_and_unreal_business_raise_the_channels_packaging_score(
        factory: ServiceContext, declared: Any) -> None:
    ctx = factory
    before = refresh_channel_scores(ctx)
    assert before is not None
    channels = sorted(before, key=before.__getitem__)[10:14]
    bad = channels[1]
    _record(ctx, _submit(ctx, channels, declared), bad)
    with ctx.uow(write=False) as uow:
        found = channel_findings(uow)
    assert len(found) == PER_CHANNEL * len(channels)
    by_channel = found.groupby("channel_id")[["revenue_overstated", "business_not_real"]].mean()
    assert (by_channel.loc[bad] == 1).all() and (by_channel.drop(bad) == 0).all().all()
    assert found["identity_not_confirmed"].eq(0).all()

    after = refresh_channel_scores(ctx)
    assert after is not None
    assert after[bad] > before[bad]
    assert all(after[c] <= before[c] for c in channels if c != bad)
    assert all(0 <= s <= 1 for s in after.values())
    assert ctx.models is not None
    decision_scores = ctx.models.score_record({"channel_id": bad})
    assert decision_scores["packaging_score"] == after[bad]


def test_the_background_refresher_picks_up_new_findings(factory: ServiceContext,
                                                        declared: Any) -> None:
    ctx = factory
    provider: Any = ctx.packaging
    before = dict(provider.packaging)
    channels = sorted(before, key=before.__getitem__)[10:13]
    bad = channels[0]
    refresher = start_channel_refresh(ctx, interval=0.05)
    assert refresher is not None
    try:
        _record(ctx, _submit(ctx, channels, declared), bad)
        deadline = time.monotonic() + 20
        while provider.packaging[bad] <= before[bad] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        refresher.stop()
    assert provider.packaging[bad] > before[bad]
