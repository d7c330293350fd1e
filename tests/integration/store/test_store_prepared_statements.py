"""Hot-path statements run straight on the driver: same stored values, same errors, one commit."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditfactory.store import UnitOfWork
from creditfactory.store.prepared import Prepared, next_id, use_ids
from creditfactory.store.tables_case import audit_log, decisions, idempotency_keys
from creditfactory.store.types import utcnow


@pytest.fixture
def engine(migrated_engine: sa.Engine) -> sa.Engine:
    return migrated_engine


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=5)
_ROWS = st.fixed_dictionaries({
    "at": st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1),
                       timezones=st.sampled_from([UTC, timezone(timedelta(hours=8))])),
    "detail": st.dictionaries(_TEXT, st.one_of(st.none(), st.integers(-10**9, 10**9), _TEXT),
                              max_size=3),
})


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=_ROWS)
def test_a_prepared_insert_stores_what_sqlalchemy_would(engine: sa.Engine, row: dict) -> None:  # type: ignore[type-arg]
    values = {"actor": "am", "action": "thing.done", "entity": "thing", "entity_id": "1",
              "case_id": None, "detail": row["detail"], "at": row["at"]}
    with UnitOfWork(engine) as uow:
        Prepared(sa.insert(audit_log)).execute(uow.conn, values)
        uow.conn.execute(sa.insert(audit_log), values)
        uow.commit()
    with engine.connect() as c:
        got = c.execute(sa.select(audit_log.c.detail, audit_log.c.at)
                        .order_by(audit_log.c.id.desc()).limit(2)).all()
    assert got[0] == got[1]
    assert got[0].detail == row["detail"] and got[0].at == row["at"]


def test_a_prepared_insert_and_a_returned_id(engine: sa.Engine) -> None:
    ins = Prepared(sa.insert(idempotency_keys))
    with UnitOfWork(engine) as uow:
        ins.execute(uow.conn, {"scope": "am", "key": "k1", "request_hash": "h", "status_code": 201,
                               "response": {"limit": "250000.00"}, "created_at": utcnow()})
        uow.commit()
    with UnitOfWork(engine, write=False) as uow:
        assert uow.idempotency.get("am", "k1")["response"] == {"limit": "250000.00"}  # type: ignore[index]
    add = Prepared(sa.insert(decisions).returning(decisions.c.id))
    with UnitOfWork(engine) as uow:
        with pytest.raises(sa.exc.IntegrityError):  # no such application: the foreign key
            add.scalar(uow.conn, {"application_id": 999, "seq": 1, "basis": "application",
                                  "tier": "reject", "limit_amount": Decimal("0.00"),
                                  "rate": Decimal("0.2"), "product": "none", "score": None,
                                  "record": {}, "created_at": utcnow()})


def test_a_duplicate_key_raises_sqlalchemys_integrity_error_and_keeps_nothing(
    engine: sa.Engine,
) -> None:
    with UnitOfWork(engine) as uow:
        uow.idempotency.add("am", "dup", "h", 201, {"n": 1})
        uow.commit()
    with pytest.raises(sa.exc.IntegrityError):
        with UnitOfWork(engine) as uow:
            uow.audit.append("am", "should.vanish", "thing", 9)
            uow.idempotency.add("am", "dup", "h2", 201, {"n": 2})
            uow.commit()
    with pytest.raises(sa.exc.IntegrityError):
        with UnitOfWork(engine) as uow:
            Prepared(sa.insert(idempotency_keys)).execute(
                uow.conn, {"scope": "am", "key": "dup", "request_hash": "h3", "status_code": 201,
                           "response": {}, "created_at": utcnow()})
            uow.commit()
    with UnitOfWork(engine, write=False) as uow:
        assert uow.idempotency.get("am", "dup")["request_hash"] == "h"  # type: ignore[index]
        assert uow.audit.of_entity("thing", 9) == []
    with UnitOfWork(engine) as uow:  # the pool's connections are still good
        uow.idempotency.add("am", "after", "h", 201, {})
        uow.commit()
    with UnitOfWork(engine, write=False) as uow:
        assert uow.idempotency.get("am", "after") is not None


def test_a_response_recorded_in_a_unit_of_work_is_readable_in_it_before_commit(
    engine: sa.Engine,
) -> None:
    with UnitOfWork(engine) as uow:
        uow.idempotency.add("am", "k", "h", 201, {"a": 1})
        assert uow.idempotency.get("am", "k")["response"] == {"a": 1}  # type: ignore[index]


def test_a_read_after_queued_writes_sees_them_and_raises_their_errors(engine: sa.Engine) -> None:
    """On PostgreSQL writes are queued (pipeline mode); a read must first send them."""
    add = Prepared(sa.insert(idempotency_keys))
    row = {"scope": "am", "request_hash": "h", "status_code": 201, "response": {},
           "created_at": utcnow()}
    with UnitOfWork(engine) as uow:
        add.execute(uow.conn, {**row, "key": "a"})
        add.execute(uow.conn, {**row, "key": "b"})
        n = uow.conn.execute(sa.select(sa.func.count()).select_from(idempotency_keys)).scalar()
        assert n == 2
        with pytest.raises(sa.exc.IntegrityError):  # SQLite at once, PostgreSQL at the read
            add.execute(uow.conn, {**row, "key": "a"})
            uow.conn.execute(sa.select(idempotency_keys.c.key)).all()
    with UnitOfWork(engine, write=False) as uow:
        assert uow.idempotency.get("am", "a") is None  # rolled back with the failed transaction
    with UnitOfWork(engine) as uow:
        add.execute(uow.conn, {**row, "key": "c"})  # queued, then dropped: never committed
    with UnitOfWork(engine, write=False) as uow:
        assert uow.idempotency.get("am", "c") is None


def _audit_row(action: str) -> dict[str, object]:
    return {"actor": "am", "action": action, "entity": "thing", "entity_id": "1",
            "case_id": None, "detail": {}, "at": utcnow()}


def _taken_id(uow: UnitOfWork) -> int:
    """An audit_log id taken from its sequence (PostgreSQL), or one no insert would return."""
    if uow.conn.dialect.name == "postgresql":
        return int(uow.conn.execute(sa.select(next_id(audit_log))).scalar_one())
    return 10**9


def test_an_insert_takes_the_id_handed_to_its_table_on_postgresql(engine: sa.Engine) -> None:
    add = Prepared(sa.insert(audit_log).returning(audit_log.c.id))
    postgres = engine.dialect.name == "postgresql"
    with UnitOfWork(engine) as uow:
        taken = _taken_id(uow)
        use_ids(uow.conn, {"audit_log": taken})
        first = add.scalar(uow.conn, _audit_row("first"))
        second = add.scalar(uow.conn, _audit_row("second"))  # nothing handed in: RETURNING
        uow.commit()
    if postgres:
        assert first == taken and second == first + 1
    else:
        assert first != taken  # SQLite: ids are not handed in
    with engine.connect() as c:
        stored: dict[str, int] = dict(c.execute(sa.select(audit_log.c.action, audit_log.c.id)).all())
    assert stored == {"first": first, "second": second}


def test_an_id_handed_to_a_rolled_back_transaction_is_not_taken_later(
    engine: sa.Engine,
) -> None:
    add = Prepared(sa.insert(audit_log).returning(audit_log.c.id))
    with UnitOfWork(engine) as uow:
        abandoned = _taken_id(uow)
        use_ids(uow.conn, {"audit_log": abandoned})
        add.scalar(uow.conn, _audit_row("abandoned"))
    with UnitOfWork(engine) as uow:  # the same pooled connection, a new transaction
        kept = add.scalar(uow.conn, _audit_row("kept"))
        uow.commit()
    with engine.connect() as c:
        stored: dict[str, int] = dict(c.execute(sa.select(audit_log.c.action, audit_log.c.id)).all())
    assert stored == {"kept": kept}
    if engine.dialect.name == "postgresql":
        assert kept > abandoned


def _write(engine: sa.Engine, key: str) -> None:
    with UnitOfWork(engine) as uow:
        uow.audit.append("am", "thing.done", "thing", key)
        uow.idempotency.add("am", key, "h", 201, {"key": key})
        uow.commit()


def _the_driver_has_named_statements(engine: sa.Engine) -> None:
    """Run one read often enough on the (single, reused) connection that the driver names it
    on the server: its rollbacks are then followed by a ``DEALLOCATE ALL``."""
    for _ in range(8):
        with UnitOfWork(engine, write=False) as uow:
            uow.idempotency.get("am", "none")


@pytest.mark.parametrize("what_drops_them", ["failed commit", "rolled back", "DEALLOCATE ALL"])
def test_writes_go_on_after_the_server_drops_every_named_statement(
    engine: sa.Engine, what_drops_them: str
) -> None:
    """Queued writes name their statements on the server once per connection; whatever makes
    the server drop them must make the next writes name them again, not fail."""
    if what_drops_them == "DEALLOCATE ALL" and engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL statement")
    _write(engine, "first")  # names the writes' statements
    _the_driver_has_named_statements(engine)
    if what_drops_them == "failed commit":
        with pytest.raises(sa.exc.IntegrityError):
            _write(engine, "first")
    elif what_drops_them == "rolled back":
        with pytest.raises(sa.exc.IntegrityError), UnitOfWork(engine) as uow:
            uow.audit.append("am", "thing.done", "thing", "x")
            Prepared(sa.insert(idempotency_keys)).execute(
                uow.conn, {"scope": "am", "key": "first", "request_hash": "h",
                           "status_code": 201, "response": {}, "created_at": utcnow()})
            uow.conn.execute(sa.select(idempotency_keys.c.key)).all()  # the duplicate, raised
    else:
        with engine.connect() as c:
            c.exec_driver_sql("DEALLOCATE ALL")
    _write(engine, "second")
    _write(engine, "third")
    with UnitOfWork(engine, write=False) as uow:
        kept = [uow.idempotency.get("am", k) for k in ("first", "second", "third")]
        assert [row["response"] for row in kept] == [  # type: ignore[index]
            {"key": "first"}, {"key": "second"}, {"key": "third"}]
        assert len(uow.audit.of_entity("thing", "second")) == 1


def test_statements_dropped_unseen_fail_one_write_and_are_named_again(engine: sa.Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("named statements are PostgreSQL's")
    _write(engine, "first")
    with engine.connect() as c:  # behind the driver's back: nothing hears of it
        c.connection.dbapi_connection.pgconn.exec_(b"DEALLOCATE ALL")  # type: ignore[union-attr]
    with pytest.raises(sa.exc.DBAPIError, match="does not exist"):
        _write(engine, "lost")
    _write(engine, "second")
    with UnitOfWork(engine, write=False) as uow:
        assert uow.idempotency.get("am", "lost") is None
        assert uow.idempotency.get("am", "second") is not None


def test_a_write_transaction_leaves_the_driver_as_it_found_it(engine: sa.Engine) -> None:
    """Queued writes begin their transaction in the pipeline with the driver in autocommit for
    it; the pooled connection must come back transactional, or later writes lose atomicity."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL pipeline")
    _write(engine, "committed")
    with engine.connect() as c:
        driver = c.connection.driver_connection
        assert driver is not None and driver.autocommit is False
        named = c.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar_one()
        assert named >= 2  # the queued writes were prepared on this connection
    with pytest.raises(RuntimeError), UnitOfWork(engine) as uow:
        uow.audit.append("am", "thing.done", "thing", "dropped")
        uow.idempotency.add("am", "dropped", "h", 201, {})
        uow.audit.flush()
        raise RuntimeError("after queued writes")
    with engine.connect() as c:
        driver = c.connection.driver_connection
        assert driver is not None and driver.autocommit is False
    with pytest.raises(RuntimeError), UnitOfWork(engine) as uow:  # SQLAlchemy's writes only
        uow.conn.execute(sa.insert(idempotency_keys), {
            "scope": "am", "key": "plain", "request_hash": "h", "status_code": 201,
            "response": {}, "created_at": utcnow()})
        raise RuntimeError("rolled back")
    with UnitOfWork(engine, write=False) as uow:
        assert uow.idempotency.get("am", "committed") is not None
        assert uow.idempotency.get("am", "dropped") is None
        assert uow.idempotency.get("am", "plain") is None
        assert uow.audit.of_entity("thing", "dropped") == []


