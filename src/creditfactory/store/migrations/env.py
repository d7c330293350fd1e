"""Alembic environment: runs on the connection ``creditfactory.store.migrate`` hands over."""

from __future__ import annotations

from alembic import context

from creditfactory.store import (
    tables_blacklists,  # noqa: F401  (registers the blacklist entries)
    tables_case,  # noqa: F401  (registers the case tables)
    tables_collections,  # noqa: F401  (registers the live collections' tables)
    tables_contracts,  # noqa: F401  (registers the contract and payout-check tables)
    tables_data_fetch,  # noqa: F401  (registers the fetched-data tables)
    tables_learning,  # noqa: F401  (registers learning from the book's tables)
    tables_models,  # noqa: F401  (registers the model tables)
    tables_monitoring,  # noqa: F401  (registers the monthly monitoring's tables)
    tables_personal,  # noqa: F401  (registers the personal values awaiting sealing)
    tables_servicing,  # noqa: F401  (registers the loan book's tables)
    tables_sessions,  # noqa: F401  (registers the sessions table)
)
from creditfactory.store.engine import make_engine
from creditfactory.store.tables import metadata

config = context.config


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()
