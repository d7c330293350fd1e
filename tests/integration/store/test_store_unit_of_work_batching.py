"""What a unit of work keeps back until commit, what it answers without asking the database,
and the SQLite writer lock that several server processes share."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from creditfactory.domain.application import Application, RecordedDecision
from creditfactory.store import UnitOfWork, make_engine
from creditfactory.store.engine import write_lock
from creditfactory.store.types import utcnow


@pytest.fixture
def engine(migrated_engine: sa.Engine) -> sa.Engine:
    eng = migrated_engine
    with UnitOfWork(eng) as uow:
        uow.channels.add_branch("SZ01", "Shenzhen", "Futian")
        uow.channels.add(channel_id="IM-T", channel_type="intermediary", branch="SZ01",
                         city="Shenzhen", status="active", deposit=Decimal("0"),
                         onboarded_at=utcnow())
        uow.commit()
    return eng


def _application(uow: UnitOfWork, applied_at: datetime) -> int:
    applicant = uow.applications.add_applicant(
        resident_id_hash="h" * 32, resident_id_masked="1101**********1234",
        resident_id_enc="v1:x", name_masked="L*****", created_at=utcnow())
    return uow.applications.add(Application(
        applicant_id=applicant, channel_id="IM-T", branch="SZ01", industry="C",
        amount=Decimal("123456.7"), term_months=12, applied_at=applied_at, status="in_process",
        phone_hash="p" * 32, phone_masked="138****0000", phone_enc="v1:p",
        bank_card_hash="b" * 32, bank_card_masked="6222********0001", bank_card_enc="v1:b",
        contact_phones_masked="139****0000", contact_phones_enc="v1:c",
        fields={"purpose": "stock", "amount": "123456.70", "n": [1, 2.5, None]},
        created_by="am", created_at=utcnow()))


def test_audit_entries_are_kept_in_order_and_readable_before_commit(engine: sa.Engine) -> None:
    with UnitOfWork(engine) as uow:
        for n in range(5):
            uow.audit.append("tester", f"step.{n}", "case", 7, case_id=7, detail={"n": n})
        assert [r["action"] for r in uow.audit.of_case(7)] == [f"step.{n}" for n in range(5)]
        uow.audit.append("tester", "step.5", "case", 7, case_id=7)
        uow.commit()
    with UnitOfWork(engine, write=False) as uow:
        rows = uow.audit.of_case(7)
    assert [r["action"] for r in rows] == [f"step.{n}" for n in range(6)]
    assert [r["detail"] for r in rows][:2] == [{"n": 0}, {"n": 1}]


def test_an_application_written_in_a_unit_of_work_reads_back_as_the_database_keeps_it(
    engine: sa.Engine,
) -> None:
    applied = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    with UnitOfWork(engine) as uow:
        app_id = _application(uow, applied)
        uow.applications.add_decision(RecordedDecision(
            application_id=app_id, seq=1, basis="application", tier="auto_approve",
            limit_amount=Decimal("100000"), rate=Decimal("0.18"), product="STANDARD",
            score=612.5, record={"reasons": ["A"], "inputs": {"x": 1.25}}, created_at=utcnow()))
        uow.applications.set_status(app_id, "at_bank")
        in_work = uow.applications.get(app_id)
        decisions_in_work = uow.applications.decisions(app_id)
        assert uow.applications.findings(app_id) == []
        uow.commit()
    with UnitOfWork(engine, write=False) as uow:
        stored = uow.applications.get(app_id)
        decisions_stored = uow.applications.decisions(app_id)
    assert in_work is not None and stored is not None
    assert in_work == stored
    assert decisions_in_work == decisions_stored
    assert stored.amount == Decimal("123456.70") and stored.status == "at_bank"
    assert stored.applied_at == applied and stored.applied_at.utcoffset() == timedelta(0)
    assert decisions_stored[0].rate == Decimal("0.180000")


def test_a_finding_in_the_same_unit_of_work_is_read_from_the_database(engine: sa.Engine) -> None:
    with UnitOfWork(engine) as uow:
        app_id = _application(uow, utcnow())
        uow.applications.add_finding(
            application_id=app_id, channel_id="IM-T", step="field_investigation",
            identity_confirmed=False, recorded_by="inv", recorded_at=utcnow())
        assert [f["identity_confirmed"] for f in uow.applications.findings(app_id)] == [False]
        assert uow.applications.get(app_id).status == "in_process"  # type: ignore[union-attr]


_HOLD = """
import sys, time
from creditfactory.store import make_engine
from creditfactory.store.engine import write_lock
with write_lock(make_engine(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_sqlite_writers_in_two_processes_take_turns(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    other = subprocess.Popen([sys.executable, "-c", _HOLD, url, "0.6"], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "held"
        lock = write_lock(make_engine(url))
        assert lock is not None
        t = time.monotonic()
        with lock:
            waited = time.monotonic() - t
        assert waited > 0.2
    finally:
        other.wait(30)
    assert other.returncode == 0
