"""New applicants through the whole factory on SQLite, with the real models and banks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from pathlib import Path
from typing import Any

from creditfactory.models.training import train_lending_models
from creditfactory.services.bootstrap import with_decisions
from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor
from creditfactory.services.sample_run import run_sample
from creditfactory.services.setup import setup_service
from creditfactory.settings import DEV_SECRET_KEY
from creditfactory.store import PersonalDataVault, make_engine
from creditfactory.world import generate
from creditfactory.world.borrowers import SimulatedBorrowers


def test_auto_approved_newcomers_reach_payout_in_seconds_with_no_staff_touch(
        tmp_path: Path, counterparts: Any, wire: Any, declared: Any) -> None:
    world = generate(3_000, 24, seed=7)
    models = train_lending_models(world, key=DEV_SECRET_KEY.encode())
    url = f"sqlite:///{tmp_path / 'factory.db'}"
    engine = make_engine(url)
    try:
        ctx = ServiceContext(engine, PersonalDataVault("k" * 40), None)
        setup_service(ctx, url, "a-long-admin-password", world, models=models)
        borrowers = SimulatedBorrowers(sign_rate=1.0, delay=(0.1, 0.5))
        ctx = replace(with_decisions(ctx, DEV_SECRET_KEY.encode()), borrowers=borrowers)
        outside = generate(1_000, 24, seed=8).applications
        ctx = wire(ctx, counterparts(outside))  # the bureau knows the newcomers' world
        newcomers = outside.tail(40)
        rows = [declared(r, n) for n, r in enumerate(newcomers.to_dict("records"))]
        times = [t.to_pydatetime().replace(tzinfo=UTC) for t in newcomers["applied_at"]]
        run = run_sample(ctx, rows, Actor("am", "account_manager"), wait_seconds=20,
                         borrowers=borrowers, times=times)
    finally:
        engine.dispose()
    assert run.submitted == 40 and not run.errors
    assert run.tiers["auto_approve"] > 0
    assert run.outcome["paid out"] >= 0.8 * run.tiers["auto_approve"]  # banks may decline a few
    assert max(run.seconds_to_payout) < 15
    assert run.outcome["closed (rejected)"] == run.tiers["reject"]
