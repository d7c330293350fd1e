"""The intake pre-screen reads the active strategy's admission rules from the store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from creditfactory.services.bootstrap import store_context
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import RoleNotAllowed
from creditfactory.services.ports import Actor
from creditfactory.services.prescreen import prescreen
from creditfactory.services.setup import setup_service
from creditfactory.settings import load_settings

MANAGER = Actor("am", "account_manager")
DECLARED = {"age": 35, "years_in_city": 5, "amount": "300000", "term_months": 24, "years_in_business": 4,
            "declared_monthly_revenue": "90000", "industry": "F52", "resident_id": "x"}


@pytest.fixture
def ctx(empty_db_url: str, small_world_for_setup: object) -> Iterator[ServiceContext]:
    context = store_context(load_settings(db_url=empty_db_url, env="test"))
    setup_service(context, empty_db_url, "a-long-password", small_world_for_setup, train=False)
    yield context
    context.engine.dispose()


@pytest.fixture(scope="module")
def small_world_for_setup() -> object:
    from creditfactory.world import generate

    return generate(200, 12, 5)


def test_declared_fields_pass_or_fail_and_bureau_rules_wait_for_the_report(ctx: ServiceContext) -> None:
    screen = prescreen(ctx, MANAGER, DECLARED)
    outcome = {r["code"]: r["outcome"] for r in screen["rules"]}
    assert screen["fails"] == []
    assert outcome["P14_AMOUNT_LOW"] == "passes" and outcome["P07_SEVERE_DPD"] == "after_bureau"
    assert outcome["P21_BLACKLIST"] == "at_submission"
    screen = prescreen(ctx, MANAGER, {**DECLARED, "amount": "90,000", "industry": "K70", "age": "61"})
    assert screen["fails"] == ["P02_AGE_MAX", "P13_EXCLUDED_INDUSTRY", "P14_AMOUNT_LOW"]
    missing = {k: v for k, v in DECLARED.items() if k != "declared_monthly_revenue"}
    assert "P19_LOW_REVENUE" in prescreen(ctx, MANAGER, {**missing, "declared_monthly_revenue": ""})["fails"]
    assert screen["limit"] == (100000, 500000)


def test_only_the_intake_roles_pre_screen(ctx: ServiceContext) -> None:
    with pytest.raises(RoleNotAllowed):
        prescreen(ctx, Actor("v", "verifier"), DECLARED)
    with ctx.engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM strategies WHERE active")).scalar_one() == 1
