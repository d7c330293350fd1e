"""The played world's closes assign the night's collections work: after months of a book, a
collector of the busiest team finds a populated queue, and every closed day was assigned once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from creditfactory.cli._demo_accounts import DEMO_ACCOUNTS, demo_accounts
from creditfactory.cli._play_platform import BusinessClock, ServicePlatform, play_on_store
from creditfactory.cli.collections import COLLECTOR, demo_queue
from creditfactory.data import load
from creditfactory.services.collections_work import queue_view
from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor
from creditfactory.services.setup import setup_service
from creditfactory.store import PersonalDataVault, make_engine
from creditfactory.world import WorldConfig, write_world
from creditfactory.world.play import PlayConfig

from .test_world_play import AutoApprove

pytestmark = pytest.mark.slow  # a long file: it starts first (tests/conftest.py)


def test_the_played_closes_assign_each_night_and_the_demo_collector_has_a_queue(
        empty_db_url: str, tmp_path: Path) -> None:
    world_dir = tmp_path / "world"
    write_world(WorldConfig(600, 8, 4), world_dir)
    engine = make_engine(empty_db_url)
    ctx: Any = ServiceContext(engine, PersonalDataVault("k" * 40), None)
    try:
        setup_service(ctx, empty_db_url, "a-long-admin-password", load(world_dir), train=False)
        lines = demo_accounts(ctx, tmp_path)
        assert [line.split("`")[1] for line in lines] == [a[0] for a in DEMO_ACCOUNTS]
        assert (tmp_path / "collector-password.txt").stat().st_mode & 0o077 == 0
        ctx = replace(ctx, strategy=AutoApprove())
        done = play_on_store(ctx, world_dir, PlayConfig(months=5, per_month=30, seed=3),
                             tmp_path / "files")
        with engine.connect() as c:
            runs = c.execute(sa.text("SELECT count(*), count(DISTINCT business_date), "
                                     "max(business_date) FROM collections_runs")).one()
            delinquent = c.execute(sa.text("SELECT count(*) FROM loan_accounts WHERE "
                                           "status = 'active' AND dpd > 0")).scalar()
        assert runs[0] == runs[1] == done.days
        assert str(runs[2])[:10] == done.last_day.isoformat()
        assert delinquent > 0, "the played book has no delinquent loan to collect"
        line = demo_queue(ctx)
        mine = queue_view(ctx, Actor(COLLECTOR, "collector"))
        assert mine["count"] > 0 and mine["business_date"] == done.last_day.isoformat(), line
        assert line.endswith("scored by the bucket rule (no C-card kept yet)")  # no month-end refit here
        with engine.connect() as c:
            entries = c.execute(sa.text("SELECT count(*) FROM collections_entries")).scalar()
        # a month-end's refit on a book with too few matured entries keeps no card and stops nothing
        ServicePlatform(ctx, BusinessClock(), None, tmp_path)._refit_collections_models()
        with engine.connect() as c:
            kept = c.execute(sa.text("SELECT count(*) FROM model_artifacts WHERE name = "
                                     "'collections-ccard'")).scalar()
        assert 0 < entries < 50 and kept == 0
    finally:
        engine.dispose()
