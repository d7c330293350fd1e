"""Capacity planning reads the store's own tier mix and work times, and says what it guessed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from creditfactory.factory import load_process
from creditfactory.services.capacity import observe, store_inputs
from creditfactory.store.tables_case import tasks

from .servicing_seed import seed_loans


def _tasks(engine: sa.Engine, case_ids: list[int]) -> None:
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with engine.begin() as c:
        c.execute(sa.insert(tasks), [{
            "case_id": case, "step": "phone_verification", "station": "phone_verification",
            "role": "verifier", "status": "done", "assignee": "v1", "created_at": start,
            "due_at": start + timedelta(hours=1), "claimed_at": start + timedelta(minutes=5),
            "completed_at": start + timedelta(minutes=5 + 10),
            "outcome": {"verdict": "reject" if i < 5 else "pass"}} for i, case in enumerate(case_ids)])


def test_work_times_and_verdicts_come_from_the_store(migrated_engine: sa.Engine) -> None:
    ids = seed_loans(migrated_engine, [Decimal("100000")] * 25, start=date(2026, 3, 2),
                     book=False)
    _tasks(migrated_engine, ids)
    seen = observe(migrated_engine)
    assert seen.work["phone_verification"] == [10.0] * 25
    assert sum(seen.passed["phone_verification"]) == 20
    assert seen.tiers == ["auto_approve"] * 25

    inputs = store_inputs(load_process(), migrated_engine)
    phone = inputs.service["phone_verification"]
    assert phone.kind == "empirical" and phone.mean == 10.0
    assert inputs.pass_share["phone_verification"] == 0.8
    assert inputs.tier_mix == {"auto_approve": 1.0}
    assert any(n.startswith("online_verification work time: declared default") for n in inputs.notes)
    assert any(n.startswith("bank answer time: declared default") for n in inputs.notes)
    assert not any(n.startswith("phone_verification") or n.startswith("tier mix")
                   for n in inputs.notes)
