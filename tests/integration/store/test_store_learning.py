"""Learning from the book on the store: the month-end monitoring records the book's early
defaults as known bads, and the live fraud graph reads them, so a later application sharing a
device with an early-defaulted borrower scores higher; the scorecards' performance is kept."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from creditfactory.services.context import ServiceContext
from creditfactory.services.monitoring_store import monitor_store, warning_view
from creditfactory.services.ports import Actor
from creditfactory.services.servicing_book import post_repayment
from creditfactory.services.servicing_close import close_business
from creditfactory.store import UnitOfWork
from creditfactory.store.repo_learning import LearningRepository
from creditfactory.store.types import utcnow

from .servicing_seed import seed_loans, service_context
from .test_store_fraud_graph_source import _assessed, _factory, _restarted, _submit

pytestmark = pytest.mark.slow  # a long file: it starts first (tests/conftest.py)

ctx = pytest.fixture(name="ctx")(service_context)
BANK = Actor("b01-sys", "bank_system", "B01")


def test_early_defaults_become_known_bads_from_the_month_after_they_are_seen(
        ctx: ServiceContext, tmp_path: Path) -> None:
    ids = seed_loans(ctx.engine, [Decimal("120000.00")] * 10, start=date(2026, 1, 10))
    for i in ids[:6]:  # six pay their first instalment, four never pay anything
        post_repayment(ctx, BANK, i, {"reference": f"R{i}", "amount": "12000.00",
                                      "value_date": "2026-02-10"})
    seen = {}
    for month, last in (("2026-01", 31), ("2026-02", 28), ("2026-03", 31), ("2026-04", 30),
                        ("2026-05", 31)):
        close_business(ctx.engine, date(int(month[:4]), int(month[5:]), last))
        monitor_store(ctx.engine, month, tmp_path / month)
        with UnitOfWork(ctx.engine) as uow:
            seen[month] = LearningRepository(uow.conn).known_bads()
    assert seen["2026-04"] == []  # 79 days past due at the end of April: not yet
    bads = seen["2026-05"]
    assert sorted(b["application_id"] for b in bads) == ids[6:]
    assert {b["reason"] for b in bads} == {"early_default"}
    assert {b["known_at"] for b in bads} == {datetime(2026, 6, 1, tzinfo=UTC)}
    monitor_store(ctx.engine, "2026-05", tmp_path / "again")  # a rerun records nothing twice
    with UnitOfWork(ctx.engine) as uow:
        assert len(LearningRepository(uow.conn).known_bads()) == 4


def test_model_performance_is_kept_for_the_warning_page(ctx: ServiceContext,
                                                        tmp_path: Path) -> None:
    ids = seed_loans(ctx.engine, [Decimal("50000.00")] * 6, start=date(2025, 1, 10))
    del ids
    close_business(ctx.engine, date(2025, 1, 31))
    monitor_store(ctx.engine, "2025-01", tmp_path / "m")
    view = warning_view(ctx, Actor("ra", "risk_analyst"))
    assert view["month"] == "2025-01" and view["performance"] == []  # nothing matured yet
    with UnitOfWork(ctx.engine) as uow:
        LearningRepository(uow.conn).replace_performance("2025-01", [{
            "model": "a_card", "window_from": "2024-11", "window_to": "2025-01", "n": 600,
            "bads": 30, "bad_rate": 0.05, "mean_pd": 0.04, "auc": 0.71, "ks": 0.33, "psi": 0.02,
            "calibration_ratio": 1.25, "max_band_gap": 0.03}])
        uow.commit()
    view = warning_view(ctx, Actor("ra", "risk_analyst"))
    assert [(r["model"], r["auc"]) for r in view["performance"]] == [("a_card", 0.71)]


def test_an_application_linked_to_an_early_default_scores_higher_afterwards(
        empty_db_url: str, counterparts: Any, wire: Any, declared: Any) -> None:
    engine, ctx, running, identity, rows = _factory(empty_db_url, 8, 12, counterparts, wire,
                                                    declared)
    for row in rows[6:]:
        row["device_id"] = rows[0]["device_id"]
    try:
        ids = [_submit(ctx, row, f"k-{n}", declared) for n, row in enumerate(rows[:8])]
        restarted, _ = _restarted(ctx, identity)
        earlier, _ = _restarted(ctx, identity)  # the same store read before the book's record
        rows[9]["applied_at"] = max(r["applied_at"] for r in rows) + timedelta(hours=2)
        before = _assessed(earlier, rows[9])
        with UnitOfWork(engine) as uow:  # what the month-end monitoring records
            LearningRepository(uow.conn).add_known_bads([{
                "application_id": ids[0], "loan_id": 1, "reason": "early_default",
                "known_at": rows[9]["applied_at"].replace(tzinfo=UTC) - timedelta(hours=1),
                "recorded_at": utcnow()}])
            uow.commit()
        after = _assessed(restarted, rows[9])
        assert after.fraud_score > before.fraud_score
        assert "BLACKLIST" in after.codes.split(",") and "BLACKLIST" not in before.codes.split(",")
        assert _assessed(ctx, rows[9]).fraud_score == after.fraud_score  # every process
    finally:
        engine.dispose()


def test_a_challenger_on_a_book_too_young_is_refused_and_recorded(ctx: ServiceContext,
                                                                  tmp_path: Path) -> None:
    from creditfactory.services.monitoring_learning import store_challenger

    seed_loans(ctx.engine, [Decimal("80000.00")] * 5, start=date(2026, 1, 10))
    close_business(ctx.engine, date(2026, 1, 31))
    monitor_store(ctx.engine, "2026-01", tmp_path / "m")
    record = store_challenger(ctx.engine, "2026-01", decided_by="test")
    assert not record["promoted"]
    assert "no loan of the book has a matured 12-month outcome" in record["reasons"][0]
    with UnitOfWork(ctx.engine) as uow:
        kept = LearningRepository(uow.conn).promotions()
    assert [(p["id"], p["promoted"], p["decided_by"], p["as_of"]) for p in kept] == [
        (record["id"], False, "test", "2026-01")]
    assert kept[0]["reasons"] == record["reasons"] and kept[0]["rule"]["min_bads"] == 50
    view = warning_view(ctx, Actor("ra", "risk_analyst"))
    assert [p["id"] for p in view["promotions"]] == [record["id"]]


def test_the_book_carries_the_a_card_pd_of_the_latest_decision_not_its_points(
        ctx: ServiceContext) -> None:
    import sqlalchemy as sa

    from creditfactory.store.repo_monitoring import MonitoringRepository
    from creditfactory.store.tables_case import decisions

    ids = seed_loans(ctx.engine, [Decimal("80000.00")] * 2, start=date(2026, 1, 10))
    with UnitOfWork(ctx.engine) as uow:
        for seq, pd_ in ((1, 0.2), (2, 0.031)):
            uow.conn.execute(sa.insert(decisions).values(
                application_id=ids[0], seq=seq, basis="engine", tier="auto_approve",
                limit_amount=Decimal("80000.00"), rate=Decimal("0.18"), product="P",
                score=612.5, record={"scores": {"a_pd": pd_, "a_score": 612.5}},
                created_at=utcnow()))
        uow.commit()
    with UnitOfWork(ctx.engine) as uow:
        book = {r["loan_id"]: r["a_pd"] for r in MonitoringRepository(uow.conn).book()}
    assert book[ids[0]] == pytest.approx(0.031) and book[ids[1]] is None
