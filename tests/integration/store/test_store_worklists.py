"""A station's work list is one read whatever the page size, with each task's case data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from creditfactory.domain.application import Application
from creditfactory.domain.case import Case
from creditfactory.domain.task import Task
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import CaseNotFound, RoleNotAllowed
from creditfactory.services.ports import Actor
from creditfactory.services.tasks import station_queue
from creditfactory.services.worklists import station_worklist
from creditfactory.store import PersonalDataVault, UnitOfWork, make_engine, upgrade_head
from creditfactory.store.types import utcnow

STATION = "phone_verification"
VERIFIER = Actor("vera", "verifier")


def _queue(uow: UnitOfWork, n: int) -> None:
    """``n`` cases waiting at the station, amounts 100000 + 1000 * i, due in reverse order."""
    now = utcnow()
    uow.channels.add_branch("SZ01", "Shenzhen", "Futian")
    uow.channels.add(channel_id="IM-T", channel_type="intermediary", branch="SZ01",
                     city="Shenzhen", status="active", deposit=Decimal("0"), onboarded_at=now)
    for i in range(n):
        applicant = uow.applications.add_applicant(
            resident_id_hash=f"{i:032d}", resident_id_masked="1101**********1234",
            resident_id_enc="v1:x", name_masked="L*****", created_at=now)
        app_id = uow.applications.add(Application(
            applicant_id=applicant, channel_id="IM-T", branch="SZ01", industry="C",
            amount=Decimal(100000 + 1000 * i), term_months=12, applied_at=now,
            status="in_process", phone_hash="p" * 32, phone_masked="138****0000",
            phone_enc="v1:p", bank_card_hash="b" * 32, bank_card_masked="6222********0001",
            bank_card_enc="v1:b", contact_phones_masked="139****0000", contact_phones_enc="v1:c",
            fields={}, created_by="am", created_at=now))
        tier = "remote_verification" if i % 2 else "field_investigation"
        case_id = uow.cases.add(Case(app_id, tier, STATION, "open", None, False, now, now))
        task = Task.open(case_id, STATION, STATION, "verifier", now, now + timedelta(minutes=n - i))
        if not i % 3:
            task.claim("vera", now)
        uow.cases.add_task(task)
    # a finished task is not on the list
    uow.cases.add_task(Task(case_id, "x", STATION, "verifier", "done", now, now))


@pytest.fixture
def ctx(empty_db_url: str) -> Iterator[ServiceContext]:
    engine = make_engine(empty_db_url)
    upgrade_head(empty_db_url, engine)
    with UnitOfWork(engine) as uow:
        _queue(uow, 60)
        uow.commit()
    yield ServiceContext(engine, PersonalDataVault("k" * 40), None)
    engine.dispose()


def _statements(engine: sa.Engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    return seen


def test_a_page_is_one_read_whatever_its_size(ctx: ServiceContext) -> None:
    seen = _statements(ctx.engine)
    counts = []
    for limit in (1, 10, 50):
        seen.clear()
        assert len(station_worklist(ctx, VERIFIER, STATION, 0, limit)) == limit
        counts.append(len([s for s in seen if s.lstrip().upper().startswith("SELECT")]))
    assert counts == [1, 1, 1]
    assert len(seen) <= 3  # and at most a BEGIN and a ROLLBACK around it


def test_the_list_is_the_queue_with_each_case_tier_and_amount(ctx: ServiceContext) -> None:
    page = station_worklist(ctx, VERIFIER, STATION, 5, 20)
    queue = station_queue(ctx, VERIFIER, STATION, 5, 20)
    assert [{k: v for k, v in t.items() if k not in ("application_id", "tier", "amount")}
            for t in page] == queue
    with ctx.uow(write=False) as uow:
        for task in page:
            case = uow.cases.get(task["case_id"])
            assert case is not None
            app = uow.applications.get(case.application_id)
            assert app is not None
            assert (task["application_id"], task["tier"], task["amount"]) == (
                case.application_id, case.tier, app.amount)
            assert isinstance(task["amount"], Decimal)


def test_the_list_refuses_as_the_queue_does(ctx: ServiceContext) -> None:
    with pytest.raises(RoleNotAllowed):
        station_worklist(ctx, Actor("ivan", "investigator"), STATION, 0, 10)
    with pytest.raises(CaseNotFound):
        station_worklist(ctx, VERIFIER, "nowhere", 0, 10)
    assert station_worklist(ctx, Actor("root", "admin"), STATION, 0, 3)
