"""The opening read of a submission: what it answers, and the row ids it takes on PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from creditfactory.store import UnitOfWork
from creditfactory.store.types import utcnow

TABLES = {"applicants", "applications", "decisions", "cases", "tasks", "bank_submissions"}


@pytest.fixture
def engine(migrated_engine: sa.Engine) -> sa.Engine:
    eng = migrated_engine
    with UnitOfWork(eng) as uow:
        uow.channels.add_branch("SZ01", "Shenzhen", "Futian")
        for channel, status in (("IM-A", "active"), ("IM-S", "suspended")):
            uow.channels.add(channel_id=channel, channel_type="intermediary", branch="SZ01",
                             city="Shenzhen", status=status, deposit=Decimal("0"),
                             onboarded_at=utcnow())
        uow.idempotency.add("am", "used", "h", 201, {"application_id": 1})
        uow.commit()
    return eng


def _opening(engine: sa.Engine, key: str, channel: str):  # type: ignore[no-untyped-def]
    with UnitOfWork(engine, write=False) as uow:
        return uow.intake.opening("am", key, "resident-hash", channel)


def test_a_submission_to_be_written_gets_one_fresh_id_per_table_on_postgresql(
    engine: sa.Engine,
) -> None:
    first = _opening(engine, "new-1", "IM-A")
    second = _opening(engine, "new-2", "IM-A")
    assert first.answered is None and first.channel_status == "active"
    if engine.dialect.name != "postgresql":
        assert first.ids is None and second.ids is None
        return
    assert first.ids is not None and second.ids is not None
    assert set(first.ids) == set(second.ids) == TABLES
    assert all(second.ids[t] > first.ids[t] for t in TABLES)


@pytest.mark.parametrize(("key", "channel"), [("used", "IM-A"), ("new", "IM-S"), ("new", "NONE")])
def test_a_replay_or_a_refused_channel_takes_no_id(
    engine: sa.Engine, key: str, channel: str
) -> None:
    before = _opening(engine, "probe-1", "IM-A").ids
    opening = _opening(engine, key, channel)
    after = _opening(engine, "probe-2", "IM-A").ids
    assert opening.ids is None
    if engine.dialect.name == "postgresql":
        assert before is not None and after is not None
        assert after["applications"] == before["applications"] + 1  # nothing taken between


def test_a_used_key_answers_with_its_stored_response_and_the_known_applicant(
    engine: sa.Engine,
) -> None:
    with UnitOfWork(engine) as uow:
        uow.applications.add_applicant(resident_id_hash="resident-hash", resident_id_masked="1***",
                                       resident_id_enc=b"x", name_masked="L*", created_at=utcnow())
        uow.commit()
    opening = _opening(engine, "used", "IM-S")
    assert opening.answered == {"request_hash": "h", "status_code": 201,
                                "response": {"application_id": 1}}
    assert isinstance(opening.applicant_id, int)
    assert (opening.channel_type, opening.channel_status) == ("intermediary", "suspended")
    assert _opening(engine, "unused", "NONE")[1:4] == (opening.applicant_id, None, None)