@pytest.mark.parametrize("n", [3, 250])
def test_rows_written_together_keep_their_order_and_values(engine: sa.Engine, n: int) -> None:
    """On PostgreSQL a queued INSERT's rows go as multi-row INSERTs (100 rows each): ids in
    the rows' order, values as one insert each would store them."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [{**_audit_row(f"step {i}"), "detail": {"i": i, "amount": str(Decimal(i) / 4)},
             "at": start + timedelta(seconds=i)} for i in range(n)]
    with UnitOfWork(engine) as uow:
        Prepared(sa.insert(audit_log)).execute_many(uow.conn, rows)
        uow.commit()
    with engine.connect() as c:
        got = c.execute(sa.select(audit_log.c.action, audit_log.c.detail, audit_log.c.at)
                        .order_by(audit_log.c.id)).all()
    assert [tuple(r) for r in got] == [(r["action"], r["detail"], r["at"]) for r in rows]


def test_the_driver_socket_is_uncorked_once_the_pipeline_is_left(engine: sa.Engine) -> None:
    """The queued statements are held in the kernel while the pipeline is open; left corked,
    every later statement on the connection would wait up to 200 ms to leave."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL pipeline")
    import socket

    def corked(c: sa.Connection) -> int:
        fd = c.connection.driver_connection.pgconn.socket  # type: ignore[union-attr]
        with socket.socket(fileno=os.dup(fd)) as sock:
            return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CORK)

    with UnitOfWork(engine) as uow:
        uow.audit.append("am", "thing.done", "thing", "held")
        uow.audit.flush()
        assert corked(uow.conn) == 1
        uow.conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()
        assert corked(uow.conn) == 0  # synced and left before SQLAlchemy's read
        uow.idempotency.add("am", "held", "h", 201, {})
        uow.commit()
        assert corked(uow.conn) == 0
    with pytest.raises(sa.exc.IntegrityError), UnitOfWork(engine) as uow:
        uow.idempotency.add("am", "held", "h", 201, {})
        uow.commit()
    with engine.connect() as c:
        assert corked(c) == 0
