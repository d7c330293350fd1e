"""Blacklists kept as data: entries sealed, audited, matched by keyed hash in the live decision,
and the champion/challenger setting read from the active strategy (SQLite and PostgreSQL)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from creditfactory.services.blacklists import StoreBlacklist, add_entry, list_entries, remove_entry
from creditfactory.services.bootstrap import load_decision_ports
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import (
    AlreadyBlacklisted,
    BlacklistEntryNotFound,
    InvalidInput,
    RoleNotAllowed,
)
from creditfactory.services.ports import Actor
from creditfactory.services.setup import setup_service
from creditfactory.services.strategy_setup import clear_challenger, set_challenger
from creditfactory.settings import DEV_SECRET_KEY
from creditfactory.store import PersonalDataVault, make_engine
from creditfactory.store.tables_blacklists import blacklist_entries
from creditfactory.store.tables_case import audit_log
from creditfactory.strategy import load_strategy
from creditfactory.strategy.loader import shipped_text

ANALYST = Actor("rita", "risk_analyst")
ADMIN = Actor("adam", "admin")
MANAGER = Actor("mia", "account_manager")


@pytest.fixture(scope="module")
def world() -> Any:
    from creditfactory.world import generate

    return generate(400, 12, seed=4)


@pytest.fixture
def ctx(empty_db_url: str, world: Any) -> Iterator[ServiceContext]:
    engine = make_engine(empty_db_url)
    context = ServiceContext(engine, PersonalDataVault("k" * 40), None)
    setup_service(context, empty_db_url, "a-long-admin-password", world, train=False)
    yield context
    engine.dispose()


def _port(ctx: ServiceContext) -> Any:
    with ctx.uow(write=False) as uow:
        return load_decision_ports(uow, DEV_SECRET_KEY.encode(), ctx.vault,
                                   StoreBlacklist(ctx.engine, ctx.vault)).strategy


def _app(world: Any, i: int, **overrides: Any) -> dict[str, Any]:
    row = world.applications.iloc[i].to_dict()
    return {**row, "channel_type": "agent_app", "repeat_customer": False, "application_id": 0,
            **overrides}


def test_setup_lists_the_shipped_numbers_once_sealed(ctx: ServiceContext, empty_db_url: str,
                                                     world: Any) -> None:
    setup_service(ctx, empty_db_url, "a-long-admin-password", world, train=False)
    rows, count = list_entries(ctx, ANALYST)
    assert count == 2 and sorted(r["value_masked"] for r in rows) == ["138****0000", "139****0000"]
    with ctx.engine.connect() as c:
        stored = [str(v) for row in c.execute(sa.select(blacklist_entries)) for v in row]
    assert not any("13800000000" in v or "13900000000" in v for v in stored)


def test_entries_are_added_and_removed_by_risk_analysts_and_audited(ctx: ServiceContext,
                                                                    world: Any) -> None:
    resident = world.applications.iloc[5]["resident_id"]
    entry = add_entry(ctx, ANALYST, "resident_id", resident.lower(), "confirmed impersonation")
    assert entry["live"] and entry["added_by"] == "rita" and entry["value_masked"] != resident
    with pytest.raises(AlreadyBlacklisted):
        add_entry(ctx, ANALYST, "resident_id", resident, "again")
    with pytest.raises(InvalidInput) as bad:
        add_entry(ctx, ANALYST, "phone", "12345", "typo")
    assert bad.value.errors[0][0] == "value"
    with pytest.raises(InvalidInput):
        add_entry(ctx, ANALYST, "email", "x@y.z", "no such kind")
    for actor in (ADMIN, MANAGER):
        with pytest.raises(RoleNotAllowed):
            add_entry(ctx, actor, "phone", "13711112222", "not theirs to add")
    assert list_entries(ctx, ADMIN)[1] == 3
    with pytest.raises(RoleNotAllowed):
        list_entries(ctx, MANAGER)
    removed = remove_entry(ctx, ANALYST, entry["id"], "cleared by investigation")
    assert not removed["live"] and removed["removed_by"] == "rita"
    with pytest.raises(BlacklistEntryNotFound):
        remove_entry(ctx, ANALYST, entry["id"], "twice")
    assert list_entries(ctx, ANALYST)[1] == 2
    assert list_entries(ctx, ANALYST, include_removed=True)[1] == 3
    with ctx.engine.connect() as c:
        audits = c.execute(sa.select(audit_log.c.action, audit_log.c.detail)
                           .where(audit_log.c.entity == "blacklist_entry")
                           .order_by(audit_log.c.id)).all()
    assert [a for a, _ in audits][-2:] == ["blacklist.add", "blacklist.remove"]
    assert all(resident not in str(d) for _, d in audits)


def test_the_decision_matches_every_listed_identifier_from_the_moment_it_is_added(
    ctx: ServiceContext, world: Any
) -> None:
    port = _port(ctx)
    listed = port.decide(_app(world, 1, phone="13800000000"), {}).record
    assert "P21_BLACKLIST" in listed["policy_hits"] and listed["tier"] == "reject"
    assert listed["blacklist_hits"] == ["phone"]
    app = _app(world, 2)
    assert "P21_BLACKLIST" not in port.decide(app, {}).record["policy_hits"]
    entry = add_entry(ctx, ANALYST, "device", app["device_id"], "device of a known ring")
    now = port.decide(app, {}).record
    assert "P21_BLACKLIST" in now["policy_hits"] and now["blacklist_hits"] == ["device"]
    remove_entry(ctx, ANALYST, entry["id"], "device reassigned")
    assert "P21_BLACKLIST" not in port.decide(app, {}).record["policy_hits"]


def test_the_challenger_set_on_the_active_strategy_takes_its_share_of_applicants(
    ctx: ServiceContext, world: Any
) -> None:
    with ctx.uow() as uow:
        name = set_challenger(uow, "rita", shipped_text("policy_only"), "shipped:policy_only", 0.4)
        uow.commit()
    challenger = load_strategy("policy_only")
    assert name == f"{challenger.name}@{challenger.version}"
    port = _port(ctx)
    apps = [_app(world, i) for i in range(len(world.applications))]
    records = [port.decide(a, {}).record for a in apps]
    arms = [r["arm"] for r in records]
    n, share = len(arms), arms.count("challenger") / len(arms)
    assert abs(share - 0.4) < 3 * math.sqrt(0.4 * 0.6 / n)
    for r in records:
        assert r["split"]["key"] == "applicant"
        assert r["strategy"] == ("policy_only" if r["arm"] == "challenger" else "default")
    assert [_port(ctx).decide(a, {}).record["arm"] for a in apps[:50]] == arms[:50]
    with ctx.uow() as uow:
        clear_challenger(uow, "rita")
        uow.commit()
    assert {_port(ctx).decide(a, {}).record["arm"] for a in apps[:50]} == {"champion"}


def test_a_server_reads_the_list_again_only_when_it_changed_and_its_interval_passed(
    ctx: ServiceContext, world: Any
) -> None:
    app = _app(world, 3)
    exact = StoreBlacklist(ctx.engine, ctx.vault)
    lazy = StoreBlacklist(ctx.engine, ctx.vault, refresh_every=3600)
    assert exact(app) == lazy(app) == ()
    entry = add_entry(ctx, ANALYST, "bank_card", app["bank_card"], "stolen card")
    assert exact(app) == ("bank_card",)
    assert lazy(app) == ()  # read less than an interval ago
    remove_entry(ctx, ANALYST, entry["id"], "card reissued")
    assert exact(app) == ()
