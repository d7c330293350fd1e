"""Migrations from empty, exact money, the append-only audit log and sealed personal data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditfactory.store import (
    PersonalDataVault,
    UnitOfWork,
    head_revision,
    make_engine,
    upgrade_head,
)
from creditfactory.store.errors import StoreError
from creditfactory.store.migrate import current_revision, migrate
from creditfactory.store.tables import metadata
from creditfactory.store.types import utcnow

EXPECTED = {
    "branches",
    "channels",
    "deposit_movements",
    "users",
    "partner_banks",
    "strategies",
    "applicants",
    "applications",
    "decisions",
    "cases",
    "tasks",
    "bank_submissions",
    "loans",
    "findings",
    "audit_log",
    "idempotency_keys",
    "model_artifacts",
    "bank_month_counts",
    "sessions",
    "unsealed_personal",
    "blacklist_entries",
    "bureau_consents",
    "bureau_pulls",
    "external_records",
    "data_checks",
    "contracts",
    "payout_checks",
    "servicing_calendar",
    "close_runs",
    "loan_accounts",
    "loan_schedule",
    "loan_transactions",
    "monitoring_loan_months",
    "monitoring_alerts",
    "monitoring_outlook",
    "monitoring_runs",
    "model_performance",
    "model_promotions",
    "book_known_bads",
    "bcard_scores",
    "collections_accounts",
    "collections_runs",
    "collections_assignments",
    "collections_collectors",
    "collections_contacts",
    "collections_promises",
    "collections_restructures",
    "collections_history",
    "collections_entries",
    "ring_links",
    "ring_sweeps",
}


def test_migrations_build_every_table_from_an_empty_database_and_rerun_cleanly(
    empty_db_url: str,
) -> None:
    assert upgrade_head(empty_db_url) == head_revision()
    assert upgrade_head(empty_db_url) == head_revision()
    engine = make_engine(empty_db_url)
    try:
        names = set(sa.inspect(engine).get_table_names())
        assert EXPECTED <= names
        assert EXPECTED == set(metadata.tables)
        if engine.dialect.name == "sqlite":
            with engine.connect() as c:
                assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_migration_0002_adds_model_artifacts_that_keep_bytes_exactly_and_drops_them_again(
    empty_db_url: str, empty_engine: sa.Engine
) -> None:
    engine = empty_engine
    migrate(empty_db_url, "0001", engine)
    assert "model_artifacts" not in sa.inspect(engine).get_table_names()
    migrate(empty_db_url, "0002", engine)
    assert current_revision(engine) == "0002"
    content = bytes(range(256)) * 4096 + b"\x00"
    with UnitOfWork(engine) as uow:
        assert uow.models.put("world-models", "d" * 64, content, "tester")
        assert not uow.models.put("world-models", "d" * 64, b"other", "tester")
        uow.commit()
    with UnitOfWork(engine, write=False) as uow:
        assert uow.models.get("world-models", "d" * 64) == content
        assert uow.models.get("world-models", "e" * 64) is None
        assert uow.models.has("world-models", "d" * 64)
    migrate(empty_db_url, "0001", engine, down=True)
    assert "model_artifacts" not in sa.inspect(engine).get_table_names()
    assert current_revision(engine) == "0001"


def _drift(engine: sa.Engine) -> list[object]:
    with engine.connect() as c:
        return list(compare_metadata(MigrationContext.configure(c), metadata))


def _decision_indexes(engine: sa.Engine) -> set[str]:
    return {i["name"] for i in sa.inspect(engine).get_indexes("decisions") if i["name"]}


def test_the_migrated_schema_is_the_one_the_tables_declare(migrated_engine: sa.Engine) -> None:
    assert _drift(migrated_engine) == []


def test_migration_0004_drops_the_decisions_index_the_unique_one_serves_and_back(
    empty_db_url: str, empty_engine: sa.Engine
) -> None:
    engine = empty_engine
    migrate(empty_db_url, "0003", engine)
    assert "ix_decisions_application_id" in _decision_indexes(engine)
    migrate(empty_db_url, "0004", engine)
    assert "ix_decisions_application_id" not in _decision_indexes(engine)
    uniques = sa.inspect(engine).get_unique_constraints("decisions")
    assert [u["column_names"] for u in uniques] == [["application_id", "seq"]]
    migrate(empty_db_url, "0003", engine, down=True)
    assert "ix_decisions_application_id" in _decision_indexes(engine)
    assert current_revision(engine) == "0003"


def test_migrations_0020_0021_add_the_collections_entries_and_drop_them_again(
    empty_db_url: str, empty_engine: sa.Engine
) -> None:
    from creditfactory.store.tables_collections import ENTRY_EVIDENCE, collections_entries

    engine = empty_engine
    migrate(empty_db_url, "0019", engine)
    assert "collections_entries" not in sa.inspect(engine).get_table_names()
    migrate(empty_db_url, "0020", engine)
    inspector = sa.inspect(engine)
    at_0020 = [c for c in collections_entries.c.keys() if c not in ENTRY_EVIDENCE]
    assert [c["name"] for c in inspector.get_columns("collections_entries")] == at_0020
    assert inspector.get_pk_constraint("collections_entries")["constrained_columns"] == [
        "loan_id", "entered_on"]
    with engine.begin() as c:  # an entry with the store's inputs only: the rest NULL
        c.execute(sa.insert(collections_entries).values(
            loan_id=1, episode_start=date(2026, 2, 16), bucket="M1",
            entered_on=date(2026, 2, 16), instalment=9168.0))
        row = c.execute(sa.select(*(collections_entries.c[k] for k in at_0020))).mappings().one()
    assert row["instalment"] == 9168.0 and row["a_pd"] is None and row["cured_on"] is None
    # 0021: the month-end sweep's ring links, and the link beside the entry's inputs; the entry
    # kept before it is not known to be linked
    migrate(empty_db_url, "0021", engine)
    assert {"ring_links", "ring_sweeps"} <= set(sa.inspect(engine).get_table_names())
    assert [c["name"] for c in sa.inspect(engine).get_columns("collections_entries")] == list(
        collections_entries.c.keys())
    with engine.begin() as c:
        row = c.execute(sa.select(collections_entries)).mappings().one()
    assert row["instalment"] == 9168.0 and row["ring_linked"] is None
    migrate(empty_db_url, "0020", engine, down=True)
    assert [c["name"] for c in sa.inspect(engine).get_columns("collections_entries")] == at_0020
    assert not {"ring_links", "ring_sweeps"} & set(sa.inspect(engine).get_table_names())
    with engine.begin() as c:
        assert c.execute(sa.select(collections_entries.c.instalment)).scalar_one() == 9168.0
    migrate(empty_db_url, "0019", engine, down=True)
    assert "collections_entries" not in sa.inspect(engine).get_table_names()
    assert current_revision(engine) == "0019"


@pytest.fixture
def engine(migrated_engine: sa.Engine) -> sa.Engine:
    return migrated_engine


def test_audit_log_refuses_update_and_delete_at_the_database(engine: sa.Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.audit.append("tester", "thing.done", "thing", 1, detail={"n": 1})
        uow.commit()
    for stmt in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with engine.begin() as c:
                c.exec_driver_sql(stmt)
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT actor FROM audit_log").scalars().all() == ["tester"]


def test_unit_of_work_rolls_back_unless_committed(engine: sa.Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.audit.append("tester", "never.kept", "thing", 2)
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM audit_log").scalar() == 0


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_money_comes_back_exactly_on_every_backend(engine: sa.Engine, amount: Decimal) -> None:
    with UnitOfWork(engine) as uow:
        uow.channels.add(
            channel_id="IM-T",
            channel_type="intermediary",
            branch="B",
            city="C",
            status="active",
            deposit=amount,
            onboarded_at=utcnow(),
        )
        got = uow.channels.get("IM-T")  # never committed: each example starts clean
        assert got is not None and got["deposit"] == amount and isinstance(got["deposit"], Decimal)


def test_sealed_personal_data_opens_only_with_its_key_and_kind() -> None:
    vault = PersonalDataVault("k" * 40)
    sealed = vault.seal("13812345678", "phone", "138****5678")
    assert "13812345678" not in sealed.encrypted
    assert vault.decrypt(sealed.encrypted, "phone") == "13812345678"
    assert sealed.hash == vault.hash("13812345678", "phone") != vault.hash("13812345678", "contact")
    with pytest.raises(StoreError):
        vault.decrypt(sealed.encrypted, "resident_id")
    with pytest.raises(StoreError):
        PersonalDataVault("x" * 40).decrypt(sealed.encrypted, "phone")
